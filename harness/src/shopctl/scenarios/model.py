"""The scenario format: pydantic models (the committed JSON Schema is generated from them) and the loader.

Loading refuses a scenario before anything is sent, naming file, line and the path of the bad value:
`scenarios/oversell.yaml:14: steps[1].repeat.times: Input should be greater than or equal to 1`.
Besides the shape, the loader checks what a schema cannot: references (`${steps.X...}` only to an earlier
step, `${products.X...}` only to a declared product, `${i}` only inside `repeat`), unique step ids and
scenario names, and that scenarios which change the platform for everyone (faults, suspended processes)
are not marked `independent`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, model_validator

from shopctl.errors import ShopError
from shopctl.scenarios import refs
from shopctl.scenarios.source import Located, PathKey, SourceError, format_path, load

SCHEMA_URL_HINT = "scenarios/schema/scenario.schema.json"
NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"
REF_PATTERN = r"^\$\{[^}]+\}$"
PRICE_PATTERN = r"^\d{1,9}(\.\d{1,2})?$"

Name = Annotated[str, Field(pattern=NAME_PATTERN)]
LABEL_PATTERN = r"^(?:[a-z0-9_-]|\$\{[^}]+\})+$"
Label = Annotated[
    str, Field(pattern=LABEL_PATTERN, max_length=40, description="a-z, 0-9, - and _; `${i}` too")
]
Ref = Annotated[str, Field(pattern=REF_PATTERN, description="a `${...}` reference")]
OrderStatus = Literal["PENDING_PAYMENT", "PAID", "PAYMENT_FAILED", "FULFILLED", "CANCELLED"]
TERMINAL_STATUSES = frozenset({"PAID", "PAYMENT_FAILED", "FULFILLED", "CANCELLED"})
CardName = Literal["success", "declined", "insufficient_funds", "fraud_review", "gateway_timeout"]
CARDS: dict[str, str] = {
    "success": "4242424242424242",
    "declined": "4000000000000002",
    "insufficient_funds": "4000000000009995",
    "gateway_timeout": "4000000000000119",
    "fraud_review": "4000000000000259",
}
CardNumber = Annotated[str, Field(pattern=r"^[0-9]{1,19}$", description="a literal card number")]
OrderRef = Annotated[
    str | list[str],
    Field(
        description="the order(s): a reference to an order, its id, a list of orders (`${steps.ID.orders}`), "
        "or a list of those; default: every order placed so far"
    ),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# --- what to order ------------------------------------------------------------------------------------


class CatalogFilter(_Strict):
    """Pick a product of the live catalog (products created by scenarios are never picked)."""

    category: str | None = Field(default=None, description="only this category")
    text: str | None = Field(default=None, description="name or description contains this")
    in_stock: bool = Field(default=True, description="only products with stock")
    min_stock: int = Field(default=1, ge=0, description="at least this many units available")
    max_price: Annotated[str, Field(pattern=PRICE_PATTERN)] | None = None
    pick: Literal["first", "cheapest", "most_stock"] = Field(
        default="first", description="which of the matching products: first by name, cheapest, most stock"
    )


CatalogQuery = (
    Literal["cheapest in stock", "first in stock", "most stock"]
    | Annotated[CatalogFilter, Field(description="a catalog filter")]
)


class NewProduct(_Strict):
    """A product created for this scenario through the product admin API (an admin token is needed)."""

    stock: int = Field(ge=0, le=1_000_000)
    price: Annotated[str, Field(pattern=PRICE_PATTERN)] = "9.99"
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "USD"
    category: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")] = "qa-scenarios"
    name: str | None = Field(default=None, min_length=1, max_length=200)


class ProductFixture(_Strict):
    """A product the scenario refers to by name: created (exact stock), found by a query, or a given id."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["create"]}, {"required": ["query"]}, {"required": ["id"]}]}
    )

    create: NewProduct | None = None
    query: CatalogQuery | None = None
    id: str | None = Field(default=None, description="an existing product id (references allowed)")

    @model_validator(mode="after")
    def _one_source(self) -> ProductFixture:
        given = [name for name in ("create", "query", "id") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of `create`, `query`, `id`")
        return self


class Item(_Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [{"required": ["product"]}, {"required": ["product_id"]}, {"required": ["query"]}]
        }
    )

    product: Name | None = Field(default=None, description="a product of the scenario's `products`")
    product_id: str | None = Field(default=None, description="a literal product id (references allowed)")
    query: CatalogQuery | None = Field(default=None, description="a product found in the catalog now")
    quantity: int | Ref = Field(default=1, description="units (0 and negatives are sent as they are)")

    @model_validator(mode="after")
    def _one_product(self) -> Item:
        given = [name for name in ("product", "product_id", "query") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of `product`, `product_id`, `query`")
        return self


class Customer(_Strict):
    label: Label = Field(
        default="customer",
        description="who this is within the scenario; the email is generated from it, the seed and the run",
    )
    name: str = "QA Tester"
    email: str | None = Field(default=None, description="a literal email instead of the generated one")
    phone: str | None = Field(
        default=None, description="`generated` (unique per run), or a literal number such as +447700900123"
    )


# --- expectations on one answer -----------------------------------------------------------------------


class ProblemExpectation(_Strict):
    """An application/problem+json answer: its `type` and the fields it names."""

    type: str = Field(description="the slug (`insufficient-stock`) or the full type URI")
    field: str | None = Field(default=None, description="a field the problem names (`items[0].productId`)")
    fields: list[str] = Field(default_factory=list, description="fields the problem names, all of them")


class ResponseExpectation(_Strict):
    status: int | list[int] = Field(description="the HTTP status, or any of a list")
    problem: ProblemExpectation | None = None
    replayed: bool | None = Field(default=None, description="the `Idempotent-Replayed: true` header")
    same_order_as: str | None = Field(
        default=None, description="the answer is this order (a reference), as an idempotent replay is"
    )


ResponseCheck = Annotated[
    ResponseExpectation | Literal["any"],
    Field(description="what the answer must be; default: a 2xx answer; `any` accepts every answer"),
]


# --- steps --------------------------------------------------------------------------------------------


class Place(_Strict):
    customer: Label | Customer = Field(default="customer", description="a label, or a customer")
    items: list[Item] = Field(max_length=50)
    card: CardName | CardNumber = Field(
        default="success", description="a test card of the payment gateway simulator, or a number"
    )
    idempotency_key: Name | None = Field(
        default=None,
        description="a label: places with the same label send the same Idempotency-Key (fresh per run); "
        "default: a new key per request",
    )
    response: ResponseCheck | None = None


class Repeat(_Strict):
    times: int = Field(ge=1, le=1000)
    concurrency: int = Field(default=1, ge=1, le=64, description="iterations in flight at once")
    steps: list[Step] = Field(min_length=1, description="run once per iteration; `${i}` is the iteration")


class WaitFor(_Strict):
    order: OrderRef | None = None
    status: OrderStatus | list[OrderStatus] | Literal["settled"] = Field(
        description="the status to reach; `settled`: any of PAID, PAYMENT_FAILED, FULFILLED, CANCELLED"
    )
    timeout: float = Field(default=60, gt=0, le=3600, description="seconds")


class Cancel(_Strict):
    order: OrderRef
    reason: str | None = None
    response: ResponseCheck | None = None


class Fulfil(_Strict):
    order: OrderRef
    response: ResponseCheck | None = None


FaultAction = Literal[
    "error", "detach", "latency", "drop-connection", "lose-lock", "duplicate-delivery", "link-stolen"
]


class FaultRule(_Strict):
    """A rule for the emulator's admin API (`POST /faults`), see emulators/common/README.md."""

    broker: Literal["servicebus", "eventhubs"]
    entity: str = Field(min_length=1, description="`payment-requests`, `payment-events`, `order-events`, `*`")
    operation: str = Field(min_length=1, description="send, receive, complete, attach, ...")
    action: FaultAction
    condition: str | None = None
    description: str | None = None
    latency_ms: int | None = Field(default=None, ge=0, le=600_000)
    probability: float | None = Field(default=None, ge=0, le=1)
    count: int | None = Field(default=None, ge=1)
    seed: int | None = Field(default=None, description="default: derived from the scenario's seed")
    must_fire: bool = Field(
        default=True, description="fail the step when the rule never fired (the fault was not exercised)"
    )

    def describe(self) -> str:
        return f"{self.broker} {self.entity} {self.operation} {self.action}"


class Fault(_Strict):
    rules: list[FaultRule] = Field(min_length=1)
    steps: list[Step] = Field(
        min_length=1, description="run while the rules are active; the rules are removed afterwards, always"
    )


class Suspend(_Strict):
    component: Name = Field(description="a component of the local platform (SIGSTOP, SIGCONT afterwards)")
    steps: list[Step] = Field(min_length=1)


class PaymentExpectation(_Strict):
    status: Literal["none", "pending", "succeeded", "failed", "refunded"] | None = Field(
        default=None, description="the ledger's status; `none`: no ledger entry"
    )
    charges: int | None = Field(
        default=None, ge=0, le=1, description="1: the order's ledger entry holds a successful charge"
    )
    failure_reason: str | None = None
    amount: Literal["order_total"] | Annotated[str, Field(pattern=PRICE_PATTERN)] | None = None


EmailCounts = dict[OrderStatus, Annotated[int, Field(ge=0)]]


class NotificationExpectation(_Strict):
    """Exact counts per order and status; a status not listed must have none (of that channel)."""

    emails: EmailCounts | None = Field(default=None, description="emails per status, e.g. {PAID: 1}")
    sms: EmailCounts | None = Field(default=None, description="texts per status")
    settle: float = Field(
        default=5, ge=0, le=600, description="seconds to keep watching once the counts are reached"
    )


class StockExpectation(_Strict):
    delta: int | None = Field(default=None, description="stock now minus stock when the scenario started")
    stock: int | None = Field(default=None, ge=0, description="units available now")
    reserved: int | None = Field(default=None, ge=0, description="units held for open orders now")


class ResponsesExpectation(_Strict):
    """Answers of the place requests of a step (a `repeat` gathers all of its iterations)."""

    step: Name
    succeeded: int | None = Field(default=None, ge=0, description="2xx answers")
    refused: int | None = Field(default=None, ge=0, description="4xx answers")
    refused_status: int | list[int] | None = None
    refused_problem: ProblemExpectation | None = None


class LatencyBounds(_Strict):
    place_p95_ms: float | None = Field(default=None, gt=0)
    settle_p95_s: float | None = Field(default=None, gt=0, description="place → PAID/PAYMENT_FAILED seen")


class Expect(_Strict):
    order: OrderRef | None = None
    within: float = Field(default=20, gt=0, le=3600, description="seconds for the checks to come true")
    count: int | None = Field(default=None, ge=0, description="how many orders `order` names")
    status: OrderStatus | list[OrderStatus] | None = None
    status_reason: str | None = Field(default=None, description="exactly this reason; `null`: no reason")
    status_reason_contains: str | None = None
    history: list[OrderStatus] | None = Field(
        default=None, description="statuses in the order they were notified (notification log or mailbox)"
    )
    payment: PaymentExpectation | None = None
    notifications: NotificationExpectation | None = None
    stock: dict[Name, StockExpectation] | None = Field(default=None, description="by product name")
    customer_orders: dict[Name, Annotated[int, Field(ge=0)]] | None = Field(
        default=None, description="orders the order API lists for each customer label"
    )
    responses: ResponsesExpectation | None = None
    latency: LatencyBounds | None = Field(
        default=None, description="asserted only when the scenario sets `assert_latency: true`"
    )


class _Step(_Strict):
    id: Name | None = Field(default=None, description="name the step's results: `${steps.ID.orders[0]}`")
    note: str | None = Field(default=None, description="shown in reports")


class PlaceStep(_Step):
    place: Place


class RepeatStep(_Step):
    repeat: Repeat


class WaitForStep(_Step):
    wait_for: WaitFor


class CancelStep(_Step):
    cancel: Cancel


class FulfilStep(_Step):
    fulfil: Fulfil


class PauseStep(_Step):
    pause: float = Field(gt=0, le=3600, description="seconds")


class FaultStep(_Step):
    fault: Fault


class SuspendStep(_Step):
    suspend: Suspend


class ExpectStep(_Step):
    expect: Expect


STEP_KINDS = ("place", "repeat", "wait_for", "cancel", "fulfil", "pause", "fault", "suspend", "expect")
BLOCK_KINDS = ("repeat", "fault", "suspend")


def step_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        kinds = [kind for kind in STEP_KINDS if kind in value]
        return kinds[0] if len(kinds) == 1 else None
    for kind in STEP_KINDS:
        if isinstance(value, BaseModel) and kind in type(value).model_fields:
            return kind
    return None


Step = Annotated[
    Annotated[PlaceStep, Tag("place")]
    | Annotated[RepeatStep, Tag("repeat")]
    | Annotated[WaitForStep, Tag("wait_for")]
    | Annotated[CancelStep, Tag("cancel")]
    | Annotated[FulfilStep, Tag("fulfil")]
    | Annotated[PauseStep, Tag("pause")]
    | Annotated[FaultStep, Tag("fault")]
    | Annotated[SuspendStep, Tag("suspend")]
    | Annotated[ExpectStep, Tag("expect")],
    Discriminator(
        step_kind,
        custom_error_type="step_kind",
        custom_error_message=f"a step needs exactly one of: {', '.join(STEP_KINDS)}",
    ),
]


class Scenario(_Strict):
    """One QA order scenario."""

    name: Name
    description: str = Field(min_length=1)
    tags: list[Name] = Field(default_factory=list)
    seed: int = Field(default=0, description="with the run id, makes the generated data of a run")
    independent: bool = Field(
        default=True,
        description="true: may run alongside other scenarios; false: runs alone (faults, stopped processes)",
    )
    requires: list[Literal["local"]] = Field(
        default_factory=list, description="`local`: only against the local platform (skipped elsewhere)"
    )
    assert_latency: bool = Field(default=False, description="fail when `expect.latency` bounds are exceeded")
    products: dict[Name, ProductFixture] = Field(default_factory=dict)
    steps: list[Step] = Field(min_length=1)


for _model in (Repeat, Fault, Suspend, RepeatStep, FaultStep, SuspendStep, Scenario):
    _model.model_rebuild()


# --- loading ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    file: Path
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.file}:{self.line}: {where}{self.message}"


class InvalidScenarioError(ShopError):
    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("invalid scenario(s), nothing was sent:\n" + "\n".join(f"  {i}" for i in issues))


@dataclass(frozen=True)
class LoadedScenario:
    file: Path
    scenario: Scenario
    located: Located

    @property
    def name(self) -> str:
        return self.scenario.name

    def line(self, path: PathKey) -> int:
        return self.located.line_of(path)


def scenario_files(paths: list[Path]) -> list[Path]:
    """The files named, and every *.yaml / *.yml under the directories named (sorted)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise InvalidScenarioError([Issue(path, 0, "", "no such file or directory")])
    return found


def load_file(file: Path) -> LoadedScenario:
    try:
        located = load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidScenarioError([Issue(file, 0, "", f"cannot read: {exc.strerror}")]) from exc
    except SourceError as exc:
        raise InvalidScenarioError([Issue(file, exc.line, "", exc.message)]) from exc
    if not isinstance(located.data, dict):
        raise InvalidScenarioError([Issue(file, 1, "", "a scenario is a mapping (name, description, steps)")])
    try:
        scenario = Scenario.model_validate(located.data)
    except ValidationError as exc:
        raise InvalidScenarioError(_validation_issues(file, exc, located)) from exc
    issues = [Issue(file, located.line_of(path), format_path(path), msg) for path, msg in _semantic(located)]
    if issues:
        raise InvalidScenarioError(issues)
    return LoadedScenario(file, scenario, located)


def load_all(paths: list[Path]) -> list[LoadedScenario]:
    """Every scenario under ``paths``; all problems of all files are reported together."""
    issues: list[Issue] = []
    loaded: list[LoadedScenario] = []
    for file in scenario_files(paths):
        try:
            loaded.append(load_file(file))
        except InvalidScenarioError as exc:
            issues.extend(exc.issues)
    first: dict[str, LoadedScenario] = {}
    for item in loaded:
        if item.name in first:
            other = first[item.name].file
            issues.append(
                Issue(item.file, item.line(("name",)), "name", f"{item.name!r} is also {other}'s name")
            )
        first.setdefault(item.name, item)
    if issues:
        raise InvalidScenarioError(issues)
    return loaded


def _validation_issues(file: Path, exc: ValidationError, located: Located) -> list[Issue]:
    by_path: dict[PathKey, list[str]] = {}
    for error in exc.errors():
        path, missing = _data_path(error["loc"], located.data)
        if error["type"] == "missing":
            message = f"missing `{missing}`" if missing else "missing value"
        elif error["type"] == "extra_forbidden":
            message = f"unknown field `{error['loc'][-1]}`"
        else:
            message = str(error["msg"]).removeprefix("Value error, ")
        messages = by_path.setdefault(path, [])
        if message not in messages:
            messages.append(message)
    # A union reports every alternative; the one that got furthest is the one meant.
    deepest = [p for p in by_path if not any(len(o) > len(p) and o[: len(p)] == p for o in by_path)]
    return [
        Issue(file, located.line_of(path), format_path(path), "; or ".join(by_path[path][:3]))
        for path in sorted(deepest, key=located.line_of)
    ]


def _data_path(loc: tuple[int | str, ...], data: Any) -> tuple[PathKey, str]:
    """The path of ``loc`` within the data, leaving out union tags; and a missing key, if that is the end."""
    path: list[str | int] = []
    value = data
    missing = ""
    for part in loc:
        if (isinstance(value, dict) and part in value) or (
            isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)
        ):
            path.append(part)
            value = value[part]  # type: ignore[index]  # a str key of a dict, or an int index of a list
            missing = ""
        else:
            missing = str(part)
    return tuple(path), missing


# --- what a schema cannot say --------------------------------------------------------------------------


def walk_steps(steps: list[Any], path: PathKey = ("steps",)) -> Iterator[tuple[PathKey, str, dict[str, Any]]]:
    """(path, kind, step) of every step of raw scenario data, in the order they run; blocks before their
    steps."""
    for index, step in enumerate(steps):
        here = (*path, index)
        kind = step_kind(step) or ""
        yield here, kind, step
        if kind in BLOCK_KINDS:
            yield from walk_steps(step[kind]["steps"], (*here, kind, "steps"))


def _semantic(located: Located) -> list[tuple[PathKey, str]]:
    data: dict[str, Any] = located.data
    products = set(data.get("products") or {})
    defined: set[str] = set()
    problems: list[tuple[PathKey, str]] = []
    repeat_paths: list[PathKey] = []

    for path, kind, step in walk_steps(data["steps"]):
        if kind == "repeat":
            repeat_paths.append(path)
        step_id = step.get("id")
        if step_id is not None:
            if step_id in defined:
                problems.append(((*path, "id"), f"step id {step_id!r} is used twice"))
            defined.add(step_id)
        in_repeat = any(path[: len(r)] == r and path != r for r in repeat_paths)
        for where, text in _step_strings(step, path, kind):
            problems.extend((where, message) for message in _check_refs(text, in_repeat, products, defined))
        body = step[kind]
        if kind == "place":
            for index, item in enumerate(body.get("items", [])):
                name = item.get("product")
                if name is not None and name not in products:
                    problems.append(
                        ((*path, kind, "items", index, "product"), _unknown_product(name, products))
                    )
        if kind == "expect":
            for name in body.get("stock") or {}:
                if name not in products:
                    problems.append(((*path, kind, "stock", name), _unknown_product(name, products)))
            responses = body.get("responses")
            if responses and responses["step"] not in defined:
                problems.append(
                    ((*path, kind, "responses", "step"), f"no earlier step has id {responses['step']!r}")
                )
        if kind in ("fault", "suspend") and data.get("independent", True):
            problems.append(
                (
                    (*path, kind),
                    f"a {kind} step changes the platform for every scenario running alongside: "
                    "set `independent: false` on the scenario",
                )
            )
    for name, fixture in (data.get("products") or {}).items():
        for where, text in _strings(fixture, ("products", name)):
            problems.extend((where, message) for message in _check_refs(text, False, set(), set()))
    return problems


def _unknown_product(name: str, products: set[str]) -> str:
    known = ", ".join(sorted(products)) or "none declared"
    return f"no product named {name!r} in `products` (known: {known})"


def _step_strings(step: dict[str, Any], path: PathKey, kind: str) -> Iterator[tuple[PathKey, str]]:
    """Every string of a step, leaving out a block's own steps (they are visited in their turn)."""
    for key, value in step.items():
        if key == kind and kind in BLOCK_KINDS and isinstance(value, dict):
            for inner, item in value.items():
                if inner != "steps":
                    yield from _strings(item, (*path, key, inner))
        else:
            yield from _strings(value, (*path, key))


def _strings(value: Any, path: PathKey) -> Iterator[tuple[PathKey, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))


def _check_refs(text: str, in_repeat: bool, products: set[str], defined: set[str]) -> list[str]:
    problems = []
    for expression in refs.expressions(text):
        try:
            parts = refs.parse(expression)
        except refs.RefError as exc:
            problems.append(str(exc))
            continue
        head = parts[0]
        if head not in refs.NAMESPACES:
            known = ", ".join(refs.NAMESPACES)
            problems.append(f"${{{expression}}}: unknown name {head!r} (known: {known})")
        elif head == "i" and not in_repeat:
            problems.append(f"${{{expression}}}: `i` exists only inside `repeat`")
        elif head == "products" and (len(parts) < 2 or parts[1] not in products):
            problems.append(f"${{{expression}}}: {_unknown_product(str(parts[1:2] and parts[1]), products)}")
        elif head == "steps" and (len(parts) < 2 or parts[1] not in defined):
            name = parts[1] if len(parts) > 1 else ""
            problems.append(f"${{{expression}}}: no earlier step has id {name!r}")
    return problems
