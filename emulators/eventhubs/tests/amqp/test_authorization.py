"""Frame-level checks of the AMQP application, with a minimal client over a real socket."""

from collections.abc import AsyncIterator

import pytest
from amqp_core.performatives import Detach
from emulator_common.raw_amqp import RawAmqpClient
from eventhubs_emulator.app import Emulator, EmulatorOptions


@pytest.fixture
async def emulator_in_process(factory) -> AsyncIterator[Emulator]:
    emulator = Emulator(factory.namespace(), EmulatorOptions(amqp_port=0, http_port=0), factory.clock)
    await emulator.start()
    yield emulator
    await emulator.close()


async def test_producer_link_without_cbs_token_is_refused(emulator_in_process: Emulator) -> None:
    assert emulator_in_process.amqp_port is not None
    client = await RawAmqpClient.connect(emulator_in_process.amqp_port)
    try:
        await client.open(container_id="no-token")
        await client.begin()
        answer = await client.attach_sender("order-events")
        detach = await client.expect(Detach)
    finally:
        await client.close()
    assert answer.target is None
    assert detach.error is not None
    assert detach.error.condition == "amqp:unauthorized-access"
