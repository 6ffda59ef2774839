"""The catalog cache shared between the worker processes of one service (`product_service.workers`).

A single process shows every change made through it at once in every read it serves (`CatalogCache`).
With several workers on one port, a reservation can go through one worker and the next catalog read
through another, whose cache would show the stock from before for up to the cache time. So each worker
tells the others about every change it writes through its cache (a stock change, an administrator's
write, a forget-all), and applies theirs as its own.

The notices are datagrams over Unix sockets, one per worker, in a directory the supervisor creates and
removes. They are best effort: a notice that cannot be sent (a worker gone, its queue full) leaves that
worker's view stale for the cache time at most, as between replicas in production, where workers do not
share notices. Stock changes carry the product as the write returned it, with its revision, so a notice
that arrives after a newer change (ours or another sibling's) does not undo it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from product_service.adapters.cosmos import doc_to_product, product_to_doc
from product_service.domain.catalog_cache import CatalogCache
from product_service.domain.models import Product

log = logging.getLogger(__name__)

# How long a worker trusts its list of siblings: workers start one after another.
_RESCAN_SECONDS = 1.0
_MAX_NOTICE_BYTES = 64 * 1024


class SiblingNotices:
    """This worker's socket in the shared directory: sends a notice to every sibling, receives theirs."""

    def __init__(self, directory: Path, name: str | None = None) -> None:
        self._directory = directory
        self._own = directory / f"{name or os.getpid()}.sock"
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.bind(str(self._own))
        self._socket.setblocking(False)
        self._siblings: list[str] = []
        self._listed_at = -_RESCAN_SECONDS
        self._loop: asyncio.AbstractEventLoop | None = None

    def publish(self, notice: bytes) -> None:
        for path in self._peers():
            try:
                self._socket.sendto(notice, path)
            except OSError:  # gone, or too far behind to take more: the cache time bounds its staleness
                self._listed_at = -_RESCAN_SECONDS

    def listen(self, handle: Callable[[bytes], None]) -> None:
        """Calls ``handle(notice)`` on the running loop for every notice a sibling sends."""
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(self._socket.fileno(), self._drain, handle)

    def close(self) -> None:
        if self._loop is not None:
            self._loop.remove_reader(self._socket.fileno())
        self._socket.close()
        with contextlib.suppress(FileNotFoundError):
            self._own.unlink()

    def _drain(self, handle: Callable[[bytes], None]) -> None:
        while True:
            try:
                notice = self._socket.recv(_MAX_NOTICE_BYTES)
            except BlockingIOError:
                return
            try:
                handle(notice)
            except Exception:  # a notice this worker cannot read must not stop it reading the next
                log.exception("catalog notice from a sibling worker ignored")

    def _peers(self) -> list[str]:
        now = time.monotonic()
        if now - self._listed_at >= _RESCAN_SECONDS:
            self._siblings = [
                str(path) for path in self._directory.glob("*.sock") if path.name != self._own.name
            ]
            self._listed_at = now
        return self._siblings


class SharedCatalogCache(CatalogCache):
    """A `CatalogCache` that tells its siblings about each change it makes and applies theirs."""

    def __init__(self, ttl_seconds: float, notices: SiblingNotices) -> None:
        super().__init__(ttl_seconds)
        self._notices = notices

    def stock_changed(self, product: Product, stock_delta: int) -> None:
        super().stock_changed(product, stock_delta)
        self._publish({"kind": "stock", "product": _doc(product), "delta": stock_delta})

    def catalog_changed(self, product_id: str, product: Product | None) -> None:
        super().catalog_changed(product_id, product)
        doc = None if product is None else _doc(product)
        self._publish({"kind": "catalog", "id": product_id, "product": doc})

    def forget_all(self) -> None:
        super().forget_all()
        self._publish({"kind": "forget"})

    def listen(self) -> None:
        """Applies the siblings' notices from now on (on the running loop)."""
        self._notices.listen(self.apply)

    def close(self) -> None:
        self._notices.close()

    def apply(self, notice: bytes) -> None:
        """A sibling's change, applied as if made through this worker (and not passed on)."""
        message = json.loads(notice)
        kind = message["kind"]
        if kind == "stock":
            super().stock_changed(doc_to_product(message["product"]), int(message["delta"]))
        elif kind == "catalog":
            doc = message["product"]
            super().catalog_changed(message["id"], None if doc is None else doc_to_product(doc))
        elif kind == "forget":
            super().forget_all()
        else:
            raise ValueError(f"unknown catalog notice {kind!r}")

    def _publish(self, message: dict[str, Any]) -> None:
        if self.enabled:
            self._notices.publish(json.dumps(message, separators=(",", ":")).encode())


def _doc(product: Product) -> dict[str, Any]:
    return {**product_to_doc(product), "_etag": product.version}
