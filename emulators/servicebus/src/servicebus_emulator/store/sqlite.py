"""SQLite persistence in a data directory: every acknowledged send survives a SIGKILL of the emulator.

WAL journal with ``synchronous=NORMAL``: a commit is in the WAL, which the OS holds, before the provider
acknowledges, so an acknowledged message survives the process being killed or restarted; only an OS crash
or a power cut could drop the last commits, which an emulator can afford (as the Event Hubs emulator's
store). ``FULL`` fsynced every commit: about a fifth of the emulator's CPU per message, in the kernel.
Commits run on the event loop, once per loop turn: every change submitted during a turn goes into one
transaction (group commit) in a callback scheduled by the first of them, so the frames read together share
a commit. Without an fsync a commit is a short piece of CPU work; a writer thread cost more in wake-ups,
hand-offs of the GIL and cross-thread callbacks than the commit itself (the payment bench,
``services/payment/README.md``).
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import json
import logging
import sqlite3
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from servicebus_emulator.message_fields import PropertyValue
from servicebus_emulator.model import BrokerMessage, MessageState
from servicebus_emulator.store.base import (
    DeleteDuplicate,
    DeleteMessage,
    PutDuplicate,
    PutMessage,
    PutSessionState,
    SetSequence,
    Snapshot,
    StoreOp,
    UpdateMessage,
)

log = logging.getLogger(__name__)

FILE_NAME = "servicebus.sqlite3"
SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sequences (entity TEXT PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
    entity TEXT NOT NULL,
    seq INTEGER NOT NULL,
    body BLOB NOT NULL,
    props TEXT NOT NULL,
    ttl REAL NOT NULL,
    enqueued_time REAL NOT NULL,
    scheduled_time REAL,
    size INTEGER NOT NULL,
    state TEXT NOT NULL,
    delivery_count INTEGER NOT NULL,
    lock_token TEXT,
    locked_until REAL,
    dl_reason TEXT,
    dl_description TEXT,
    dl_source TEXT,
    PRIMARY KEY (entity, seq)
);
CREATE TABLE IF NOT EXISTS duplicates (
    entity TEXT NOT NULL,
    message_id TEXT NOT NULL,
    seen_at REAL NOT NULL,
    PRIMARY KEY (entity, message_id)
);
CREATE TABLE IF NOT EXISTS session_states (
    entity TEXT NOT NULL,
    session_id TEXT NOT NULL,
    state BLOB NOT NULL,
    PRIMARY KEY (entity, session_id)
);
"""

_STATE_COLUMNS = (
    "ttl = ?, enqueued_time = ?, scheduled_time = ?, state = ?, delivery_count = ?, lock_token = ?, "
    "locked_until = ?, dl_reason = ?, dl_description = ?, dl_source = ?"
)


def _encode_value(value: PropertyValue) -> Any:
    # Tagged so that a property read back has the type it was sent with (a correlation filter compares
    # typed values, and scheduled topic messages are filtered after a restart).
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, datetime.datetime):
        return {"$datetime": value.isoformat()}
    return value


def _decode_value(value: Any) -> PropertyValue:
    if isinstance(value, dict):
        if "$bytes" in value:
            return base64.b64decode(value["$bytes"])
        if "$uuid" in value:
            return uuid.UUID(value["$uuid"])
        if "$datetime" in value:
            return datetime.datetime.fromisoformat(value["$datetime"])
        raise ValueError(f"unknown tagged value {value!r}")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise ValueError(f"unexpected property value {value!r}")


def _props(message: BrokerMessage) -> str:
    return json.dumps(
        {
            "message_id": message.message_id,
            "message_id_assigned": message.message_id_assigned,
            "properties_rewritten": message.properties_rewritten,
            "correlation_id": message.correlation_id,
            "subject": message.subject,
            "to": message.to,
            "reply_to": message.reply_to,
            "reply_to_session_id": message.reply_to_session_id,
            "session_id": message.session_id,
            "content_type": message.content_type,
            "application_properties": {
                k: _encode_value(v) for k, v in message.application_properties.items()
            },
        }
    )


def _state_values(message: BrokerMessage) -> tuple[Any, ...]:
    return (
        message.time_to_live,
        message.enqueued_time,
        message.scheduled_enqueue_time,
        message.state.value,
        message.delivery_count,
        str(message.lock_token) if message.lock_token else None,
        message.locked_until,
        message.dead_letter_reason,
        message.dead_letter_description,
        message.dead_letter_source,
    )


def _row_to_message(row: sqlite3.Row) -> BrokerMessage:
    props = json.loads(row["props"])
    return BrokerMessage(
        entity=row["entity"],
        sequence_number=row["seq"],
        encoded=bytes(row["body"]),
        message_id=props["message_id"],
        message_id_assigned=props["message_id_assigned"],
        properties_rewritten=props.get("properties_rewritten", False),
        correlation_id=props["correlation_id"],
        subject=props["subject"],
        to=props["to"],
        reply_to=props["reply_to"],
        reply_to_session_id=props["reply_to_session_id"],
        session_id=props["session_id"],
        content_type=props["content_type"],
        application_properties={k: _decode_value(v) for k, v in props["application_properties"].items()},
        time_to_live=row["ttl"],
        enqueued_time=row["enqueued_time"],
        scheduled_enqueue_time=row["scheduled_time"],
        size=row["size"],
        state=MessageState(row["state"]),
        delivery_count=row["delivery_count"],
        lock_token=uuid.UUID(row["lock_token"]) if row["lock_token"] else None,
        locked_until=row["locked_until"],
        dead_letter_reason=row["dl_reason"],
        dead_letter_description=row["dl_description"],
        dead_letter_source=row["dl_source"],
    )


def _apply(conn: sqlite3.Connection, op: StoreOp) -> None:
    match op:
        case PutMessage(message=m):
            conn.execute(
                "INSERT OR REPLACE INTO messages (entity, seq, body, props, size, ttl, enqueued_time, "
                "scheduled_time, state, delivery_count, lock_token, locked_until, dl_reason, "
                "dl_description, dl_source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (m.entity, m.sequence_number, m.encoded, _props(m), m.size, *_state_values(m)),
            )
        case UpdateMessage(message=m):
            conn.execute(
                # Constant columns (B608).
                f"UPDATE messages SET {_STATE_COLUMNS} WHERE entity = ? AND seq = ?",  # nosec B608
                (*_state_values(m), m.entity, m.sequence_number),
            )
        case DeleteMessage(entity=entity, sequence_number=seq):
            conn.execute("DELETE FROM messages WHERE entity = ? AND seq = ?", (entity, seq))
        case SetSequence(entity=entity, last=last):
            conn.execute(
                "INSERT INTO sequences (entity, last) VALUES (?, ?) "
                "ON CONFLICT (entity) DO UPDATE SET last = max(last, excluded.last)",
                (entity, last),
            )
        case PutDuplicate(entity=entity, message_id=message_id, seen_at=seen_at):
            conn.execute(
                "INSERT OR REPLACE INTO duplicates (entity, message_id, seen_at) VALUES (?, ?, ?)",
                (entity, message_id, seen_at),
            )
        case DeleteDuplicate(entity=entity, message_id=message_id):
            conn.execute("DELETE FROM duplicates WHERE entity = ? AND message_id = ?", (entity, message_id))
        case PutSessionState(entity=entity, session_id=session_id, state=None):
            conn.execute(
                "DELETE FROM session_states WHERE entity = ? AND session_id = ?", (entity, session_id)
            )
        case PutSessionState(entity=entity, session_id=session_id, state=bytes() as state):
            conn.execute(
                "INSERT OR REPLACE INTO session_states (entity, session_id, state) VALUES (?, ?, ?)",
                (entity, session_id, state),
            )


_Batch = tuple[Sequence[StoreOp], asyncio.Future[None]]


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)


class SqliteStore:
    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / FILE_NAME
        # isolation_level=None: transactions are opened explicitly, one per group commit.
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        version = self._conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if version is None:
            self._conn.execute("INSERT INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,))
        elif version["value"] != SCHEMA_VERSION:
            raise RuntimeError(
                f"{self.path} has schema version {version['value']}, expected {SCHEMA_VERSION}"
            )
        self._pending: list[_Batch] = []
        self._flush_scheduled = False
        self._closed = False

    def load(self) -> Snapshot:
        snapshot = Snapshot()
        for row in self._conn.execute("SELECT * FROM messages ORDER BY entity, seq"):
            snapshot.messages.append(_row_to_message(row))
        for row in self._conn.execute("SELECT entity, last FROM sequences"):
            snapshot.sequences[row["entity"]] = row["last"]
        for row in self._conn.execute("SELECT entity, message_id, seen_at FROM duplicates ORDER BY seen_at"):
            snapshot.duplicates.append(PutDuplicate(row["entity"], row["message_id"], row["seen_at"]))
        for row in self._conn.execute("SELECT entity, session_id, state FROM session_states"):
            snapshot.session_states.append(
                PutSessionState(row["entity"], row["session_id"], bytes(row["state"]))
            )
        return snapshot

    def submit(self, ops: Sequence[StoreOp]) -> asyncio.Future[None]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        if self._closed:
            future.set_exception(RuntimeError("the store is closed"))
        elif not ops:
            future.set_result(None)
        else:
            self._pending.append((list(ops), future))
            if not self._flush_scheduled:
                self._flush_scheduled = True
                loop.call_soon(self._flush)
        return future

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._flush()
        self._conn.close()

    def _flush(self) -> None:
        """Commits everything submitted since the last flush, in submission order, in one transaction."""
        self._flush_scheduled = False
        batches, self._pending = self._pending, []
        if batches:
            self._commit(batches)

    def _commit(self, batches: list[_Batch]) -> None:
        try:
            self._transaction([op for ops, _ in batches for op in ops])
        except sqlite3.Error:
            log.exception("group commit failed; committing its changes one by one")
            for ops, future in batches:
                try:
                    self._transaction(ops)
                except sqlite3.Error as error:
                    _settle(future, error)
                else:
                    _settle(future, None)
            return
        for _, future in batches:
            _settle(future, None)

    def _transaction(self, ops: Sequence[StoreOp]) -> None:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            for op in ops:
                _apply(self._conn, op)
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")
