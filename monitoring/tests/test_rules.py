"""The rules (prometheus/rules.yml, from slo.py): promtool accepts them, their unit tests pass, every metric
they read is in docs/conventions.md, and a broken rule fails naming itself."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from shopmonitoring.conventions import known_series, load_catalogue
from shopmonitoring.promql import metric_names
from shopmonitoring.rules import prometheus_rule_object, prometheus_rules_file, rule_groups
from shopmonitoring.slo import RED, Alert, Group

from .helpers import MONITORING, RULE_TESTS, promtool_output

RULES = MONITORING / "prometheus" / "rules.yml"
SCHEMAS = MONITORING.parent.parent / "shared" / "schemas"


def operator_schema(schema: dict[str, object]) -> jsonschema.protocols.Validator:
    """The CRD's schema as the API server applies it; not checked as a schema itself, as one of its patterns
    is Go's RE2 (``(?i)`` mid-pattern) that Python's ``re`` refuses."""
    return jsonschema.validators.validator_for(schema)(schema)


def recorded() -> set[str]:
    return {rule["record"] for group in rule_groups() for rule in group["rules"] if "record" in rule}


def test_promtool_check_rules_accepts_the_generated_rules() -> None:
    code, output = promtool_output("check", "rules", RULES)

    assert code == 0, output
    assert "SUCCESS" in output


@pytest.mark.parametrize("tests_file", RULE_TESTS, ids=lambda path: path.name)
def test_promtool_unit_tests_pass(tests_file: Path) -> None:
    code, output = promtool_output("test", "rules", tests_file)

    assert code == 0, output


def test_a_rule_with_a_bad_expression_fails_naming_the_rule(tmp_path: Path) -> None:
    broken = Group(
        "shop-broken",
        (
            *RED.rules,
            Alert("CheckoutBroken", "sum(rate(http_requests_total[5m]) > 1", "1m", "page", "s", "d"),
        ),
    )
    path = tmp_path / "rules.yml"
    path.write_text(prometheus_rules_file((broken,)))

    code, output = promtool_output("check", "rules", path)

    assert code != 0
    assert '"CheckoutBroken"' in output
    assert "parse error" in output


def test_a_changed_threshold_fails_the_unit_tests_naming_the_alert(tmp_path: Path) -> None:
    """The promtool tests pin timing: TargetDown waiting 5 minutes instead of 1 is caught."""
    (tmp_path / "prometheus" / "rule-tests").mkdir(parents=True)
    rules = RULES.read_text()
    assert rules.count("expr: up == 0\n        for: 1m") == 1
    (tmp_path / "prometheus" / "rules.yml").write_text(
        rules.replace("expr: up == 0\n        for: 1m", "expr: up == 0\n        for: 5m")
    )
    tests_file = tmp_path / "prometheus" / "rule-tests" / "targets.yml"
    shutil.copy(MONITORING / "prometheus" / "rule-tests" / "targets.yml", tests_file)

    code, output = promtool_output("test", "rules", tests_file)

    assert code != 0
    assert "alertname: TargetDown" in output


def test_every_metric_a_rule_reads_is_in_the_conventions_or_recorded_by_a_rule() -> None:
    known = known_series(load_catalogue()) | recorded()
    for group in rule_groups():
        for rule in group["rules"]:
            name = rule.get("record") or rule["alert"]
            unknown = metric_names(rule["expr"]) - known
            assert not unknown, f"{group['name']}/{name} reads {sorted(unknown)}, not in docs/conventions.md"


def test_a_rule_reading_an_unlisted_metric_is_reported() -> None:
    known = known_series(load_catalogue())

    assert metric_names("sum(rate(order_invented_total[5m])) / sum(up)") - known == {"order_invented_total"}


def test_every_alert_has_a_severity_and_both_annotations() -> None:
    for group in rule_groups():
        for rule in group["rules"]:
            if "alert" in rule:
                assert rule["labels"]["severity"] in {"page", "ticket"}, rule["alert"]
                assert rule["annotations"]["summary"], rule["alert"]
                assert rule["annotations"]["description"], rule["alert"]


def test_the_prometheus_rule_object_holds_the_same_groups_and_matches_the_operator_schema() -> None:
    schema_file = SCHEMAS / "prometheusrule_v1.json"
    committed = yaml.safe_load((MONITORING / "kubernetes" / "prometheusrule.yaml").read_text())

    assert committed == prometheus_rule_object()
    assert committed["spec"]["groups"] == yaml.safe_load(RULES.read_text())["groups"]
    operator_schema(json.loads(schema_file.read_text())).validate(committed)


def test_the_operator_schema_refuses_a_rule_without_an_expression() -> None:
    schema = json.loads((SCHEMAS / "prometheusrule_v1.json").read_text())
    broken = prometheus_rule_object()
    del broken["spec"]["groups"][0]["rules"][0]["expr"]

    with pytest.raises(jsonschema.ValidationError, match="'expr' is a required property"):
        operator_schema(schema).validate(broken)
