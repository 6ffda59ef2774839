"""The messaging entities as each source declares them, in one shape so they can be compared:
`kind:path` keys (`queue:payment-requests`, `subscription:payment-events/order-service`,
`consumergroup:order-events/analytics`) mapped to the settings the source states (lower-camel names,
ISO 8601 durations as written).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from shopinfra.findings import Finding
from shopinfra.model import ArrayValue, BicepFile, Expression, Literal, ObjectValue, Value

Entities = dict[str, dict[str, object]]
Located = dict[str, int]  # entity key (and `key#setting`) -> line in its Bicep file

_QUEUE_SETTINGS = {
    "LockDuration": "lockDuration",
    "MaxDeliveryCount": "maxDeliveryCount",
    "RequiresDuplicateDetection": "requiresDuplicateDetection",
    "DuplicateDetectionHistoryTimeWindow": "duplicateDetectionHistoryTimeWindow",
    "DefaultMessageTimeToLive": "defaultMessageTimeToLive",
    "DeadLetteringOnMessageExpiration": "deadLetteringOnMessageExpiration",
    "RequiresSession": "requiresSession",
}
_TOPIC_SETTINGS = {
    key: _QUEUE_SETTINGS[key]
    for key in (
        "DefaultMessageTimeToLive",
        "RequiresDuplicateDetection",
        "DuplicateDetectionHistoryTimeWindow",
    )
}
_SUBSCRIPTION_SETTINGS = {
    key: _QUEUE_SETTINGS[key]
    for key in (
        "LockDuration",
        "MaxDeliveryCount",
        "DefaultMessageTimeToLive",
        "DeadLetteringOnMessageExpiration",
        "RequiresSession",
    )
}


def _settings(properties: dict[str, Any], mapping: dict[str, str]) -> dict[str, object]:
    return {ours: properties[theirs] for theirs, ours in mapping.items() if theirs in properties}


def service_bus_emulator(path: Path) -> Entities:
    config = json.loads(path.read_text(encoding="utf-8"))
    found: Entities = {}
    for namespace in config["UserConfig"]["Namespaces"]:
        for queue in namespace.get("Queues", []):
            found[f"queue:{queue['Name']}"] = _settings(queue.get("Properties", {}), _QUEUE_SETTINGS)
        for topic in namespace.get("Topics", []):
            found[f"topic:{topic['Name']}"] = _settings(topic.get("Properties", {}), _TOPIC_SETTINGS)
            for sub in topic.get("Subscriptions", []):
                key = f"subscription:{topic['Name']}/{sub['Name']}"
                found[key] = _settings(sub.get("Properties", {}), _SUBSCRIPTION_SETTINGS)
                for rule in sub.get("Rules", []):
                    filter_ = rule.get("Properties", {}).get("SqlFilter", {}).get("SqlExpression")
                    found[f"rule:{topic['Name']}/{sub['Name']}/{rule['Name']}"] = {"sqlExpression": filter_}
    return found


def event_hubs_emulator(path: Path) -> Entities:
    config = json.loads(path.read_text(encoding="utf-8"))
    found: Entities = {}
    for namespace in config["UserConfig"]["NamespaceConfig"]:
        for hub in namespace.get("Entities", []):
            settings: dict[str, object] = {"partitionCount": hub["PartitionCount"]}
            if "RetentionPeriod" in hub:
                settings["retentionInHours"] = _iso_hours(str(hub["RetentionPeriod"]))
            found[f"eventhub:{hub['Name']}"] = settings
            for group in hub.get("ConsumerGroups", []):
                if group["Name"] != "$Default":
                    found[f"consumergroup:{hub['Name']}/{group['Name']}"] = {}
    return found


def _iso_hours(duration: str) -> int:
    match = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?)?", duration)
    if match is None:
        raise ValueError(f"unsupported retention period {duration!r}")
    return int(match.group(1) or 0) * 24 + int(match.group(2) or 0)


def _literal_object(value: Value) -> tuple[dict[str, str | int | bool | None], dict[str, Value]]:
    if not isinstance(value, ObjectValue):
        raise ValueError(f"line {value.line}: entity is not written out as an object literal")
    literals = {p.key: p.value.value for p in value.properties if isinstance(p.value, Literal)}
    return literals, {p.key: p.value for p in value.properties}


def _literal_array(value: Value | None, what: str) -> tuple[Value, ...]:
    if not isinstance(value, ArrayValue):
        raise ValueError(f"{what} is not written out as an array literal")
    return value.items


# Per module param: the entity kind and the fields that name it (parent first).
_BICEP_PARAMS: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "service-bus.bicep": {
        "queues": ("queue", ("name",)),
        "topics": ("topic", ("name",)),
        "subscriptions": ("subscription", ("topic", "name")),
        "rules": ("rule", ("topic", "subscription", "name")),
    },
    "event-hubs.bicep": {
        "eventHubs": ("eventhub", ("name",)),
        "consumerGroups": ("consumergroup", ("hub", "name")),
    },
}


def bicep_entities(main: BicepFile) -> tuple[Entities, Located]:
    """The entities main.bicep passes to the service-bus and event-hubs modules, written out as literal
    arrays (directly or through a `var`)."""
    found: Entities = {}
    lines: Located = {}
    for module in main.modules:
        body = module.body
        family = _BICEP_PARAMS.get(Path(module.path).name)
        if family is None or not isinstance(body, ObjectValue):
            continue
        params = body.get("params")
        if not isinstance(params, ObjectValue):
            raise ValueError(f"module {module.symbol}: params are not written out as an object")
        for param, (kind, naming) in family.items():
            value = params.get(param)
            if value is None:
                continue
            for item in _literal_array(_resolve(main, value), f"module {module.symbol} param {param}"):
                literals, raw = _literal_object(item)
                key = f"{kind}:" + "/".join(str(literals.pop(field)) for field in naming)
                settings: dict[str, object] = dict(literals)
                found[key], lines[key] = settings, item.line
                lines.update({f"{key}#{name}": setting.line for name, setting in raw.items()})
    return found, lines


def storage_names(main: BicepFile) -> Located:
    """`blobcontainer:<name>` and `table:<name>` keys of what main.bicep passes to the storage module."""
    lines: Located = {}
    for module in main.modules:
        body = module.body
        if Path(module.path).name != "storage.bicep" or not isinstance(body, ObjectValue):
            continue
        params = body.get("params")
        if not isinstance(params, ObjectValue):
            raise ValueError(f"module {module.symbol}: params are not written out as an object")
        for param, kind in (("blobContainers", "blobcontainer"), ("tables", "table")):
            for item in _literal_array(_resolve(main, params.get(param)), f"module {module.symbol} {param}"):
                if isinstance(item, Literal):
                    lines[f"{kind}:{item.value}"] = item.line
    return lines


def _resolve(main: BicepFile, value: Value | None) -> Value | None:
    """A module param given as a plain variable reference resolves to that variable's literal."""
    if isinstance(value, Expression):
        variable = main.variables.get(value.text)
        if variable is not None:
            return variable.value
    return value


# How the services and platform.yaml name entities: env values `EntityPath=<hub>`, settings defaults
# (`requests_queue: str = "payment-requests"`) and zod defaults (`ORDER_..._TOPIC: ....default('x')`).
_ENTITY_PATH = re.compile(r"EntityPath=([A-Za-z0-9._-]+)")
_PY_DEFAULT = re.compile(
    r"^\s*(requests_queue|events_topic|eventhub_name|consumer_group|blob_container|checkpoint_container"
    r"|ledger_table|log_table)\s*:\s*str\s*=\s*\"([^\"]+)\"",
    re.M,
)
_TS_DEFAULT = re.compile(
    r"ORDER_(PAYMENT_REQUESTS_QUEUE|PAYMENT_EVENTS_TOPIC|PAYMENT_EVENTS_SUBSCRIPTION|EVENTHUB_NAME)\s*:"
    r"[^\n]*\.default\('([^']+)'\)"
)
_PY_KIND = {
    "requests_queue": "queue",
    "events_topic": "topic",
    "eventhub_name": "eventhub",
    "consumer_group": "consumergroup",
    "blob_container": "blobcontainer",
    "checkpoint_container": "blobcontainer",
    "ledger_table": "table",
    "log_table": "table",
}
_TS_KIND = {
    "PAYMENT_REQUESTS_QUEUE": "queue",
    "PAYMENT_EVENTS_TOPIC": "topic",
    "PAYMENT_EVENTS_SUBSCRIPTION": "subscription",
    "EVENTHUB_NAME": "eventhub",
}


def referenced_names(platform_yaml: Path, services_dir: Path) -> list[Finding]:
    """Every entity a service or platform.yaml names, as a Finding-shaped locator: `message` is
    `kind:name` (the name without its parent), path and line are where the name is written."""
    found: list[Finding] = []
    for number, text in enumerate(platform_yaml.read_text(encoding="utf-8").splitlines(), start=1):
        for match in _ENTITY_PATH.finditer(text):
            found.append(Finding(platform_yaml, number, "drift", f"eventhub:{match.group(1)}"))
    for source in sorted(services_dir.glob("*/src/**/settings.py")):
        text = source.read_text(encoding="utf-8")
        for match in _PY_DEFAULT.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(Finding(source, line, "drift", f"{_PY_KIND[match.group(1)]}:{match.group(2)}"))
    for source in sorted(services_dir.glob("*/src/config.ts")):
        text = source.read_text(encoding="utf-8")
        for match in _TS_DEFAULT.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(Finding(source, line, "drift", f"{_TS_KIND[match.group(1)]}:{match.group(2)}"))
    return found


def leaf(key: str) -> tuple[str, str]:
    """`subscription:payment-events/order-service` -> (`subscription`, `order-service`)."""
    kind, _, path = key.partition(":")
    return kind, path.rsplit("/", 1)[-1]


def line_of_name(path: Path, name: str) -> int:
    """Line of `"Name": "<name>"` in an emulator config (1 if not found)."""
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if re.search(rf'"Name"\s*:\s*"{re.escape(name)}"', text):
            return number
    return 1
