from __future__ import annotations

import pytest
from emulator_common.clock import ManualClock
from emulator_common.testing import ProviderFactory, ServiceProcess, connection_string, launched
from sample_emulator import SampleProvider


def test_connection_string_names_the_port_the_emulator_key_and_the_entity() -> None:
    text = connection_string(5999, entity="orders")

    assert text == (
        "Endpoint=sb://127.0.0.1:5999;SharedAccessKeyName=RootManageSharedAccessKey;"
        "SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;EntityPath=orders;"
    )


def test_connection_string_without_entity_ends_after_the_emulator_flag() -> None:
    settings = connection_string(1, key="other")
    assert settings.endswith("UseDevelopmentEmulator=true;")
    assert dict(part.split("=", 1) for part in settings.rstrip(";").split(";"))["SharedAccessKey"] == "other"


def test_start_reports_a_process_that_exits_without_listening_with_its_output() -> None:
    process = ServiceProcess("emulator_common.no_such_module")

    with pytest.raises(RuntimeError, match="did not start") as raised:
        process.start(timeout=30)

    assert "No module named emulator_common.no_such_module" in str(raised.value)
    assert process.process is not None
    assert process.process.returncode != 0


def test_launched_kills_the_process_when_the_block_ends(tmp_path, sample_args, sample_env) -> None:
    with launched("sample_emulator", *sample_args, env=sample_env) as running:
        assert running.process is not None
        assert running.process.poll() is None

    assert running.process.poll() is not None


def _factory() -> ProviderFactory[SampleProvider]:
    return ProviderFactory(
        ManualClock(),
        lambda settings, store, clock: SampleProvider(f"{settings}/{store}"),
        default_settings=lambda: "default",
        memory_store=lambda: "memory",
        sqlite_store=lambda directory: f"sqlite:{directory.name}",
    )


async def test_provider_factory_fills_in_defaults_and_closes_what_is_left(tmp_path) -> None:
    async with _factory() as factory:
        default = factory.provider()
        on_disk = factory.sqlite_provider(tmp_path / "db", settings="mine")
        closed_early = factory.provider()
        await factory.close(closed_early)

        assert (default.name, on_disk.name) == ("default/memory", "mine/sqlite:db")
        assert factory.providers == [default, on_disk]

    assert default.closed
    assert on_disk.closed
    assert closed_early.closed
    assert factory.providers == []
