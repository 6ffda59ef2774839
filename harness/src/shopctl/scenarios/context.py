"""What one running scenario knows: generated data, products, orders and answers so far, and failures.

Generated data is derived from the scenario's seed and the run id, so a rerun never collides with an
earlier run (new emails, phones, product ids and idempotency keys) while one run is reproducible from
its run id (`shopctl replay --run-id`).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from shopctl.errors import ShopError
from shopctl.scenarios import refs
from shopctl.scenarios.client import Answer, ShopClient
from shopctl.scenarios.model import Customer, LoadedScenario
from shopctl.scenarios.source import PathKey, format_path

EMAIL_DOMAIN = "example.com"


@dataclass(frozen=True)
class Where:
    """A step of a scenario, as reports name it: `steps[2].expect (buy) at oversell.yaml:31`."""

    path: PathKey
    kind: str
    line: int
    step_id: str | None = None

    def label(self) -> str:
        named = f" ({self.step_id})" if self.step_id else ""
        return f"{format_path(self.path)}.{self.kind}{named}"


@dataclass
class Failure:
    step: str
    line: int
    expectation: str
    expected: str
    observed: str
    orders: list[str] = field(default_factory=list)

    def text(self) -> str:
        orders = f" (order {', '.join(self.orders)})" if self.orders else ""
        return f"{self.step}: {self.expectation}: expected {self.expected}, observed {self.observed}{orders}"

    def as_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "line": self.line,
            "expectation": self.expectation,
            "expected": self.expected,
            "observed": self.observed,
            "orders": self.orders,
        }


class ExpectationFailedError(Exception):
    def __init__(self, failures: list[Failure]) -> None:
        super().__init__("; ".join(f.text() for f in failures))
        self.failures = failures


class ScenarioError(ShopError):
    """The scenario could not go on for a reason other than an expectation (a service failed, a reference
    named nothing)."""


@dataclass
class StepResults:
    orders: list[dict[str, Any]] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)

    def scope(self) -> dict[str, Any]:
        return {"orders": self.orders, "responses": self.responses}


class ScenarioContext:
    def __init__(self, loaded: LoadedScenario, run_id: str, client: ShopClient) -> None:
        self.loaded = loaded
        self.scenario = loaded.scenario
        self.run_id = run_id
        self.client = client
        self.products: dict[str, dict[str, Any]] = {}
        self.customers: dict[str, dict[str, Any]] = {}
        self.results: dict[str, StepResults] = {}
        self.orders: list[dict[str, Any]] = []
        self._by_id: dict[str, dict[str, Any]] = {}
        self.answers: list[Answer] = []
        self.placed_at: dict[str, float] = {}
        self.settled_after: dict[str, float] = {}
        self.seen_statuses: dict[str, list[str]] = {}
        self.created_products: list[str] = []
        self.notes: list[str] = []
        self.current = ""
        self._keys: dict[str, str] = {}

    # --- generated data ---------------------------------------------------------------------------

    def token(self, *parts: object) -> str:
        material = "|".join(str(p) for p in (self.scenario.seed, self.run_id, self.scenario.name, *parts))
        return hashlib.sha256(material.encode()).hexdigest()

    def customer(self, spec: str | Customer, iteration: int | None = None) -> dict[str, Any]:
        wanted = Customer(label=spec) if isinstance(spec, str) else spec
        label = str(self.evaluate(wanted.label, iteration))
        known = self.customers.get(label)
        if known is not None and isinstance(spec, str):
            return known
        token = self.token("customer", label)
        phone = wanted.phone
        if phone == "generated":
            phone = f"+1555{int(token[:12], 16) % 10**7:07d}"
        customer = {
            "label": label,
            "name": wanted.name,
            "email": wanted.email or f"{label[:24]}.{token[:12]}@{EMAIL_DOMAIN}",
            "phone": phone,
        }
        self.customers[label] = customer
        return customer

    def idempotency_key(self, label: str | None) -> str:
        if label is None:
            return f"qa-{self.token('key', time.perf_counter_ns(), len(self.answers))[:32]}"
        return self._keys.setdefault(label, f"qa-{self.token('key', label)[:32]}")

    def product_id(self, name: str) -> str:
        return f"qa-{self.token('product', name)[:10]}-{name}"[:64]

    # --- references ---------------------------------------------------------------------------------

    def scope(self, iteration: int | None = None) -> dict[str, Any]:
        scope: dict[str, Any] = {
            "run": {"id": self.run_id},
            "seed": self.scenario.seed,
            "scenario": {"name": self.scenario.name},
            "products": self.products,
            "customers": self.customers,
            "steps": {name: result.scope() for name, result in self.results.items()},
            "orders": self.orders,
        }
        if iteration is not None:
            scope["i"] = iteration
        return scope

    def evaluate(self, value: Any, iteration: int | None = None) -> Any:
        try:
            return refs.evaluate(value, self.scope(iteration))
        except refs.RefError as exc:
            raise ScenarioError(f"reference: {exc}") from exc

    def order_ids(self, value: str | list[str] | None, iteration: int | None = None) -> list[str]:
        """The orders a step names (`order:`): a reference to one or many, an id, a list of those;
        default every order placed so far."""
        if value is None:
            return [order["id"] for order in self.orders]
        items: list[Any] = []
        for one in value if isinstance(value, list) else [value]:
            found = self.evaluate(one, iteration)
            items.extend(found if isinstance(found, list) else [found])
        ids = []
        for item in items:
            if isinstance(item, dict) and "id" in item:
                ids.append(str(item["id"]))
            elif isinstance(item, str) and item:
                ids.append(item)
            else:
                raise ScenarioError(f"{value!r} is not an order (got {item!r})")
        return ids

    # --- what happened --------------------------------------------------------------------------------

    def order(self, order_id: str) -> dict[str, Any] | None:
        return self._by_id.get(order_id)

    def remember(self, answer: Answer, ids: tuple[str, ...], started: float) -> dict[str, Any] | None:
        """Keep a place answer: under every enclosing step id, and its order (once) in `orders`."""
        self.answers.append(answer)
        order = None
        if answer.ok and isinstance(answer.body, dict) and "id" in answer.body:
            order = self._by_id.get(answer.body["id"])
            if order is None:
                order = dict(answer.body)
                self._by_id[order["id"]] = order
                self.orders.append(order)
                self.placed_at[order["id"]] = started
                self.seen_statuses[order["id"]] = [str(order.get("status"))]
        response = {
            "status": answer.status,
            "body": answer.body,
            "type": answer.problem_type() or None,
            "fields": answer.problem_fields(),
            "replayed": answer.headers.get("idempotent-replayed") == "true",
            "content_type": answer.headers.get("content-type", ""),
            "order": order,
        }
        for step_id in ids:
            results = self.results.setdefault(step_id, StepResults())
            results.responses.append(response)
            if order is not None:
                results.orders.append(order)
        return order

    def update(self, body: dict[str, Any]) -> None:
        """A fresh read of an order: the shared dict every reference points at is updated in place."""
        order = self._by_id.get(body["id"])
        if order is None:
            return
        order.update(body)
        status = body.get("status")
        seen = self.seen_statuses.setdefault(body["id"], [])
        if status and (not seen or seen[-1] != status):
            seen.append(str(status))
        started = self.placed_at.get(body["id"])
        if (
            status in ("PAID", "PAYMENT_FAILED")
            and started is not None
            and body["id"] not in self.settled_after
        ):
            self.settled_after[body["id"]] = time.perf_counter() - started

    def order_ids_created(self) -> list[str]:
        return [order["id"] for order in self.orders]
