from __future__ import annotations

from datetime import timedelta

import pytest
from emulator_common.config import (
    ConfigError,
    IsoDuration,
    StrictModel,
    json_path,
    load_json_file,
    parse_iso8601_duration,
    validate,
)


class Item(StrictModel):
    name: str
    ttl: IsoDuration = timedelta(minutes=1)


class Root(StrictModel):
    items: list[Item]
    enabled: bool = False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT1M", timedelta(minutes=1)),
        ("PT30S", timedelta(seconds=30)),
        ("PT1.5S", timedelta(seconds=1.5)),
        ("P1DT2H", timedelta(days=1, hours=2)),
        ("P2W", timedelta(weeks=2)),
        ("P10675199DT2H48M5.4775807S", timedelta(days=10675199, hours=2, minutes=48, seconds=5.4775807)),
    ],
)
def test_iso8601_durations_parse(text, expected):
    assert parse_iso8601_duration(text) == expected


@pytest.mark.parametrize("text", ["PT1X", "P", "PT", "1M", "P1Y", "P1M", "pt1m", ""])
def test_invalid_or_ambiguous_durations_are_refused(text):
    with pytest.raises(ValueError, match="invalid ISO 8601 duration"):
        parse_iso8601_duration(text)


def test_json_path_formats_indexes_and_odd_keys():
    assert (
        json_path(["UserConfig", "Namespaces", 0, "Queues", 2, "Name"])
        == "UserConfig.Namespaces[0].Queues[2].Name"
    )
    assert json_path(["props", "a b"]) == 'props["a b"]'


def test_validation_errors_carry_json_paths():
    data = {"items": [{"name": "a"}, {"name": "b", "ttl": "PT1X", "colour": "red"}], "enabled": "yes"}

    with pytest.raises(ConfigError) as raised:
        validate(Root, data, "test.json")

    issues = {issue.path: issue.message for issue in raised.value.issues}
    assert issues == {
        "items[1].ttl": "invalid ISO 8601 duration 'PT1X' (expected e.g. 'PT30S', 'PT1M', 'P1D')",
        "items[1].colour": "unknown property",
        "enabled": "Input should be a valid boolean",
    }
    assert "items[1].ttl: invalid ISO 8601 duration 'PT1X'" in str(raised.value)
    assert str(raised.value).startswith("invalid configuration test.json")


def test_missing_field_is_named():
    with pytest.raises(ConfigError) as raised:
        validate(Root, {"items": [{}]})

    assert [str(i) for i in raised.value.issues] == ["items[0].name: required property is missing"]


def test_load_json_file_reports_syntax_errors_and_missing_files(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"a": }')

    with pytest.raises(ConfigError, match="invalid JSON at line 1, column 7"):
        load_json_file(broken)
    with pytest.raises(ConfigError, match="cannot read file"):
        load_json_file(tmp_path / "absent.json")
