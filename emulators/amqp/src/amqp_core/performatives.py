"""AMQP 1.0 performatives, SASL frames, delivery states, terminus and error records as typed records.

Each record is a dataclass whose fields are the AMQP fields in wire order. ``encode()`` of a record gives
the described list with EVERY field present, trailing nulls included: the Python SDK parses performatives
by position. ``decode_record()`` turns a decoded described value back into its record, padding omitted
trailing fields with their defaults and normalising multiple-valued fields (one symbol or an array of
symbols) to tuples.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from amqp_core.codec import DecodeError
from amqp_core.types import AmqpType, Array, Described, Symbol, Timestamp, UByte, UInt, ULong, UShort

__all__ = [
    "Accepted",
    "AmqpError",
    "Attach",
    "Begin",
    "Close",
    "DeliveryState",
    "Detach",
    "Disposition",
    "End",
    "Flow",
    "Modified",
    "Open",
    "Performative",
    "Received",
    "Record",
    "Rejected",
    "Released",
    "SaslChallenge",
    "SaslInit",
    "SaslMechanisms",
    "SaslOutcome",
    "SaslResponse",
    "Source",
    "Target",
    "Transfer",
    "decode_record",
    "spec",
]

_Coerce = Callable[[Any], Any]


def _opt(wrap: _Coerce) -> _Coerce:
    def coerce(value: Any) -> Any:
        return None if value is None else wrap(value)

    return coerce


def _symbol_array(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Array):
        return value
    if isinstance(value, str):
        value = (value,)
    return Array(AmqpType.SYMBOL, tuple(Symbol(item) for item in value))


def _fields_map(value: Any) -> Any:
    if value is None:
        return None
    return {Symbol(key) if isinstance(key, str) else key: item for key, item in value.items()}


def _record(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Record):
        return value.encode()
    return value


def _plain(value: Any) -> Any:
    # An untyped field may hold any described value, which decoding turned into a record when it knows it.
    if isinstance(value, Record):
        return value.encode()
    return value


def _as_tuple(value: Any) -> Any:
    """Multiple-valued fields arrive as one value or an array; readers always get a tuple."""
    if value is None:
        return None
    if isinstance(value, Array):
        return tuple(value.items)
    if isinstance(value, list | tuple):
        return tuple(value)
    return (value,)


def _as_record(value: Any) -> Any:
    if isinstance(value, Described):
        return decode_record(value)
    return value


def _timestamp(value: Any) -> Timestamp:
    if isinstance(value, datetime.datetime):
        return Timestamp.from_datetime(value)
    return Timestamp(value)  # type: ignore[no-any-return]


STRING = _opt(str)
TIMESTAMP = _opt(_timestamp)
SYMBOL = _opt(Symbol)
UBYTE = _opt(UByte)
USHORT = _opt(UShort)
UINT = _opt(UInt)
ULONG = _opt(ULong)
BOOLEAN = _opt(bool)
BINARY = _opt(bytes)
SYMBOLS = _symbol_array
FIELDS = _fields_map
RECORD = _record
ANY = _plain


# What a decoded field may hold, by its type: a peer can put any AMQP value in any field, and code
# reading a record trusts its annotations (``int(open.max_frame_size)``, ``attach.source.address``).
_ACCEPTED: dict[_Coerce, tuple[type, ...]] = {
    STRING: (str,),
    SYMBOL: (str,),
    SYMBOLS: (str,),
    TIMESTAMP: (int, datetime.datetime),
    UBYTE: (int,),
    USHORT: (int,),
    UINT: (int,),
    ULONG: (int,),
    BOOLEAN: (bool,),
    BINARY: (bytes,),
    FIELDS: (dict,),
}


def spec(
    encode: _Coerce,
    *,
    mandatory: bool = False,
    multiple: bool = False,
    record: type[Record] | None = None,
) -> dict[str, Any]:
    """Field metadata: ``encode`` coerces the Python value to its AMQP type on the way out.

    On the way in a field must hold what ``encode`` accepts (a ``record`` field: that record type, a
    ``multiple`` field: one or several values), else decoding the record fails with `DecodeError`.
    """
    return {
        "encode": encode,
        "decode": _as_tuple if multiple else _as_record,
        "mandatory": mandatory,
        "multiple": multiple,
        "record": record,
    }


def _check_field(owner: str, field: dataclasses.Field[Any], value: Any) -> None:
    """Refuse a decoded field value its record type cannot hold (wrong type, or out of range)."""
    encode = field.metadata["encode"]
    record = field.metadata["record"]
    accepted = _ACCEPTED.get(encode)
    for item in value if field.metadata["multiple"] else (value,):
        if record is not None:
            valid = isinstance(item, record)
        elif accepted is not None:
            valid = isinstance(item, accepted) and (bool in accepted or not isinstance(item, bool))
        else:
            valid = True
        if not valid:
            raise DecodeError(
                f"{owner}: field {field.name.replace('_', '-')} cannot be a {type(item).__name__}"
            )
    try:
        encode(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise DecodeError(f"{owner}: field {field.name.replace('_', '-')}: {exc}") from exc


_R = TypeVar("_R", bound="Record")


@dataclasses.dataclass
class Record:
    """A described list with a numeric descriptor (``CODE``) and a symbolic one (``NAME``)."""

    CODE: ClassVar[int] = 0
    NAME: ClassVar[str] = ""

    def encode(self) -> Described:
        values = [spec.metadata["encode"](getattr(self, spec.name)) for spec in dataclasses.fields(self)]
        return Described(ULong(self.CODE), values)

    @classmethod
    def from_list(cls: type[_R], values: list[Any]) -> _R:
        specs = dataclasses.fields(cls)
        if len(values) > len(specs):
            # Later versions may add fields; extra trailing fields are ignored, as the spec allows.
            values = values[: len(specs)]
        kwargs: dict[str, Any] = {}
        for spec, value in zip(specs, values, strict=False):
            if value is not None:
                kwargs[spec.name] = spec.metadata["decode"](value)
                _check_field(cls.NAME, spec, kwargs[spec.name])
        for spec in specs:
            if spec.metadata["mandatory"] and kwargs.get(spec.name) is None:
                raise DecodeError(f"{cls.NAME}: mandatory field {spec.name.replace('_', '-')} is missing")
        return cls(**kwargs)


class Performative(Record):
    """A frame body of an AMQP frame (type 0x00)."""


class SaslFrame(Record):
    """A frame body of a SASL frame (type 0x01)."""


class DeliveryState(Record):
    """The state of a delivery; outcomes are terminal states."""


@dataclasses.dataclass
class AmqpError(Record):
    CODE = 0x1D
    NAME = "amqp:error:list"
    condition: str = dataclasses.field(default="", metadata=spec(SYMBOL, mandatory=True))
    description: str | None = dataclasses.field(default=None, metadata=spec(STRING))
    info: dict[Any, Any] | None = dataclasses.field(default=None, metadata=spec(FIELDS))


@dataclasses.dataclass
class Open(Performative):
    CODE = 0x10
    NAME = "amqp:open:list"
    container_id: str = dataclasses.field(default="", metadata=spec(STRING, mandatory=True))
    hostname: str | None = dataclasses.field(default=None, metadata=spec(STRING))
    max_frame_size: int = dataclasses.field(default=0xFFFF_FFFF, metadata=spec(UINT))
    channel_max: int = dataclasses.field(default=0xFFFF, metadata=spec(USHORT))
    idle_time_out: int | None = dataclasses.field(default=None, metadata=spec(UINT))
    outgoing_locales: tuple[str, ...] | None = dataclasses.field(
        default=None, metadata=spec(SYMBOLS, multiple=True)
    )
    incoming_locales: tuple[str, ...] | None = dataclasses.field(
        default=None, metadata=spec(SYMBOLS, multiple=True)
    )
    offered_capabilities: tuple[str, ...] | None = dataclasses.field(
        default=None, metadata=spec(SYMBOLS, multiple=True)
    )
    desired_capabilities: tuple[str, ...] | None = dataclasses.field(
        default=None, metadata=spec(SYMBOLS, multiple=True)
    )
    properties: dict[Any, Any] | None = dataclasses.field(default=None, metadata=spec(FIELDS))


@dataclasses.dataclass
class Begin(Performative):
    CODE = 0x11
    NAME = "amqp:begin:list"
    remote_channel: int | None = dataclasses.field(default=None, metadata=spec(USHORT))
    next_outgoing_id: int = dataclasses.field(default=0, metadata=spec(UINT, mandatory=True))
    incoming_window: int = dataclasses.field(default=0, metadata=spec(UINT, mandatory=True))
    outgoing_window: int = dataclasses.field(default=0, metadata=spec(UINT, mandatory=True))
    handle_max: int = dataclasses.field(default=0xFFFF_FFFF, metadata=spec(UINT))
    offered_capabilities: tuple[str, ...] | None = dataclasses.field(
        default=None, metadata=spec(SYMBOLS, multiple=True)
    )
    desired_capabilities: tuple[str, ...] | None = dataclasses.field(
        default=None, metadata=spec(SYMBOLS, multiple=True)
    )
    properties: dict[Any, Any] | None = dataclasses.field(default=None, metadata=spec(FIELDS))


# Terminus settle modes.
SND_UNSETTLED, SND_SETTLED, SND_MIXED = 0, 1, 2
RCV_FIRST, RCV_SECOND = 0, 1
# Link roles (the role of the peer that sends the frame).
ROLE_SENDER, ROLE_RECEIVER = False, True


@dataclasses.dataclass
class Source(Record):
    CODE = 0x28
    NAME = "amqp:source:list"
    address: str | None = dataclasses.field(default=None, metadata=spec(STRING))
    durable: int = dataclasses.field(default=0, metadata=spec(UINT))
    expiry_policy: str | None = dataclasses.field(default=None, metadata=spec(SYMBOL))
    timeout: int = dataclasses.field(default=0, metadata=spec(UINT))
    dynamic: bool = dataclasses.field(default=False, metadata=spec(BOOLEAN))
    dynamic_node_properties: dict[Any, Any] | None = dataclasses.field(default=None, metadata=spec(FIELDS))
    distribution_mode: str | None = dataclasses.field(default=None, metadata=spec(SYMBOL))
    filter: dict[Any, Any] | None = dataclasses.field(default=None, metadata=spec(FIELDS))
    default_outcome: Any = dataclasses.field(default=None, metadata=spec(RECORD, record=DeliveryState))
    outcomes: tuple[str, ...] | None = dataclasses.field(default=None, metadata=spec(SYMBOLS, multiple=True))
    capabilities: tuple[str, ...] | None = dataclasses.field(
        default=None, metadata=spec(SYMBOLS, multiple=True)
    )


@dataclasses.dataclass
class Target(Record):
    CODE = 0x29
    NAME = "amqp:target:list"
    address: str | None = dataclasses.field(default=None, metadata=spec(STRING))
    durable: int = dataclasses.field(default=0, metadata=spec(UINT))
    expiry_policy: str | None = dataclasses.field(default=None, metadata=spec(SYMBOL))
    timeout: int = dataclasses.field(default=0, metadata=spec(UINT))
    dynamic: bool = dataclasses.field(default=False, metadata=spec(BOOLEAN))
    dynamic_node_properties: dict[Any, Any] | None = dataclasses.field(default=None, metadata=spec(FIELDS))
    capabilities: tuple[str, ...] | None = dataclasses.field(
        default=None, metadata=spec(SYMBOLS, multiple=True)
    )


@dataclasses.dataclass
class Attach(Performative):
    CODE = 0x12
    NAME = "amqp:attach:list"
    name: str = dataclasses.field(default="", metadata=spec(STRING, mandatory=True))
    handle: int = dataclasses.field(default=0, metadata=spec(UINT, mandatory=True))
    role: bool = dataclasses.field(default=False, metadata=spec(BOOLEAN, mandatory=True))
    snd_settle_mode: int = dataclasses.field(default=SND_MIXED, metadata=spec(UBYTE))
    rcv_settle_mode: int = dataclasses.field(default=RCV_FIRST, metadata=spec(UBYTE))
    source: Source | None = dataclasses.field(default=None, metadata=spec(RECORD, record=Source))
    target: Target | None = dataclasses.field(default=None, metadata=spec(RECORD, record=Target))
    unsettled: dict[Any, Any] | None = dataclasses.field(default=None, metadata=spec(ANY))
    incomplete_unsettled: bool = dataclasses.field(default=False, metadata=spec(BOOLEAN))
    initial_delivery_count: int | None = dataclasses.field(default=None, metadata=spec(UINT))
    max_message_size: int | None = dataclasses.field(default=None, metadata=spec(ULONG))
    offered_capabilities: tuple[str, ...] | None = dataclasses.field(
        default=None, metadata=spec(SYMBOLS, multiple=True)
    )
    desired_capabilities: tuple[str, ...] | None = dataclasses.field(
        default=None, metadata=spec(SYMBOLS, multiple=True)
    )
    properties: dict[Any, Any] | None = dataclasses.field(default=None, metadata=spec(FIELDS))


@dataclasses.dataclass
class Flow(Performative):
    CODE = 0x13
    NAME = "amqp:flow:list"
    next_incoming_id: int | None = dataclasses.field(default=None, metadata=spec(UINT))
    incoming_window: int = dataclasses.field(default=0, metadata=spec(UINT, mandatory=True))
    next_outgoing_id: int = dataclasses.field(default=0, metadata=spec(UINT, mandatory=True))
    outgoing_window: int = dataclasses.field(default=0, metadata=spec(UINT, mandatory=True))
    handle: int | None = dataclasses.field(default=None, metadata=spec(UINT))
    delivery_count: int | None = dataclasses.field(default=None, metadata=spec(UINT))
    link_credit: int | None = dataclasses.field(default=None, metadata=spec(UINT))
    available: int | None = dataclasses.field(default=None, metadata=spec(UINT))
    drain: bool = dataclasses.field(default=False, metadata=spec(BOOLEAN))
    echo: bool = dataclasses.field(default=False, metadata=spec(BOOLEAN))
    properties: dict[Any, Any] | None = dataclasses.field(default=None, metadata=spec(FIELDS))


@dataclasses.dataclass
class Transfer(Performative):
    CODE = 0x14
    NAME = "amqp:transfer:list"
    handle: int = dataclasses.field(default=0, metadata=spec(UINT, mandatory=True))
    delivery_id: int | None = dataclasses.field(default=None, metadata=spec(UINT))
    delivery_tag: bytes | None = dataclasses.field(default=None, metadata=spec(BINARY))
    message_format: int | None = dataclasses.field(default=None, metadata=spec(UINT))
    settled: bool | None = dataclasses.field(default=None, metadata=spec(BOOLEAN))
    more: bool = dataclasses.field(default=False, metadata=spec(BOOLEAN))
    rcv_settle_mode: int | None = dataclasses.field(default=None, metadata=spec(UBYTE))
    state: DeliveryState | None = dataclasses.field(default=None, metadata=spec(RECORD, record=DeliveryState))
    resume: bool = dataclasses.field(default=False, metadata=spec(BOOLEAN))
    aborted: bool = dataclasses.field(default=False, metadata=spec(BOOLEAN))
    batchable: bool = dataclasses.field(default=False, metadata=spec(BOOLEAN))


@dataclasses.dataclass
class Disposition(Performative):
    CODE = 0x15
    NAME = "amqp:disposition:list"
    role: bool = dataclasses.field(default=False, metadata=spec(BOOLEAN, mandatory=True))
    first: int = dataclasses.field(default=0, metadata=spec(UINT, mandatory=True))
    last: int | None = dataclasses.field(default=None, metadata=spec(UINT))
    settled: bool = dataclasses.field(default=False, metadata=spec(BOOLEAN))
    state: DeliveryState | None = dataclasses.field(default=None, metadata=spec(RECORD, record=DeliveryState))
    batchable: bool = dataclasses.field(default=False, metadata=spec(BOOLEAN))


@dataclasses.dataclass
class Detach(Performative):
    CODE = 0x16
    NAME = "amqp:detach:list"
    handle: int = dataclasses.field(default=0, metadata=spec(UINT, mandatory=True))
    closed: bool = dataclasses.field(default=False, metadata=spec(BOOLEAN))
    error: AmqpError | None = dataclasses.field(default=None, metadata=spec(RECORD, record=AmqpError))


@dataclasses.dataclass
class End(Performative):
    CODE = 0x17
    NAME = "amqp:end:list"
    error: AmqpError | None = dataclasses.field(default=None, metadata=spec(RECORD, record=AmqpError))


@dataclasses.dataclass
class Close(Performative):
    CODE = 0x18
    NAME = "amqp:close:list"
    error: AmqpError | None = dataclasses.field(default=None, metadata=spec(RECORD, record=AmqpError))


@dataclasses.dataclass
class Received(DeliveryState):
    CODE = 0x23
    NAME = "amqp:received:list"
    section_number: int = dataclasses.field(default=0, metadata=spec(UINT, mandatory=True))
    section_offset: int = dataclasses.field(default=0, metadata=spec(ULONG, mandatory=True))


@dataclasses.dataclass
class Accepted(DeliveryState):
    CODE = 0x24
    NAME = "amqp:accepted:list"


@dataclasses.dataclass
class Rejected(DeliveryState):
    CODE = 0x25
    NAME = "amqp:rejected:list"
    error: AmqpError | None = dataclasses.field(default=None, metadata=spec(RECORD, record=AmqpError))


@dataclasses.dataclass
class Released(DeliveryState):
    CODE = 0x26
    NAME = "amqp:released:list"


@dataclasses.dataclass
class Modified(DeliveryState):
    CODE = 0x27
    NAME = "amqp:modified:list"
    delivery_failed: bool | None = dataclasses.field(default=None, metadata=spec(BOOLEAN))
    undeliverable_here: bool | None = dataclasses.field(default=None, metadata=spec(BOOLEAN))
    message_annotations: dict[Any, Any] | None = dataclasses.field(default=None, metadata=spec(FIELDS))


@dataclasses.dataclass
class SaslMechanisms(SaslFrame):
    CODE = 0x40
    NAME = "amqp:sasl-mechanisms:list"
    sasl_server_mechanisms: tuple[str, ...] = dataclasses.field(
        default=(), metadata=spec(SYMBOLS, mandatory=True, multiple=True)
    )


@dataclasses.dataclass
class SaslInit(SaslFrame):
    CODE = 0x41
    NAME = "amqp:sasl-init:list"
    mechanism: str = dataclasses.field(default="", metadata=spec(SYMBOL, mandatory=True))
    initial_response: bytes | None = dataclasses.field(default=None, metadata=spec(BINARY))
    hostname: str | None = dataclasses.field(default=None, metadata=spec(STRING))


@dataclasses.dataclass
class SaslChallenge(SaslFrame):
    CODE = 0x42
    NAME = "amqp:sasl-challenge:list"
    challenge: bytes = dataclasses.field(default=b"", metadata=spec(BINARY, mandatory=True))


@dataclasses.dataclass
class SaslResponse(SaslFrame):
    CODE = 0x43
    NAME = "amqp:sasl-response:list"
    response: bytes = dataclasses.field(default=b"", metadata=spec(BINARY, mandatory=True))


# SASL outcome codes.
SASL_OK, SASL_AUTH, SASL_SYS, SASL_SYS_PERM, SASL_SYS_TEMP = 0, 1, 2, 3, 4


@dataclasses.dataclass
class SaslOutcome(SaslFrame):
    CODE = 0x44
    NAME = "amqp:sasl-outcome:list"
    code: int = dataclasses.field(default=SASL_OK, metadata=spec(UBYTE, mandatory=True))
    additional_data: bytes | None = dataclasses.field(default=None, metadata=spec(BINARY))


_RECORDS: dict[Any, type[Record]] = {}
for _cls in (
    AmqpError,
    Open,
    Begin,
    Attach,
    Flow,
    Transfer,
    Disposition,
    Detach,
    End,
    Close,
    Source,
    Target,
    Received,
    Accepted,
    Rejected,
    Released,
    Modified,
    SaslMechanisms,
    SaslInit,
    SaslChallenge,
    SaslResponse,
    SaslOutcome,
):
    _RECORDS[_cls.CODE] = _cls
    _RECORDS[_cls.NAME] = _cls


def decode_record(value: Any) -> Any:
    """Turn a decoded described list into its record; unknown descriptors come back unchanged."""
    if not isinstance(value, Described):
        raise DecodeError("expected a described value")
    descriptor = value.descriptor
    key: Any = str(descriptor) if isinstance(descriptor, str) else descriptor
    cls = _RECORDS.get(key) if isinstance(key, int | str) else None
    if cls is None:
        return value
    body = value.value
    if not isinstance(body, list):
        raise DecodeError(f"{cls.NAME} body must be a list")
    return cls.from_list(body)
