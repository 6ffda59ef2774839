from __future__ import annotations

from pathlib import Path

import pytest
from infra_helpers import INFRA
from shopinfra.checks import template_files
from shopinfra.model import Conditional, Expression, ForLoop, Literal, ObjectValue
from shopinfra.syntax import BicepSyntaxError, parse_file, parse_text

SNIPPET = """
targetScope = 'subscription'

@description('Sizes.')
type pools = {
  @description('VM size.')
  vmSize: string
  spot: int?
  mode: 'System' | 'User'
}

@sys.description('Required. Pools.')
param sizing pools
param names string[]
param maybe string?
param tier 'Free' | 'Standard' = 'Free'
var count = length(names) > 0 ? 1 : 0
var interpolated = 'aks-${tier}'
var single = { a: 1, b: 'two' }

resource r 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-x'
  location: deployment().location
  tags: union({ env: 'dev' }, {})
}

module m 'modules/x.bicep' = if (count > 0) {
  name: 'm'
  params: {
    items: [for (n, i) in names: {
      name: n
      index: i
    }]
  }
}

output ids object = toObject(names, n => n, n => r.id)
"""


def test_parses_user_defined_nullable_and_typed_array_params() -> None:
    parsed = parse_text(Path("snippet.bicep"), SNIPPET)
    assert parsed.target_scope == "subscription"
    assert set(parsed.types) == {"pools"}
    assert parsed.params["sizing"].type_text == "pools"
    assert parsed.params["names"].type_text == "string[]"
    assert parsed.params["maybe"].type_text == "string?"
    assert not parsed.params["maybe"].required
    assert parsed.params["sizing"].required
    assert not parsed.params["tier"].required
    assert parsed.params["sizing"].decorators[0].name == "description"


def test_keeps_literals_apart_from_expressions() -> None:
    parsed = parse_text(Path("snippet.bicep"), SNIPPET)
    body = parsed.resources[0].body
    assert isinstance(body, ObjectValue)
    assert body.get("name") == Literal("rg-x", body.properties[0].line)
    assert isinstance(body.get("location"), Expression)
    assert isinstance(parsed.variables["interpolated"].value, Expression)
    single = parsed.variables["single"].value
    assert isinstance(single, ObjectValue)
    assert single.get("b") == Literal("two", single.line)


def test_reads_conditions_and_loops_with_their_lines() -> None:
    parsed = parse_text(Path("snippet.bicep"), SNIPPET)
    module = parsed.modules[0]
    assert isinstance(module.body, Conditional)
    params = module.body.body
    assert isinstance(params, ObjectValue)
    inner = params.get("params")
    assert isinstance(inner, ObjectValue)
    loop = inner.get("items")
    assert isinstance(loop, ForLoop)
    assert loop.source.startswith("( n , i ) in names")
    assert (
        parsed.resources[0].line
        == SNIPPET.splitlines().index("resource r 'Microsoft.Resources/resourceGroups@2025-04-01' = {") + 1
    )


def test_a_loop_opened_on_the_line_before_its_for_is_a_loop() -> None:
    """`= [` newline `for ...`, as the generated prometheus-rule-groups.bicep writes it; its body is read."""
    text = "resource r 'X/y@2020-01-01' = [\n  for g in groups: {\n    name: g.name\n  }\n]\n"
    body = parse_text(Path("loop.bicep"), text).resources[0].body
    assert isinstance(body, ForLoop)
    assert body.source == "g in groups"
    assert isinstance(body.body, ObjectValue)
    assert body.body.get("name") == Expression("g . name", 3)


def test_parses_bicepparam_using_and_assignments() -> None:
    text = (
        "using '../main.bicep'\n\nparam environmentName = 'dev'\n"
        "param ids = [\n  readEnvironmentVariable('X')\n]\n"
    )
    parsed = parse_text(Path("dev.bicepparam"), text)
    assert parsed.using == "../main.bicep"
    assert [(a.name, a.line) for a in parsed.assignments] == [("environmentName", 3), ("ids", 4)]


def test_nested_child_resource_is_refused_naming_the_line() -> None:
    text = "resource a 'X/y@2020-01-01' = {\n  name: 'a'\n  resource b 'z' = {\n    name: 'b'\n  }\n}\n"
    with pytest.raises(BicepSyntaxError) as caught:
        parse_text(Path("nested.bicep"), text)
    assert caught.value.line == 3
    assert "nested.bicep:3" in str(caught.value)


def test_unclosed_object_is_a_syntax_error_with_file_and_line() -> None:
    with pytest.raises(BicepSyntaxError) as caught:
        parse_text(Path("broken.bicep"), "param a string\nvar b = {\n  c: 1\n")
    assert str(caught.value).startswith("broken.bicep:")


def test_every_template_in_the_repo_parses() -> None:
    files = template_files(INFRA)
    assert len([f for f in files if f.suffix == ".bicepparam"]) == 3
    # The monitoring modules main.bicep calls are infra's templates too.
    assert {f.name for f in files if f.parent.name == "azure"} == {
        "monitoring.bicep",
        "action-group.bicep",
        "container-insights.bicep",
        "prometheus-rule-groups.bicep",
        "saga-workbook.bicep",
    }
    for path in files:
        parse_file(path)
