import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from emulator_common.config import ConfigError
from eventhubs_emulator.config import load_config, parse_config

CONFIG_DIR = Path(__file__).resolve().parents[1] / "config"


def config(entities: list[dict[str, Any]], **namespace: Any) -> dict[str, Any]:
    return {
        "UserConfig": {
            "NamespaceConfig": [
                {"Type": "EventHub", "Name": "emulatorNs1", "Entities": entities, **namespace}
            ],
            "LoggingConfig": {"Type": "File"},
        }
    }


def issues(data: Any) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    return [str(issue) for issue in caught.value.issues]


def test_platform_config_defines_order_events_with_its_consumer_groups() -> None:
    settings = load_config(CONFIG_DIR / "platform.json")
    (hub,) = settings.hubs
    assert hub.name == "order-events"
    assert hub.partition_count == 4
    assert hub.consumer_groups == ("$Default", "notification-service", "analytics")


def test_microsoft_sample_config_with_string_partition_count_loads() -> None:
    settings = parse_config(
        config([{"Name": "eh1", "PartitionCount": "2", "ConsumerGroups": [{"Name": "cg1"}]}])
    )
    (hub,) = settings.hubs
    assert hub.partition_count == 2
    assert hub.partition_ids == ("0", "1")
    assert hub.consumer_groups == ("$Default", "cg1")
    assert hub.retention == timedelta(days=7)
    assert hub.max_event_size == 1024 * 1024


def test_default_consumer_group_listed_explicitly_is_not_doubled() -> None:
    settings = parse_config(
        config([{"Name": "eh1", "PartitionCount": 1, "ConsumerGroups": [{"Name": "$default"}]}])
    )
    assert settings.hubs[0].consumer_groups == ("$Default",)


def test_retention_and_max_event_size_extensions_are_read() -> None:
    entity = {"Name": "eh1", "PartitionCount": 1, "RetentionPeriod": "PT2H", "MaxEventSizeInBytes": 2048}
    hub = parse_config(config([entity])).hubs[0]
    assert hub.retention == timedelta(hours=2)
    assert hub.max_event_size == 2048


def test_unknown_property_is_rejected_with_its_path() -> None:
    found = issues(config([{"Name": "eh1", "PartitionCount": 1, "Partitions": 3}]))
    assert found == ["UserConfig.NamespaceConfig[0].Entities[0].Partitions: unknown property"]


@pytest.mark.parametrize("count", [0, 33, "many", True, -1])
def test_partition_count_out_of_range_is_rejected_with_its_path(count: Any) -> None:
    (issue,) = issues(config([{"Name": "eh1", "PartitionCount": count}]))
    assert issue.startswith("UserConfig.NamespaceConfig[0].Entities[0].PartitionCount: PartitionCount must")


def test_duplicate_hub_and_consumer_group_names_are_all_reported() -> None:
    entities = [
        {"Name": "eh1", "PartitionCount": 1, "ConsumerGroups": [{"Name": "cg"}, {"Name": "CG"}]},
        {"Name": "EH1", "PartitionCount": 1},
    ]
    assert issues(config(entities)) == [
        "UserConfig.NamespaceConfig[0].Entities[1].Name: duplicate name 'EH1'",
        "UserConfig.NamespaceConfig[0].Entities[0].ConsumerGroups[1].Name: duplicate name 'CG'",
    ]


def test_bad_retention_is_rejected_with_its_path() -> None:
    (issue,) = issues(config([{"Name": "eh1", "PartitionCount": 1, "RetentionPeriod": "P1000D"}]))
    assert issue.startswith("UserConfig.NamespaceConfig[0].Entities[0].RetentionPeriod:")


def test_wrong_namespace_type_is_rejected() -> None:
    data = config([{"Name": "eh1", "PartitionCount": 1}])
    data["UserConfig"]["NamespaceConfig"][0]["Type"] = "ServiceBus"
    (issue,) = issues(data)
    assert issue.startswith("UserConfig.NamespaceConfig[0].Type:")


def test_missing_entities_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "Config.json"
    path.write_text(json.dumps({"UserConfig": {"NamespaceConfig": [{"Type": "EventHub", "Name": "ns"}]}}))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert [str(issue) for issue in caught.value.issues] == [
        "UserConfig.NamespaceConfig[0].Entities: required property is missing"
    ]
