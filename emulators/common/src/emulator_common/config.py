"""Config loading that names the offending field: ``UserConfig.Namespaces[0].Queues[2].Properties.
LockDuration: invalid ISO 8601 duration 'PT1X'``.

Models derive from `StrictModel` (unknown properties are errors); `validate` turns pydantic's errors into
`ConfigIssue`s with JSON paths; loaders add their own semantic checks as further issues and raise one
`ConfigError` listing them all, so a user fixes a config in one pass.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

M = TypeVar("M", bound=BaseModel)

_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


@dataclass(frozen=True, slots=True)
class ConfigIssue:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(Exception):
    def __init__(self, source: str, issues: Sequence[ConfigIssue]) -> None:
        self.source = source
        self.issues = list(issues)
        lines = "\n".join(f"  {issue}" for issue in self.issues)
        super().__init__(f"invalid configuration {source}:\n{lines}")


def json_path(loc: Iterable[int | str]) -> str:
    """``("UserConfig", "Namespaces", 0, "Name")`` → ``UserConfig.Namespaces[0].Name``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part)}]"
    return out


class StrictModel(BaseModel):
    # strict: a JSON "yes" or "3" is not silently taken for true or 3.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _describe(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown property"
    if kind == "missing":
        return "required property is missing"
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def issues_from(error: ValidationError, prefix: Sequence[int | str] = ()) -> list[ConfigIssue]:
    return [ConfigIssue(json_path([*prefix, *e["loc"]]), _describe(e)) for e in error.errors()]


def validate(model: type[M], data: Any, source: str = "<config>") -> M:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ConfigError(source, issues_from(error)) from None


def load_json_file(path: Path) -> Any:
    """Parse a JSON file; a syntax error becomes a `ConfigError` with line and column."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise ConfigError(str(path), [ConfigIssue("", f"cannot read file: {error.strerror}")]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        issue = ConfigIssue("", f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}")
        raise ConfigError(str(path), [issue]) from None


_DURATION = re.compile(
    r"^P(?!$)(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?$"
)


def parse_iso8601_duration(text: str) -> timedelta:
    """``PT1M`` → 1 minute. Years and months are refused: their length in seconds is not fixed."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"invalid ISO 8601 duration {text!r} (expected e.g. 'PT30S', 'PT1M', 'P1D')")
    parts = {name: float(value.replace(",", ".")) for name, value in match.groupdict().items() if value}
    return timedelta(**parts)


def _to_duration(value: Any) -> timedelta:
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 duration string such as 'PT1M', got {json.dumps(value)}")
    return parse_iso8601_duration(value)


IsoDuration = Annotated[timedelta, BeforeValidator(_to_duration)]
"""A config field written as an ISO 8601 duration string."""
