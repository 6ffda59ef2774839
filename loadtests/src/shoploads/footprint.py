"""What each process of the local platform spends while a load runs: CPU (share of one core, and CPU ms per
order placed) and resident memory, from the process trees the run state names (`.shop/run/state.json`),
plus the load generator itself.

CPU time is read from the kernel (user + system, children included), so the figures hold on a busy machine
far better than latencies do; they are what the profile of issue 16 compares before and after a change.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

SAMPLE_EVERY_S = 1.0


@dataclass(frozen=True)
class ProcessFootprint:
    name: str
    cpu_seconds: float
    cpu_share: float  # of one core, over the window
    rss_peak_mib: float


@dataclass(frozen=True)
class Footprint:
    window_s: float
    processes: list[ProcessFootprint]
    platform_rss_peak_mib: float  # the whole platform at its peak (the load generator left out)

    @property
    def cpu_seconds(self) -> float:
        return sum(process.cpu_seconds for process in self.processes)

    def table(self, orders: int, generator: str = "locust") -> str:
        per_order = orders > 0
        lines = [
            f"{'process':<16} {'CPU % of a core':>15} {'CPU ms/order':>13} {'RSS peak MiB':>13}",
        ]
        for process in sorted(self.processes, key=lambda p: p.cpu_seconds, reverse=True):
            ms = f"{process.cpu_seconds * 1000 / orders:.1f}" if per_order else "-"
            lines.append(
                f"{process.name:<16} {process.cpu_share * 100:>15.1f} {ms:>13} {process.rss_peak_mib:>13.0f}"
            )
        total = self.cpu_seconds
        ms = f"{total * 1000 / orders:.1f}" if per_order else "-"
        lines.append(
            f"{'total':<16} {total / self.window_s * 100:>15.1f} {ms:>13} "
            f"{self.platform_rss_peak_mib:>13.0f}  (RSS: the platform without {generator})"
        )
        return "\n".join(lines)

    def write(self, path: Path, orders: int) -> None:
        document = {**asdict(self), "orders": orders, "cpu_seconds": self.cpu_seconds}
        path.write_text(json.dumps(document, indent=2))


class ProcessTable:
    """The machine's processes as one pass over ``/proc`` found them, by parent. One pass per sample:
    asking each component for its children scans every process once per component, thirteen times a second
    in a gate run, and that CPU is taken from the platform being measured."""

    def __init__(self) -> None:
        self._processes: dict[int, psutil.Process] = {}
        self._children: dict[int, list[int]] = defaultdict(list)
        for process in psutil.process_iter(["ppid"]):  # psutil reuses the Process of a pid seen before
            self._processes[process.pid] = process
            self._children[process.info["ppid"]].append(process.pid)

    def tree(self, pid: int) -> list[psutil.Process]:
        """The process and all its descendants that were alive at the pass."""
        found, pending = [], [pid]
        while pending:
            current = pending.pop()
            if current in self._processes:
                found.append(self._processes[current])
            pending.extend(self._children.get(current, ()))
        return found


def _cpu_and_rss(tree: list[psutil.Process]) -> tuple[float, int]:
    cpu, rss = 0.0, 0
    for process in tree:
        try:
            with process.oneshot():
                times = process.cpu_times()
                cpu += times.user + times.system + times.children_user + times.children_system
                rss += process.memory_info().rss
        except psutil.Error:
            continue  # it exited between the pass and the reading
    return cpu, rss


class FootprintSampler:
    """Samples the named process trees every second from `start()` until `stop()`."""

    def __init__(self, pids: Mapping[str, int], generator: Mapping[str, int] | None = None) -> None:
        self._pids = dict(pids)
        self._generator = dict(generator or {})
        self._first: dict[str, float] = {}
        self._last: dict[str, float] = {}
        self._rss_peak: dict[str, int] = {}
        self._platform_rss_peak = 0
        self._started = 0.0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="footprint", daemon=True)

    def _all(self) -> dict[str, int]:
        return {**self._pids, **self._generator}

    def _sample(self) -> None:
        platform_rss = 0
        table = ProcessTable()
        for name, pid in self._all().items():
            cpu, rss = _cpu_and_rss(table.tree(pid))
            self._first.setdefault(name, cpu)
            self._last[name] = max(cpu, self._last.get(name, 0.0))
            self._rss_peak[name] = max(rss, self._rss_peak.get(name, 0))
            if name in self._pids:
                platform_rss += rss
        self._platform_rss_peak = max(self._platform_rss_peak, platform_rss)

    def _loop(self) -> None:
        while not self._stopped.wait(SAMPLE_EVERY_S):
            self._sample()

    def start(self) -> None:
        self._started = time.monotonic()
        self._sample()
        self._thread.start()

    def stop(self) -> Footprint:
        self._stopped.set()
        self._thread.join()
        self._sample()
        window = max(time.monotonic() - self._started, 1e-9)
        processes = [
            ProcessFootprint(
                name=name,
                cpu_seconds=self._last[name] - self._first[name],
                cpu_share=(self._last[name] - self._first[name]) / window,
                rss_peak_mib=self._rss_peak[name] / 2**20,
            )
            for name in self._all()
            if name in self._first
        ]
        return Footprint(window, processes, self._platform_rss_peak / 2**20)


def platform_pids(state_dir: Path) -> dict[str, int]:
    """The running components' root pids from the run state; empty when no run is recorded."""
    from shopctl.state import read_state, state_file

    state = read_state(state_file(state_dir))
    if state is None:
        return {}
    return {name: component.pid for name, component in state.components.items() if component.pid}
