"""The consumer's parse step: an ``order-events`` body becomes a status change, or poison with the reasons
every consumer shares (the same table the payment worker is tested with)."""

from __future__ import annotations

import json

import pytest
from notification_service.adapters.eventhub import InboundEvent
from notification_service.consumer import EVENT_TYPE, VERSION, parse_event
from notification_service.domain.models import OrderStatus
from servicekit.contracts import Contracts
from servicekit.envelopes import EnvelopeDecoder, PoisonError
from servicekit_testing import PoisonCase, poison_cases

from .conftest import CONTRACTS, status_changed

DECODER = EnvelopeDecoder(Contracts(CONTRACTS), (EVENT_TYPE, VERSION))
PROPERTIES = {"type": EVENT_TYPE, "version": str(VERSION)}


def event(body: bytes | None, properties: dict[str, str]) -> InboundEvent:
    return InboundEvent("0", 7, body, properties)


def test_parse_event_reads_a_valid_status_change() -> None:
    envelope = status_changed("PAID", order_id="ord_1")

    change = parse_event(event(json.dumps(envelope).encode(), PROPERTIES), DECODER)

    assert change.event_id == envelope["id"]
    assert change.order_id == "ord_1"
    assert change.status is OrderStatus.PAID
    assert change.occurred_at == envelope["occurredAt"]


@pytest.mark.parametrize("case", poison_cases(status_changed()), ids=str)
def test_parse_event_refuses_poison_with_the_shared_reason(case: PoisonCase) -> None:
    with pytest.raises(PoisonError) as refused:
        parse_event(event(case.body, case.properties), DECODER)

    assert refused.value.reason == case.reason
    assert case.description in refused.value.description
