"""Product images kept in memory, by product id and the image's entity tag.

An image's bytes never change under one entity tag (a new upload gets a new one, and the product records
it), so an entry can only be superseded, never stale: which entity tag to serve comes from the product as
the catalog shows it (`CatalogCache`). Bounded by total bytes; the least recently used images go first.
"""

from __future__ import annotations

from collections import OrderedDict


class ImageCache:
    def __init__(self, *, max_bytes: int, max_image_bytes: int) -> None:
        self._max_bytes = max_bytes
        self.max_image_bytes = min(max_image_bytes, max_bytes)
        self._images: OrderedDict[str, tuple[str, bytes]] = OrderedDict()
        self._bytes = 0

    def get(self, product_id: str, etag: str) -> bytes | None:
        entry = self._images.get(product_id)
        if entry is None or entry[0] != etag:
            return None
        self._images.move_to_end(product_id)
        return entry[1]

    def put(self, product_id: str, etag: str, data: bytes) -> None:
        if len(data) > self.max_image_bytes:
            return
        self.forget(product_id)
        while self._images and self._bytes + len(data) > self._max_bytes:
            _, (_, oldest) = self._images.popitem(last=False)
            self._bytes -= len(oldest)
        self._images[product_id] = (etag, data)
        self._bytes += len(data)

    def forget(self, product_id: str) -> None:
        entry = self._images.pop(product_id, None)
        if entry is not None:
            self._bytes -= len(entry[1])
