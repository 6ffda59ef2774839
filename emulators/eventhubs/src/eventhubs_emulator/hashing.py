"""Partition key → partition, as the Event Hubs service maps it.

The service hashes the UTF-8 bytes of the key with Bob Jenkins' lookup3 ``hashlittle2`` (both seeds 0),
folds the two 32-bit results into a signed 16-bit value (``c ^ b``, truncated), and takes its absolute
value modulo the partition count. The .NET SDK's buffered producer mirrors the service the same way; its
tests' key → hash pairs are our tests' expectations, so keys land on the partitions Azure would pick.
"""

from __future__ import annotations

_MASK = 0xFFFF_FFFF


def _rot(value: int, shift: int) -> int:
    return ((value << shift) | (value >> (32 - shift))) & _MASK


def _mix(a: int, b: int, c: int) -> tuple[int, int, int]:
    a = (a - c) & _MASK
    a ^= _rot(c, 4)
    c = (c + b) & _MASK
    b = (b - a) & _MASK
    b ^= _rot(a, 6)
    a = (a + c) & _MASK
    c = (c - b) & _MASK
    c ^= _rot(b, 8)
    b = (b + a) & _MASK
    a = (a - c) & _MASK
    a ^= _rot(c, 16)
    c = (c + b) & _MASK
    b = (b - a) & _MASK
    b ^= _rot(a, 19)
    a = (a + c) & _MASK
    c = (c - b) & _MASK
    c ^= _rot(b, 4)
    b = (b + a) & _MASK
    return a, b, c


def _final(a: int, b: int, c: int) -> tuple[int, int, int]:
    c ^= b
    c = (c - _rot(b, 14)) & _MASK
    a ^= c
    a = (a - _rot(c, 11)) & _MASK
    b ^= a
    b = (b - _rot(a, 25)) & _MASK
    c ^= b
    c = (c - _rot(b, 16)) & _MASK
    a ^= c
    a = (a - _rot(c, 4)) & _MASK
    b ^= a
    b = (b - _rot(a, 14)) & _MASK
    c ^= b
    c = (c - _rot(b, 24)) & _MASK
    return a, b, c


def lookup3(data: bytes, seed1: int = 0, seed2: int = 0) -> tuple[int, int]:
    """Jenkins' ``hashlittle2``: two 32-bit hashes (c, b) of ``data``."""
    a = b = (0xDEADBEEF + len(data) + seed1) & _MASK
    c = (a + seed2) & _MASK
    position = 0
    # Every full 12-byte block but the last is mixed; the last (possibly full) block goes through final.
    while len(data) - position > 12:
        a = (a + int.from_bytes(data[position : position + 4], "little")) & _MASK
        b = (b + int.from_bytes(data[position + 4 : position + 8], "little")) & _MASK
        c = (c + int.from_bytes(data[position + 8 : position + 12], "little")) & _MASK
        a, b, c = _mix(a, b, c)
        position += 12
    tail = data[position:]
    if not tail:
        return c, b
    padded = tail + bytes(12 - len(tail))
    a = (a + int.from_bytes(padded[0:4], "little")) & _MASK
    b = (b + int.from_bytes(padded[4:8], "little")) & _MASK
    c = (c + int.from_bytes(padded[8:12], "little")) & _MASK
    a, b, c = _final(a, b, c)
    return c, b


def partition_key_hash(key: str) -> int:
    """The signed 16-bit hash of a partition key."""
    hash1, hash2 = lookup3(key.encode("utf-8"))
    folded = (hash1 ^ hash2) & 0xFFFF
    return folded - 0x10000 if folded >= 0x8000 else folded


def partition_for_key(key: str, partition_count: int) -> int:
    """The index of the partition that receives events sent with ``key``."""
    return abs(partition_key_hash(key)) % partition_count
