"""The infrastructure hand-off: each key of an Azure overlay's `azure.env` comes from an output of
infra/main.bicep or is one the pipeline provides, as k8s/README.md's hand-off table says. The outputs are
read with the infra checks' own Bicep parser (shopinfra), so a renamed output fails here, naming the key."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from shopinfra.model import ArrayValue, BicepFile, Expression, Literal, ObjectValue
from shopinfra.syntax import parse_file

from shopk8s.manifests import Problem

HANDOFF_HEADER = "| `azure.env` key | source |"
_OUTPUT_CELL = re.compile(r"^output `(?P<path>[A-Za-z][\w.-]*)`")
_PIPELINE_CELL = re.compile(r"^pipeline\b")
# `toObject(MODULE.outputs.X, i => i.component, ...)`: an object keyed by what the module's `components` got.
_PER_COMPONENT = re.compile(r"^toObject \( (?P<module>\w+) \. outputs \. \w+ , i => i \. component\b")


@dataclass(frozen=True)
class Source:
    """Where a key's value comes from: `output` (with the output's path) or `pipeline`."""

    origin: str
    path: str = ""


def handoff_table(readme: Path) -> dict[str, Source]:
    """The README's table of azure.env keys: `| KEY | output `path` ... |` or `| KEY | pipeline: ... |`."""
    text = readme.read_text()
    if HANDOFF_HEADER not in text:
        raise ValueError(f"{readme}: no hand-off table (header {HANDOFF_HEADER!r})")
    rows = text.split(HANDOFF_HEADER, 1)[1].split("\n\n", 1)[0].strip().splitlines()[1:]
    table = {}
    for row in rows:
        key, source = (cell.strip() for cell in row.strip().strip("|").split("|", 1))
        key = key.strip("`")
        output = _OUTPUT_CELL.match(source)
        if output:
            table[key] = Source("output", output["path"])
        elif _PIPELINE_CELL.match(source):
            table[key] = Source("pipeline")
        else:
            raise ValueError(f"{readme}: hand-off row {key}: source must be output `PATH` or pipeline: ...")
    return table


def env_keys(env_file: Path) -> list[str]:
    return [
        line.split("=", 1)[0].strip()
        for line in env_file.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]


def env_values(env_file: Path) -> dict[str, str]:
    """The file's `KEY=value` lines (the value is everything after the first `=`, as kustomize reads it)."""
    values = {}
    for line in env_file.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def _per_component_keys(bicep: BicepFile, expression: Expression) -> set[str]:
    match = _PER_COMPONENT.match(expression.text)
    if not match:
        return set()
    module = next((m for m in bicep.modules if m.symbol == match["module"]), None)
    params = module.body.get("params") if module and isinstance(module.body, ObjectValue) else None
    components = params.get("components") if isinstance(params, ObjectValue) else None
    if isinstance(components, Expression) and components.text in bicep.variables:
        components = bicep.variables[components.text].value
    if not isinstance(components, ArrayValue):
        return set()
    return {str(item.value) for item in components.items if isinstance(item, Literal)}


def output_paths(bicep_file: Path) -> set[str]:
    """What the template outputs: `name`, `name.property` of an object written out, and `name.component` of
    an object keyed per component (the workload identities' client ids)."""
    bicep = parse_file(bicep_file)
    paths = set()
    for name, output in bicep.outputs.items():
        paths.add(name)
        value = output.value
        if isinstance(value, ObjectValue):
            paths.update(f"{name}.{prop.key}" for prop in value.properties)
        elif isinstance(value, Expression):
            paths.update(f"{name}.{key}" for key in _per_component_keys(bicep, value))
    return paths


def handoff_problems(env_file: Path, table: dict[str, Source], outputs: set[str]) -> list[Problem]:
    """Every key of the file is in the hand-off table, and each output it names exists."""
    problems = []
    for key in env_keys(env_file):
        source = table.get(key)
        if source is None:
            problems.append(Problem(f"{env_file}: {key}", "not in k8s/README.md's hand-off table"))
        elif source.origin == "output" and source.path not in outputs:
            problems.append(Problem(f"{env_file}: {key}", f"infra/main.bicep has no output {source.path}"))
    return problems
