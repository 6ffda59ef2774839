"""The one place that turns settings into Azure SDK clients.

Locally the settings carry a key and a connection string (the emulators' well-known ones); in Azure they
carry only endpoints, and the clients authenticate with ``DefaultAzureCredential`` (workload identity on
AKS). Nothing else in the service knows which of the two it runs against.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from azure.core.exceptions import ResourceExistsError
from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.transport import AioHttpTransport
from azure.core.settings import settings as azure_settings
from azure.cosmos import PartitionKey
from azure.cosmos.aio import ContainerProxy, CosmosClient, DatabaseProxy
from azure.identity.aio import DefaultAzureCredential
from azure.storage.blob.aio import BlobServiceClient, ContainerClient
from servicekit.azure_http import proxy_configured

from product_service.settings import Settings

PRODUCTS_CONTAINER = "products"
RESERVATIONS_CONTAINER = "reservations"

# Called once per HTTP round trip to Cosmos DB: (operation, HTTP status, seconds, request units).
CosmosObserver = Callable[[str, int, float, float], None]

_STARTED = "product_service.started"


def _transport() -> AioHttpTransport:
    """aiohttp trusting the environment looks up proxy settings and ~/.netrc in a worker thread on every
    request (two thread hand-offs per Cosmos or Blob call in the load gate's profile); only pay that when a
    proxy is actually configured. Each client gets its own transport: the clients close theirs."""
    return AioHttpTransport(use_env_settings=proxy_configured())


def switch_off_azure_sdk_tracing() -> None:
    """For a process that exports no spans: azure-core otherwise reads two environment variables
    (``AZURE_TRACING_ENABLED``, ``AZURE_SDK_TRACING_IMPLEMENTATION``) on every SDK call to learn that it
    should not trace, about 2 % of the reservation path's CPU in the load gate's profile."""
    azure_settings.tracing_enabled = False


@dataclass
class Clients:
    cosmos: CosmosClient
    database: DatabaseProxy
    products: ContainerProxy
    reservations: ContainerProxy
    blob_service: BlobServiceClient
    images: ContainerClient
    credential: DefaultAzureCredential | None

    async def close(self) -> None:
        await self.cosmos.close()
        await self.blob_service.close()
        if self.credential is not None:
            await self.credential.close()


def _cosmos_operation(request: Any) -> str:
    method = request.method
    headers = request.headers
    if "/docs" not in request.url:
        return "metadata"
    if method == "POST":
        if headers.get("x-ms-documentdb-isquery") or "query" in headers.get("Content-Type", ""):
            return "query"
        return "upsert" if headers.get("x-ms-documentdb-is-upsert") == "true" else "create"
    return {"GET": "read", "PUT": "replace", "PATCH": "patch", "DELETE": "delete"}.get(method, "other")


def _hooks(
    observe: CosmosObserver,
) -> tuple[Callable[[PipelineRequest[Any]], None], Callable[[PipelineResponse[Any, Any]], None]]:
    def on_request(request: PipelineRequest[Any]) -> None:
        request.context[_STARTED] = time.perf_counter()

    def on_response(response: PipelineResponse[Any, Any]) -> None:
        started = response.context.get(_STARTED)
        elapsed = time.perf_counter() - started if started is not None else 0.0
        charge = float(response.http_response.headers.get("x-ms-request-charge") or 0.0)
        observe(_cosmos_operation(response.http_request), response.http_response.status_code, elapsed, charge)

    return on_request, on_response


async def open_clients(settings: Settings, observe_cosmos: CosmosObserver | None = None) -> Clients:
    """Builds the clients and makes sure the database, containers and blob container exist.

    In Azure the infrastructure templates create them and these calls only read them, because the
    service's identity holds data-plane roles only.
    """
    needs_identity = settings.cosmos_key is None or settings.blob_connection_string is None
    credential = DefaultAzureCredential() if needs_identity else None

    cosmos_headers = (
        # Without it the local server answers 500 instead of 404 for a missing item (COSMOS-LOCAL.md).
        {"x-ms-documentdb-query-enablecrosspartition": "true"}
        if settings.cosmos_force_cross_partition_header
        else {}
    )
    cosmos_credential = settings.cosmos_key.get_secret_value() if settings.cosmos_key else credential
    on_request, on_response = _hooks(observe_cosmos) if observe_cosmos else (None, None)
    cosmos = CosmosClient(
        settings.cosmos_endpoint,
        credential=cast(str | DefaultAzureCredential, cosmos_credential),
        enable_endpoint_discovery=settings.cosmos_enable_endpoint_discovery,
        headers=cosmos_headers,
        raw_request_hook=on_request,
        raw_response_hook=on_response,
        transport=_transport(),
    )
    if settings.blob_connection_string is not None:
        blob_service = BlobServiceClient.from_connection_string(
            settings.blob_connection_string.get_secret_value(), transport=_transport()
        )
    else:
        blob_service = BlobServiceClient(
            str(settings.blob_account_url), credential=credential, transport=_transport()
        )

    try:
        database = await cosmos.create_database_if_not_exists(settings.cosmos_database)
        # Partitioned by id: see the README ("Partition key") for why.
        products = await database.create_container_if_not_exists(PRODUCTS_CONTAINER, PartitionKey("/id"))
        reservations = await database.create_container_if_not_exists(
            RESERVATIONS_CONTAINER, PartitionKey("/id")
        )
        images = blob_service.get_container_client(settings.blob_container)
        with contextlib.suppress(ResourceExistsError):
            await images.create_container()
    except BaseException:
        await cosmos.close()
        await blob_service.close()
        if credential is not None:
            await credential.close()
        raise
    return Clients(cosmos, database, products, reservations, blob_service, images, credential)


async def check_cosmos(clients: Clients) -> None:
    await clients.database.read()


async def check_blob(clients: Clients) -> None:
    await clients.images.get_container_properties()
