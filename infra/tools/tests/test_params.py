from __future__ import annotations

from pathlib import Path

from infra_helpers import INFRA, copy_templates, replace_in
from shopinfra.param_check import check_modules, check_param_file
from shopinfra.syntax import parse_file


def test_repo_module_calls_and_param_files_are_consistent() -> None:
    main = parse_file(INFRA / "main.bicep")
    assert list(check_modules(main, parse_file)) == []
    for env in ("dev", "staging", "prod"):
        assert list(check_param_file(parse_file(INFRA / f"env/{env}.bicepparam"), parse_file)) == []


def test_module_call_with_an_undeclared_param_fails_at_its_line(tmp_path: Path) -> None:
    infra = copy_templates(tmp_path / "infra")
    line = (
        replace_in(
            infra / "main.bicep",
            "    dailyQuotaGb: logDailyQuotaGb\n",
            "    dailyQuotaGb: logDailyQuotaGb\n    dailyQuota: 5\n",
        )
        + 1
    )
    findings = list(check_modules(parse_file(infra / "main.bicep"), parse_file))
    assert [(f.path, f.line) for f in findings] == [(infra / "main.bicep", line)]
    assert "param 'dailyQuota' is not declared" in findings[0].message


def test_module_call_missing_a_required_param_fails(tmp_path: Path) -> None:
    infra = copy_templates(tmp_path / "infra")
    replace_in(infra / "main.bicep", "    retentionInDays: logRetentionInDays\n", "")
    findings = list(check_modules(parse_file(infra / "main.bicep"), parse_file))
    assert len(findings) == 1
    assert "required param 'retentionInDays' is not passed" in findings[0].message
    assert "module logs (modules/log-analytics.bicep)" in findings[0].message


def test_param_file_assigning_an_undeclared_param_fails_at_its_line(tmp_path: Path) -> None:
    infra = copy_templates(tmp_path / "infra")
    env = infra / "env/staging.bicepparam"
    line = replace_in(env, "param wafMode = 'Prevention'", "param wafMod = 'Prevention'")
    findings = list(check_param_file(parse_file(env), parse_file))
    messages = [f"{f.line}: {f.message}" for f in sorted(findings, key=lambda f: -f.line)]
    assert messages == [
        f"{line}: using ../main.bicep: param 'wafMod' is not declared by the template",
        "1: using ../main.bicep: required param 'wafMode' is not passed",
    ]


def test_param_file_value_outside_allowed_fails(tmp_path: Path) -> None:
    infra = copy_templates(tmp_path / "infra")
    env = infra / "env/prod.bicepparam"
    line = replace_in(env, "param aksTier = 'Standard'", "param aksTier = 'Premium'")
    findings = list(check_param_file(parse_file(env), parse_file))
    assert [(f.line, "'Premium' is not one of ['Free', 'Standard']" in f.message) for f in findings] == [
        (line, True)
    ]


def test_module_pointing_at_a_missing_file_fails(tmp_path: Path) -> None:
    infra = copy_templates(tmp_path / "infra")
    (infra / "modules/sql.bicep").unlink()
    findings = list(check_modules(parse_file(infra / "main.bicep"), parse_file))
    assert ["modules/sql.bicep does not exist" in f.message for f in findings] == [True]
