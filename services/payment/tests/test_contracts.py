"""The contract registry: which types it knows, and violations that never echo the offending value."""

from __future__ import annotations

from payment_service.contracts import Contracts

from .conftest import CONTRACTS, payment_requested


def test_contracts_know_payment_requested_v1_only() -> None:
    contracts = Contracts(CONTRACTS)
    assert contracts.knows("PaymentRequested", 1)
    assert not contracts.knows("PaymentRequested", 2)


def test_violations_name_path_and_rule_not_the_value() -> None:
    envelope = payment_requested()
    envelope["data"]["paymentMethod"]["token"] = 4242424242424242

    violations = Contracts(CONTRACTS).violations(envelope, "PaymentRequested", 1)

    assert [str(v) for v in violations] == ["/data/paymentMethod/token: type"]
