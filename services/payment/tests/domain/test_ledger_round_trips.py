"""What the processor asks of the ledger per payment: the real processor, Table storage ledger (Azurite),
gateway simulator and Service Bus publisher, the ledger's calls counted on their way through."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from payment_service.adapters.gateway import CARD_DECLINED, CARD_SUCCESS, SimulatedGateway
from payment_service.adapters.ledger import TableLedger
from payment_service.adapters.servicebus import Inbound, ServiceBus, TopicPublisher
from payment_service.domain.models import Payment, PaymentRequest, PaymentState, payment_id_for
from payment_service.domain.processor import PaymentProcessor, RetryPolicy
from payment_service.worker import parse_request
from servicekit.contracts import Contracts
from servicekit.envelopes import EnvelopeDecoder
from shopctl.testing import LaunchedPlatform

from ..conftest import CONTRACTS, TRACEPARENT, payment_requested, servicebus_connection_string

DECODER = EnvelopeDecoder(Contracts(CONTRACTS), ("PaymentRequested", 1))


class CountedLedger:
    """The real ledger, counting each call by operation (each call is one Table round trip, and one more
    when an insert finds the row there)."""

    def __init__(self, ledger: TableLedger) -> None:
        self._ledger = ledger
        self.calls: Counter[str] = Counter()

    async def get(self, order_id: str) -> Payment | None:
        self.calls["get"] += 1
        return await self._ledger.get(order_id)

    async def create(self, payment: Payment) -> Payment:
        self.calls["create"] += 1
        return await self._ledger.create(payment)

    async def update(self, payment: Payment, *, previous: Payment | None = None) -> Payment:
        self.calls["update"] += 1
        return await self._ledger.update(payment, previous=previous)


@pytest.fixture
async def publisher(platform: LaunchedPlatform) -> AsyncIterator[TopicPublisher]:
    bus = ServiceBus.connect(connection_string=servicebus_connection_string(platform), namespace=None)
    yield TopicPublisher(bus, "payment-events")
    await bus.close()


def request_for(card: str) -> PaymentRequest:
    body = json.dumps(payment_requested(card=card)).encode()
    properties = {"type": "PaymentRequested", "version": "1"}
    return parse_request(Inbound("msg-1", body, properties, correlation_id=None, delivery_count=1), DECODER)


@pytest.mark.parametrize("card", [CARD_SUCCESS, CARD_DECLINED])
async def test_a_first_delivery_writes_once_per_transition_and_never_reads(
    ledger: TableLedger, gateway: SimulatedGateway, publisher: TopicPublisher, card: str
) -> None:
    counted = CountedLedger(ledger)
    processor = PaymentProcessor(counted, gateway, publisher, RetryPolicy())

    payment = await processor.process(request_for(card), traceparent=TRACEPARENT, first_request=True)

    assert payment.state is PaymentState.PUBLISHED
    # insert `charged`/`failed` (the gateway answered first), replace with `published`
    assert counted.calls == Counter(create=1, update=1)
    assert gateway.attempts(payment.payment_id) == ["charged"]


async def test_a_redelivery_of_a_published_payment_reads_it_once_and_neither_charges_nor_writes(
    ledger: TableLedger, gateway: SimulatedGateway, publisher: TopicPublisher
) -> None:
    request = request_for(CARD_SUCCESS)
    await PaymentProcessor(ledger, gateway, publisher, RetryPolicy()).process(
        request, traceparent=None, first_request=True
    )
    counted = CountedLedger(ledger)
    processor = PaymentProcessor(counted, gateway, publisher, RetryPolicy())

    again = await processor.process(request, traceparent=None)

    assert again.state is PaymentState.PUBLISHED
    assert counted.calls == Counter(get=1)
    assert [c.idempotency_key for c in gateway.charges()] == [again.payment_id]
    assert gateway.attempts(again.payment_id) == ["charged"]


async def test_a_first_request_sent_again_gets_the_first_answer_back_and_writes_nothing(
    ledger: TableLedger, gateway: SimulatedGateway, publisher: TopicPublisher
) -> None:
    request = request_for(CARD_SUCCESS)
    first = await PaymentProcessor(ledger, gateway, publisher, RetryPolicy()).process(
        request, traceparent=None, first_request=True
    )
    counted = CountedLedger(ledger)
    processor = PaymentProcessor(counted, gateway, publisher, RetryPolicy())

    # The same order's request again as a first one (a re-send after the duplicate detection window).
    again = await processor.process(request, traceparent=None, first_request=True)

    assert again.state is PaymentState.PUBLISHED
    assert (again.payment_id, again.etag) == (first.payment_id, first.etag)
    assert counted.calls == Counter(create=1)  # the insert conflicts; the ledger reads the row back
    assert [c.idempotency_key for c in gateway.charges()] == [first.payment_id]
    assert gateway.attempts(first.payment_id) == ["charged", "replayed"]


async def test_a_redelivery_after_a_crash_before_the_record_charges_with_the_same_key_once(
    ledger: TableLedger, gateway: SimulatedGateway, publisher: TopicPublisher
) -> None:
    request = request_for(CARD_SUCCESS)
    payment_id = payment_id_for(request.order_id)
    first = await gateway.charge(payment_id, request.amount, request.card_token)  # then the worker died
    counted = CountedLedger(ledger)

    processor = PaymentProcessor(counted, gateway, publisher, RetryPolicy())
    payment = await processor.process(request, traceparent=None)

    assert (payment.state, payment.payment_id) == (PaymentState.PUBLISHED, payment_id)
    assert payment.authorization_code == first.authorization_code
    assert counted.calls == Counter(get=1, create=1, update=1)
    assert gateway.attempts(payment_id) == ["charged", "replayed"]
    assert len(gateway.charges()) == 1


async def test_a_charging_row_of_an_earlier_version_is_charged_with_its_own_payment_id(
    ledger: TableLedger, gateway: SimulatedGateway, publisher: TopicPublisher
) -> None:
    request = request_for(CARD_SUCCESS)
    legacy = await ledger.create(
        Payment(
            order_id=request.order_id,
            payment_id=str(uuid.uuid4()),
            state=PaymentState.CHARGING,
            amount=request.amount,
            card_last4="4242",
            created_at=datetime.now(UTC),
        )
    )

    processor = PaymentProcessor(ledger, gateway, publisher, RetryPolicy())
    payment = await processor.process(request, traceparent=None)

    assert (payment.state, payment.payment_id) == (PaymentState.PUBLISHED, legacy.payment_id)
    assert [c.idempotency_key for c in gateway.charges()] == [legacy.payment_id]
