"""Microsoft's Event Hubs emulator ``Config.json``, read into `NamespaceSettings`.

The format is Microsoft's, so an existing config works unchanged:
``UserConfig.NamespaceConfig[{Type: "EventHub", Name, Entities[{Name, PartitionCount,
ConsumerGroups[{Name}]}]}]`` and ``UserConfig.LoggingConfig{Type}``. ``PartitionCount`` may be a number
or a numeric string (Microsoft's sample writes ``"2"``). Differences:
- extensions per entity: ``RetentionPeriod`` (ISO 8601 duration, default ``P7D``; Microsoft's emulator
  keeps events 1 hour) and ``MaxEventSizeInBytes`` (default 1048576);
- the namespace may have any name and any number of hubs; ``$Default`` always exists and may also be listed;
- ``LoggingConfig.Type`` is accepted for compatibility; logs always go to stdout as JSON.
Unknown properties, bad values, duplicate names and a ``PartitionCount`` outside 1..32 are refused; every
problem is reported with its JSON path, all at once.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from emulator_common.config import (
    ConfigError,
    ConfigIssue,
    IsoDuration,
    StrictModel,
    json_path,
    load_json_file,
    validate,
)
from pydantic import Field, field_validator

from eventhubs_emulator.model import (
    DEFAULT_CONSUMER_GROUP,
    DEFAULT_MAX_EVENT_SIZE,
    DEFAULT_RETENTION,
    MAX_PARTITIONS,
    HubSettings,
    NamespaceSettings,
)

_NAME = re.compile(r"^[A-Za-z0-9]$|^[A-Za-z0-9][\w.\-]*[A-Za-z0-9]$")
_CONSUMER_GROUP = re.compile(r"^\$?[A-Za-z0-9][\w.\-]*$")
_MAX_RETENTION = timedelta(days=90)
_MAX_EVENT_SIZE_LIMIT = 20 * 1024 * 1024


def _check_name(value: str, pattern: re.Pattern[str], what: str) -> str:
    if not 1 <= len(value) <= 256 or not pattern.match(value):
        raise ValueError(f"invalid {what} name {value!r}: letters, digits, '.', '-', '_' (at most 256)")
    return value


class _ConsumerGroup(StrictModel):
    name: str = Field(alias="Name")

    @field_validator("name")
    @classmethod
    def _valid(cls, value: str) -> str:
        return _check_name(value, _CONSUMER_GROUP, "consumer group")


class _Entity(StrictModel):
    name: str = Field(alias="Name")
    partition_count: int = Field(alias="PartitionCount")
    consumer_groups: list[_ConsumerGroup] = Field(default_factory=list, alias="ConsumerGroups")
    retention: IsoDuration = Field(DEFAULT_RETENTION, alias="RetentionPeriod")
    max_event_size: int = Field(DEFAULT_MAX_EVENT_SIZE, alias="MaxEventSizeInBytes")

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        return _check_name(value, _NAME, "event hub")

    @field_validator("partition_count", mode="before")
    @classmethod
    def _count(cls, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError(f"PartitionCount must be a number from 1 to {MAX_PARTITIONS}")
        try:
            count = int(value)
        except ValueError:
            raise ValueError(
                f"PartitionCount must be a number from 1 to {MAX_PARTITIONS}, got {value!r}"
            ) from None
        if not 1 <= count <= MAX_PARTITIONS:
            raise ValueError(f"PartitionCount must be from 1 to {MAX_PARTITIONS}, got {count}")
        return count

    @field_validator("retention")
    @classmethod
    def _retention(cls, value: timedelta) -> timedelta:
        if not timedelta(minutes=1) <= value <= _MAX_RETENTION:
            raise ValueError("RetentionPeriod must be from PT1M to P90D")
        return value

    @field_validator("max_event_size")
    @classmethod
    def _size(cls, value: int) -> int:
        if not 1024 <= value <= _MAX_EVENT_SIZE_LIMIT:
            raise ValueError(f"MaxEventSizeInBytes must be from 1024 to {_MAX_EVENT_SIZE_LIMIT}")
        return value


class _Namespace(StrictModel):
    type: Literal["EventHub"] = Field(alias="Type")
    name: str = Field(alias="Name")
    entities: list[_Entity] = Field(min_length=1, alias="Entities")


class _Logging(StrictModel):
    type: Literal["File", "Console", "File,Console", "Console,File"] = Field(alias="Type")


class _UserConfig(StrictModel):
    namespace_config: list[_Namespace] = Field(min_length=1, max_length=1, alias="NamespaceConfig")
    logging_config: _Logging | None = Field(None, alias="LoggingConfig")


class _Root(StrictModel):
    user_config: _UserConfig = Field(alias="UserConfig")


def _duplicates(names: list[str], path: list[int | str]) -> list[ConfigIssue]:
    seen: set[str] = set()
    issues = []
    for index, name in enumerate(names):
        key = name.casefold()
        if key in seen:
            issues.append(ConfigIssue(json_path([*path, index, "Name"]), f"duplicate name {name!r}"))
        seen.add(key)
    return issues


def parse_config(data: Any, source: str = "<config>") -> NamespaceSettings:
    root = validate(_Root, data, source)
    namespace = root.user_config.namespace_config[0]
    base: list[int | str] = ["UserConfig", "NamespaceConfig", 0, "Entities"]
    issues = _duplicates([entity.name for entity in namespace.entities], base)
    hubs = []
    for index, entity in enumerate(namespace.entities):
        names = [group.name for group in entity.consumer_groups]
        issues += _duplicates(names, [*base, index, "ConsumerGroups"])
        groups = [DEFAULT_CONSUMER_GROUP] + [
            name for name in names if name.casefold() != DEFAULT_CONSUMER_GROUP.casefold()
        ]
        hubs.append(
            HubSettings(
                name=entity.name,
                partition_count=entity.partition_count,
                consumer_groups=tuple(groups),
                retention=entity.retention,
                max_event_size=entity.max_event_size,
            )
        )
    if issues:
        raise ConfigError(source, issues)
    return NamespaceSettings(name=namespace.name, hubs=tuple(hubs))


def load_config(path: Path) -> NamespaceSettings:
    return parse_config(load_json_file(path), str(path))
