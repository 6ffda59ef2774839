"""Frames captured from azure-servicebus 7.15 on our server's socket (fixtures/sdk_frames.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from amqp_core.framing import decode_frame_body, parse_frame_header
from amqp_core.message import decode_message
from amqp_core.performatives import Attach, Begin, Disposition, Flow, Open, SaslInit, Transfer

FRAMES = json.loads(Path(__file__).with_name("fixtures").joinpath("sdk_frames.json").read_text())


def decode(name: str) -> object:
    raw = bytes.fromhex(FRAMES[name])
    size, offset, frame_type, channel = parse_frame_header(raw[:8], 1 << 20)
    assert size == len(raw)
    return decode_frame_body(frame_type, channel, raw[offset:])


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_every_captured_frame_decodes(name: str) -> None:
    assert decode(name) is not None


def test_sdk_open_announces_its_frame_size() -> None:
    body = decode("Open").body  # type: ignore[attr-defined]
    assert isinstance(body, Open)
    assert body.max_frame_size == 1 << 20


def test_sdk_peek_lock_receiver_asks_for_second_settle_mode() -> None:
    body = decode("Attach-receiver-orders").body  # type: ignore[attr-defined]
    assert isinstance(body, Attach)
    assert body.rcv_settle_mode == 1
    assert "com.microsoft:receiver-name" in (body.properties or {})
    assert body.source is not None
    assert body.source.address.endswith("/orders")


def test_sdk_first_transfer_is_a_cbs_put_token_without_reply_to() -> None:
    frame = decode("Transfer")
    assert isinstance(frame.body, Transfer)  # type: ignore[attr-defined]
    message = decode_message(frame.payload)  # type: ignore[attr-defined]
    properties = message.application_properties or {}
    assert properties["operation"] == "put-token"
    assert properties["type"] == "jwt"
    assert properties["name"].endswith("/orders")
    assert message.properties is not None
    assert message.properties.reply_to is None


def test_sdk_sasl_init_is_anonymous() -> None:
    body = decode("SaslInit").body  # type: ignore[attr-defined]
    assert isinstance(body, SaslInit)
    assert body.mechanism == "ANONYMOUS"


def test_sdk_begin_flow_and_disposition_decode_to_records() -> None:
    assert isinstance(decode("Begin").body, Begin)  # type: ignore[attr-defined]
    assert isinstance(decode("Flow").body, Flow)  # type: ignore[attr-defined]
    disposition = decode("Disposition").body  # type: ignore[attr-defined]
    assert isinstance(disposition, Disposition)
    assert disposition.settled is False
