"""Catalog rules: listing, optimistic-concurrency edits and product images."""

from __future__ import annotations

import functools
import uuid
from collections import Counter
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from product_service.domain.catalog_cache import CatalogCache, Snapshot
from product_service.domain.errors import (
    ImageRejectedError,
    ImageTooLargeError,
    NotFoundError,
    PreconditionFailedError,
    ProductInUseError,
)
from product_service.domain.image_cache import ImageCache
from product_service.domain.models import (
    CategorySummary,
    Page,
    Product,
    ProductFields,
    ProductFilter,
)
from product_service.domain.paging import decode_cursor, encode_cursor
from product_service.domain.ports import ImageStore, ProductRepository, StoredImage

Clock = Callable[[], datetime]

# Leading bytes of each accepted image format: the declared Content-Type must match what was sent.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),  # followed by a size and "WEBP", checked below
}


def utc_now() -> datetime:
    return datetime.now(UTC)


async def _one_chunk(data: bytes) -> AsyncGenerator[bytes, None]:
    yield data


def same_version(a: str, b: str) -> bool:
    """Compares entity tags the way HTTP does for If-Match, ignoring quoting and weakness markers."""

    def bare(tag: str) -> str:
        tag = tag.strip()
        return tag.removeprefix("W/").strip('"')

    return bare(a) == bare(b)


_Method = TypeVar("_Method", bound=Callable[..., Awaitable[Any]])


def _changes_catalog(method: _Method) -> _Method:
    """An administrator's write: it tells the cache what it wrote; when it fails, the cache forgets
    everything (a failed write may still have reached the store)."""

    @functools.wraps(method)
    async def wrapper(self: CatalogService, *args: Any, **kwargs: Any) -> Any:
        try:
            return await method(self, *args, **kwargs)
        except BaseException:
            self._cache.forget_all()
            raise

    return cast(_Method, wrapper)


class CatalogService:
    def __init__(
        self,
        products: ProductRepository,
        images: ImageStore,
        *,
        image_types: frozenset[str],
        image_max_bytes: int,
        cache: CatalogCache | None = None,
        image_cache: ImageCache | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._products = products
        self._images = images
        self._image_types = image_types
        self._image_max_bytes = image_max_bytes
        # The public reads go through it; writes read the store itself (If-Match needs the stored version).
        self._cache = cache or CatalogCache(0)
        self._image_cache = image_cache
        self._clock = clock

    async def list_products(
        self, product_filter: ProductFilter, limit: int, cursor: str | None
    ) -> Page[Product]:
        return (await self.page(product_filter, limit, cursor)).value

    async def page(
        self, product_filter: ProductFilter, limit: int, cursor: str | None
    ) -> Snapshot[Page[Product]]:
        """One page of the list as the catalog shows it (possibly cached; see `CatalogCache`)."""
        fingerprint = product_filter.fingerprint()
        continuation = decode_cursor(cursor, fingerprint) if cursor is not None else None

        async def load() -> Page[Product]:
            items, next_token = await self._products.query(product_filter, limit, continuation)
            next_cursor = encode_cursor(next_token, fingerprint) if next_token else None
            return Page(items=items, next_cursor=next_cursor)

        return await self._cache.page(product_filter, (fingerprint, limit, continuation), load)

    async def get(self, product_id: str) -> Product:
        return (await self.read(product_id)).value

    async def read(self, product_id: str) -> Snapshot[Product]:
        """The product as the catalog shows it (possibly cached; see `CatalogCache`)."""
        snapshot = await self._cache.product(product_id, lambda: self._products.get(product_id))
        if snapshot.value is None:
            raise NotFoundError(f"product '{product_id}' does not exist")
        return cast(Snapshot[Product], snapshot)

    async def categories(self) -> list[CategorySummary]:
        return (await self.category_summaries()).value

    async def category_summaries(self) -> Snapshot[list[CategorySummary]]:
        async def load() -> list[CategorySummary]:
            counts = Counter(await self._products.category_names())
            return [CategorySummary(name=name, product_count=n) for name, n in sorted(counts.items())]

        return await self._cache.categories(load)

    @_changes_catalog
    async def create(self, fields: ProductFields, product_id: str | None = None) -> Product:
        now = self._clock()
        product = Product(
            id=product_id or uuid.uuid4().hex,
            reserved=0,
            created_at=now,
            updated_at=now,
            **asdict(fields),
        )
        return self._written(await self._products.create(product))

    @_changes_catalog
    async def replace(self, product_id: str, fields: ProductFields, if_match: str | None) -> Product:
        _, version = await self._current(product_id, if_match)
        return self._written(await self._products.update(product_id, fields, self._clock(), version))

    @_changes_catalog
    async def patch(self, product_id: str, changes: Mapping[str, Any], if_match: str | None) -> Product:
        current, version = await self._current(product_id, if_match)
        merged = {
            name: changes.get(name, getattr(current, name)) for name in ProductFields.__dataclass_fields__
        }
        return self._written(
            await self._products.update(product_id, ProductFields(**merged), self._clock(), version)
        )

    @_changes_catalog
    async def delete(self, product_id: str, if_match: str | None) -> None:
        current, version = await self._current(product_id, if_match)
        if current.reserved > 0:
            raise ProductInUseError(
                f"product '{product_id}' has {current.reserved} units held for open reservations"
            )
        await self._products.delete(product_id, version)
        self._cache.catalog_changed(product_id, None)
        if current.image is not None:
            await self._images.delete(product_id)

    @_changes_catalog
    async def put_image(self, product_id: str, data: bytes, content_type: str) -> Product:
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type not in self._image_types:
            allowed = ", ".join(sorted(self._image_types))
            raise ImageRejectedError(f"content type '{media_type}' is not accepted; use one of: {allowed}")
        if len(data) > self._image_max_bytes:
            raise ImageTooLargeError(f"image is larger than {self._image_max_bytes} bytes")
        signatures = _SIGNATURES.get(media_type, (b"",))
        if not data.startswith(signatures) or (media_type == "image/webp" and data[8:12] != b"WEBP"):
            raise ImageRejectedError(f"the body is not a {media_type} image")
        await self._stored(product_id)
        info = await self._images.put(product_id, data, media_type)
        return self._written(await self._products.set_image(product_id, info, self._clock()))

    async def open_image(self, product_id: str) -> StoredImage:
        """The product's image. With an image cache, which image comes from the product as the catalog
        shows it, and its bytes from memory when this process has served that image before."""
        if self._image_cache is None:
            return await self._open_stored_image(product_id)
        info = (await self.get(product_id)).image
        if info is None:
            raise NotFoundError(f"product '{product_id}' has no image")
        data = self._image_cache.get(product_id, info.etag)
        if data is not None:
            return StoredImage(info.content_type, len(data), info.etag, _one_chunk(data), data)
        image = await self._open_stored_image(product_id)
        if image.etag != info.etag or image.size > self._image_cache.max_image_bytes:
            return image  # changed since the product was read, or too big to keep: served as stored
        data = b"".join([chunk async for chunk in image.chunks])
        self._image_cache.put(product_id, image.etag, data)
        return StoredImage(image.content_type, len(data), image.etag, _one_chunk(data), data)

    async def _open_stored_image(self, product_id: str) -> StoredImage:
        image = await self._images.open(product_id)
        if image is None:
            raise NotFoundError(f"product '{product_id}' has no image")
        return image

    def _written(self, product: Product) -> Product:
        self._cache.catalog_changed(product.id, product)
        return product

    async def _current(self, product_id: str, if_match: str | None) -> tuple[Product, str]:
        """The stored product and the version every following write is conditional on, so that a write
        without If-Match still cannot overwrite a concurrent change (such as a stock reservation)."""
        current = await self._stored(product_id)
        version = current.version or ""
        stale = if_match is not None and not any(
            tag.strip() == "*" or same_version(tag, version) for tag in if_match.split(",")
        )
        if stale:
            raise PreconditionFailedError(f"product '{product_id}' has changed since it was read")
        return current, version

    async def _stored(self, product_id: str) -> Product:
        product = await self._products.get(product_id)
        if product is None:
            raise NotFoundError(f"product '{product_id}' does not exist")
        return product
