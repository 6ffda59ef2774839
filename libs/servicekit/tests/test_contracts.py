"""The contract registry over the repository's ``contract-tests/messages``: which types it knows, violations
that never echo the offending value, and where the schemas are found."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from servicekit.contracts import (
    Contracts,
    check_contracts_dir,
    default_contracts_dir,
    find_contracts_dir,
)

CONTRACTS = Path(__file__).resolve().parents[3] / "contract-tests" / "messages"


def example(message_type: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((CONTRACTS / "examples" / f"{message_type}.v1.json").read_text())
    return copy.deepcopy(document)


def test_contracts_know_payment_requested_v1_only() -> None:
    contracts = Contracts(CONTRACTS)
    assert contracts.knows("PaymentRequested", 1)
    assert not contracts.knows("PaymentRequested", 2)
    assert not contracts.knows("Unheard", 1)


@pytest.mark.parametrize("message_type", ["PaymentRequested", "PaymentSucceeded", "OrderStatusChanged"])
def test_contract_examples_have_no_violations(message_type: str) -> None:
    assert Contracts(CONTRACTS).violations(example(message_type), message_type, 1) == []


def test_violations_name_path_and_rule_not_the_value() -> None:
    envelope = example("PaymentRequested")
    envelope["data"]["paymentMethod"]["token"] = 4242424242424242

    violations = Contracts(CONTRACTS).violations(envelope, "PaymentRequested", 1)

    assert [str(v) for v in violations] == ["/data/paymentMethod/token: type"]


def test_violations_check_the_envelope_schema_it_refers_to() -> None:
    envelope = example("OrderStatusChanged")
    del envelope["correlationId"]

    violations = Contracts(CONTRACTS).violations(envelope, "OrderStatusChanged", 1)

    assert [v.rule for v in violations] == ["required"]


def test_contracts_refuse_a_folder_without_schemas(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"no \*\.schema\.json files"):
        Contracts(tmp_path)


def test_find_contracts_dir_walks_up_to_the_checkout() -> None:
    assert find_contracts_dir(Path(__file__)) == CONTRACTS
    assert default_contracts_dir() == CONTRACTS


def test_find_contracts_dir_is_none_outside_a_checkout(tmp_path: Path) -> None:
    assert find_contracts_dir(tmp_path / "a" / "b") is None


def test_check_contracts_dir_names_the_setting(tmp_path: Path) -> None:
    check_contracts_dir(CONTRACTS, "SHOP_CONTRACTS_DIR")

    expected = re.escape(f"SHOP_CONTRACTS_DIR={tmp_path} holds no message schemas")
    with pytest.raises(ValueError, match=expected):
        check_contracts_dir(tmp_path, "SHOP_CONTRACTS_DIR")


# Mutations of the examples that the compiled (Rust) validator and jsonschema might judge differently:
# formats, ECMA vs Python regular expressions, numbers that are integers, booleans that are not, values
# Rust cannot take in. Each is (JSON pointer into the example, the new value); None as a pointer's value
# would be JSON null, so deletions say DELETE.
DELETE = object()
MUTATIONS: list[tuple[str, object]] = [
    ("/id", "not-a-uuid"),
    ("/id", "C3D2E1F0-A9B8-4C7D-8E6F-5A4B3C2D1E0F"),
    ("/id", 7),
    ("/occurredAt", "2026-11-26T08:00:02.000Z\n"),
    ("/occurredAt", "not a date but ends in Z"),
    ("/occurredAt", "2026-11-26T08:00:02+01:00"),
    ("/version", 1.0),
    ("/version", True),
    ("/version", 2),
    ("/version", float("nan")),
    ("/version", 10**30),
    ("/type", "Other"),
    ("/correlationId", ""),
    ("/correlationId", DELETE),
    ("/data", []),
    ("/data/customer/email", "no-at-sign"),
    ("/data/customer/email", "x" * 250 + "@example.com"),
    ("/data/customer/name", ""),
    ("/data/customer/phone", "+4915112345678\n"),
    ("/data/customer/phone", "0049"),
    ("/data/orderId", b"bytes"),
    ("/data/orderId", DELETE),
]
MONEY_MUTATIONS: list[object] = ["59.9", "059.97", "59.97\n", "-0.00", 59.97, {"value": "1.00"}]


def mutated(document: dict[str, Any], pointer: str, value: object) -> dict[str, Any] | None:
    *parents, last = pointer.strip("/").split("/")
    node: Any = document
    for part in parents:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    if not isinstance(node, dict) or (last not in node and value is DELETE):
        return None
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return document


def cases(message_type: str) -> list[dict[str, Any]]:
    money = "/data/total/value" if message_type == "OrderStatusChanged" else "/data/amount/value"
    found: list[dict[str, Any]] = [example(message_type)]
    for pointer, value in [*MUTATIONS, *((money, v) for v in MONEY_MUTATIONS)]:
        document = mutated(example(message_type), pointer, value)
        if document is not None:
            found.append(document)
    return found


def jsonschema_answer(message: dict[str, Any], message_type: str) -> list[str]:
    """What the registry answered before it had a compiled fast path: jsonschema alone."""
    schemas = [json.loads(file.read_text()) for file in sorted(CONTRACTS.glob("*.schema.json"))]
    resources = [(s["$id"], Resource.from_contents(s)) for s in schemas]
    registry: Registry[Any] = Registry().with_resources(resources)
    schema = registry.contents(f"https://schemas.contoso-shop.example/messages/{message_type}.v1.schema.json")
    validator = Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(message), key=lambda e: list(map(str, e.absolute_path)))
    return ["/" + "/".join(map(str, e.absolute_path)) + f": {e.validator}" for e in errors]


@pytest.mark.parametrize("message_type", ["PaymentRequested", "PaymentSucceeded", "OrderStatusChanged"])
def test_violations_are_jsonschemas_answer_for_every_mutation(message_type: str) -> None:
    contracts = Contracts(CONTRACTS)
    documents = cases(message_type)
    assert len(documents) > 20

    for document in documents:
        expected = jsonschema_answer(copy.deepcopy(document), message_type)
        assert [str(v) for v in contracts.violations(document, message_type, 1)] == expected, document


def test_what_the_fast_path_refuses_jsonschema_decides() -> None:
    # ECMA's $ never matches before a final newline, Python's does: the Rust validator refuses this
    # occurredAt, jsonschema (the answer) takes it.
    envelope = example("OrderStatusChanged")
    envelope["occurredAt"] += "\n"
    fast, _ = Contracts(CONTRACTS)._validators_for(
        "https://schemas.contoso-shop.example/messages/OrderStatusChanged.v1.schema.json"
    )

    assert not fast.is_valid(envelope)
    assert Contracts(CONTRACTS).violations(envelope, "OrderStatusChanged", 1) == []


def test_formats_are_checked_as_jsonschema_checks_them() -> None:
    envelope = example("PaymentRequested")
    envelope["id"] = "not-a-uuid"
    envelope["data"]["customer"]["email"] = "no-at-sign"

    violations = Contracts(CONTRACTS).violations(envelope, "PaymentRequested", 1)

    assert [str(v) for v in violations] == ["/data/customer/email: format", "/id: format"]


def test_a_value_rust_cannot_take_in_gets_jsonschemas_answer() -> None:
    envelope = example("PaymentRequested")
    envelope["data"]["orderId"] = b"ord_7f3a9c"

    violations = Contracts(CONTRACTS).violations(envelope, "PaymentRequested", 1)

    assert [str(v) for v in violations] == ["/data/orderId: type"]
