from __future__ import annotations

import time

import pytest
from emulator_common.clock import ManualClock, SystemClock


def test_manual_clock_moves_only_when_advanced():
    clock = ManualClock(start=100.0)

    clock.advance(2.5)

    assert clock.now() == 102.5
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)


def test_system_clock_reads_wall_time():
    assert abs(SystemClock().now() - time.time()) < 5
