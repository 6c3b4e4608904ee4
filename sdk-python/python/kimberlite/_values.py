"""Conversions of the richer SQL value kinds, used by the native module.

``from_wire(kind, raw)`` turns a wire value into its standard-library type;
``to_wire(obj)`` gives ``(kind, raw)`` for a parameter. Timestamps are nanoseconds
since the Unix epoch on the wire; Python's ``datetime`` keeps microseconds, so
sub-microsecond digits are dropped when reading.
"""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from typing import Any, Tuple

_EPOCH = datetime.datetime(1970, 1, 1)
_EPOCH_UTC = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_EPOCH_DATE = datetime.date(1970, 1, 1)


class Json:
    """A parameter sent as JSON text (``Json({"a": 1})``)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Json) and other.value == self.value

    def __repr__(self) -> str:
        return f"Json({self.value!r})"


def _micros(delta: datetime.timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_wire(kind: str, raw: Any) -> Any:
    """A wire value of ``kind`` as a Python object."""
    if kind == "timestamp":
        return _EPOCH + datetime.timedelta(microseconds=int(raw) // 1000)
    if kind == "timestamptz":
        return _EPOCH_UTC + datetime.timedelta(microseconds=int(raw) // 1000)
    if kind == "decimal":
        return decimal.Decimal(raw)
    if kind == "date":
        return _EPOCH_DATE + datetime.timedelta(days=int(raw))
    if kind == "time":
        micros = int(raw) // 1000
        seconds, micro = divmod(micros, 1_000_000)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        return datetime.time(hour, minute, second, micro)
    if kind == "uuid":
        return uuid.UUID(bytes=bytes(raw))
    if kind == "json":
        return json.loads(raw)
    raise ValueError(f"unknown value kind {kind!r}")


def to_wire(obj: Any) -> Tuple[str, Any]:
    """``(kind, raw)`` of a parameter; kind ``"unsupported"`` when it has none."""
    if isinstance(obj, datetime.datetime):
        if obj.tzinfo is None:
            return "timestamp", _micros(obj - _EPOCH) * 1000
        return "timestamptz", _micros(obj - _EPOCH_UTC) * 1000
    if isinstance(obj, datetime.date):
        return "date", (obj - _EPOCH_DATE).days
    if isinstance(obj, datetime.time):
        seconds = obj.hour * 3600 + obj.minute * 60 + obj.second
        return "time", (seconds * 1_000_000 + obj.microsecond) * 1000
    if isinstance(obj, decimal.Decimal):
        return "decimal", str(obj)
    if isinstance(obj, uuid.UUID):
        return "uuid", obj.bytes
    if isinstance(obj, Json):
        return "json", json.dumps(obj.value)
    if isinstance(obj, (bytearray, memoryview)):
        return "bytes", bytes(obj)
    return "unsupported", None
