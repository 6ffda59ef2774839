"""The real stores the consumers' handlers write to while a pact's messages go through them: Azurite
(Table storage), on free ports, once per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from shopctl.testing import LaunchedPlatform, launched


@pytest.fixture(scope="session")
def azurite() -> Iterator[LaunchedPlatform]:
    with launched("azurite") as platform:
        yield platform


@pytest.fixture(scope="session")
def tables_connection_string(azurite: LaunchedPlatform) -> str:
    return azurite.azurite_connection_string("table")
