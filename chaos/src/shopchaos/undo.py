"""Everything a run switched on that must be switched off again: fault rules it added, components it paused.

Actions record here as they act and forget as they undo, so an interrupted run (Ctrl-C) or a failed one
can put the platform back with `undo_all()`, which says what it did.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Undo:
    what: str  # what undoing does, said once done: "removed fault rule 3 from servicebus (...)"
    action: Callable[[], object]


_lock = threading.Lock()
_pending: dict[str, Undo] = {}
_done: list[str] = []  # what was undone since `reset_history()`, by an action or by undo_all


def remember(key: str, undo: Undo) -> None:
    with _lock:
        _pending[key] = undo


def forget(key: str) -> None:
    """The action that undoes `key` was carried out (a rollback removed the rule, resumed the process)."""
    with _lock:
        undone = _pending.pop(key, None)
        if undone is not None:
            _done.append(undone.what)


def reset_history() -> None:
    with _lock:
        _done.clear()


def history() -> list[str]:
    with _lock:
        return list(_done)


def pending() -> list[str]:
    with _lock:
        return [undo.what for undo in _pending.values()]


def undo_all() -> list[str]:
    """Undo everything still switched on, newest first; one line per item saying what happened."""
    with _lock:
        items = list(_pending.items())[::-1]
        _pending.clear()
    said: list[str] = []
    for _, undo in items:
        try:
            undo.action()
            said.append(undo.what)
            with _lock:
                _done.append(undo.what)
        # Whatever one undo raises, the others must still run; the line says which one failed.
        except Exception as exc:
            said.append(f"could not undo {undo.what}: {exc}")
    return said
