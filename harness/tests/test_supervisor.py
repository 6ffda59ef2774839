from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil
import pytest
from shopctl.errors import ComponentFailedError, PortInUseError
from shopctl.supervisor import Supervisor
from shopctl.workspace import Workspace

if TYPE_CHECKING:
    from conftest import PlatformFiles

Fake = Any


def supervisor_for(
    files: PlatformFiles, components: dict[str, dict[str, object]], **kw: object
) -> Supervisor:
    workspace = Workspace.open(files.write(components), state_dir=str(files.state_dir))
    return Supervisor(workspace.resolve(), root=workspace.root, **kw)  # type: ignore[arg-type]


def gone(pid: int | None) -> bool:
    assert pid is not None
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


async def test_start_waits_for_dependencies_then_stop_ends_every_process(
    platform_files: PlatformFiles, fake: Fake
) -> None:
    db = fake("--ready-after", "0.5")
    db_port = db["ports"]["http"]  # type: ignore[index]
    # The api exits at once if the db's port does not accept yet: it proves the start order.
    api = fake("--require-port", str(db_port), depends_on=["db"])
    supervisor = supervisor_for(platform_files, {"api": api, "db": db})
    await supervisor.start()
    pids = supervisor.pids()
    assert supervisor.status_of("api") == supervisor.status_of("db") == "ready"
    await supervisor.stop()
    assert all(gone(pid) for pid in pids.values())


async def test_a_used_component_starts_alongside_and_is_not_waited_for(
    platform_files: PlatformFiles, fake: Fake
) -> None:
    api = fake("--ready-after", "2")
    # `web` would exit if `api` were ready before it starts (it requires the port NOT to be ready yet):
    # instead its start proves it did not wait for api's readiness, only for its own.
    web = fake("--require-not-ready", str(api["ports"]["http"]))  # type: ignore[index]
    web["uses"] = ["api"]
    supervisor = supervisor_for(platform_files, {"web": web, "api": api})
    await supervisor.start()
    assert supervisor.status_of("web") == supervisor.status_of("api") == "ready"
    await supervisor.stop()


async def test_every_process_learns_the_components_and_ports_of_its_run(
    platform_files: PlatformFiles, fake: Fake, tmp_path: Path
) -> None:
    seen = tmp_path / "seen-env"
    api, db = fake(), fake()
    # What the api's process was given, written before it starts serving.
    api["command"] = [
        "sh",
        "-c",
        f'echo "$SHOP_RUN_COMPONENTS $SHOP_PORT_DB_HTTP" > {seen} && exec "$@"',
        "with-env",
        *api["command"],  # type: ignore[misc]
    ]
    supervisor = supervisor_for(platform_files, {"api": api, "db": db})
    await supervisor.start()
    await supervisor.stop()
    assert seen.read_text().split() == ["api,db", str(db["ports"]["http"])]  # type: ignore[index]


async def test_component_never_ready_reports_log_tail_and_stops_the_others(
    platform_files: PlatformFiles, fake: Fake
) -> None:
    stuck = fake("--never-ready")
    stuck["ready_timeout"] = 1
    supervisor = supervisor_for(platform_files, {"good": fake(), "stuck": stuck})
    with pytest.raises(ComponentFailedError) as failure:
        await supervisor.start()
    assert failure.value.component == "stuck"
    assert "was not ready after 1 s" in str(failure.value)
    assert "HTTP 503" in str(failure.value)
    assert "cannot reach its database" in failure.value.log_tail
    assert gone(supervisor.pids()["good"])
    assert gone(supervisor.pids()["stuck"])


async def test_component_exiting_before_ready_is_reported_with_its_code(
    platform_files: PlatformFiles, fake: Fake
) -> None:
    supervisor = supervisor_for(platform_files, {"broken": fake("--never-ready", "--exit-after", "0.2")})
    with pytest.raises(ComponentFailedError, match="exited with code 3 before it was ready") as failure:
        await supervisor.start()
    assert "giving up" in failure.value.log_tail


async def test_component_dying_while_running_is_reported(platform_files: PlatformFiles, fake: Fake) -> None:
    events: list[str] = []
    supervisor = supervisor_for(
        platform_files, {"flaky": fake("--exit-after", "0.5", "--exit-code", "7")}, on_event=events.append
    )
    await supervisor.start()
    for _ in range(100):
        if supervisor.status_of("flaky").startswith("exited"):
            break
        await asyncio.sleep(0.05)
    await supervisor.stop()
    assert supervisor.status_of("flaky") == "exited (7)"
    death = [e for e in events if "exited unexpectedly" in e]
    assert death
    assert "with code 7" in death[0]
    assert "giving up" in death[0]


async def test_taken_port_fails_before_anything_starts_and_names_the_holder(
    platform_files: PlatformFiles, fake: Fake
) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        supervisor = supervisor_for(platform_files, {"first": fake(), "second": fake(port=port)})
        with pytest.raises(PortInUseError) as taken:
            await supervisor.start()
    assert taken.value.port == port
    message = str(taken.value)
    assert f"port {port} (second.http) is already in use by pid" in message
    assert "python" in message
    assert "--port second.http=PORT" in message
    assert supervisor.pids() == {}


async def test_stop_kills_a_component_that_ignores_sigterm_and_its_children(
    platform_files: PlatformFiles, fake: Fake
) -> None:
    stubborn = fake("--ignore-term", "--spawn-child")
    stubborn["stop_timeout"] = 0.5
    supervisor = supervisor_for(platform_files, {"stubborn": stubborn})
    await supervisor.start()
    pid = supervisor.pids()["stubborn"]
    assert pid is not None
    children = psutil.Process(pid).children(recursive=True)
    assert children
    await supervisor.stop()
    assert gone(pid)
    assert all(gone(child.pid) for child in children)


async def test_state_file_records_pids_and_ports(
    platform_files: PlatformFiles, fake: Fake, tmp_path: Path
) -> None:
    from shopctl.state import read_state

    state_path = tmp_path / "state.json"
    supervisor = supervisor_for(platform_files, {"one": fake()}, state_path=state_path)
    await supervisor.start()
    state = read_state(state_path)
    await supervisor.stop()
    assert state is not None
    assert state.status == "ready"
    assert state.components["one"].pid == supervisor.pids()["one"]
    assert state.components["one"].status == "ready"
