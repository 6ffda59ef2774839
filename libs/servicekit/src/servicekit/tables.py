"""Azure Table storage plumbing (azure-data-tables, aio) shared by the services' table adapters: opening a
table by connection string (Azurite locally) or by endpoint with ``DefaultAzureCredential`` (Azure), making
sure it exists, probing it for readiness. What the rows mean stays in each service's adapter.
"""

from __future__ import annotations

import contextlib
from typing import Self
from urllib.parse import quote

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.data.tables.aio import TableClient
from azure.identity.aio import DefaultAzureCredential

from servicekit.azure_http import transport_options


def partition_key(value: str) -> str:
    """``value`` with the characters Table keys forbid (``/ \\ # ?``, controls, ...) percent-encoded."""
    return quote(value, safe="-_.~!$&'()*+,;=:@")


class TableStore:
    """Base of an adapter over one table; subclasses add the operations on their rows."""

    def __init__(self, client: TableClient) -> None:
        self._client = client

    @classmethod
    def connect(cls, table: str, *, connection_string: str | None, endpoint: str | None) -> Self:
        """By connection string when one is given, else by endpoint with the workload's identity; the HTTP
        transport skips the per-request proxy look-up when no proxy is configured (``azure_http``)."""
        options = transport_options()
        if connection_string is not None:
            return cls(TableClient.from_connection_string(connection_string, table_name=table, **options))
        if endpoint is None:
            raise ValueError("a table needs a connection string or an endpoint")
        return cls(TableClient(endpoint, table_name=table, credential=DefaultAzureCredential(), **options))

    async def ensure_table(self) -> None:
        with contextlib.suppress(ResourceExistsError):
            await self._client.create_table()

    async def ping(self) -> None:
        """Raises when Table storage does not answer (a missing row is an answer)."""
        with contextlib.suppress(ResourceNotFoundError):
            await self._client.get_entity("-", "-")

    async def close(self) -> None:
        await self._client.close()
