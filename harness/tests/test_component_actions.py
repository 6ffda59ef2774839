"""`shopctl restart | kill | pause | resume` against a real detached platform of fake components."""

from __future__ import annotations

import json
import signal
import time
from typing import TYPE_CHECKING, Any

import httpx
import psutil

if TYPE_CHECKING:
    from conftest import PlatformFiles

Fake = Any


def _pid(platform_files: PlatformFiles, name: str) -> int:
    state = json.loads((platform_files.state_dir / "run" / "state.json").read_text())
    pid: int = state["components"][name]["pid"]
    return pid


def _supervisor_log(platform_files: PlatformFiles) -> str:
    return (platform_files.state_dir / "logs" / "shopctl.log").read_text()


def _wait_for_log(platform_files: PlatformFiles, text: str, timeout: float = 10) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = _supervisor_log(platform_files)
        if text in log:
            return log
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not in shopctl's log:\n{_supervisor_log(platform_files)}")


def test_kill_restart_pause_resume_report_pids_and_readiness(
    platform_files: PlatformFiles, fake: Fake
) -> None:
    slow_to_stop = fake()
    slow_to_stop["stop_timeout"] = 20
    platform_files.write({"db": slow_to_stop, "api": fake(depends_on=["db"])})
    assert platform_files.shopctl("up", "--detach").returncode == 0
    first = _pid(platform_files, "api")

    killed = platform_files.shopctl("kill", "api", "--signal", "KILL", "--json")
    assert killed.returncode == 0, killed.stderr
    outcome = json.loads(killed.stdout)
    assert outcome["old_pid"] == first
    assert outcome["pid"] is None
    assert outcome["status"] == "killed (SIGKILL, exit -9)"
    assert not psutil.pid_exists(first) or psutil.Process(first).status() == psutil.STATUS_ZOMBIE
    status = platform_files.shopctl("status", "api")
    assert status.returncode == 1
    log = _wait_for_log(platform_files, f"api (pid {first}) exited with code -9")
    assert "killed by `shopctl kill --signal SIGKILL`, as asked" in log
    assert "exited unexpectedly" not in log

    restarted = platform_files.shopctl("restart", "api")
    assert restarted.returncode == 0, restarted.stderr
    second = _pid(platform_files, "api")
    assert f"api restarted: pid - -> {second}; ready after" in restarted.stdout
    assert platform_files.shopctl("status").returncode == 0

    again = platform_files.shopctl("restart", "api", "--json")
    third = json.loads(again.stdout)
    assert (third["old_pid"], third["ready"]) == (second, True)
    assert third["pid"] == _pid(platform_files, "api") != second

    paused = platform_files.shopctl("pause", "db")
    assert paused.returncode == 0, paused.stderr
    db = _pid(platform_files, "db")
    assert psutil.Process(db).status() == psutil.STATUS_STOPPED
    port = json.loads((platform_files.state_dir / "run" / "state.json").read_text())["components"]["db"]
    url = f"http://127.0.0.1:{port['ports']['http']}/health"
    try:
        httpx.get(url, timeout=0.5)
        raise AssertionError("a paused component answered")
    except httpx.TimeoutException:
        pass
    resumed = platform_files.shopctl("resume", "db")
    assert resumed.returncode == 0, resumed.stderr
    assert f"db (pid {db}) resumed (SIGCONT); ready after" in resumed.stdout
    assert httpx.get(url, timeout=2).status_code == 200

    # `down` continues a paused component so its SIGTERM acts at once, instead of waiting for SIGKILL
    assert platform_files.shopctl("pause", "db").returncode == 0
    started = time.monotonic()
    assert platform_files.shopctl("down").returncode == 0
    assert time.monotonic() - started < 10
    assert not psutil.pid_exists(db) or psutil.Process(db).status() == psutil.STATUS_ZOMBIE


def test_a_death_shopctl_did_not_cause_is_still_reported(platform_files: PlatformFiles, fake: Fake) -> None:
    platform_files.write({"api": fake()})
    assert platform_files.shopctl("up", "--detach").returncode == 0
    pid = _pid(platform_files, "api")
    psutil.Process(pid).send_signal(signal.SIGKILL)
    log = _wait_for_log(platform_files, "api exited unexpectedly with code -9")
    assert "as asked" not in log
    # restart also brings back a component that crashed on its own
    assert platform_files.shopctl("restart", "api").returncode == 0
    assert platform_files.shopctl("status").returncode == 0


def test_unknown_names_signals_and_states_are_refused(platform_files: PlatformFiles, fake: Fake) -> None:
    platform_files.write({"db": fake(), "api": fake(depends_on=["db"]), "idle": fake()})
    nothing = platform_files.shopctl("restart", "api")
    assert nothing.returncode == 1
    assert "no platform is running here" in nothing.stderr

    assert platform_files.shopctl("up", "--detach", "api").returncode == 0
    unknown = platform_files.shopctl("kill", "nope")
    assert unknown.returncode == 1
    assert "unknown component 'nope'; known: api, db, idle" in unknown.stderr
    not_running = platform_files.shopctl("pause", "idle")
    assert "idle is not part of the running platform; running: db, api" in not_running.stderr
    bad_signal = platform_files.shopctl("kill", "api", "--signal", "SIGNOPE")
    assert "unknown signal 'SIGNOPE'" in bad_signal.stderr
    not_paused = platform_files.shopctl("resume", "api")
    assert not_paused.returncode == 1
    assert "api is not paused (ready)" in not_paused.stderr
    assert platform_files.shopctl("status", "api").returncode == 0
