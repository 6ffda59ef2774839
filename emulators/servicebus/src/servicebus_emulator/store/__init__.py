"""Persistence for the provider: in memory (default) or SQLite in a data directory."""

from servicebus_emulator.store.base import Snapshot, Store, StoreOp
from servicebus_emulator.store.memory import MemoryStore
from servicebus_emulator.store.sqlite import SqliteStore

__all__ = ["MemoryStore", "Snapshot", "SqliteStore", "Store", "StoreOp"]
