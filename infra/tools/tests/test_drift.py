from __future__ import annotations

import json
from pathlib import Path

from infra_helpers import REPO, replace_in
from shopinfra.drift import check_drift
from shopinfra.findings import Finding
from shopinfra.syntax import parse_file


def drift(repo: Path) -> list[Finding]:
    return list(check_drift(parse_file(repo / "infra/main.bicep"), repo))


def add_emulator_queue(repo: Path, name: str) -> Path:
    path = repo / "emulators/servicebus/config/platform.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    config["UserConfig"]["Namespaces"][0]["Queues"].append(
        {"Name": name, "Properties": {"MaxDeliveryCount": 3}}
    )
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return path


def test_bicep_emulators_and_services_agree() -> None:
    assert drift(REPO) == []


def test_queue_only_in_the_emulator_config_fails_naming_it(repo_copy: Path) -> None:
    emulator = add_emulator_queue(repo_copy, "refund-requests")
    findings = drift(repo_copy)
    assert len(findings) == 1
    assert findings[0].path == emulator
    assert '"Name": "refund-requests"' in emulator.read_text().splitlines()[findings[0].line - 1]
    assert findings[0].message.startswith("queue:refund-requests is here but not in Bicep")


def test_queue_only_in_bicep_fails_naming_it_and_its_line(repo_copy: Path) -> None:
    main = repo_copy / "infra/main.bicep"
    line = replace_in(
        main,
        "var serviceBusQueues = [\n",
        "var serviceBusQueues = [\n  {\n    name: 'refund-requests'\n  }\n",
    )
    findings = drift(repo_copy)
    assert [(f.path, f.line, f.message) for f in findings] == [
        (main, line + 1, "queue:refund-requests is in Bicep but in no emulator config")
    ]


def test_consumer_group_only_in_bicep_fails(repo_copy: Path) -> None:
    main = repo_copy / "infra/main.bicep"
    replace_in(main, "    name: 'analytics'", "    name: 'analytic'")
    messages = {f.message for f in drift(repo_copy)}
    assert {
        "consumergroup:order-events/analytic is in Bicep but in no emulator config",
        f"consumergroup:order-events/analytics is here but not in Bicep ({main})",
    } <= messages


def test_setting_that_differs_from_the_emulator_fails(repo_copy: Path) -> None:
    main = repo_copy / "infra/main.bicep"
    line = replace_in(main, "    lockDuration: 'PT30S'", "    lockDuration: 'PT5M'")
    findings = drift(repo_copy)
    assert [f.message for f in findings] == [
        "queue:payment-requests: lockDuration is 'PT5M' in Bicep but 'PT30S' in servicebus"
    ]
    assert findings[0].line == line


def test_entity_a_service_names_but_nobody_declares_fails_at_the_service(repo_copy: Path) -> None:
    settings = repo_copy / "services/notification/src/notification_service/settings.py"
    line = replace_in(
        settings, 'consumer_group: str = "notification-service"', 'consumer_group: str = "mailer"'
    )
    findings = drift(repo_copy)
    assert [(f.path, f.line, f.message) for f in findings] == [
        (settings, line, "consumergroup 'mailer' is used here but not in Bicep")
    ]


def test_event_hub_named_in_platform_yaml_must_exist(repo_copy: Path) -> None:
    platform = repo_copy / "harness/platform.yaml"
    line = replace_in(platform, "EntityPath=order-events", "EntityPath=order-events-v2")
    findings = drift(repo_copy)
    assert [(f.path, f.line, f.message) for f in findings] == [
        (platform, line, "eventhub 'order-events-v2' is used here but not in Bicep")
    ]


def test_subscription_named_by_the_order_service_must_exist(repo_copy: Path) -> None:
    config = repo_copy / "services/order/src/config.ts"
    line = replace_in(config, ".default('order-service')", ".default('orders')")
    assert [(f.line, f.message) for f in drift(repo_copy)] == [
        (line, "subscription 'orders' is used here but not in Bicep")
    ]


def test_blob_container_a_service_names_must_be_created(repo_copy: Path) -> None:
    settings = repo_copy / "services/product/src/product_service/settings.py"
    line = replace_in(settings, 'blob_container: str = "product-images"', 'blob_container: str = "images"')
    assert [(f.path, f.line, f.message) for f in drift(repo_copy)] == [
        (settings, line, "blobcontainer 'images' is used here but not in Bicep")
    ]
