import pytest
from eventhubs_emulator.consumers import MAX_NON_EPOCH_RECEIVERS, ConsumerRegistry
from eventhubs_emulator.errors import ReceiverQuotaExceededError, ReceiverRefusedError

KEY = ("hub", "$default", "0")


class Stolen:
    def __init__(self) -> None:
        self.reasons: list[str] = []

    def __call__(self, reason: str) -> None:
        self.reasons.append(reason)


def test_higher_epoch_steals_from_lower_and_non_epoch_receivers() -> None:
    registry = ConsumerRegistry()
    plain, low = Stolen(), Stolen()
    registry.open(KEY, "plain", None, plain)
    registry.open(KEY, "low", 1, low)
    assert plain.reasons  # the epoch-1 receiver took it from the plain one
    registry.open(KEY, "high", 2, Stolen())
    assert "higher epoch of '2'" in low.reasons[0]
    assert [r.name for r in registry.receivers(KEY)] == ["high"]


def test_equal_epoch_takes_over() -> None:
    registry = ConsumerRegistry()
    first = Stolen()
    registry.open(KEY, "first", 0, first)
    registry.open(KEY, "second", 0, Stolen())
    assert first.reasons
    assert [r.name for r in registry.receivers(KEY)] == ["second"]


def test_lower_epoch_is_refused() -> None:
    registry = ConsumerRegistry()
    owner = Stolen()
    registry.open(KEY, "owner", 5, owner)
    with pytest.raises(ReceiverRefusedError):
        registry.open(KEY, "late", 4, Stolen())
    assert owner.reasons == []


def test_non_epoch_receiver_is_refused_while_an_owner_holds_the_partition() -> None:
    registry = ConsumerRegistry()
    registry.open(KEY, "owner", 0, Stolen())
    with pytest.raises(ReceiverRefusedError):
        registry.open(KEY, "plain", None, Stolen())


def test_non_epoch_receivers_are_limited_per_partition() -> None:
    registry = ConsumerRegistry()
    for index in range(MAX_NON_EPOCH_RECEIVERS):
        registry.open(KEY, f"r{index}", None, Stolen())
    with pytest.raises(ReceiverQuotaExceededError):
        registry.open(KEY, "one-too-many", None, Stolen())
    registry.open(("hub", "$default", "1"), "other-partition", None, Stolen())


def test_closed_receiver_frees_its_slot() -> None:
    registry = ConsumerRegistry()
    owner = registry.open(KEY, "owner", 3, Stolen())
    registry.close(owner)
    registry.open(KEY, "plain", None, Stolen())
