"""Service Bus routes of the admin HTTP API (on top of `emulator_common.admin_http`).

Entities are addressed as on the wire: ``orders``, ``orders/$DeadLetterQueue``,
``events/Subscriptions/audit``, ``events/Subscriptions/audit/$DeadLetterQueue``.
"""

from __future__ import annotations

from aiohttp import web
from emulator_common.admin_http import ProblemError, json_response

from servicebus_emulator.errors import EntityNotFoundError
from servicebus_emulator.provider import EntityInfo, ServiceBusProvider, Target

PROVIDER_KEY: web.AppKey[ServiceBusProvider] = web.AppKey("provider", ServiceBusProvider)

MAX_PEEK = 1000


def _info(entity: EntityInfo) -> dict[str, object]:
    return {
        "path": entity.path,
        "kind": entity.kind.value,
        "topic": entity.topic,
        "counts": entity.counts.as_json(),
    }


def _target(request: web.Request) -> Target:
    address = request.match_info["path"]
    try:
        return request.app[PROVIDER_KEY].resolve(address)
    except EntityNotFoundError as error:
        raise ProblemError(404, "Not Found", str(error)) from None


def _int_query(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ProblemError(
            400,
            "Bad Request",
            f"{name}: expected an integer from {low} to {high}, got {raw!r}",
            field=name,
        )
    return value


async def _list_entities(request: web.Request) -> web.Response:
    provider = request.app[PROVIDER_KEY]
    return json_response(
        {"namespace": provider.namespace, "entities": [_info(e) for e in provider.entities()]}
    )


async def _get_entity(request: web.Request) -> web.Response:
    target = _target(request)
    provider = request.app[PROVIDER_KEY]
    body: dict[str, object] = {
        "path": target.address,
        "kind": target.kind.value,
        "counts": provider.counts(target).as_json(),
    }
    if provider.requires_session(target):
        body["sessions"] = [
            {
                "session_id": session.session_id,
                "messages": session.messages,
                "locked": session.locked_until is not None,
                "has_state": session.has_state,
            }
            for session in provider.sessions(target)
        ]
    return json_response(body)


async def _peek(request: web.Request) -> web.Response:
    target = _target(request)
    start = _int_query(request, "from_sequence_number", 0, 0, 2**63 - 1)
    count = _int_query(request, "count", 100, 1, MAX_PEEK)
    messages = request.app[PROVIDER_KEY].peek(target, start, count)
    return json_response({"path": target.address, "messages": [m.metadata() for m in messages]})


async def _purge(request: web.Request) -> web.Response:
    target = _target(request)
    purged = await request.app[PROVIDER_KEY].purge(target)
    return json_response({"path": target.address, "purged": purged})


def add_routes(app: web.Application, provider: ServiceBusProvider) -> None:
    app[PROVIDER_KEY] = provider
    app.router.add_get("/entities", _list_entities)
    # Registered before the bare entity route, which would otherwise swallow the "/messages" suffix.
    app.router.add_get("/entities/{path:.+}/messages", _peek)
    app.router.add_delete("/entities/{path:.+}/messages", _purge)
    app.router.add_get("/entities/{path:.+}", _get_entity)
