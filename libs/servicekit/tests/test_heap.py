"""servicekit.heap in a process of its own, since it changes the interpreter's collector for good."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run_python(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True
    ).stdout


def test_start_up_objects_are_frozen_and_no_longer_walked_by_a_full_collection() -> None:
    out = run_python(
        """
        import gc
        from servicekit.heap import settle_after_startup

        startup = [[i] for i in range(50_000)]  # long-lived containers, as imports and caches make
        frozen = settle_after_startup()
        walked = []
        gc.callbacks.append(lambda phase, info: phase == "start" and walked.append(len(gc.get_objects(2))))
        gc.collect()
        print(frozen >= 50_000, walked[0] < 5_000, gc.get_threshold())
        """
    )
    assert out.split(maxsplit=2) == ["True", "True", "(5000, 20, 20)\n"]


def test_cycles_made_after_start_up_are_still_freed() -> None:
    out = run_python(
        """
        import gc, weakref
        from servicekit.heap import settle_after_startup

        class Node:
            pass

        settle_after_startup(young=100, older=2)
        first = Node()
        first.peer = Node()
        first.peer.peer = first
        gone = weakref.ref(first)
        del first
        for _ in range(1_000):  # allocations enough for the young and older generations to be collected
            [[] for _ in range(100)]
        print(gone() is None)
        """
    )
    assert out.strip() == "True"
