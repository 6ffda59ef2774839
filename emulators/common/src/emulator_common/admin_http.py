"""The emulators' admin HTTP server: ``/health``, fault rules, and whatever routes an emulator adds.

Every error leaves as ``application/problem+json`` (RFC 9457). A bad request body names the field at
fault in ``field`` (the first one) and lists all of them in ``errors``. The server runs on the caller's
event loop, next to the AMQP listener.

With an admin token every route but the open ones (``/health`` and ``/metrics``, for probes and
Prometheus) needs ``Authorization: Bearer <token>``; bodies over ``client_max_size`` get 413, a body not
sent within ``body_timeout`` 408, and a request head not sent within ``header_timeout`` loses its
connection (``servicekit.aiohttp_guard``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError
from servicekit.aiohttp_guard import (
    BODY_TIMEOUT_SECONDS,
    HEADER_TIMEOUT_SECONDS,
    admin_token_middleware,
    body_guard_middleware,
)

from emulator_common.config import json_path
from emulator_common.faults import FaultRegistry, FaultRuleError, FaultRuleSpec

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

M = TypeVar("M", bound=BaseModel)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

FAULTS_KEY: web.AppKey[FaultRegistry] = web.AppKey("faults", FaultRegistry)

# Open even with an admin token: liveness probes and Prometheus scrapes carry no credentials.
OPEN_PATHS = frozenset({"/health", "/metrics"})
MAX_BODY_BYTES = 1024**2


def guard_middlewares(
    admin_token: str | None,
    is_open: Callable[[web.Request], bool] = lambda request: request.path in OPEN_PATHS,
    body_timeout: float = BODY_TIMEOUT_SECONDS,
) -> list[Any]:
    """The problem+json edge, then the admin token check, then the body guard, in that order."""
    return [
        problem_middleware,
        admin_token_middleware(admin_token, is_open),
        body_guard_middleware(body_timeout),
    ]


class ProblemError(Exception):
    """Raised by a handler to answer with a problem document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        *,
        field: str | None = None,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.field = field
        self.errors = errors


def problem_response(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    instance: str | None = None,
    field: str | None = None,
    errors: list[dict[str, str]] | None = None,
) -> web.Response:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail is not None:
        body["detail"] = detail
    if instance is not None:
        body["instance"] = instance
    if field is not None:
        body["field"] = field
    if errors:
        body["errors"] = errors
    return web.Response(status=status, text=json.dumps(body), content_type=PROBLEM_JSON)


@web.middleware
async def problem_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ProblemError as error:
        return problem_response(
            error.status,
            error.title,
            error.detail,
            instance=request.path,
            field=error.field,
            errors=error.errors,
        )
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return problem_response(error.status, error.reason, instance=request.path)
    except Exception:
        log.exception("admin request failed", extra={"path": request.path, "method": request.method})
        return problem_response(500, "Internal Server Error", instance=request.path)


async def read_json(request: web.Request, model: type[M]) -> M:
    """The request body validated as ``model``; 400 problem naming the field otherwise."""
    raw = await request.read()
    try:
        data = json.loads(raw) if raw else None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ProblemError(400, "Bad Request", f"request body is not valid JSON: {error}") from None
    if data is None:
        raise ProblemError(400, "Bad Request", "request body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors = [{"field": json_path(e["loc"]) or "(body)", "message": _message(e)} for e in error.errors()]
        first = errors[0]
        raise ProblemError(
            400, "Bad Request", f"{first['field']}: {first['message']}", field=first["field"], errors=errors
        ) from None


def _message(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown field"
    if error["type"] == "missing":
        return "field required"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda value: json.dumps(value, default=str))


async def _health(request: web.Request) -> web.Response:
    return json_response({"status": "healthy", "message": "Service is healthy."})


async def _list_faults(request: web.Request) -> web.Response:
    faults = request.app[FAULTS_KEY]
    return json_response({"rules": [rule.as_json() for rule in faults.rules()]})


async def _add_fault(request: web.Request) -> web.Response:
    faults = request.app[FAULTS_KEY]
    spec = await read_json(request, FaultRuleSpec)
    try:
        rule = faults.add(spec)
    except FaultRuleError as error:
        raise ProblemError(400, "Bad Request", str(error), field=error.field) from None
    log.info(
        "fault rule added",
        extra={"rule": rule.id, "entity": rule.entity, "operation": rule.operation, "action": rule.action},
    )
    response = json_response(rule.as_json(), status=201)
    response.headers["Location"] = f"/faults/{rule.id}"
    return response


async def _get_fault(request: web.Request) -> web.Response:
    rule = request.app[FAULTS_KEY].get(request.match_info["rule_id"])
    if rule is None:
        raise ProblemError(404, "Not Found", f"no fault rule {request.match_info['rule_id']!r}")
    return json_response(rule.as_json())


async def _remove_fault(request: web.Request) -> web.Response:
    rule_id = request.match_info["rule_id"]
    if not request.app[FAULTS_KEY].remove(rule_id):
        raise ProblemError(404, "Not Found", f"no fault rule {rule_id!r}")
    log.info("fault rule removed", extra={"rule": rule_id})
    return web.Response(status=204)


async def _clear_faults(request: web.Request) -> web.Response:
    removed = request.app[FAULTS_KEY].clear()
    log.info("fault rules cleared", extra={"removed": removed})
    return json_response({"removed": removed})


def create_admin_app(
    faults: FaultRegistry, *, admin_token: str | None = None, body_timeout: float = BODY_TIMEOUT_SECONDS
) -> web.Application:
    """The base application; an emulator adds its own routes to ``app.router`` before serving it."""
    app = web.Application(
        middlewares=guard_middlewares(admin_token, body_timeout=body_timeout), client_max_size=MAX_BODY_BYTES
    )
    app[FAULTS_KEY] = faults
    app.router.add_get("/health", _health)
    app.router.add_get("/faults", _list_faults)
    app.router.add_post("/faults", _add_fault)
    app.router.add_delete("/faults", _clear_faults)
    app.router.add_get("/faults/{rule_id}", _get_fault)
    app.router.add_delete("/faults/{rule_id}", _remove_fault)
    return app


class AdminServer:
    """Serves an admin application on ``host:port`` (port 0 picks a free one; see `port`)."""

    def __init__(
        self, app: web.Application, host: str, port: int, header_timeout: float = HEADER_TIMEOUT_SECONDS
    ) -> None:
        self._runner = web.AppRunner(app, access_log=None, keepalive_timeout=header_timeout)
        self._host = host
        self._requested_port = port
        self.port: int | None = None

    async def start(self) -> int:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._requested_port, reuse_address=True)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self.port

    async def close(self) -> None:
        await self._runner.cleanup()
