"""The shopctl commands: up (foreground or detached), down, status, logs, and restart / kill / pause /
resume of one component of a running platform (through the supervisor's control socket)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from shopctl.errors import AlreadyRunningError, ShopError
from shopctl.health import check, probe_client
from shopctl.process import tail
from shopctl.render import table, urls_cell
from shopctl.resolve import ResolvedComponent, ResolvedTask
from shopctl.state import RunState, pid_alive, read_state
from shopctl.supervisor import ActionOutcome, ComponentActionError, Supervisor
from shopctl.workspace import Workspace

EXIT_FAILED = 1
EXIT_INTERRUPTED = 130
ACTIONS = ("restart", "kill", "pause", "resume")
# sun_path holds 108 bytes on Linux; deeper state directories get their socket in the temp directory.
_MAX_SOCKET_PATH = 100


def _say(message: str, stream: TextIO = sys.stdout) -> None:
    print(message, file=stream, flush=True)


def ensure_not_running(workspace: Workspace) -> None:
    state = read_state(workspace.state_path)
    if state and state.supervisor_alive():
        raise AlreadyRunningError(
            f"the platform is already running (shopctl pid {state.supervisor_pid}); "
            "see `shopctl status`, or stop it with `shopctl down`"
        )


def ready_table(components: list[ResolvedComponent], pids: Mapping[str, int | None]) -> str:
    rows = [
        [c.name, str(pids.get(c.name) or "-"), urls_cell(c.urls, c.ports), c.description] for c in components
    ]
    return table(["COMPONENT", "PID", "URLS", "WHAT"], rows)


async def supervise(workspace: Workspace, components: list[ResolvedComponent]) -> int:
    """Run until SIGINT/SIGTERM/SIGHUP; the body of both `up` and the detached supervisor."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    supervisor = Supervisor(components, root=workspace.root, state_path=workspace.state_path, on_event=_say)
    names = ", ".join(c.name for c in components)
    _say(f"starting {names} (logs in {workspace.state_dir / 'logs'})")
    starting = asyncio.create_task(supervisor.start())
    interrupted = asyncio.create_task(stop.wait())
    await asyncio.wait({starting, interrupted}, return_when=asyncio.FIRST_COMPLETED)
    if not starting.done():
        starting.cancel()
        await asyncio.gather(starting, return_exceptions=True)
        _say("interrupted; everything started has been stopped")
        workspace.state_path.unlink(missing_ok=True)
        return EXIT_INTERRUPTED
    try:
        starting.result()
    except ShopError as exc:
        _say(f"error: {exc}", sys.stderr)
        _say("everything started has been stopped", sys.stderr)
        return EXIT_FAILED
    control = await _serve_control(supervisor, control_socket_path(workspace.state_dir))
    _say(ready_table(components, supervisor.pids()))
    _say(f"ready in {supervisor.ready_after or 0:.1f} s; Ctrl-C (or `shopctl down`) stops everything")
    await interrupted
    _say("stopping...")
    control.close()
    _remove_socket(supervisor.control_path)
    await supervisor.stop()
    workspace.state_path.unlink(missing_ok=True)
    _say("stopped")
    return 0


def up(workspace: Workspace, components: list[ResolvedComponent], detach: bool, argv: list[str]) -> int:
    ensure_not_running(workspace)
    if not detach:
        return asyncio.run(supervise(workspace, components))
    return _up_detached(workspace, components, argv)


def _up_detached(workspace: Workspace, components: list[ResolvedComponent], argv: list[str]) -> int:
    """Start a supervisor in its own session and wait until it reports ready or failed."""
    workspace.state_path.unlink(missing_ok=True)
    log_file = workspace.state_dir / "logs" / "shopctl.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("wb") as log:
        child = subprocess.Popen(
            [sys.executable, "-m", "shopctl", *argv],
            cwd=workspace.root,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + sum(c.ready_timeout for c in components) + 10
    while time.monotonic() < deadline:
        state = read_state(workspace.state_path)
        if state and state.supervisor_pid == child.pid and state.status in ("ready", "failed"):
            break
        if child.poll() is not None:
            break
        time.sleep(0.1)
    state = read_state(workspace.state_path)
    if state is None or state.status != "ready" or child.poll() is not None:
        with contextlib.suppress(ProcessLookupError):
            child.terminate()
        child.wait(timeout=60)
        _say(f"error: the platform did not start; shopctl's log:\n{tail(log_file, 40)}", sys.stderr)
        return EXIT_FAILED
    _say(ready_table(components, {name: c.pid for name, c in state.components.items()}))
    _say(f"running in the background (shopctl pid {child.pid}); `shopctl down` stops it")
    return 0


def down(workspace: Workspace, timeout: float = 60.0) -> int:
    state = read_state(workspace.state_path)
    if state is None:
        _say("nothing is running")
        return 0
    if state.supervisor_alive():
        os.kill(state.supervisor_pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while state.supervisor_alive() and time.monotonic() < deadline:
            time.sleep(0.1)
    _kill_leftovers(state)
    workspace.state_path.unlink(missing_ok=True)
    _say("stopped")
    return 0


def _kill_leftovers(state: RunState) -> None:
    """When the supervisor died or hung, its components' process groups are stopped here."""
    if state.supervisor_alive():
        os.kill(state.supervisor_pid, signal.SIGKILL)
    for component in state.components.values():
        if pid_alive(component.pid):
            assert component.pid is not None
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(component.pid, signal.SIGKILL)


def running_state(workspace: Workspace) -> RunState | None:
    state = read_state(workspace.state_path)
    return state if state and state.supervisor_alive() else None


def ports_in_use(state: RunState | None) -> dict[str, int]:
    """The ports a running supervisor chose, as overrides, so status probes the right places."""
    if state is None:
        return {}
    return {
        f"{name}.{port_name}": port
        for name, c in state.components.items()
        for port_name, port in c.ports.items()
    }


def status(workspace: Workspace, components: list[ResolvedComponent], running: RunState | None) -> int:
    results = asyncio.run(_probe_all(components))
    rows = []
    for component in components:
        entry = running.components.get(component.name) if running else None
        healthy, detail = results[component.name]
        rows.append(
            [
                component.name,
                "healthy" if healthy else "unhealthy",
                detail,
                str(entry.pid) if entry and entry.pid else "-",
                urls_cell(component.urls, component.ports),
            ]
        )
    _say(table(["COMPONENT", "HEALTH", "DETAIL", "PID", "URLS"], rows))
    if running is None:
        _say("no shopctl run is recorded here; probed the configured ports")
    return 0 if all(healthy for healthy, _ in results.values()) else EXIT_FAILED


async def _probe_all(components: list[ResolvedComponent]) -> dict[str, tuple[bool, str]]:
    async with probe_client() as client:
        answers = await asyncio.gather(*(check(c.health, client) for c in components))
    return {c.name: answer for c, answer in zip(components, answers, strict=True)}


def logs(workspace: Workspace, name: str, lines: int, follow: bool) -> int:
    if name not in workspace.platform.components:
        raise ShopError(f"unknown component {name!r}; known: {', '.join(workspace.platform.components)}")
    path = workspace.state_dir / "logs" / f"{name}.log"
    if not path.exists():
        raise ShopError(f"no log for {name} yet ({path})")
    _say(tail(path, lines))
    if follow:
        _follow(path)
    return 0


def _follow(path: Path) -> None:
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                chunk = handle.read()
                if chunk:
                    sys.stdout.write(chunk.decode(errors="replace"))
                    sys.stdout.flush()
                else:
                    time.sleep(0.2)


def run_task(workspace: Workspace, task: ResolvedTask, needed: list[ResolvedComponent]) -> int:
    """Run a one-shot task once the components it needs answer; its exit code is ours."""
    results = asyncio.run(_probe_all(needed))
    down = [name for name, (healthy, _) in results.items() if not healthy]
    if down:
        raise ShopError(
            f"task {task.name} needs {', '.join(down)} running; start the platform first (make up)"
        )
    _say(f"running {task.name}: {' '.join(task.command)}")
    return subprocess.run(
        task.command, cwd=workspace.root, env={**os.environ, **task.env}, check=False
    ).returncode


def control_socket_path(state_dir: Path) -> Path:
    path = state_dir / "run" / "control.sock"
    if len(str(path)) <= _MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha256(str(state_dir).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"shopctl-{digest}.sock"


async def _serve_control(supervisor: Supervisor, path: Path) -> asyncio.Server:
    """One JSON request per connection ({"action", "name", "signal"?}), one JSON answer."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = json.loads(await reader.readline())
            outcome = await _carry_out(supervisor, request)
            answer: dict[str, object] = {"ok": True, "outcome": outcome.as_json()}
        except (ShopError, ValueError, KeyError, TypeError) as exc:
            answer = {"ok": False, "error": str(exc)}
        writer.write(json.dumps(answer).encode() + b"\n")
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()

    _remove_socket(str(path))
    server = await asyncio.start_unix_server(handle, path=str(path))
    os.chmod(path, 0o600)
    supervisor.control_path = str(path)
    supervisor.save()
    return server


def _remove_socket(path: str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).unlink(missing_ok=True)


async def _carry_out(supervisor: Supervisor, request: Mapping[str, object]) -> ActionOutcome:
    action, name = str(request["action"]), str(request["name"])
    if action == "restart":
        return await supervisor.restart(name)
    if action == "kill":
        return await supervisor.kill(name, parse_signal(str(request.get("signal") or "SIGKILL")))
    if action == "pause":
        return await supervisor.pause(name)
    if action == "resume":
        return await supervisor.resume(name)
    raise ComponentActionError(f"unknown action {action!r}; known: {', '.join(ACTIONS)}")


def parse_signal(text: str) -> signal.Signals:
    """`KILL`, `SIGKILL`, `kill` or `9`."""
    raw = text.strip().upper()
    try:
        return (
            signal.Signals(int(raw))
            if raw.isdigit()
            else signal.Signals[raw if raw.startswith("SIG") else f"SIG{raw}"]
        )
    except (KeyError, ValueError):
        raise ShopError(f"unknown signal {text!r}; e.g. SIGKILL, SIGTERM, SIGINT, 9") from None


def act(workspace: Workspace, action: str, name: str, sig: str | None, as_json: bool, timeout: float) -> int:
    """`shopctl restart|kill|pause|resume NAME`: ask the running supervisor, print pid and readiness."""
    known = workspace.platform.components
    if name not in known:
        raise ShopError(f"unknown component {name!r}; known: {', '.join(known)}")
    if sig is not None:
        parse_signal(sig)
    state = running_state(workspace)
    if state is None:
        raise ShopError("no platform is running here; start one with `shopctl up --detach`")
    if name not in state.components:
        raise ShopError(f"{name} is not part of the running platform; running: {', '.join(state.components)}")
    if not state.control:
        raise ShopError(f"the running shopctl (pid {state.supervisor_pid}) takes no commands; restart it")
    answer = asyncio.run(_ask(state.control, {"action": action, "name": name, "signal": sig}, timeout))
    if not answer.get("ok"):
        raise ShopError(str(answer.get("error")))
    outcome = ActionOutcome.from_json(answer["outcome"])
    _say(json.dumps(outcome.as_json()) if as_json else describe(outcome))
    healthy = outcome.ready or action in ("kill", "pause")
    return 0 if healthy and not (action == "kill" and outcome.pid is not None) else EXIT_FAILED


async def _ask(path: str, request: Mapping[str, object], answer_within: float) -> dict[str, Any]:
    try:
        reader, writer = await asyncio.open_unix_connection(path)
    except OSError as exc:
        raise ShopError(f"cannot reach the running shopctl at {path}: {exc}") from exc
    writer.write(json.dumps(request).encode() + b"\n")
    await writer.drain()
    try:
        line = await asyncio.wait_for(reader.readline(), answer_within)
    except TimeoutError:
        raise ShopError(f"no answer from the running shopctl within {answer_within:g} s") from None
    finally:
        writer.close()
    answer: dict[str, Any] = json.loads(line)
    return answer


def describe(outcome: ActionOutcome) -> str:
    name, old, new = outcome.component, outcome.old_pid or "-", outcome.pid or "-"
    if outcome.action == "restart":
        head = f"{name} restarted: pid {old} -> {new}"
    elif outcome.action == "kill":
        head = (
            f"{name} (pid {old}) {outcome.status}" if outcome.pid is None else f"{name} (pid {old}) survived"
        )
    elif outcome.action == "pause":
        head = f"{name} (pid {new}) paused (SIGSTOP); `shopctl resume {name}` continues it"
    else:
        head = f"{name} (pid {new}) resumed (SIGCONT)"
    readiness = "ready" if outcome.ready else "not ready"
    tail_text = f"; {outcome.detail}" if outcome.detail else ""
    return f"{head}; {readiness} after {outcome.seconds:.1f} s{tail_text}"
