"""`<entity>/$management` operations: renew-lock, peek, update-disposition, schedule, cancel, deferral,
session lock renewal and session state, and on subscriptions the rule manager's add-rule, remove-rule
and enumerate-rules."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from amqp_core.codec import DecodeError
from amqp_core.management import Request
from amqp_core.message import AmqpValue, Message
from amqp_core.performatives import Accepted, AmqpError, DeliveryState, Modified, Rejected
from amqp_core.types import AmqpType, Array, Long, Symbol, Timestamp
from emulator_common.faults import FaultAction, FaultRegistry

from servicebus_emulator.amqp import faults as fault_actions
from servicebus_emulator.amqp.convert import delivered_bytes, incoming
from servicebus_emulator.amqp.errors import condition_of
from servicebus_emulator.amqp.links import DEAD_LETTER_DESCRIPTION, DEAD_LETTER_REASON, settle
from servicebus_emulator.amqp.rules import RuleDescriptionError, rule_description, rule_from_request
from servicebus_emulator.errors import ServiceBusError
from servicebus_emulator.model import ReceiveMode
from servicebus_emulator.provider import ServiceBusProvider, Target
from servicebus_emulator.sql import SqlSyntaxError

log = logging.getLogger(__name__)

_DISPOSITIONS = {"completed", "abandoned", "suspended", "defered", "deferred"}


class _BadRequestError(Exception):
    pass


def _reply(status: int, description: str, body: Any = None, condition: str | None = None) -> Message:
    properties: dict[str, Any] = {"statusCode": status, "statusDescription": description}
    if condition is not None:
        properties["errorCondition"] = Symbol(condition)
    return Message(application_properties=properties, body=AmqpValue(body))


def _timestamps(seconds: list[float]) -> Array:
    return Array(AmqpType.TIMESTAMP, tuple(Timestamp(round(value * 1000)) for value in seconds))


class ManagementNode:
    """Answers one entity's management requests."""

    def __init__(self, provider: ServiceBusProvider, faults: FaultRegistry, target: Target) -> None:
        self.provider = provider
        self.faults = faults
        self.target = target

    async def __call__(self, request: Request) -> Message:
        operation = request.operation or ""
        body = request.message.body.value if isinstance(request.message.body, AmqpValue) else None
        if not isinstance(body, dict):
            body = {}
        try:
            handler = _OPERATIONS.get(operation)
            if handler is None:
                return _reply(
                    501, f"operation {operation!r} is not supported", condition="amqp:not-implemented"
                )
            fault_operation = "renew-lock" if operation.endswith("renew-lock") else "management"
            fault = await fault_actions.apply(self.faults, self.target.path, fault_operation, request.link)
            if fault is not None and fault.action is FaultAction.LOSE_LOCK and "lock-tokens" in body:
                for token in _items(body, "lock-tokens"):
                    await self.provider.lose_lock(_uuid(token))
            return await handler(self, body)
        except ServiceBusError as error:
            condition, status = condition_of(error)
            return _reply(status, str(error), condition=condition)
        except fault_actions.InjectedFault as error:
            return _reply(503, error.description or error.condition, condition=error.condition)
        except SqlSyntaxError as error:
            return _reply(400, f"invalid SQL: {error}", condition="com.microsoft:argument-error")
        except (_BadRequestError, DecodeError, KeyError, TypeError, ValueError) as error:
            return _reply(400, f"bad request: {error}", condition="com.microsoft:argument-error")

    async def renew_lock(self, body: dict[Any, Any]) -> Message:
        tokens = [_uuid(token) for token in _items(body, "lock-tokens")]
        expirations = [await self.provider.renew_lock(token) for token in tokens]
        return _reply(200, "OK", {Symbol("expirations"): _timestamps(expirations)})

    async def peek(self, body: dict[Any, Any]) -> Message:
        start = int(body.get("from-sequence-number", 0))
        count = int(body.get("message-count", 1))
        session_id = body.get("session-id")
        records = self.provider.peek(
            self.target, start, count, str(session_id) if session_id is not None else None
        )
        if not records:
            return _reply(204, "No Content")
        messages = [{Symbol("message"): delivered_bytes(record, locked=False)} for record in records]
        return _reply(200, "OK", {Symbol("messages"): messages})

    async def renew_session_lock(self, body: dict[Any, Any]) -> Message:
        expiration = await self.provider.renew_session_lock(self.target, _session_id(body))
        return _reply(200, "OK", {Symbol("expiration"): Timestamp(round(expiration * 1000))})

    async def get_session_state(self, body: dict[Any, Any]) -> Message:
        state = self.provider.session_state(self.target, _session_id(body))
        return _reply(200, "OK", {Symbol("session-state"): state})

    async def set_session_state(self, body: dict[Any, Any]) -> Message:
        state = body.get("session-state")
        if state is not None and not isinstance(state, bytes):
            raise _BadRequestError("'session-state' must be binary or null")
        await self.provider.set_session_state(self.target, _session_id(body), state)
        return _reply(200, "OK")

    async def update_disposition(self, body: dict[Any, Any]) -> Message:
        status = str(body.get("disposition-status", ""))
        if status not in _DISPOSITIONS:
            raise _BadRequestError(f"unknown disposition-status {status!r}")
        state: DeliveryState
        if status == "completed":
            state = Accepted()
        elif status == "abandoned":
            state = Modified(delivery_failed=True, undeliverable_here=False)
        elif status == "suspended":
            info = {
                DEAD_LETTER_REASON: body.get("deadletter-reason"),
                DEAD_LETTER_DESCRIPTION: body.get("deadletter-description"),
            }
            state = Rejected(error=AmqpError(condition="com.microsoft:dead-letter", info=info))
        else:
            state = Modified(delivery_failed=True, undeliverable_here=True)
        for token in _items(body, "lock-tokens"):
            await settle(self.provider, self.faults, self.target, _uuid(token), state)
        return _reply(200, "OK")

    async def schedule(self, body: dict[Any, Any]) -> Message:
        messages = []
        for entry in _items(body, "messages"):
            encoded = entry.get("message") if isinstance(entry, dict) else None
            if not isinstance(encoded, bytes):
                raise _BadRequestError("each scheduled message needs its encoded 'message'")
            messages.append(incoming(encoded))
        results = await self.provider.send(self.target, messages)
        numbers = tuple(Long(result.sequence_number or 0) for result in results)
        return _reply(200, "OK", {Symbol("sequence-numbers"): Array(AmqpType.LONG, numbers)})

    async def cancel_scheduled(self, body: dict[Any, Any]) -> Message:
        await self.provider.cancel_scheduled(self.target, [int(n) for n in _items(body, "sequence-numbers")])
        return _reply(200, "OK")

    async def receive_by_sequence_number(self, body: dict[Any, Any]) -> Message:
        numbers = [int(n) for n in _items(body, "sequence-numbers")]
        mode = (
            ReceiveMode.RECEIVE_AND_DELETE
            if int(body.get("receiver-settle-mode", 1)) == 0
            else ReceiveMode.PEEK_LOCK
        )
        records = await self.provider.receive_deferred(self.target, numbers, mode)
        messages = []
        for record in records:
            entry: dict[Any, Any] = {
                Symbol("message"): delivered_bytes(record, locked=record.lock_token is not None)
            }
            if record.lock_token is not None:
                entry[Symbol("lock-token")] = record.lock_token
            messages.append(entry)
        return _reply(200, "OK", {Symbol("messages"): messages})

    async def add_rule(self, body: dict[Any, Any]) -> Message:
        name = body.get("rule-name")
        description = body.get("rule-description")
        if not isinstance(name, str) or not name or not isinstance(description, dict):
            raise _BadRequestError("add-rule needs 'rule-name' and a 'rule-description' map")
        try:
            rule = rule_from_request(name, description)
        except RuleDescriptionError as error:
            raise _BadRequestError(str(error)) from None
        self.provider.add_rule(self.target, rule)
        return _reply(200, "OK")

    async def remove_rule(self, body: dict[Any, Any]) -> Message:
        name = body.get("rule-name")
        if not isinstance(name, str) or not name:
            raise _BadRequestError("remove-rule needs 'rule-name'")
        self.provider.remove_rule(self.target, name)
        return _reply(200, "OK")

    async def enumerate_rules(self, body: dict[Any, Any]) -> Message:
        skip = int(body.get("skip", 0))
        top = int(body.get("top", 2**31 - 1))
        page = self.provider.rules(self.target)[skip : skip + top]
        if not page:
            return _reply(204, "No Content")
        return _reply(200, "OK", {"rules": [{"rule-description": rule_description(rule)} for rule in page]})


def _items(body: dict[Any, Any], key: str) -> list[Any]:
    value = body.get(key)
    if isinstance(value, Array):
        return list(value.items)
    if isinstance(value, list):
        return value
    raise _BadRequestError(f"missing {key!r}")


def _session_id(body: dict[Any, Any]) -> str:
    value = body.get("session-id")
    if not isinstance(value, str) or not value:
        raise _BadRequestError("missing 'session-id'")
    return value


def _uuid(value: Any) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


_OPERATIONS = {
    "com.microsoft:renew-lock": ManagementNode.renew_lock,
    "com.microsoft:peek-message": ManagementNode.peek,
    "com.microsoft:update-disposition": ManagementNode.update_disposition,
    "com.microsoft:schedule-message": ManagementNode.schedule,
    "com.microsoft:cancel-scheduled-message": ManagementNode.cancel_scheduled,
    "com.microsoft:receive-by-sequence-number": ManagementNode.receive_by_sequence_number,
    "com.microsoft:renew-session-lock": ManagementNode.renew_session_lock,
    "com.microsoft:get-session-state": ManagementNode.get_session_state,
    "com.microsoft:set-session-state": ManagementNode.set_session_state,
    "com.microsoft:add-rule": ManagementNode.add_rule,
    "com.microsoft:remove-rule": ManagementNode.remove_rule,
    "com.microsoft:enumerate-rules": ManagementNode.enumerate_rules,
}
