"""shopctl as a person runs it: a real `shopctl` process, real components, real signals."""

from __future__ import annotations

import json
import signal
import socket
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil

if TYPE_CHECKING:
    from conftest import PlatformFiles

Fake = Any


def wait_for_line(process: Any, text: str, timeout: float = 30) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        if text in line:
            return seen
    raise AssertionError(f"{text!r} not printed; got:\n{''.join(seen)}")


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_ctrl_c_stops_every_process_it_started(platform_files: PlatformFiles, fake: Fake) -> None:
    platform_files.write({"db": fake("--spawn-child"), "api": fake("--spawn-child", depends_on=["db"])})
    shopctl = platform_files.spawn("up")
    printed = wait_for_line(shopctl, "Ctrl-C")
    table = "".join(printed)
    assert "db" in table
    assert "api" in table
    assert "http://127.0.0.1:" in table
    tree = [p.pid for p in psutil.Process(shopctl.pid).children(recursive=True)]
    state = json.loads((platform_files.state_dir / "run" / "state.json").read_text())
    component_pids = [c["pid"] for c in state["components"].values()]
    descendants = [
        child.pid for pid in component_pids for child in psutil.Process(pid).children(recursive=True)
    ]
    assert len(descendants) == 2  # each fake spawned one grandchild

    shopctl.send_signal(signal.SIGINT)
    assert shopctl.wait(timeout=30) == 0
    rest = shopctl.stdout.read() if shopctl.stdout else ""
    assert "stopped" in rest
    leftovers = [pid for pid in [*tree, *component_pids, *descendants] if alive(pid)]
    assert leftovers == []
    assert not (platform_files.state_dir / "run" / "state.json").exists()


def test_detached_run_shows_status_and_logs_then_down_stops_it(
    platform_files: PlatformFiles, fake: Fake
) -> None:
    platform_files.write({"db": fake(), "api": fake(depends_on=["db"])})
    started = platform_files.shopctl("up", "--detach")
    assert started.returncode == 0, started.stderr
    assert "running in the background" in started.stdout

    status = platform_files.shopctl("status")
    assert status.returncode == 0, status.stdout
    rows = {line.split()[0]: line.split()[1] for line in status.stdout.splitlines()[2:] if line.strip()}
    assert rows["db"] == rows["api"] == "healthy"

    logs = platform_files.shopctl("logs", "api")
    assert "fake component ready" in logs.stdout

    again = platform_files.shopctl("up", "--detach")
    assert again.returncode == 1
    assert "already running" in again.stderr

    state = json.loads((platform_files.state_dir / "run" / "state.json").read_text())
    pids = [state["supervisor_pid"], *(c["pid"] for c in state["components"].values())]
    stopped = platform_files.shopctl("down")
    assert stopped.returncode == 0
    assert [pid for pid in pids if alive(pid)] == []

    after = platform_files.shopctl("status")
    assert after.returncode == 1
    assert "unhealthy" in after.stdout


def test_up_reports_a_component_that_never_becomes_ready(platform_files: PlatformFiles, fake: Fake) -> None:
    stuck = fake("--never-ready")
    stuck["ready_timeout"] = 1
    platform_files.write({"good": fake(), "stuck": stuck})
    result = platform_files.shopctl("up")
    assert result.returncode == 1
    assert "stuck was not ready after 1 s" in result.stderr
    assert "cannot reach its database" in result.stderr
    assert "everything started has been stopped" in result.stderr


def test_up_names_the_taken_port_and_its_holder(platform_files: PlatformFiles, fake: Fake) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        platform_files.write({"api": fake(port=port)})
        result = platform_files.shopctl("up")
    assert result.returncode == 1
    assert f"port {port} (api.http) is already in use by pid" in result.stderr


def test_port_override_from_the_command_line_is_used(platform_files: PlatformFiles, fake: Fake) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    platform_files.write({"api": fake()})
    started = platform_files.shopctl("up", "--detach", f"--port=api.http={port}")
    assert started.returncode == 0, started.stderr
    assert f"http://127.0.0.1:{port}/health" in started.stdout
    status = platform_files.shopctl("status")
    assert status.returncode == 0
    assert f":{port}/" in status.stdout


def test_logs_of_unknown_component_is_an_error(platform_files: PlatformFiles, fake: Fake) -> None:
    platform_files.write({"api": fake()})
    result = platform_files.shopctl("logs", "nope")
    assert result.returncode == 1
    assert "unknown component 'nope'" in result.stderr


def test_down_with_nothing_running_says_so(platform_files: PlatformFiles, fake: Fake) -> None:
    platform_files.write({"api": fake()})
    result = platform_files.shopctl("down")
    assert result.returncode == 0
    assert "nothing is running" in result.stdout


def test_task_runs_with_the_running_components_ports_and_returns_its_exit_code(
    platform_files: PlatformFiles, fake: Fake, tmp_path: Path
) -> None:
    out = tmp_path / "seeded.txt"
    script = f"import os, pathlib, sys; pathlib.Path({str(out)!r}).write_text(os.environ['API']); sys.exit(3)"
    tasks = {
        "seed": {
            "command": [sys.executable, "-c", script],
            "env": {"API": "http://{host}:{api.ports.http}/"},
            "needs": ["api"],
        }
    }
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    platform_files.write({"api": fake()}, tasks)

    refused = platform_files.shopctl("seed")
    assert refused.returncode == 1
    assert "task seed needs api running" in refused.stderr
    assert not out.exists()

    assert platform_files.shopctl("up", "--detach", f"--port=api.http={port}").returncode == 0
    seeded = platform_files.shopctl("run", "seed")
    assert seeded.returncode == 3
    assert out.read_text() == f"http://127.0.0.1:{port}/"


def test_unknown_task_is_an_error(platform_files: PlatformFiles, fake: Fake) -> None:
    platform_files.write({"api": fake()})
    result = platform_files.shopctl("run", "nope")
    assert result.returncode == 1
    assert "unknown task 'nope'; known: none" in result.stderr
