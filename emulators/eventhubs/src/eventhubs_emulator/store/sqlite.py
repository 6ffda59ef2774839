"""SQLite persistence (``--data-dir``): events survive a SIGKILL with their offsets and sequence numbers.

One database file, ``eventhubs.sqlite3``, in WAL mode. Each append is one transaction that adds the
events and moves the partition's numbering forward; it has committed when `append` returns. With
``synchronous=NORMAL`` a committed transaction survives the process being killed (the OS holds the WAL
pages); only a power loss could drop the last commits, which an emulator can afford.

The numbering row is kept apart from the events so that a partition whose events have all expired
still continues where it stopped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from eventhubs_emulator.model import StoredEvent
from eventhubs_emulator.store.base import PartitionSnapshot

FILE_NAME = "eventhubs.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS partitions (
    hub TEXT NOT NULL,
    partition_id TEXT NOT NULL,
    next_sequence_number INTEGER NOT NULL,
    next_offset INTEGER NOT NULL,
    last_enqueued_time_ms INTEGER NOT NULL,
    PRIMARY KEY (hub, partition_id)
);
CREATE TABLE IF NOT EXISTS events (
    hub TEXT NOT NULL,
    partition_id TEXT NOT NULL,
    sequence_number INTEGER NOT NULL,
    event_offset INTEGER NOT NULL,
    enqueued_time_ms INTEGER NOT NULL,
    partition_key TEXT,
    payload BLOB NOT NULL,
    PRIMARY KEY (hub, partition_id, sequence_number)
) WITHOUT ROWID;
"""


class SqliteStore:
    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / FILE_NAME
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def load(self, hub: str, partition_id: str) -> PartitionSnapshot:
        row = self._db.execute(
            "SELECT next_sequence_number, next_offset, last_enqueued_time_ms FROM partitions"
            " WHERE hub = ? AND partition_id = ?",
            (hub, partition_id),
        ).fetchone()
        if row is None:
            return PartitionSnapshot()
        events = [
            StoredEvent(sequence, offset, enqueued, key, bytes(payload))
            for sequence, offset, enqueued, key, payload in self._db.execute(
                "SELECT sequence_number, event_offset, enqueued_time_ms, partition_key, payload FROM events"
                " WHERE hub = ? AND partition_id = ? ORDER BY sequence_number",
                (hub, partition_id),
            )
        ]
        return PartitionSnapshot(int(row[0]), int(row[1]), int(row[2]), events)

    def append(self, hub: str, partition_id: str, events: Sequence[StoredEvent]) -> None:
        if not events:
            return
        last = events[-1]
        with self._transaction():
            self._db.executemany(
                "INSERT INTO events (hub, partition_id, sequence_number, event_offset, enqueued_time_ms,"
                " partition_key, payload) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        hub,
                        partition_id,
                        event.sequence_number,
                        event.offset,
                        event.enqueued_time_ms,
                        event.partition_key,
                        event.payload,
                    )
                    for event in events
                ],
            )
            self._db.execute(
                "INSERT INTO partitions (hub, partition_id, next_sequence_number, next_offset,"
                " last_enqueued_time_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (hub, partition_id) DO UPDATE"
                " SET next_sequence_number = excluded.next_sequence_number,"
                " next_offset = excluded.next_offset, last_enqueued_time_ms = excluded.last_enqueued_time_ms",
                (hub, partition_id, last.sequence_number + 1, last.next_offset, last.enqueued_time_ms),
            )

    def trim(self, hub: str, partition_id: str, before_sequence_number: int) -> None:
        with self._transaction():
            self._db.execute(
                "DELETE FROM events WHERE hub = ? AND partition_id = ? AND sequence_number < ?",
                (hub, partition_id, before_sequence_number),
            )

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    def close(self) -> None:
        self._db.close()


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")
