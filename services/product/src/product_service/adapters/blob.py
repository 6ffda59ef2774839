"""Product images in Blob Storage, one blob per product (``products/<id>``)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator

from azure.core.exceptions import ResourceNotFoundError, ServiceRequestError, ServiceResponseError
from azure.storage.blob import ContentSettings
from azure.storage.blob.aio import ContainerClient

from product_service.domain.errors import DependencyUnavailableError
from product_service.domain.models import ImageInfo
from product_service.domain.ports import StoredImage


def _blob_name(product_id: str) -> str:
    return f"products/{product_id}"


class BlobImageStore:
    def __init__(self, container: ContainerClient) -> None:
        self._container = container

    async def put(self, product_id: str, data: bytes, content_type: str) -> ImageInfo:
        try:
            result = await self._container.get_blob_client(_blob_name(product_id)).upload_blob(
                data,
                overwrite=True,
                content_settings=ContentSettings(content_type=content_type),
            )
        except (ServiceRequestError, ServiceResponseError) as exc:
            raise DependencyUnavailableError("the image store is unreachable") from exc
        return ImageInfo(content_type=content_type, size=len(data), etag=str(result["etag"]))

    async def open(self, product_id: str) -> StoredImage | None:
        try:
            downloader = await self._container.download_blob(_blob_name(product_id))
        except ResourceNotFoundError:
            return None
        except (ServiceRequestError, ServiceResponseError) as exc:
            raise DependencyUnavailableError("the image store is unreachable") from exc
        properties = downloader.properties

        async def chunks() -> AsyncGenerator[bytes, None]:
            async for chunk in downloader.chunks():
                yield chunk

        return StoredImage(
            content_type=properties.content_settings.content_type or "application/octet-stream",
            size=properties.size,
            etag=str(properties.etag),
            chunks=chunks(),
        )

    async def delete(self, product_id: str) -> None:
        with contextlib.suppress(ResourceNotFoundError):
            await self._container.delete_blob(_blob_name(product_id))
