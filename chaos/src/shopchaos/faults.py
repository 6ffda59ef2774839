"""Actions and probes on the emulators' fault rules, through their admin HTTP APIs (`POST /faults`,
`DELETE /faults/{id}`, `GET /faults`): error, latency, detach, lost lock, duplicate delivery, dropped
connection, each with a seed so a run can be repeated. Every rule added is remembered until removed, so
`undo_all()` (Ctrl-C, a failed run) takes it away."""

from __future__ import annotations

from typing import Any

import httpx
from emulator_common.faults import FaultRuleSpec
from pydantic import ValidationError

from shopchaos import runlog, undo
from shopchaos.platform import ChaosError, LocalPlatform

__all__ = ["add_fault", "fault_rules", "remove_faults"]

EMULATORS = ("servicebus", "eventhubs")
_added: dict[str, list[str]] = {emulator: [] for emulator in EMULATORS}


def fault_spec(
    emulator: str,
    operation: str,
    action: str,
    entity: str = "*",
    probability: float = 1.0,
    count: int | None = None,
    latency_ms: int | None = None,
    condition: str | None = None,
    seed: int | None = None,
    description: str | None = None,
) -> FaultRuleSpec:
    """The rule as the emulator will get it; refused here (naming the field) before anything is sent."""
    if emulator not in EMULATORS:
        raise ChaosError(f"emulator: unknown {emulator!r}; known: {', '.join(EMULATORS)}")
    try:
        return FaultRuleSpec(
            entity=entity,
            operation=operation,
            action=action,  # type: ignore[arg-type]  # pydantic turns the text into the enum or refuses it
            probability=probability,
            count=count,
            latency_ms=latency_ms,
            condition=condition,
            seed=seed,
            description=description,
        )
    except ValidationError as exc:
        issue = exc.errors()[0]
        where = ".".join(str(part) for part in issue["loc"]) or "rule"
        raise ChaosError(f"fault rule {where}: {issue['msg']}") from None


def _admin(emulator: str) -> str:
    return LocalPlatform.current().url(emulator, "http")


def add_fault(
    emulator: str,
    operation: str,
    action: str,
    entity: str = "*",
    probability: float = 1.0,
    count: int | None = None,
    latency_ms: int | None = None,
    condition: str | None = None,
    seed: int = 1,
    description: str | None = None,
) -> dict[str, Any]:
    """Add a fault rule to an emulator; returns the rule as the emulator lists it (with its id)."""
    spec = fault_spec(
        emulator, operation, action, entity, probability, count, latency_ms, condition, seed, description
    )
    admin = _admin(emulator)
    answer = httpx.post(f"{admin}/faults", json=spec.model_dump(exclude_none=True), timeout=10)
    if answer.status_code != 201:
        raise ChaosError(f"{emulator} refused the fault rule: {answer.status_code} {answer.text}")
    rule: dict[str, Any] = answer.json()
    rule_id = str(rule["id"])
    what = f"removed fault rule {rule_id} from {emulator} ({action} on {entity}/{operation}, p={probability})"
    undo.remember(f"{emulator}:{rule_id}", undo.Undo(what, lambda: _delete(admin, rule_id)))
    _added[emulator].append(rule_id)
    runlog.fault_applied(
        f"{emulator}: {action} on {entity}/{operation}" + (f" p={probability}" if probability < 1 else "")
    )
    return rule


def _delete(admin: str, rule_id: str) -> int | str:
    """Remove one rule; how often it fired (a rule with a `count` is gone once it fired that often)."""
    seen = httpx.get(f"{admin}/faults/{rule_id}", timeout=10)
    fired: int | str = int(seen.json()["fired"]) if seen.status_code == 200 else "its count (used up)"
    answer = httpx.delete(f"{admin}/faults/{rule_id}", timeout=10)
    if answer.status_code not in (204, 404):
        raise ChaosError(f"DELETE {admin}/faults/{rule_id} answered {answer.status_code}")
    return fired


def remove_faults(emulator: str | None = None) -> dict[str, Any]:
    """Remove the rules this run added (to one emulator, or to all); returns how often each fired."""
    fired: dict[str, int | str] = {}
    for name in [emulator] if emulator else list(EMULATORS):
        if name not in EMULATORS:
            raise ChaosError(f"emulator: unknown {name!r}; known: {', '.join(EMULATORS)}")
        admin = _admin(name) if _added[name] else ""
        while _added[name]:
            rule_id = _added[name].pop()
            fired[f"{name}:{rule_id}"] = _delete(admin, rule_id)
            undo.forget(f"{name}:{rule_id}")
    runlog.recovered()
    return {"removed": len(fired), "fired": fired}


def fault_rules(emulator: str) -> list[dict[str, Any]]:
    """Probe: the rules an emulator holds now (whoever added them)."""
    if emulator not in EMULATORS:
        raise ChaosError(f"emulator: unknown {emulator!r}; known: {', '.join(EMULATORS)}")
    answer = httpx.get(f"{_admin(emulator)}/faults", timeout=10)
    rules: list[dict[str, Any]] = answer.json()["rules"]
    return rules
