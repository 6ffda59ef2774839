"""HTTP calls to the shop's services, timed, with answers kept as data for expectations and reports."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from shopctl.errors import ShopError
from shopctl.scenarios.targets import Target

PROBLEM_JSON = "application/problem+json"


class ServiceError(ShopError):
    """A call that got no usable answer (connection refused, timeout, 5xx where none was expected)."""


@dataclass
class Answer:
    method: str
    url: str
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    elapsed_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def problem(self) -> dict[str, Any] | None:
        if self.headers.get("content-type", "").startswith(PROBLEM_JSON) and isinstance(self.body, dict):
            return self.body
        return None

    def problem_type(self) -> str:
        problem = self.problem
        return str(problem.get("type", "")) if problem else ""

    def problem_fields(self) -> list[str]:
        """The fields a problem names: `errors[].field` (order, product) or a top-level `field`."""
        problem = self.problem or {}
        fields = [
            str(e["field"]) for e in problem.get("errors") or [] if isinstance(e, dict) and "field" in e
        ]
        if "field" in problem:
            fields.append(str(problem["field"]))
        return fields

    def summary(self) -> str:
        problem = self.problem
        if problem:
            fields = ", ".join(self.problem_fields())
            detail = problem.get("detail") or problem.get("title") or ""
            return (
                f"{self.status} {slug(self.problem_type())}"
                + (f" [{fields}]" if fields else "")
                + (f": {detail}" if detail else "")
            )
        return str(self.status)

    def as_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "url": self.url,
            "status": self.status,
            "elapsedMs": round(self.elapsed_ms, 1),
            "problemType": self.problem_type() or None,
            "problemFields": self.problem_fields() or None,
        }


def slug(problem_type: str) -> str:
    return problem_type.rstrip("/").rsplit("/", 1)[-1]


class ShopClient:
    def __init__(self, target: Target, http: httpx.AsyncClient) -> None:
        self.target = target
        self.http = http

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        admin: bool = False,
    ) -> Answer:
        url = f"{self.target.url(service)}{path}"
        sent = dict(headers or {})
        if admin and self.target.admin_token:
            sent["Authorization"] = f"Bearer {self.target.admin_token}"
        started = time.perf_counter()
        try:
            response = await self.http.request(
                method,
                url,
                json=json,
                params=params,
                headers=sent,
            )
        except httpx.HTTPError as exc:
            raise ServiceError(
                f"{service}: {method} {url} failed: {type(exc).__name__} {exc}".rstrip()
            ) from exc
        elapsed = (time.perf_counter() - started) * 1000
        try:
            body: Any = response.json() if response.content else None
        except ValueError:
            body = response.text
        return Answer(
            method,
            url,
            response.status_code,
            body,
            {k.lower(): v for k, v in response.headers.items()},
            elapsed,
        )

    async def get_json(self, service: str, path: str, params: dict[str, Any] | None = None) -> Any:
        """A read that must succeed (2xx): its JSON body; 404 → None."""
        answer = await self.call(service, "GET", path, params=params)
        if answer.status == 404:
            return None
        if not answer.ok:
            raise ServiceError(f"{service}: GET {answer.url} answered {answer.summary()}")
        return answer.body
