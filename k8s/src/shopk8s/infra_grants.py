"""The role grants infra/main.bicep passes to its data-access module, read with the infra checks' parser
(shopinfra), so the manifests can be held to what the identities may do: a service that signs in to
Application Insights as its identity needs Monitoring Metrics Publisher on the component.

Grants are read where they are written out: an array of objects, `[for item in VAR: {...}]` over an array of
string literals, a variable naming either, and `concat(...)` of those. Anything else counts as no grant, so
a grant computed some other way shows up as missing rather than passing unseen."""

from __future__ import annotations

import re
from pathlib import Path

from shopinfra.model import ArrayValue, BicepFile, Expression, ForLoop, Literal, ObjectValue, Value
from shopinfra.syntax import parse_file

DATA_ACCESS_MODULE = "modules/data-access.bicep"
LOG_ANALYTICS_MODULE = "modules/log-analytics.bicep"
APP_INSIGHTS_PUBLISHER = ("Monitoring Metrics Publisher", "appInsights")
_CONCAT = re.compile(r"^concat \( (?P<args>[\w ,]+) \)$")
_LOOP = re.compile(r"^(?P<item>\w+) in (?P<source>\w+)$")

Grant = dict[str, str]


def _text(value: Value | None, bindings: dict[str, str]) -> str | None:
    """A literal's value, a loop item's value, or an expression's text (`names . appInsights`)."""
    if isinstance(value, Literal):
        return str(value.value)
    if isinstance(value, Expression):
        return bindings.get(value.text, value.text)
    return None


def _fields(body: Value, bindings: dict[str, str]) -> Grant:
    if not isinstance(body, ObjectValue):
        return {}
    fields = {prop.key: _text(prop.value, bindings) for prop in body.properties}
    return {key: text for key, text in fields.items() if text is not None}


def _grants(bicep: BicepFile, value: Value | None) -> list[Grant]:
    if isinstance(value, Expression):
        variable = bicep.variables.get(value.text)
        if variable is not None:
            return _grants(bicep, variable.value)
        concat = _CONCAT.match(value.text)
        if concat:
            names = (name.strip() for name in concat["args"].split(","))
            return [grant for name in names for grant in _grants(bicep, Expression(name, value.line))]
        return []
    if isinstance(value, ArrayValue):
        return [_fields(item, {}) for item in value.items]
    if isinstance(value, ForLoop):
        loop = _LOOP.match(value.source)
        source = bicep.variables.get(loop["source"]) if loop else None
        if loop is None or source is None or not isinstance(source.value, ArrayValue):
            return []
        items = [str(item.value) for item in source.value.items if isinstance(item, Literal)]
        return [_fields(value.body, {loop["item"]: item}) for item in items]
    return []


def _module_param(bicep: BicepFile, module_path: str, param: str) -> Value | None:
    module = next((m for m in bicep.modules if m.path == module_path), None)
    params = module.body.get("params") if module and isinstance(module.body, ObjectValue) else None
    return params.get(param) if isinstance(params, ObjectValue) else None


def data_access_grants(bicep_file: Path) -> list[Grant]:
    """Every grant (component, role, scope, target) the template passes to the data-access module."""
    bicep = parse_file(bicep_file)
    return _grants(bicep, _module_param(bicep, DATA_ACCESS_MODULE, "grants"))


def app_insights_publishers(bicep_file: Path) -> set[str]:
    """The components whose identity may ingest into the Application Insights component the template
    creates (the log-analytics module's `appInsightsName`) with Entra authentication."""
    bicep = parse_file(bicep_file)
    component = _text(_module_param(bicep, LOG_ANALYTICS_MODULE, "appInsightsName"), {})
    wanted = {"role": APP_INSIGHTS_PUBLISHER[0], "scope": APP_INSIGHTS_PUBLISHER[1], "target": component}
    return {
        grant["component"]
        for grant in _grants(bicep, _module_param(bicep, DATA_ACCESS_MODULE, "grants"))
        if component is not None
        and "component" in grant
        and all(grant.get(k) == v for k, v in wanted.items())
    }
