"""Fault injection: rules that make an emulator misbehave on purpose, for chaos tests.

A rule names an entity (exact name, case-insensitive, or ``*``), an operation and an action, and fires
with a probability and/or for a limited number of matching operations. The protocol layer asks
`FaultRegistry.match(entity, operation)` at each operation and carries out the returned `Fault`; this
module only decides *whether* and *what*, never touches a connection.

Operations (`OPERATIONS`; an emulator may add its own through ``extra_operations``):

| operation        | asked when                                                          |
|------------------|---------------------------------------------------------------------|
| connect          | a connection is opened (entity is ``*``: no entity is known yet)    |
| authenticate     | a `$cbs` put-token request arrives                                  |
| attach           | a sender or receiver link attaches to the entity                   |
| send             | a message (or batch) arrives on a sender link                       |
| receive          | a message is about to be delivered on a receiver link               |
| complete         | a delivery is completed                                             |
| abandon          | a delivery is abandoned                                             |
| defer            | a delivery is deferred                                              |
| dead-letter      | a delivery is dead-lettered by the client                           |
| renew-lock       | a lock renewal arrives on `$management`                             |
| management       | any other `$management` request (peek, schedule, read properties)   |

Actions and the condition used when a rule gives none:

| action             | what the protocol layer does                         | default condition              |
|--------------------|------------------------------------------------------|--------------------------------|
| error              | fails the operation with condition + description     | com.microsoft:server-busy      |
| detach             | detaches the link with the condition                 | amqp:link:detach-forced        |
| latency            | waits ``latency_ms``, then carries the operation out | (none)                         |
| drop-connection    | closes the TCP connection without a close frame      | (none)                         |
| lose-lock          | forgets the message lock, so settling it fails       | com.microsoft:message-lock-lost|
| duplicate-delivery | delivers the message twice                           | (none)                         |
| link-stolen        | detaches the link as if a newer owner took it        | amqp:link:stolen               |
"""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

WILDCARD = "*"

OPERATIONS: frozenset[str] = frozenset(
    {
        "connect",
        "authenticate",
        "attach",
        "send",
        "receive",
        "complete",
        "abandon",
        "defer",
        "dead-letter",
        "renew-lock",
        "management",
    }
)


class FaultAction(StrEnum):
    ERROR = "error"
    DETACH = "detach"
    LATENCY = "latency"
    DROP_CONNECTION = "drop-connection"
    LOSE_LOCK = "lose-lock"
    DUPLICATE_DELIVERY = "duplicate-delivery"
    LINK_STOLEN = "link-stolen"


DEFAULT_CONDITIONS: dict[FaultAction, str] = {
    FaultAction.ERROR: "com.microsoft:server-busy",
    FaultAction.DETACH: "amqp:link:detach-forced",
    FaultAction.LOSE_LOCK: "com.microsoft:message-lock-lost",
    FaultAction.LINK_STOLEN: "amqp:link:stolen",
}


class FaultRuleError(ValueError):
    """A rule that cannot be added; ``field`` names the offending field of the rule."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class FaultRuleSpec(BaseModel):
    """What a client asks for (the body of ``POST /faults``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entity: str = Field(default=WILDCARD, min_length=1)
    operation: str = Field(min_length=1)
    action: FaultAction
    condition: str | None = Field(default=None, min_length=1)
    description: str | None = None
    latency_ms: int | None = Field(default=None, ge=0, le=600_000)
    probability: float = Field(default=1.0, ge=0.0, le=1.0)
    count: int | None = Field(default=None, ge=1)
    seed: int | None = None

    @model_validator(mode="after")
    def _latency_needs_duration(self) -> Self:
        if self.action is FaultAction.LATENCY and self.latency_ms is None:
            raise ValueError("latency_ms is required when action is 'latency'")
        if self.action is not FaultAction.LATENCY and self.latency_ms is not None:
            raise ValueError("latency_ms is only meaningful when action is 'latency'")
        return self


@dataclass(frozen=True, slots=True)
class Fault:
    """What the protocol layer must do for one matched operation."""

    rule_id: str
    action: FaultAction
    condition: str | None
    description: str
    latency_ms: int | None


@dataclass(slots=True)
class FaultRule:
    id: str
    entity: str
    operation: str
    action: FaultAction
    condition: str | None
    description: str
    latency_ms: int | None
    probability: float
    remaining: int | None
    seed: int | None
    fired: int
    rng: random.Random

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "entity": self.entity,
            "operation": self.operation,
            "action": self.action.value,
            "condition": self.condition,
            "description": self.description,
            "latency_ms": self.latency_ms,
            "probability": self.probability,
            "remaining": self.remaining,
            "seed": self.seed,
            "fired": self.fired,
        }

    def applies_to(self, entity: str, operation: str) -> bool:
        entity_ok = self.entity == WILDCARD or self.entity.casefold() == entity.casefold()
        return entity_ok and self.operation in (WILDCARD, operation)


class FaultRegistry:
    """The set of active rules. Rules are tried in the order they were added; the first that fires wins.

    A thread lock guards the rules because the admin HTTP server and the protocol layer may, in an
    embedding that runs them on different threads, touch them at once; in the emulators both run on
    one event loop and the lock is uncontended.
    """

    def __init__(self, *, seed: int | None = None, extra_operations: frozenset[str] = frozenset()) -> None:
        self.operations = OPERATIONS | extra_operations
        self._seeds = random.Random(seed)
        self._ids = itertools.count(1)
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(self, spec: FaultRuleSpec) -> FaultRule:
        if spec.operation != WILDCARD and spec.operation not in self.operations:
            known = ", ".join(sorted(self.operations))
            raise FaultRuleError("operation", f"unknown operation {spec.operation!r}; known: {known}, *")
        seed = spec.seed if spec.seed is not None else self._seeds.randrange(2**63)
        with self._lock:
            rule = FaultRule(
                id=str(next(self._ids)),
                entity=spec.entity,
                operation=spec.operation,
                action=spec.action,
                condition=spec.condition or DEFAULT_CONDITIONS.get(spec.action),
                description=spec.description or f"Fault injected by the emulator ({spec.action.value}).",
                latency_ms=spec.latency_ms,
                probability=spec.probability,
                remaining=spec.count,
                seed=spec.seed,
                fired=0,
                rng=random.Random(seed),
            )
            self._rules.append(rule)
        return rule

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def get(self, rule_id: str) -> FaultRule | None:
        with self._lock:
            return next((rule for rule in self._rules if rule.id == rule_id), None)

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [rule for rule in self._rules if rule.id != rule_id]
            return len(self._rules) != before

    def clear(self) -> int:
        with self._lock:
            removed = len(self._rules)
            self._rules = []
            return removed

    def match(
        self, entity: str, operation: str, actions: Collection[FaultAction] | None = None
    ) -> Fault | None:
        """The fault to inject into this operation, if any; counts the firing against the rule's budget.

        ``actions`` limits the rules asked to those with one of these actions (None: every rule), for an
        operation whose actions are carried out at different moments: the others are neither drawn for
        nor counted, so they wait for the moment that asks about them.
        """
        with self._lock:
            for rule in self._rules:
                if not rule.applies_to(entity, operation):
                    continue
                if actions is not None and rule.action not in actions:
                    continue
                # Drawn for every candidate rule, so a rule's sequence of outcomes depends only on its
                # own seed and the operations it sees.
                if rule.probability < 1.0 and rule.rng.random() >= rule.probability:
                    continue
                rule.fired += 1
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        self._rules.remove(rule)
                return Fault(
                    rule_id=rule.id,
                    action=rule.action,
                    condition=rule.condition,
                    description=rule.description,
                    latency_ms=rule.latency_ms,
                )
        return None
