import sqlite3
from pathlib import Path

from eventhubs_emulator.model import StoredEvent
from eventhubs_emulator.store import SqliteStore
from eventhubs_emulator.store.sqlite import FILE_NAME


def test_database_uses_write_ahead_logging(tmp_path: Path) -> None:
    SqliteStore(tmp_path).close()
    with sqlite3.connect(tmp_path / FILE_NAME) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_append_is_visible_to_another_connection_when_it_returns(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path)
    store.append("hub", "0", [StoredEvent(0, 0, 1000, None, b"abc")])
    with sqlite3.connect(tmp_path / FILE_NAME) as db:
        assert db.execute("SELECT count(*) FROM events").fetchone()[0] == 1
    store.close()


def test_trim_forgets_old_events_but_keeps_numbering(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path)
    store.append("hub", "0", [StoredEvent(0, 0, 1000, None, b"abc"), StoredEvent(1, 3, 1000, "k", b"de")])
    store.trim("hub", "0", 1)
    snapshot = store.load("hub", "0")
    assert [e.sequence_number for e in snapshot.events] == [1]
    assert (snapshot.next_sequence_number, snapshot.next_offset) == (2, 5)
    store.close()
