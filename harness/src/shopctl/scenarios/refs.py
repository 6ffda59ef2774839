"""`${...}` references: values of earlier steps and generated data, inside any string of a scenario.

Syntax: `${NAME(.NAME | [INDEX])*}`, e.g. `${steps.buy.orders[0].id}`, `${orders[-1].total.value}`,
`${customers.ada.email}`, `${products.widget.id}`, `${run.id}`, `${i}`. A string that is exactly one
reference takes the referenced value as it is (a list of orders, a number); otherwise each reference is
formatted into the string. Negative indexes count from the end (`[-1]` is the last).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

REF = re.compile(r"\$\{([^}]*)\}")
_TOKEN = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_-]*)|\[(-?\d+)\]")

# What a reference may start with, and what each gives.
NAMESPACES: dict[str, str] = {
    "run": "this run: `run.id`",
    "seed": "the scenario's seed",
    "scenario": "`scenario.name`",
    "products": "the scenario's products by name: `products.NAME.id`, `.price`, `.stock` (at the start)",
    "customers": "generated customers by label: `customers.LABEL.email`, `.phone`, `.name`",
    "steps": "results of an earlier step with an `id`: `steps.ID.orders[N]`, `steps.ID.responses[N]`",
    "orders": "every order placed so far, in order: `orders[0].id`, `orders[-1].status`",
    "i": "the iteration number inside `repeat` (0, 1, ...)",
}


class RefError(ValueError):
    pass


def parse(expression: str) -> list[str | int]:
    """`steps.buy.orders[0].id` → `["steps", "buy", "orders", 0, "id"]`; RefError when malformed."""
    parts: list[str | int] = []
    position = 0
    text = expression.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or (position == 0 and match.group(0).startswith((".", "["))):
            raise RefError(
                f"${{{expression}}}: cannot read {text[position:]!r} (expected NAME, .NAME or [N])"
            )
        name, index = match.groups()
        parts.append(int(index) if index is not None else name)
        position = match.end()
    if not parts:
        raise RefError("${}: empty reference")
    return parts


def expressions(text: str) -> list[str]:
    return [match.group(1) for match in REF.finditer(text)]


def resolve(parts: Sequence[str | int], scope: Mapping[str, Any]) -> Any:
    value: Any = scope
    walked: list[str] = []
    for part in parts:
        where = _dotted(walked) or "the scope"
        if isinstance(part, int):
            if not isinstance(value, Sequence) or isinstance(value, str):
                raise RefError(f"{where} is not a list, so [{part}] means nothing")
            if not -len(value) <= part < len(value):
                raise RefError(f"{where} has {len(value)} item(s); there is no [{part}]")
            value = value[part]
            walked.append(f"[{part}]")
        else:
            if not isinstance(value, Mapping) or part not in value:
                known = ", ".join(sorted(str(k) for k in value)) if isinstance(value, Mapping) else ""
                hint = f" (known: {known})" if known else ""
                raise RefError(f"{where} has no {part!r}{hint}")
            value = value[part]
            walked.append(part)
    return value


def evaluate(value: Any, scope: Mapping[str, Any]) -> Any:
    """Strings with references are filled in; lists and mappings are walked; anything else is returned."""
    if isinstance(value, str):
        whole = REF.fullmatch(value)
        if whole:
            return resolve(parse(whole.group(1)), scope)
        return REF.sub(lambda match: _text(resolve(parse(match.group(1)), scope)), value)
    if isinstance(value, list):
        return [evaluate(item, scope) for item in value]
    if isinstance(value, dict):
        return {key: evaluate(item, scope) for key, item in value.items()}
    return value


def _text(value: Any) -> str:
    if isinstance(value, Mapping) and "id" in value:
        return str(value["id"])
    return str(value)


def _dotted(parts: list[str]) -> str:
    return "".join(part if part.startswith("[") or i == 0 else f".{part}" for i, part in enumerate(parts))
