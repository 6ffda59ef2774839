"""The CPU and memory figures of a load run, read from real processes."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from shoploads.footprint import FootprintSampler, platform_pids

BUSY = "import time\nend = time.time() + 30\nwhile time.time() < end: pass"
BUSY_CHILD = (
    f"import subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', {BUSY!r}])\ntime.sleep(30)"
)
IDLE = "import time; time.sleep(30)"


@pytest.fixture
def processes() -> Iterator[dict[str, int]]:
    started = {
        "busy": subprocess.Popen([sys.executable, "-c", BUSY]),
        "busy-child": subprocess.Popen([sys.executable, "-c", BUSY_CHILD], start_new_session=True),
        "idle": subprocess.Popen([sys.executable, "-c", IDLE]),
    }
    time.sleep(0.5)  # the interpreters' start-up is not what is measured
    yield {name: process.pid for name, process in started.items()}
    for process in started.values():
        subprocess.run(["pkill", "-KILL", "-P", str(process.pid)], check=False)
        process.kill()
        process.wait()


def test_cpu_is_counted_per_process_tree(processes: dict[str, int]) -> None:
    sampler = FootprintSampler({"busy": processes["busy"], "idle": processes["idle"]})
    sampler.start()
    time.sleep(1.5)
    footprint = sampler.stop()
    by_name = {process.name: process for process in footprint.processes}
    # Relative, not timed: the spinning process used more CPU than the sleeping one.
    assert by_name["busy"].cpu_seconds > 10 * max(by_name["idle"].cpu_seconds, 0.001)
    assert by_name["idle"].rss_peak_mib > 1
    assert footprint.platform_rss_peak_mib >= by_name["busy"].rss_peak_mib + by_name["idle"].rss_peak_mib - 1


def test_a_components_children_count_as_its_own(processes: dict[str, int]) -> None:
    sampler = FootprintSampler({"parent": processes["busy-child"], "idle": processes["idle"]})
    sampler.start()
    time.sleep(1.5)
    by_name = {process.name: process for process in sampler.stop().processes}
    assert by_name["parent"].cpu_seconds > 10 * max(by_name["idle"].cpu_seconds, 0.001)


def test_the_generator_is_reported_but_not_in_the_platform_memory(processes: dict[str, int]) -> None:
    sampler = FootprintSampler({"idle": processes["idle"]}, {"locust": processes["busy"]})
    sampler.start()
    time.sleep(1.2)
    footprint = sampler.stop()
    idle = next(process for process in footprint.processes if process.name == "idle")
    assert {process.name for process in footprint.processes} == {"idle", "locust"}
    assert footprint.platform_rss_peak_mib == pytest.approx(idle.rss_peak_mib, rel=0.2)
    table = footprint.table(orders=10)
    assert table.splitlines()[1].startswith("locust")  # the busiest first
    assert "total" in table.splitlines()[-1]


def test_no_recorded_run_profiles_nothing(tmp_path: Path) -> None:
    assert platform_pids(tmp_path) == {}
