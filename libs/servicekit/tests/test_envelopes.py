"""The envelope decoder over the repository's schemas: the body forms the SDKs hand over, the shared
poison table, and descriptions that never echo a value."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from servicekit.contracts import Contracts
from servicekit.envelopes import MAX_DESCRIPTION, Envelope, EnvelopeDecoder, PoisonError, PoisonReason
from servicekit_testing import PoisonCase, poison_cases

CONTRACTS = Path(__file__).resolve().parents[3] / "contract-tests" / "messages"
CARD = "4242424242424242"


def example(message_type: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((CONTRACTS / "examples" / f"{message_type}.v1.json").read_text())
    return copy.deepcopy(document)


@pytest.fixture(scope="module")
def contracts() -> Contracts:
    return Contracts(CONTRACTS)


@pytest.fixture
def decoder(contracts: Contracts) -> EnvelopeDecoder:
    return EnvelopeDecoder(contracts, ("PaymentRequested", 1))


def test_decode_returns_the_typed_envelope(decoder: EnvelopeDecoder) -> None:
    document = example("PaymentRequested")

    envelope = decoder.decode(json.dumps(document).encode(), {"type": "PaymentRequested", "version": "1"})

    assert envelope == Envelope(
        id=document["id"],
        type="PaymentRequested",
        version=1,
        occurred_at=document["occurredAt"],
        correlation_id=document["correlationId"],
        data=document["data"],
    )


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(lambda raw: raw, id="bytes"),
        pytest.param(lambda raw: raw.decode(), id="text"),
        pytest.param(lambda raw: bytearray(raw), id="bytearray"),
        pytest.param(lambda raw: memoryview(raw), id="memoryview"),
        pytest.param(lambda raw: iter([raw[:10], raw[10:]]), id="data-sections"),
    ],
)
def test_decode_reads_every_body_form_the_sdks_hand_over(decoder: EnvelopeDecoder, body: Any) -> None:
    raw = json.dumps(example("PaymentRequested")).encode()

    assert decoder.decode(body(raw)).type == "PaymentRequested"


def test_decode_takes_type_and_version_from_the_body_without_properties(decoder: EnvelopeDecoder) -> None:
    assert decoder.decode(json.dumps(example("PaymentRequested"))).version == 1


def test_decode_keeps_unknown_data_fields(decoder: EnvelopeDecoder) -> None:
    document = example("PaymentRequested")
    document["data"]["giftWrap"] = True

    assert decoder.decode(json.dumps(document)).data["giftWrap"] is True


@pytest.mark.parametrize("case", poison_cases(example("PaymentRequested")), ids=lambda case: str(case))
def test_decode_refuses_each_poison_case_with_its_reason(decoder: EnvelopeDecoder, case: PoisonCase) -> None:
    with pytest.raises(PoisonError) as refused:
        decoder.decode(case.body, case.properties)

    assert refused.value.reason == case.reason
    assert case.description in refused.value.description


@pytest.mark.parametrize("case", poison_cases(example("OrderStatusChanged")), ids=lambda case: str(case))
def test_decode_gives_another_type_the_same_verdicts(contracts: Contracts, case: PoisonCase) -> None:
    decoder = EnvelopeDecoder(contracts, ("OrderStatusChanged", 1))

    with pytest.raises(PoisonError) as refused:
        decoder.decode(case.body, case.properties)

    assert refused.value.reason == case.reason


def test_reasons_are_the_order_services_set() -> None:
    assert {reason.value for reason in PoisonReason} == {
        "MalformedBody",
        "SchemaViolation",
        "UnknownMessageType",
    }


def test_a_known_type_another_consumer_handles_is_unknown_here(decoder: EnvelopeDecoder) -> None:
    with pytest.raises(PoisonError) as refused:
        decoder.decode(json.dumps(example("PaymentSucceeded")))

    assert refused.value.reason is PoisonReason.UNKNOWN_MESSAGE_TYPE


def test_poison_carries_the_envelope_id_when_the_body_had_one(decoder: EnvelopeDecoder) -> None:
    document = example("PaymentRequested")
    document["data"]["amount"] = {"value": 59.97, "currency": "EUR"}

    with pytest.raises(PoisonError) as refused:
        decoder.decode(json.dumps(document))

    assert refused.value.message_id == document["id"]
    assert "/data/amount/value: type" in refused.value.description


def test_poison_of_unreadable_body_has_no_id(decoder: EnvelopeDecoder) -> None:
    with pytest.raises(PoisonError) as refused:
        decoder.decode(b"{not json")

    assert refused.value.message_id is None


def test_descriptions_never_echo_a_value(decoder: EnvelopeDecoder) -> None:
    document = example("PaymentRequested")
    document["data"]["paymentMethod"] = {"type": "card", "token": 4242424242424242}
    document["data"]["amount"] = CARD

    with pytest.raises(PoisonError) as refused:
        decoder.decode(json.dumps(document))

    assert CARD not in refused.value.description
    assert CARD not in str(refused.value)


def test_descriptions_are_capped(decoder: EnvelopeDecoder) -> None:
    document = example("PaymentRequested")
    document["data"]["items"] = [{"productId": 1, "quantity": "x", "unitPrice": 3}] * 200

    with pytest.raises(PoisonError) as refused:
        decoder.decode(json.dumps(document))

    assert len(refused.value.description) == MAX_DESCRIPTION


def test_decoder_refuses_at_start_a_type_no_schema_knows(contracts: Contracts) -> None:
    with pytest.raises(ValueError, match="RefundRequested v1"):
        EnvelopeDecoder(contracts, ("PaymentRequested", 1), ("RefundRequested", 1))
