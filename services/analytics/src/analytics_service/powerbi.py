"""The Power BI push-dataset REST API (``/v1.0/myorg/datasets``): find or create the dataset, post rows.

In Azure the base URL is https://api.powerbi.com/v1.0/myorg (or .../groups/{workspace}) with an Entra ID
token for https://analysis.windows.net/powerbi/api/.default; locally it is the stand-in, without a token.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from analytics_service.dataset import TABLE, dataset_definition

log = logging.getLogger(__name__)
TokenProvider = Callable[[], Awaitable[str]]
# The API's limit per POST rows call is 10,000 rows; batches here are far smaller.
MAX_ROWS_PER_CALL = 10_000


class PushFailedError(RuntimeError):
    pass


class PushDataset:
    def __init__(
        self, base_url: str, dataset_name: str, token: TokenProvider | None = None, attempts: int = 5
    ) -> None:
        self._client = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=15.0)
        self._name = dataset_name
        self._token = token
        self._attempts = attempts
        self._dataset_id: str | None = None

    async def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self._token()}"} if self._token else {}

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        delay = 0.5
        for attempt in range(1, self._attempts + 1):
            try:
                response = await self._client.request(method, path, headers=await self._headers(), **kwargs)
            except httpx.TransportError as error:
                problem = str(error)
            else:
                if response.status_code < 500 and response.status_code != 429:
                    return response
                problem = f"HTTP {response.status_code}"
            log.warning("power bi %s %s failed (%s), attempt %d", method, path, problem, attempt)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10)
        raise PushFailedError(f"{method} {path}: gave up after {self._attempts} attempts")

    async def dataset_id(self) -> str:
        if self._dataset_id is None:
            listed = await self._call("GET", "/datasets")
            listed.raise_for_status()
            found = [d["id"] for d in listed.json()["value"] if d["name"] == self._name]
            if found:
                self._dataset_id = str(found[0])
            else:
                created = await self._call(
                    "POST",
                    "/datasets",
                    params={"defaultRetentionPolicy": "basicFIFO"},
                    json=dataset_definition(self._name),
                )
                created.raise_for_status()
                self._dataset_id = str(created.json()["id"])
                log.info("created push dataset %s (%s)", self._name, self._dataset_id)
        return self._dataset_id

    async def push(self, rows: list[dict[str, Any]]) -> None:
        dataset = await self.dataset_id()
        for start in range(0, len(rows), MAX_ROWS_PER_CALL):
            response = await self._call(
                "POST",
                f"/datasets/{dataset}/tables/{TABLE}/rows",
                json={"rows": rows[start : start + MAX_ROWS_PER_CALL]},
            )
            if response.status_code != 200:
                raise PushFailedError(f"push rows answered {response.status_code}: {response.text[:300]}")

    async def close(self) -> None:
        await self._client.aclose()
