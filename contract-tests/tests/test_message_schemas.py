"""The message schemas accept the documented examples and reject what the contract forbids."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

MESSAGES = Path(__file__).resolve().parents[1] / "messages"
TYPES = ["PaymentRequested", "PaymentSucceeded", "PaymentFailed", "OrderStatusChanged"]


def registry() -> Registry[Any]:
    resources = []
    for path in MESSAGES.glob("*.schema.json"):
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def validator(message_type: str) -> Draft202012Validator:
    schema = json.loads((MESSAGES / f"{message_type}.v1.schema.json").read_text())
    return Draft202012Validator(schema, registry=registry(), format_checker=FormatChecker())


def example(message_type: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((MESSAGES / "examples" / f"{message_type}.v1.json").read_text())
    return loaded


@pytest.mark.parametrize("message_type", TYPES)
def test_example_is_valid(message_type: str) -> None:
    validator(message_type).validate(example(message_type))


@pytest.mark.parametrize("message_type", TYPES)
def test_every_schema_is_a_valid_draft_2020_12_schema(message_type: str) -> None:
    Draft202012Validator.check_schema(json.loads((MESSAGES / f"{message_type}.v1.schema.json").read_text()))


@pytest.mark.parametrize("message_type", TYPES)
def test_unknown_fields_in_data_are_accepted_for_forward_compatibility(message_type: str) -> None:
    message = example(message_type)
    message["data"]["addedInAMinorRelease"] = {"anything": True}
    validator(message_type).validate(message)


@pytest.mark.parametrize(
    ("message_type", "path", "value"),
    [
        ("PaymentRequested", ("data", "amount", "value"), 59.97),
        ("PaymentRequested", ("data", "amount", "value"), "59.9"),
        ("PaymentRequested", ("data", "amount", "currency"), "euro"),
        ("PaymentRequested", ("data", "items"), []),
        ("PaymentRequested", ("data", "customer", "email"), "not-an-email"),
        ("PaymentRequested", ("version",), 2),
        ("PaymentRequested", ("id",), "not-a-uuid"),
        ("PaymentRequested", ("occurredAt",), "2026-11-26T08:00:00+01:00"),
        ("PaymentSucceeded", ("type",), "PaymentFailed"),
        ("PaymentFailed", ("data", "reason"), "card_melted"),
        ("PaymentFailed", ("data", "retryable"), "no"),
        ("OrderStatusChanged", ("data", "status"), "SHIPPED"),
    ],
)
def test_contract_violation_is_rejected(message_type: str, path: tuple[str, ...], value: object) -> None:
    message = copy.deepcopy(example(message_type))
    target = message
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ValidationError):
        validator(message_type).validate(message)


@pytest.mark.parametrize("field", ["id", "type", "version", "occurredAt", "correlationId", "data"])
def test_envelope_fields_are_required(field: str) -> None:
    message = example("PaymentSucceeded")
    del message[field]
    with pytest.raises(ValidationError):
        validator("PaymentSucceeded").validate(message)
