"""How much CPU each Python process of the platform spends in the cyclic garbage collector.

Put this directory first on PYTHONPATH of the processes to measure and name an output directory:

    SHOP_GC_PROBE_DIR=.shop/gc PYTHONPATH=loadtests/gc_probe .venv/bin/shopctl up --detach
    make load-gate   # the platform already up is the one measured
    cat .shop/gc/*.json

Python imports ``sitecustomize`` at start-up, before the program's own code. Every collection's CPU time
(``time.thread_time`` around it, from ``gc.callbacks``) is added up per generation, and the totals, the
process's own CPU and its command are written to ``<dir>/<pid>.json`` every 5 s and at exit. Not for the
load generator's process: a thread started this early hangs Locust's gevent.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

_OUTPUT = os.environ.get("SHOP_GC_PROBE_DIR")
_EVERY_SECONDS = 5.0


class _Probe:
    def __init__(self, output: Path) -> None:
        self._output = output
        self._seconds = [0.0, 0.0, 0.0]
        self._collections = [0, 0, 0]
        self._began = 0.0

    def on_collection(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._began = time.thread_time()
            return
        generation = int(info["generation"])
        self._seconds[generation] += time.thread_time() - self._began
        self._collections[generation] += 1

    def write(self) -> None:
        times = os.times()
        record = {
            "command": " ".join(sys.argv)[:120],
            "gc_seconds": [round(s, 4) for s in self._seconds],
            "collections": self._collections,
            "process_cpu_seconds": round(times.user + times.system, 3),
            "threshold": gc.get_threshold(),
            "frozen": gc.get_freeze_count(),
        }
        self._output.mkdir(parents=True, exist_ok=True)
        (self._output / f"{os.getpid()}.json").write_text(json.dumps(record))

    def write_every(self, seconds: float) -> None:
        while True:
            time.sleep(seconds)
            self.write()


if _OUTPUT and "locust" not in " ".join(sys.argv) and "shop-load" not in sys.argv[0]:
    _probe = _Probe(Path(_OUTPUT))
    gc.callbacks.append(_probe.on_collection)
    atexit.register(_probe.write)
    threading.Thread(target=_probe.write_every, args=(_EVERY_SECONDS,), daemon=True).start()
