"""The real stores the consumers' handlers write to while a pact's messages go through them: Azurite
(Table storage), on free ports, once per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from shopctl.testing import LaunchedPlatform, launched

# The public, well-known Azurite account key (the Azurite docs); not a secret.
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


@pytest.fixture(scope="session")
def azurite() -> Iterator[LaunchedPlatform]:
    with launched("azurite") as platform:
        yield platform


@pytest.fixture(scope="session")
def tables_connection_string(azurite: LaunchedPlatform) -> str:
    return (
        f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AZURITE_KEY};"
        f"TableEndpoint={azurite.url('azurite', 'table')};"
    )
