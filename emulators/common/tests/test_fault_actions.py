"""Fault actions carried out on a real AMQP connection (the sample emulator, driven by a raw client)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from amqp_core.message import AmqpValue, Message, encode_message
from amqp_core.performatives import Close, Detach, Disposition, Flow, Rejected, Transfer
from emulator_common.composition import EmulatorOptions
from emulator_common.fault_actions import DropStyle, apply
from emulator_common.faults import FaultAction, FaultRegistry, FaultRuleSpec
from emulator_common.raw_amqp import RawAmqpClient
from sample_emulator import SampleConfig, SampleEmulator

ENTITY = "orders"


@pytest.fixture
async def emulator() -> AsyncIterator[SampleEmulator]:
    running = SampleEmulator(SampleConfig(Name="faults"), EmulatorOptions(fault_seed=1))
    await running.start()
    try:
        yield running
    finally:
        await running.close()


@pytest.fixture
async def client(emulator: SampleEmulator) -> AsyncIterator[RawAmqpClient]:
    assert emulator.amqp_port is not None
    connected = await RawAmqpClient.connect(emulator.amqp_port)
    await connected.open_session()
    try:
        yield connected
    finally:
        await connected.close()


def _fault(emulator: SampleEmulator, operation: str, action: FaultAction, **fields: object) -> None:
    emulator.faults.add(FaultRuleSpec(entity=ENTITY, operation=operation, action=action, **fields))  # type: ignore[arg-type]


async def _send(client: RawAmqpClient) -> None:
    await client.attach_sender(ENTITY, handle=0)
    await client.expect(Flow)
    message = encode_message(Message(body=AmqpValue("hello")))
    client.send(Transfer(handle=0, delivery_id=0, delivery_tag=b"t", message_format=0), payload=message)


@pytest.mark.parametrize(
    ("action", "condition"),
    [
        (FaultAction.ERROR, "com.microsoft:server-busy"),
        (FaultAction.DETACH, "amqp:link:detach-forced"),
        (FaultAction.LINK_STOLEN, "amqp:link:stolen"),
    ],
)
async def test_attach_fault_refuses_the_link_with_the_action_condition(
    emulator: SampleEmulator, client: RawAmqpClient, action: FaultAction, condition: str
) -> None:
    _fault(emulator, "attach", action, description="injected")

    await client.attach_sender(ENTITY)
    detach: Detach = await client.expect(Detach)

    assert detach.error is not None
    assert (detach.error.condition, detach.error.description) == (condition, "injected")


async def test_send_error_rejects_the_delivery_and_stores_nothing(
    emulator: SampleEmulator, client: RawAmqpClient
) -> None:
    _fault(emulator, "send", FaultAction.ERROR, condition="com.microsoft:timeout", count=1)

    await _send(client)
    disposition: Disposition = await client.expect(Disposition)

    assert isinstance(disposition.state, Rejected)
    assert disposition.state.error is not None
    assert disposition.state.error.condition == "com.microsoft:timeout"
    assert emulator.provider is not None
    assert emulator.provider.messages == []


async def test_latency_lets_the_operation_proceed(emulator: SampleEmulator, client: RawAmqpClient) -> None:
    _fault(emulator, "send", FaultAction.LATENCY, latency_ms=20)

    await _send(client)
    disposition: Disposition = await client.expect(Disposition)

    assert not isinstance(disposition.state, Rejected)
    assert emulator.provider is not None
    assert len(emulator.provider.messages) == 1


async def test_drop_connection_by_abort_hangs_up_without_a_close_frame(
    emulator: SampleEmulator, client: RawAmqpClient
) -> None:
    _fault(emulator, "send", FaultAction.DROP_CONNECTION)

    await _send(client)
    try:
        received = await client.reader.read()
    except ConnectionResetError:
        received = b""

    assert received == b"", "no close frame (nor anything else) before the hang-up"


async def test_drop_connection_by_close_sends_connection_forced() -> None:
    emulator = SampleEmulator(SampleConfig(Name="close"), EmulatorOptions())
    emulator.drop = DropStyle.CLOSE
    await emulator.start()
    try:
        _fault(emulator, "send", FaultAction.DROP_CONNECTION)
        assert emulator.amqp_port is not None
        client = await RawAmqpClient.connect(emulator.amqp_port)
        await client.open_session()
        await _send(client)
        close: Close = await client.expect(Close)
        await client.close()
    finally:
        await emulator.close()

    assert close.error is not None
    assert close.error.condition == "amqp:connection:forced"
    assert close.error.description == "Connection dropped (fault)."


async def test_actions_needing_the_caller_are_returned_to_it() -> None:
    faults = FaultRegistry(seed=1)
    faults.add(FaultRuleSpec(operation="complete", action=FaultAction.LOSE_LOCK))
    faults.add(FaultRuleSpec(operation="connect", action=FaultAction.DROP_CONNECTION))

    lose_lock = await apply(faults, ENTITY, "complete")
    drop_without_link = await apply(faults, "*", "connect")

    assert lose_lock is not None
    assert lose_lock.action is FaultAction.LOSE_LOCK
    assert lose_lock.condition == "com.microsoft:message-lock-lost"
    assert drop_without_link is not None
    assert drop_without_link.action is FaultAction.DROP_CONNECTION


async def test_no_matching_rule_lets_the_operation_proceed() -> None:
    faults = FaultRegistry(seed=1)
    faults.add(FaultRuleSpec(entity="other", operation="send", action=FaultAction.ERROR))

    assert await apply(faults, ENTITY, "send") is None


async def test_put_token_with_the_emulator_key_is_accepted(
    emulator: SampleEmulator, client: RawAmqpClient
) -> None:
    reply = await client.put_token(f"sb://127.0.0.1:{emulator.amqp_port}/{ENTITY}")

    assert reply.application_properties is not None
    assert reply.application_properties["status-code"] == 202
