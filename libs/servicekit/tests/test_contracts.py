"""The contract registry over the repository's ``contract-tests/messages``: which types it knows, violations
that never echo the offending value, and where the schemas are found."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
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
