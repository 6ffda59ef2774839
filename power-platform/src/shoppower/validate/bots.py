"""Copilot Studio agents in the unpacked format: bots/<bot>/{bot.xml,configuration.json} and
botcomponents/<bot>.<kind>.<name>/{botcomponent.xml,data}; topics' YAML (AdaptiveDialog) is parsed and what
it calls is checked (dialogs, connection references, custom connector operations)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from shoppower.validate.catalog import CUSTOM_CONNECTOR_ID, Catalog
from shoppower.validate.findings import Finding
from shoppower.validate.jsonschemas import load_json
from shoppower.validate.xmlfiles import parse_xml
from shoppower.yamlfiles import load_yaml

COMPONENT_TYPES = {"9": "topic", "15": "gpt"}
TRIGGERS = {
    "OnRecognizedIntent",
    "OnConversationStart",
    "OnRedirect",
    "OnUnknownIntent",
    "OnError",
    "OnEscalate",
}
ACTIONS = {
    "SendActivity",
    "Question",
    "ConditionGroup",
    "BeginDialog",
    "InvokeConnectorAction",
    "InvokeFlowAction",
    "SetVariable",
    "TransferConversationV2",
    "EndDialog",
    "EndConversation",
    "SearchAndSummarizeContent",
}


def _solution_src(path: Path) -> Path:
    return next(p for p in path.parents if p.name == "src")


def check_bot(path: Path, catalog: Catalog, findings: list[Finding]) -> None:
    root = parse_xml(path, findings)
    if root is not None and root.get("schemaname") != path.parent.name:
        findings.append(Finding(path, "bot schemaname differs from its folder name"))
    if not (_solution_src(path) / "Assets" / f"botcomponent_{path.parent.name}set.xml").is_file():
        findings.append(
            Finding(path, f"Assets/botcomponent_{path.parent.name}set.xml (its component set) is missing")
        )


def check_bot_configuration(path: Path, catalog: Catalog, findings: list[Finding]) -> None:
    configuration = load_json(path, findings)
    if configuration is not None and configuration.get("$kind") != "BotConfiguration":
        findings.append(Finding(path, "$kind must be BotConfiguration"))


def check_bot_component(path: Path, catalog: Catalog, findings: list[Finding]) -> None:
    root = parse_xml(path, findings)
    if root is None:
        return
    folder = path.parent.name
    if root.get("schemaname") != folder:
        findings.append(Finding(path, "botcomponent schemaname differs from its folder name"))
    parent = (root.findtext("parentbotid/schemaname") or "").strip()
    if not (_solution_src(path) / "bots" / parent / "bot.xml").is_file():
        findings.append(Finding(path, f"parent bot {parent!r} does not exist"))
    elif not folder.startswith(parent + "."):
        findings.append(Finding(path, f"component folder is not named after its bot {parent!r}"))
    kind = (root.findtext("componenttype") or "").strip()
    if kind not in COMPONENT_TYPES:
        findings.append(Finding(path, f"component type {kind!r} is not one this validator knows"))
    elif f".{COMPONENT_TYPES[kind]}." not in folder:
        findings.append(
            Finding(path, f"component type {kind} ({COMPONENT_TYPES[kind]}) does not match the folder name")
        )
    if not (path.parent / "data").is_file():
        findings.append(Finding(path, "component has no data file"))


def _actions(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if isinstance(node.get("kind"), str) and "id" in node and node["kind"] not in TRIGGERS:
            found.append(node)
        for value in node.values():
            found.extend(_actions(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_actions(value))
    return found


def check_bot_data(path: Path, catalog: Catalog, findings: list[Finding]) -> None:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        findings.append(
            Finding(
                path, f"not valid YAML: {getattr(error, 'problem', error)}", mark.line + 1 if mark else None
            )
        )
        return
    folder = path.parent.name
    if ".gpt." in folder:
        if (
            not isinstance(data, dict)
            or data.get("kind") != "GptComponentMetadata"
            or not data.get("instructions")
        ):
            findings.append(
                Finding(path, "agent settings must be kind GptComponentMetadata with instructions")
            )
        return
    if (
        not isinstance(data, dict)
        or data.get("kind") != "AdaptiveDialog"
        or not isinstance(data.get("beginDialog"), dict)
    ):
        findings.append(Finding(path, "a topic is kind AdaptiveDialog with a beginDialog"))
        return
    begin = data["beginDialog"]
    if begin.get("kind") not in TRIGGERS:
        findings.append(Finding(path, f"unknown topic trigger {begin.get('kind')!r}"))
    if begin.get("kind") == "OnRecognizedIntent" and not begin.get("intent", {}).get("triggerQueries"):
        findings.append(Finding(path, "an OnRecognizedIntent topic needs triggerQueries"))
    components = _solution_src(path) / "botcomponents"
    seen: set[str] = set()
    for action in _actions(begin.get("actions", [])):
        kind, ident = action["kind"], action["id"]
        if ident in seen:
            findings.append(Finding(path, f"action id {ident!r} is used twice"))
        seen.add(ident)
        if kind not in ACTIONS:
            findings.append(Finding(path, f"action {ident}: unknown kind {kind!r}"))
        if kind == "BeginDialog" and not (components / str(action.get("dialog"))).is_dir():
            findings.append(Finding(path, f"action {ident}: dialog {action.get('dialog')!r} does not exist"))
        if kind == "InvokeConnectorAction":
            reference = str(action.get("connectionReference"))
            connector = catalog.connection_references.get(reference)
            if connector is None:
                findings.append(
                    Finding(path, f"action {ident}: connection reference {reference!r} is not declared")
                )
            elif (
                connector == CUSTOM_CONNECTOR_ID
                and action.get("operationId") not in catalog.connector_operations
            ):
                findings.append(
                    Finding(
                        path,
                        f"action {ident}: {action.get('operationId')!r} is not a custom connector operation",
                    )
                )


def check_bot_set(path: Path, catalog: Catalog, findings: list[Finding]) -> None:
    root = parse_xml(path, findings)
    if root is None:
        return
    bot = path.name.removeprefix("botcomponent_").removesuffix("set.xml")
    listed = {c.get("schemaname", "") for c in root.iter("botcomponent")}
    components = _solution_src(path) / "botcomponents"
    on_disk = {p.name for p in components.glob(f"{bot}.*") if p.is_dir()}
    for missing in sorted(listed - on_disk):
        findings.append(Finding(path, f"bot component {missing!r} is listed but not on disk"))
    for unlisted in sorted(on_disk - listed):
        findings.append(Finding(path, f"bot component {unlisted!r} is on disk but not listed"))
