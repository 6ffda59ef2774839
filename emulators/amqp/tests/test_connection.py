"""The server over real sockets: handshakes, SASL, links, flow, settlement, heartbeats and bad input."""

from __future__ import annotations

import asyncio
import resource
import uuid

import pytest
from amqp_core.framing import AMQP_HEADER, FRAME_SASL, SASL_HEADER, encode_frame
from amqp_core.message import Data, Message, Properties, decode_message, encode_message
from amqp_core.performatives import (
    RCV_SECOND,
    ROLE_RECEIVER,
    SASL_AUTH,
    SASL_OK,
    Accepted,
    Begin,
    Close,
    Detach,
    Disposition,
    End,
    Flow,
    Modified,
    Open,
    SaslInit,
    SaslMechanisms,
    SaslOutcome,
    Transfer,
)
from amqp_helpers import QueueApp, running_server
from emulator_common.raw_amqp import RawAmqpClient


def message_bytes(text: str, **properties: object) -> bytes:
    return encode_message(Message(properties=Properties(**properties), body=Data([text.encode()])))  # type: ignore[arg-type]


def flow(
    handle: int, credit: int, delivery_count: int = 0, *, drain: bool = False, echo: bool = False
) -> Flow:
    return Flow(
        next_incoming_id=0,
        incoming_window=1000,
        next_outgoing_id=0,
        outgoing_window=1000,
        handle=handle,
        delivery_count=delivery_count,
        link_credit=credit,
        drain=drain,
        echo=echo,
    )


async def open_connection(port: int, **open_kwargs: object) -> RawAmqpClient:
    client = await RawAmqpClient.connect(port)
    await client.open(**open_kwargs)  # type: ignore[arg-type]
    return client


async def open_session(port: int, **open_kwargs: object) -> RawAmqpClient:
    client = await open_connection(port, **open_kwargs)
    await client.begin()
    return client


async def start_sasl(client: RawAmqpClient) -> tuple[bytes, object]:
    """Send the SASL header; the server's header and the body of its mechanisms frame."""
    client.send_raw(SASL_HEADER)
    header = await client.read_header()
    return header, (await client.read_frame()).body


async def sasl_outcome(client: RawAmqpClient, init: SaslInit) -> SaslOutcome:
    client.send(init, frame_type=FRAME_SASL)
    outcome = (await client.read_frame()).body
    assert isinstance(outcome, SaslOutcome)
    return outcome


async def next_transfer_frame(client: RawAmqpClient):  # type: ignore[no-untyped-def]
    """Read frames until one carries a transfer (flow and the like may come first)."""
    frame = await client.read_frame()
    while not isinstance(frame.body, Transfer):
        frame = await client.read_frame()
    return frame


async def test_open_answers_with_every_field_and_our_limits() -> None:
    async with running_server(max_frame_size=4096, idle_time_out_ms=30_000) as server:
        client = await RawAmqpClient.connect(server.port)
        opened = await client.open()
        assert opened.max_frame_size == 4096
        assert opened.idle_time_out == 30_000
        client.send(Close())
        assert await client.expect(Close) == Close()
        await client.close()


async def test_begin_is_answered_with_the_remote_channel() -> None:
    async with running_server() as server:
        client = await open_connection(server.port)
        client.send(Begin(next_outgoing_id=0, incoming_window=10, outgoing_window=10), channel=3)
        begun = await client.expect(Begin)
        assert begun.remote_channel == 3
        await client.close()


async def test_sasl_anonymous_then_amqp() -> None:
    async with running_server() as server:
        client = await RawAmqpClient.connect(server.port)
        header, mechanisms = await start_sasl(client)
        assert header == SASL_HEADER
        assert isinstance(mechanisms, SaslMechanisms)
        assert set(mechanisms.sasl_server_mechanisms) == {"PLAIN", "ANONYMOUS"}
        outcome = await sasl_outcome(client, SaslInit(mechanism="ANONYMOUS"))
        assert outcome.code == SASL_OK
        await client.open()
        await client.close()


@pytest.mark.parametrize(("password", "code"), [("secret", SASL_OK), ("wrong", SASL_AUTH)])
async def test_sasl_plain_credentials_go_to_the_authenticator(password: str, code: int) -> None:
    # pragma: allowlist nextline secret (a test server's SASL password)
    async with running_server(QueueApp(plain_password="secret")) as server:
        client = await RawAmqpClient.connect(server.port)
        await start_sasl(client)
        init = SaslInit(mechanism="PLAIN", initial_response=b"\x00user\x00" + password.encode())
        outcome = await sasl_outcome(client, init)
        assert outcome.code == code
        if code != SASL_OK:
            assert await client.closed_by_server()
        await client.close()


async def test_unknown_sasl_mechanism_is_refused() -> None:
    async with running_server() as server:
        client = await RawAmqpClient.connect(server.port)
        await start_sasl(client)
        outcome = await sasl_outcome(client, SaslInit(mechanism="GSSAPI"))
        assert outcome.code == SASL_AUTH
        await client.close()


async def test_unsupported_protocol_header_gets_ours_then_hang_up() -> None:
    async with running_server() as server:
        client = await RawAmqpClient.connect(server.port)
        client.send_raw(b"HTTP/1.1")
        assert await client.read_header() == AMQP_HEADER
        assert await client.closed_by_server()
        await client.close()


async def test_attach_to_unknown_node_is_refused_with_not_found() -> None:
    async with running_server() as server:
        client = await open_session(server.port)
        answer = await client.attach_sender("missing-queue", handle=0)
        assert answer.target is None
        detach = await client.expect(Detach)
        assert detach.closed is True
        assert detach.error.condition == "amqp:not-found"
        await client.close()


async def test_sender_gets_credit_and_settled_accepted_outcomes() -> None:
    app = QueueApp()
    async with running_server(app) as server:
        client = await open_session(server.port)
        answer = await client.attach_sender("orders")
        assert answer.role == ROLE_RECEIVER
        assert answer.max_message_size == 1 << 20
        granted = await client.expect(Flow)
        assert granted.link_credit == 1000
        client.send(
            Transfer(handle=0, delivery_id=0, delivery_tag=b"t0", message_format=0),
            payload=message_bytes("hi"),
        )
        disposition = await client.expect(Disposition)
        assert disposition.settled is True
        assert disposition.state == Accepted()
        assert decode_message(app.received[0].payload).body == Data([b"hi"])
        await client.close()


class RejectingOversizeApp(QueueApp):
    """Settles oversize deliveries Rejected, as Azure does, instead of detaching the link."""

    async def on_link_attach(self, link):  # type: ignore[no-untyped-def]
        handler = await super().on_link_attach(link)
        link.max_message_size = 1024
        link.reject_oversize = True
        return handler


async def test_oversize_delivery_is_rejected_and_the_link_stays_when_the_app_asks() -> None:
    app = RejectingOversizeApp()
    async with running_server(app) as server:
        client = await open_session(server.port)
        answer = await client.attach_sender("orders")
        assert answer.max_message_size == 1024
        await client.expect(Flow)
        payload = message_bytes("x" * 3000)
        for index, start in enumerate(range(0, len(payload), 1000)):
            client.send(
                Transfer(
                    handle=0,
                    delivery_id=0 if index == 0 else None,
                    delivery_tag=b"big" if index == 0 else None,
                    message_format=0,
                    more=start + 1000 < len(payload),
                ),
                payload=payload[start : start + 1000],
            )
        rejected = await client.expect(Disposition)
        client.send(
            Transfer(handle=0, delivery_id=1, delivery_tag=b"small", message_format=0),
            payload=message_bytes("ok"),
        )
        accepted = await client.expect(Disposition)

        assert rejected.first == 0
        assert rejected.settled is True
        assert rejected.state.error.condition == "amqp:link:message-size-exceeded"
        assert "exceeds the limit (1024 bytes)" in rejected.state.error.description
        assert accepted.first == 1
        assert accepted.state == Accepted()
        assert [decode_message(d.payload).body for d in app.received] == [Data([b"ok"])]
        await client.close()


async def test_multi_frame_transfer_is_reassembled() -> None:
    app = QueueApp()
    async with running_server(app) as server:
        client = await open_session(server.port)
        await client.attach_sender("orders")
        payload = message_bytes("x" * 5000)
        chunks = [payload[i : i + 1000] for i in range(0, len(payload), 1000)]
        for index, chunk in enumerate(chunks):
            client.send(
                Transfer(
                    handle=0,
                    delivery_id=0 if index == 0 else None,
                    delivery_tag=b"t" if index == 0 else None,
                    message_format=0,
                    more=index < len(chunks) - 1,
                ),
                payload=chunk,
            )
        await client.expect(Disposition)
        assert app.received[0].payload == payload
        await client.close()


async def test_outgoing_messages_are_split_to_the_clients_frame_size() -> None:
    app = QueueApp()
    async with running_server(app) as server:
        client = await open_session(server.port, max_frame_size=1024)
        await client.attach_sender("orders")
        payload = message_bytes("y" * 6000)
        client.send(Transfer(handle=0, delivery_id=0, delivery_tag=b"t", message_format=0), payload=payload)
        await client.expect(Disposition)
        await client.attach_receiver("orders", handle=1)
        client.send(flow(1, 5))
        frames = []
        while True:
            frame = await client.read_frame()
            if isinstance(frame.body, Transfer):
                frames.append(frame)
                if not frame.body.more:
                    break
        assert len(frames) > 5
        assert b"".join(frame.payload for frame in frames) == payload
        await client.close()


async def flow_answer(request_flow: Flow) -> Flow:
    """Send a flow on a fresh receiver link to an empty queue; the server's answering flow."""
    async with running_server() as server:
        client = await open_session(server.port)
        await client.attach_receiver("empty", handle=1)
        client.send(request_flow)
        answer = await client.expect(Flow)
        await client.close()
        return answer


async def test_drain_spends_unused_credit_and_reports_it() -> None:
    answer = await flow_answer(flow(1, 10, drain=True))
    assert answer.handle == 0
    assert answer.drain is True
    assert answer.link_credit == 0
    assert answer.delivery_count == 10


async def test_echo_flow_reports_link_state() -> None:
    answer = await flow_answer(flow(1, 3, echo=True))
    assert answer.link_credit == 3
    assert answer.delivery_count == 0


async def test_receiver_settle_mode_second_gets_the_disposition_echo() -> None:
    app = QueueApp()
    async with running_server(app) as server:
        client = await open_session(server.port)
        await client.attach_sender("orders")
        client.send(
            Transfer(handle=0, delivery_id=0, delivery_tag=b"t", message_format=0), payload=message_bytes("m")
        )
        await client.expect(Disposition)
        await client.attach_receiver("orders", handle=1, rcv_settle_mode=RCV_SECOND)
        client.send(flow(1, 1))
        transfer = await client.expect(Transfer)
        assert transfer.settled is False
        state = Modified(delivery_failed=True)
        client.send(Disposition(role=ROLE_RECEIVER, first=transfer.delivery_id, settled=False, state=state))
        echo = await client.expect(Disposition)
        assert echo.settled is True
        assert echo.first == transfer.delivery_id
        assert echo.state == state
        assert app.dispositions == [(transfer.delivery_tag, state, False)]
        await client.close()


async def test_detach_is_answered_and_reported_to_the_handler() -> None:
    app = QueueApp()
    async with running_server(app) as server:
        client = await open_session(server.port)
        await client.attach_sender("orders", handle=0, name="my-sender")
        client.send(Detach(handle=0, closed=True))
        answer = await client.expect(Detach)
        assert answer.closed is True
        assert app.detached == [("my-sender", None)]
        await client.close()


async def test_end_releases_links_and_frames_for_an_ended_channel_are_tolerated() -> None:
    app = QueueApp()
    async with running_server(app) as server:
        client = await open_session(server.port)
        await client.attach_sender("orders", handle=0, name="s")
        client.send(End())
        await client.expect(End)
        client.send(Detach(handle=0, closed=True))  # what the Python SDK does after ending
        client.send(Begin(next_outgoing_id=0, incoming_window=10, outgoing_window=10))
        assert isinstance(await client.expect(Begin), Begin)
        assert [name for name, _ in app.detached] == ["s"]
        await client.close()


async def test_request_response_node_replies_to_the_link_named_in_reply_to() -> None:
    async with running_server() as server:
        client = await open_session(server.port)
        await client.attach_sender("$management", handle=0, name="requests")
        await client.expect(Flow)
        await client.attach_receiver("$management", handle=1, name="replies-link")
        client.send(flow(1, 10))
        request = encode_message(
            Message(
                properties=Properties(message_id="req-1", reply_to="replies-link"),
                application_properties={"operation": "READ"},
            )
        )
        client.send(Transfer(handle=0, delivery_id=0, delivery_tag=b"r", message_format=0), payload=request)
        frame = await next_transfer_frame(client)
        reply = decode_message(frame.payload)
        assert reply.properties is not None
        assert reply.properties.correlation_id == "req-1"
        assert reply.application_properties == {
            "status-code": 202,
            "status-description": "OK",
            "echo": "READ",
        }
        await client.close()


async def test_request_without_reply_to_is_answered_on_the_same_session() -> None:
    async with running_server() as server:
        client = await open_session(server.port)
        await client.attach_receiver("$cbs", handle=1)
        client.send(flow(1, 10))
        await client.attach_sender("$cbs", handle=0)
        request = encode_message(
            Message(
                properties=Properties(message_id=uuid.UUID(int=7)),
                application_properties={"operation": "put-token"},
            )
        )
        client.send(Transfer(handle=0, delivery_id=0, delivery_tag=b"r", message_format=0), payload=request)
        frame = await next_transfer_frame(client)
        assert decode_message(frame.payload).properties.correlation_id == uuid.UUID(int=7)  # type: ignore[union-attr]
        await client.close()


# ---------------------------------------------------------------------------------- robustness


async def test_garbage_frame_closes_that_connection_with_decode_error_only() -> None:
    async with running_server() as server:
        healthy = await open_session(server.port)
        client = await open_connection(server.port)
        client.send_raw(bytes.fromhex("0000000c02000000") + b"\xff\xff\xff\xff")
        close = await client.expect(Close)
        assert close.error.condition == "amqp:decode-error"
        assert await client.closed_by_server()
        healthy.send(Begin(next_outgoing_id=0, incoming_window=1, outgoing_window=1), channel=1)
        assert isinstance(await healthy.expect(Begin), Begin)
        await client.close()
        await healthy.close()


async def test_oversize_frame_closes_with_framing_error() -> None:
    async with running_server(max_frame_size=1024) as server:
        client = await open_connection(server.port)
        client.send_raw((5000).to_bytes(4, "big") + bytes([2, 0, 0, 0]) + b"\x00" * 100)
        close = await client.expect(Close)
        assert close.error.condition == "amqp:connection:framing-error"
        assert await client.closed_by_server()
        await client.close()


async def test_first_frame_other_than_open_is_refused() -> None:
    async with running_server() as server:
        client = await RawAmqpClient.connect(server.port)
        client.send_raw(AMQP_HEADER)
        await client.read_header()
        client.send(Begin(next_outgoing_id=0, incoming_window=1, outgoing_window=1))
        assert isinstance(await client.expect(Open), Open)
        close = await client.expect(Close)
        assert close.error.condition == "amqp:illegal-state"
        await client.close()


async def test_client_vanishing_mid_transfer_detaches_its_links_and_spares_others() -> None:
    app = QueueApp()
    async with running_server(app) as server:
        healthy = await open_session(server.port)
        await healthy.attach_sender("orders", handle=0, name="healthy")
        client = await open_session(server.port)
        await client.attach_sender("orders", handle=0, name="vanishing")
        frame = encode_frame(
            0,
            0,
            Transfer(handle=0, delivery_id=0, delivery_tag=b"t", message_format=0),
            message_bytes("z" * 500),
        )
        client.send_raw(frame[:200])  # half a frame, then gone
        await client.close()
        for _ in range(100):
            if app.detached:
                break
            await asyncio.sleep(0.02)
        assert [name for name, _ in app.detached] == ["vanishing"]
        assert app.detached[0][1] is not None
        assert app.detached[0][1].condition == "amqp:connection:forced"
        healthy.send(
            Transfer(handle=0, delivery_id=0, delivery_tag=b"h", message_format=0),
            payload=message_bytes("ok"),
        )
        assert (await healthy.expect(Disposition)).state == Accepted()
        await healthy.close()


async def test_silent_client_is_closed_when_our_idle_timeout_expires() -> None:
    async with running_server(idle_time_out_ms=300) as server:
        client = await open_connection(server.port)
        close = await client.expect(Close, wait_s=5)
        assert close.error.condition == "amqp:resource-limit-exceeded"
        await client.close()


async def test_server_sends_heartbeats_within_the_clients_idle_timeout() -> None:
    async with running_server() as server:
        client = await open_connection(server.port, idle_time_out=200)
        frame = await client.read_frame(wait_s=2)
        assert frame.body is None
        frame = await client.read_frame(wait_s=2)
        assert frame.body is None
        await client.close()


async def test_server_stop_closes_open_connections_with_connection_forced() -> None:
    async with running_server() as server:
        client = await open_connection(server.port)
        stopping = asyncio.create_task(server.stop())
        close = await client.expect(Close)
        assert close.error.condition == "amqp:connection:forced"
        client.send(Close())
        await stopping
        await client.close()


async def test_a_thousand_concurrent_connections_are_served() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2500:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))
    async with running_server() as server:
        clients = await asyncio.gather(*(RawAmqpClient.connect(server.port) for _ in range(1000)))
        opens = await asyncio.gather(*(client.open() for client in clients))
        assert len(opens) == 1000
        assert len(server.connections) == 1000
        await asyncio.gather(*(client.close() for client in clients))


async def _begun_on_local_channel(client: RawAmqpClient, remote_channel: int) -> int:
    client.send(Begin(next_outgoing_id=0, incoming_window=10, outgoing_window=10), channel=remote_channel)
    while True:
        frame = await client.read_frame()
        if isinstance(frame.body, Begin):
            assert frame.body.remote_channel == remote_channel
            return frame.channel


async def test_a_begin_takes_the_lowest_local_channel_an_ended_session_freed() -> None:
    # Channels come from a free list, not a scan of the ones in use: thousands of sessions on one connection
    # once cost the event loop time that grew with their square (found by the abuse test).
    async with running_server() as server:
        client = await open_connection(server.port)
        assert [await _begun_on_local_channel(client, remote) for remote in (0, 1, 2, 3)] == [0, 1, 2, 3]
        for remote in (2, 1):
            client.send(End(), channel=remote)
            await client.expect(End)
        assert await _begun_on_local_channel(client, 7) == 1
        assert await _begun_on_local_channel(client, 8) == 2
        assert await _begun_on_local_channel(client, 9) == 4
        await client.close()
