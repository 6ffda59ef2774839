"""Table storage plumbing against Azurite (started on free ports): connect, create once, readiness probe."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator

import pytest
from azure.core.exceptions import ServiceRequestError
from servicekit.tables import TableStore, partition_key
from shopctl.testing import LaunchedPlatform, launched

# Azurite's public, well-known development account key.


class RowCount(TableStore):
    async def rows(self) -> int:
        return len([entity async for entity in self._client.list_entities()])


def connection_string(table_url: str) -> str:
    return (
        # Azurite's well-known development account key.
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
        f"TableEndpoint={table_url};"
    )


@pytest.fixture(scope="module")
def azurite() -> Iterator[LaunchedPlatform]:
    with launched("azurite") as platform:
        yield platform


async def test_connect_by_connection_string_gives_the_subclass_and_reaches_the_table(azurite) -> None:
    store = RowCount.connect(
        f"kit{uuid.uuid4().hex[:12]}",
        connection_string=connection_string(azurite.url("azurite", "table")),
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
        store = TableStore.connect("missing", connection_string=connection_string(url), endpoint=None)
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
