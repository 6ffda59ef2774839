"""The fuzz targets by name; each takes the raw input bytes and raises on a finding."""

from __future__ import annotations

from collections.abc import Callable

from emulator_fuzz.targets.codec import codec_target, message_target
from emulator_fuzz.targets.frames import frame_target
from emulator_fuzz.targets.handshake import handshake_target
from emulator_fuzz.targets.sql import sql_target

Target = Callable[[bytes], None]

TARGETS: dict[str, Target] = {
    "codec": codec_target,
    "message": message_target,
    "frame": frame_target,
    "handshake": handshake_target,
    "sql": sql_target,
}

__all__ = ["TARGETS", "Target"]
