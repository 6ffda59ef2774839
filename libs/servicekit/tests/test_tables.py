"""Table storage plumbing against Azurite (started on free ports): connect, create once, readiness probe."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator

import pytest
from azure.core.exceptions import ServiceRequestError
from servicekit.tables import TableStore, partition_key
from shopctl.emulator_accounts import azurite_connection_string
from shopctl.testing import LaunchedPlatform, launched


class RowCount(TableStore):
    async def rows(self) -> int:
        return len([entity async for entity in self._client.list_entities()])


@pytest.fixture(scope="module")
def azurite() -> Iterator[LaunchedPlatform]:
    with launched("azurite") as platform:
        yield platform


async def test_connect_by_connection_string_gives_the_subclass_and_reaches_the_table(azurite) -> None:
    store = RowCount.connect(
        f"kit{uuid.uuid4().hex[:12]}",
        connection_string=azurite.azurite_connection_string("table"),
        endpoint=None,
    )
    try:
        await store.ensure_table()
        await store.ensure_table()
        await store.ping()
        rows = await store.rows()
    finally:
        await store.close()

    assert isinstance(store, RowCount)
    assert rows == 0


async def test_ping_raises_when_table_storage_does_not_answer() -> None:
    # A bound but never listening socket: connections to its port are refused.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/devstoreaccount1"
        store = TableStore.connect(
            "missing", connection_string=azurite_connection_string(table=url), endpoint=None
        )
        try:
            with pytest.raises(ServiceRequestError):
                await store.ping()
        finally:
            await store.close()


def test_connect_refuses_without_connection_string_or_endpoint() -> None:
    with pytest.raises(ValueError, match="connection string or an endpoint"):
        TableStore.connect("t", connection_string=None, endpoint=None)


def test_partition_key_encodes_characters_table_keys_forbid() -> None:
    assert partition_key("ord/1#2?3\\4") == "ord%2F1%232%3F3%5C4"
    assert partition_key("ord_1-a.b~c:d@e") == "ord_1-a.b~c:d@e"
