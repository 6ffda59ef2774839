"""The worker's parse step: a ``payment-requests`` body becomes a request, or poison with the reasons every
consumer shares (the same table the notification consumer is tested with)."""

from __future__ import annotations

import json

import pytest
from payment_service.adapters.servicebus import Inbound
from payment_service.worker import is_first_request, parse_request
from servicekit.contracts import Contracts
from servicekit.envelopes import EnvelopeDecoder, PoisonError
from servicekit_testing import PoisonCase, poison_cases

from .conftest import CONTRACTS, payment_requested

DECODER = EnvelopeDecoder(Contracts(CONTRACTS), ("PaymentRequested", 1))
PROPERTIES = {"type": "PaymentRequested", "version": "1"}


def inbound(body: bytes | None, properties: dict[str, str]) -> Inbound:
    return Inbound("msg-1", body, properties, correlation_id=None, delivery_count=1)


def test_parse_request_reads_a_valid_request() -> None:
    envelope = payment_requested(order_id="ord_1")

    request = parse_request(inbound(json.dumps(envelope).encode(), PROPERTIES), DECODER)

    assert request.order_id == "ord_1"
    assert request.message_id == envelope["id"]


@pytest.mark.parametrize("case", poison_cases(payment_requested()), ids=str)
def test_parse_request_refuses_poison_with_the_shared_reason(case: PoisonCase) -> None:
    with pytest.raises(PoisonError) as refused:
        parse_request(inbound(case.body, case.properties), DECODER)

    assert refused.value.reason == case.reason
    assert case.description in refused.value.description


@pytest.mark.parametrize(
    ("message_id", "delivery_count", "first"),
    [
        ("ord_1", 0, True),  # the outbox's message, delivered for the first time
        ("ord_1", 1, False),  # delivered before: its lock was lost or it was abandoned
        ("ord_1-again", 0, False),  # another message for the same order (a resubmission)
    ],
)
def test_only_the_first_delivery_of_the_order_id_message_is_a_first_request(
    message_id: str, delivery_count: int, first: bool
) -> None:
    body = json.dumps(payment_requested(order_id="ord_1")).encode()
    message = Inbound(message_id, body, PROPERTIES, correlation_id="ord_1", delivery_count=delivery_count)

    assert is_first_request(message, parse_request(message, DECODER)) is first
