"""Process CPU time (user + system) from /proc/<pid>/stat: steadier than latency on a shared machine."""

from __future__ import annotations

import os

_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        # The command name (field 2) may hold spaces; everything after its closing parenthesis is numeric.
        fields = stat.read().rsplit(")", 1)[1].split()
    user, system = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (user + system) / _TICKS_PER_SECOND
