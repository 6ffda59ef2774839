"""The AMQP type codec and the message sections built on it: decode anything, round-trip what decodes.

Documented failure: `amqp_core.codec.DecodeError` and nothing else. A value that decodes must encode
again, and its encoding must be stable (encode → decode → encode gives the same bytes; comparing bytes
rather than values keeps NaN floats from looking like a mismatch).
"""

from __future__ import annotations

from amqp_core.codec import DecodeError, decode, decode_value, encode
from amqp_core.message import decode_batch, decode_message, encode_message

from emulator_fuzz.errors import FuzzFindingError


def codec_target(data: bytes) -> None:
    try:
        value, _end = decode_value(data)
    except DecodeError:
        return
    encoded = encode(value)
    again = encode(decode(encoded))
    if again != encoded:
        raise FuzzFindingError(f"unstable encoding: {encoded.hex()} re-encodes as {again.hex()}")


def message_target(data: bytes) -> None:
    try:
        message = decode_message(data)
    except DecodeError:
        pass
    else:
        encoded = encode_message(message)
        again = encode_message(decode_message(encoded))
        if again != encoded:
            raise FuzzFindingError(f"unstable message encoding: {encoded.hex()} re-encodes as {again.hex()}")
    try:
        decode_batch(data)
    except DecodeError:
        return
