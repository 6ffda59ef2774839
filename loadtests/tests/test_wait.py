"""A paced persona's wait: the think time, or what is left of the pace since the task started."""

from __future__ import annotations

import types

import pytest
from shoploads import wait
from shoploads.mix import Persona

PACED = Persona(weight=1, think_low=0.2, think_high=0.2, pace=1.5)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(wait, "time", types.SimpleNamespace(monotonic=fake.monotonic))
    return fake


def test_the_first_wait_is_the_think_time(clock: Clock) -> None:
    assert wait.think_then_pace(PACED)(types.SimpleNamespace()) == pytest.approx(0.2)


def test_a_quick_task_waits_out_the_rest_of_the_pace(clock: Clock) -> None:
    user = types.SimpleNamespace()
    wait_time = wait.think_then_pace(PACED)
    clock.now += wait_time(user)  # the next task starts here
    clock.now += 0.5  # and takes half a second
    assert wait_time(user) == pytest.approx(1.0)


def test_a_task_slower_than_the_pace_is_followed_by_the_think_time_only(clock: Clock) -> None:
    user = types.SimpleNamespace()
    wait_time = wait.think_then_pace(PACED)
    clock.now += wait_time(user)
    clock.now += 4.0
    assert wait_time(user) == pytest.approx(0.2)


def test_an_unpaced_persona_only_thinks(clock: Clock) -> None:
    user = types.SimpleNamespace()
    wait_time = wait.think_then_pace(Persona(weight=1, think_low=0.3, think_high=0.3))
    clock.now += wait_time(user)
    clock.now += 0.01
    assert wait_time(user) == pytest.approx(0.3)
