"""Template expressions and directives evaluated the way Azure DevOps does."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from shoppipelines.azure_templates import TemplateError, expand
from shoppipelines.expressions import ExpressionError, evaluate


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("eq(parameters.env, 'PROD')", True),
        ("ne(parameters.env, 'prod')", False),
        ("and(true, not(false), in(parameters.env, 'dev', 'prod'))", True),
        ("format('{0}-{1}', parameters.env, parameters['size'])", "prod-3"),
        ("coalesce('', parameters.env)", "prod"),
        ("parameters.nested.name", "x"),
    ],
)
def test_expressions(expression: str, expected: object) -> None:
    assert evaluate(expression, {"env": "prod", "size": 3, "nested": {"name": "x"}}) == expected


def test_an_unknown_parameter_is_an_error_naming_it() -> None:
    with pytest.raises(ExpressionError, match=r"parameters\.missing is not defined"):
        evaluate("parameters.missing", {})


def test_if_elseif_else_and_each_expand_in_lists_and_mappings(tmp_path: Path) -> None:
    (tmp_path / "steps.yml").write_text(
        yaml.safe_dump(
            {
                "parameters": [
                    {"name": "mode", "type": "string"},
                    {"name": "names", "type": "object", "default": ["a", "b"]},
                ],
                "steps": [
                    {"${{ if eq(parameters.mode, 'one') }}": [{"script": "one"}]},
                    {"${{ elseif eq(parameters.mode, 'two') }}": [{"script": "two"}]},
                    {"${{ else }}": [{"script": "other"}]},
                    {"${{ each name in parameters.names }}": [{"script": "echo ${{ name }}"}]},
                ],
            }
        )
    )
    (tmp_path / "pipeline.yml").write_text(
        yaml.safe_dump({"steps": [{"template": "steps.yml", "parameters": {"mode": "two"}}]})
    )

    with pytest.raises(TemplateError, match="unsupported context 'name'"):
        expand(tmp_path / "pipeline.yml")

    (tmp_path / "steps.yml").write_text(
        (tmp_path / "steps.yml").read_text().replace("${{ name }}", "${{ parameters.mode }}")
    )
    steps = expand(tmp_path / "pipeline.yml").pipeline["steps"]
    assert steps == [{"script": "two"}, {"script": "echo two"}, {"script": "echo two"}]
