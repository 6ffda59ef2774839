from __future__ import annotations

import socket

import aiohttp
import pytest
from emulator_common.composition import EmulatorOptions
from emulator_common.faults import FaultAction, FaultRuleSpec
from sample_emulator import SampleConfig, SampleEmulator


async def _get(port: int | None, path: str) -> object:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}{path}") as response:
        return await response.json()


async def test_start_serves_admin_and_amqp_on_free_ports_and_close_stops_both() -> None:
    emulator = SampleEmulator(SampleConfig(Name="n1"), EmulatorOptions())
    await emulator.start()
    provider = emulator.provider
    try:
        assert provider is not None
        assert provider.started
        assert await _get(emulator.http_port, "/name") == {"name": "n1"}
        assert await _get(emulator.http_port, "/faults") == {"rules": []}
        assert emulator.listening() == {
            "host": "127.0.0.1",
            "amqp_port": emulator.amqp_port,
            "http_port": emulator.http_port,
            "data_dir": None,
        }
        amqp_port = emulator.amqp_port
        assert amqp_port is not None
        socket.create_connection(("127.0.0.1", amqp_port), timeout=5).close()
    finally:
        await emulator.close()

    assert provider.closed
    assert emulator.provider is None
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", amqp_port), timeout=5)


async def test_a_failed_start_closes_what_had_started() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        options = EmulatorOptions(amqp_port=taken.getsockname()[1])
        emulator = SampleEmulator(SampleConfig(Name="n1"), options)

        with pytest.raises(OSError, match="address already in use"):
            await emulator.start()

    http_port = emulator.http_port
    assert emulator.opened_providers[0].closed
    assert emulator.provider is None
    with pytest.raises(aiohttp.ClientConnectionError):
        await _get(http_port, "/health")


def test_fault_seed_seeds_the_fault_registry() -> None:
    first = SampleEmulator(SampleConfig(Name="n"), EmulatorOptions(fault_seed=3))
    second = SampleEmulator(SampleConfig(Name="n"), EmulatorOptions(fault_seed=3))

    fired = []
    for emulator in (first, second):
        emulator.faults.add(FaultRuleSpec(operation="send", action=FaultAction.ERROR, probability=0.5))
        fired.append([emulator.faults.match("q", "send") is not None for _ in range(32)])

    assert fired[0] == fired[1]
    assert any(fired[0])
    assert not all(fired[0])
