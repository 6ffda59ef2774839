"""Event stores: in memory (default) or SQLite (``--data-dir``)."""

from eventhubs_emulator.store.base import PartitionSnapshot, Store
from eventhubs_emulator.store.memory import MemoryStore
from eventhubs_emulator.store.sqlite import SqliteStore

__all__ = ["MemoryStore", "PartitionSnapshot", "SqliteStore", "Store"]
