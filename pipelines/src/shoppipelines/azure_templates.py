"""Expands an Azure DevOps pipeline the way the service does before it runs anything: every
`- template:` at stage, job and step level replaced by the template's items, with its declared parameters
checked (required, unknown, `values`) and every `${{ }}` evaluated (`if`/`elseif`/`else`, `each`, values).

Each template is also returned as expanded for the call that used it, so it can be validated on its own
and its problems reported against its own file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from shoppipelines.expressions import ExpressionError, evaluate

_WHOLE = re.compile(r"^\$\{\{(.*)\}\}$", re.DOTALL)
_INLINE = re.compile(r"\$\{\{(.*?)\}\}")
_IF = re.compile(r"^\$\{\{\s*(if|elseif)\s+(.*)\}\}$")
_ELSE = re.compile(r"^\$\{\{\s*else\s*\}\}$")
_EACH = re.compile(r"^\$\{\{\s*each\s+(\w+)\s+in\s+(.*)\}\}$")
LIST_KINDS = ("stages", "jobs", "steps")
_NO_VALUE = object()


class TemplateError(ValueError):
    """A template that cannot be expanded; the message starts with the file at fault."""


@dataclass(frozen=True)
class Expansion:
    file: Path
    kind: str
    document: dict[str, Any]


@dataclass
class Expanded:
    pipeline: dict[str, Any]
    templates: list[Expansion] = field(default_factory=list)


class PipelineYamlLoader(yaml.SafeLoader):
    """YAML as Azure Pipelines reads it: only true/false are booleans, so `on:` (a deployment's
    `on: failure` hook) and `yes`/`no`/`off` stay strings instead of turning into YAML 1.1 booleans."""


PipelineYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
PipelineYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _load(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise TemplateError(f"{path}: template not found")
    # A SafeLoader subclass (B506).
    data = yaml.load(path.read_text(), Loader=PipelineYamlLoader)  # nosec B506
    if not isinstance(data, dict):
        raise TemplateError(f"{path}: not a mapping")
    return data


def _bind(path: Path, declared: Any, given: dict[str, Any]) -> dict[str, Any]:
    declarations = declared if isinstance(declared, list) else []
    names = {item["name"] for item in declarations}
    unknown = sorted(set(given) - names)
    if unknown:
        raise TemplateError(f"{path}: unknown template parameter(s) {', '.join(unknown)}")
    bound: dict[str, Any] = {}
    for item in declarations:
        value = given.get(item["name"], item.get("default", _NO_VALUE))
        if value is _NO_VALUE:
            raise TemplateError(f"{path}: required template parameter {item['name']} not given")
        if "values" in item and value not in item["values"]:
            allowed = ", ".join(map(str, item["values"]))
            raise TemplateError(f"{path}: parameter {item['name']}={value!r} is not one of {allowed}")
        bound[item["name"]] = value
    return bound


class Expander:
    def __init__(self) -> None:
        self.templates: list[Expansion] = []

    def pipeline(self, path: Path) -> Expanded:
        data = _load(path)
        parameters = _bind(path, data.get("parameters"), {})
        expanded = self._node(data, parameters, path)
        return Expanded(expanded, self.templates)

    def _template(self, reference: str, given: dict[str, Any], including: Path, kind: str) -> list[Any]:
        path = (including.parent / reference).resolve()
        data = _load(path)
        parameters = _bind(path, data.get("parameters"), given)
        body = {key: value for key, value in data.items() if key != "parameters"}
        items = self._node(body, parameters, path).get(kind)
        if not isinstance(items, list):
            raise TemplateError(f"{path}: included as a {kind} template but has no {kind}: list")
        self.templates.append(Expansion(path, kind, {kind: items}))
        return items

    def _string(self, text: str, parameters: dict[str, Any], path: Path) -> Any:
        try:
            whole = _WHOLE.match(text.strip())
            if whole and "${{" not in whole.group(1):
                return evaluate(whole.group(1), parameters)
            return _INLINE.sub(lambda m: _scalar(evaluate(m.group(1), parameters)), text)
        except ExpressionError as error:
            raise TemplateError(f"{path}: {error}") from error

    def _node(self, node: Any, parameters: dict[str, Any], path: Path, kind: str | None = None) -> Any:
        if isinstance(node, str):
            return self._string(node, parameters, path)
        if isinstance(node, list):
            return self._list(node, parameters, path, kind)
        if isinstance(node, dict):
            return self._mapping(node, parameters, path)
        return node

    def _list(self, items: list[Any], parameters: dict[str, Any], path: Path, kind: str | None) -> list[Any]:
        result: list[Any] = []
        taken: bool | None = None
        for item in items:
            directive = next(iter(item)) if isinstance(item, dict) and len(item) == 1 else None
            if isinstance(directive, str) and directive.strip().startswith("${{"):
                chosen, taken = self._directive(directive, taken, parameters, path)
                for bound in chosen:
                    result.extend(self._node(item[directive], bound, path, kind))
                continue
            taken = None
            if kind and isinstance(item, dict) and "template" in item:
                given = self._node(item.get("parameters") or {}, parameters, path)
                result.extend(self._template(item["template"], given, path, kind))
            else:
                result.append(self._node(item, parameters, path))
        return result

    def _mapping(self, mapping: dict[str, Any], parameters: dict[str, Any], path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        taken: bool | None = None
        for key, value in mapping.items():
            if isinstance(key, str) and key.strip().startswith("${{"):
                chosen, taken = self._directive(key, taken, parameters, path)
                for bound in chosen:
                    result.update(self._node(value, bound, path))
                continue
            taken = None
            kind = key if key in LIST_KINDS else None
            result[key] = (
                self._node(value, parameters, path, kind) if kind else self._node(value, parameters, path)
            )
        return result

    def _directive(
        self, text: str, taken: bool | None, parameters: dict[str, Any], path: Path
    ) -> tuple[list[dict[str, Any]], bool | None]:
        """The parameter sets to expand the directive's body with, and whether an if-chain took a branch."""
        text = text.strip()
        try:
            if (match := _IF.match(text)) is not None:
                if match.group(1) == "elseif" and taken is None:
                    raise TemplateError(f"{path}: {text} without an if before it")
                if match.group(1) == "elseif" and taken:
                    return [], True
                holds = bool(evaluate(match.group(2), parameters))
                return ([parameters] if holds else []), holds
            if _ELSE.match(text):
                if taken is None:
                    raise TemplateError(f"{path}: {text} without an if before it")
                return ([] if taken else [parameters]), None
            if (match := _EACH.match(text)) is not None:
                collection = evaluate(match.group(2), parameters)
                if isinstance(collection, dict):
                    collection = [{"key": k, "value": v} for k, v in collection.items()]
                return [{**parameters, match.group(1): item} for item in collection or []], None
        except ExpressionError as error:
            raise TemplateError(f"{path}: {error}") from error
        raise TemplateError(f"{path}: unsupported template directive {text}")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, dict | list):
        raise ExpressionError(f"an object cannot be inserted into a string ({value!r})")
    return str(value)


def expand(path: Path) -> Expanded:
    return Expander().pipeline(path)
