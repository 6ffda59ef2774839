"""The infra scripts against fake-az (infra/scripts/testing/fake-az, installed as `az` on PATH) and a fake
`sleep` that records the delays instead of waiting. Azure itself cannot run here."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from infra_helpers import INFRA, copy_templates
from shopinfra.references import template_closure

SCRIPTS = INFRA / "scripts"
SPEC_ID = (
    "/subscriptions/sub-1/resourceGroups/rg-contoso-shop-specs/providers/Microsoft.Resources"
    "/templateSpecs/ts-contoso-shop/versions/{}"
)
THROTTLED = "ERROR: (TooManyRequests) Too many requests. Status: 429. Retry-After: 7\n"


def spec_digest(infra: Path = INFRA) -> str:
    """What publish-spec.sh must compute: sha256 over `sha256sum` of every file main.bicep is built from
    (its modules, monitoring/azure's included, and the files they load), named relative to infra/."""
    files = sorted(os.path.relpath(path, infra) for path in template_closure(infra / "main.bicep"))
    listing = "".join(f"{hashlib.sha256((infra / f).read_bytes()).hexdigest()}  {f}\n" for f in files)
    return hashlib.sha256(listing.encode()).hexdigest()[:16]


def rule(*args: str, **answer: Any) -> dict[str, Any]:
    return {"args": list(args), **answer}


LOGIN = [rule("account", "show"), rule("account", "set", "sub-1")]
PUBLISH = [
    rule("ts", "show", "description", unless=["published"], exit=3, stderr="ERROR: (ResourceNotFound)\n"),
    rule("ts", "show", "description", requires=["published"], stdout=f"sha:{spec_digest()}\n"),
    rule("group", "show", unless=["group"], exit=3, stderr="ERROR: (ResourceGroupNotFound)\n"),
    rule("group", "show", requires=["group"]),
    rule("group", "create", set=["group"]),
    rule("ts", "create", times=1, exit=1, stderr=THROTTLED),
    rule("ts", "create", set=["published"]),
]


def deploy_rules(deployed_version: str = "1.0.0") -> list[dict[str, Any]]:
    return [
        *(
            rule("ts", "show", "--version", v, "id", stdout=SPEC_ID.format(v) + "\n")
            for v in ("1.0.0", "1.1.0")
        ),
        rule("bicep", "build-params"),
        rule("deployment", "sub", "what-if", unless=["deployed"], stdout="12\n"),
        rule("deployment", "sub", "what-if", requires=["deployed"], stdout="0\n"),
        rule(
            "stack", "sub", "show", unless=["deployed"], exit=3, stderr="ERROR: (DeploymentStackNotFound)\n"
        ),
        rule("stack", "sub", "show", requires=["deployed"], stdout=f"{deployed_version}\n"),
        rule("stack", "sub", "create", set=["deployed"]),
    ]


@dataclass
class FakeAzure:
    root: Path

    def script(self, rules: list[dict[str, Any]], state: list[str] | None = None) -> None:
        (self.root / "script.json").write_text(json.dumps({"rules": rules, "state": state or []}))

    def run(
        self, name: str, *args: str, env: dict[str, str] | None = None, scripts: Path = SCRIPTS
    ) -> subprocess.CompletedProcess[str]:
        environment = {
            # fake-az runs on the interpreter of this test run (a real binary: no version-manager shim).
            "PATH": f"{self.root / 'bin'}:{Path(sys.executable).parent}:{os.environ['PATH']}",
            "HOME": str(self.root),
            "FAKE_AZ_SCRIPT": str(self.root / "script.json"),
            "FAKE_AZ_LOG": str(self.root / "calls.jsonl"),
            "FAKE_SLEEP_LOG": str(self.root / "sleeps"),
            "SHOP_SUBSCRIPTION_ID": "sub-1",
            "SHOP_PIPELINE_PRINCIPAL_ID": "pipeline-object-id",
            "SHOP_INCIDENT_FLOW_WEBHOOK_URL": "https://flows.example.invalid/incident?sig=made-up",
            "SHOP_AZ_MAX_ATTEMPTS": "3",
            **(env or {}),
        }
        environment = {k: v for k, v in environment.items() if v != ""}
        return subprocess.run(
            ["bash", str(scripts / name), *args],
            env=environment,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )

    def calls(self) -> list[list[str]]:
        log = self.root / "calls.jsonl"
        if not log.exists():
            return []
        return [json.loads(line)["args"] for line in log.read_text().splitlines()]

    def forget_calls(self) -> None:
        (self.root / "calls.jsonl").unlink(missing_ok=True)

    def sleeps(self) -> list[str]:
        path = self.root / "sleeps"
        return path.read_text().split() if path.exists() else []


@pytest.fixture
def azure(tmp_path: Path) -> FakeAzure:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "az").symlink_to(SCRIPTS / "testing" / "fake-az")
    sleep = bin_dir / "sleep"
    sleep.write_text('#!/bin/sh\necho "$1" >> "$FAKE_SLEEP_LOG"\n')
    sleep.chmod(0o755)
    return FakeAzure(tmp_path)


def changing(calls: list[list[str]]) -> list[str]:
    verbs = {"create", "delete", "update", "set-default"}
    return [" ".join(c[:3]) for c in calls if verbs & set(c) and c[:2] != ["account", "set"]]


def test_publish_retries_a_throttled_call_honouring_retry_after_and_a_second_run_changes_nothing(
    azure: FakeAzure,
) -> None:
    azure.script(LOGIN + PUBLISH)
    first = azure.run("publish-spec.sh", "1.0.0")
    assert first.returncode == 0, first.stderr
    assert changing(azure.calls()) == ["group create --name", "ts create --name", "ts create --name"]
    assert azure.sleeps() == ["7"]
    assert "throttled (429)" in first.stderr
    create = [c for c in azure.calls() if c[:2] == ["ts", "create"]][-1]
    assert create[create.index("--version-description") + 1] == f"sha:{spec_digest()}"

    azure.forget_calls()
    second = azure.run("publish-spec.sh", "1.0.0")
    assert second.returncode == 0, second.stderr
    assert changing(azure.calls()) == []
    assert "nothing to do" in second.stderr


def test_publish_hashes_the_monitoring_modules_main_bicep_calls(azure: FakeAzure, tmp_path: Path) -> None:
    """A change in monitoring/azure (here the workbook JSON a module loads) is a change of the spec:
    publishing the same version again is refused instead of passing as "already published"."""
    infra = copy_templates(tmp_path / "repo" / "infra")
    azure.script(LOGIN + PUBLISH)
    assert azure.run("publish-spec.sh", "1.0.0", scripts=infra / "scripts").returncode == 0
    published = spec_digest(infra)
    create = [c for c in azure.calls() if c[:2] == ["ts", "create"]][-1]
    assert create[create.index("--version-description") + 1] == f"sha:{published}"
    workbook = tmp_path / "repo" / "monitoring" / "azure" / "saga-workbook.json"
    workbook.write_text(workbook.read_text().replace("the order saga", "the order saga, step by step"))
    assert spec_digest(infra) != published

    azure.forget_calls()
    azure.script([*LOGIN, rule("ts", "show", "description", stdout=f"sha:{published}\n")])
    again = azure.run("publish-spec.sh", "1.0.0", scripts=infra / "scripts")
    assert again.returncode == 4, again.stderr
    assert f"exists with other content (sha:{published})" in again.stderr
    assert changing(azure.calls()) == []


def test_publish_refuses_to_overwrite_a_version_with_other_content(azure: FakeAzure) -> None:
    azure.script([*LOGIN, rule("ts", "show", "description", stdout="sha:0123456789abcdef\n")])
    result = azure.run("publish-spec.sh", "1.0.0")
    assert result.returncode == 4
    assert "exists with other content" in result.stderr
    assert changing(azure.calls()) == []


def test_deploy_runs_what_if_before_the_stack_with_deny_settings_and_a_second_run_changes_nothing(
    azure: FakeAzure,
) -> None:
    azure.script(LOGIN + deploy_rules())
    first = azure.run("deploy.sh", "dev", "1.0.0")
    assert first.returncode == 0, first.stderr
    calls = azure.calls()
    what_if = next(i for i, c in enumerate(calls) if c[:3] == ["deployment", "sub", "what-if"])
    create = next(i for i, c in enumerate(calls) if c[:3] == ["stack", "sub", "create"])
    assert what_if < create
    stack = calls[create]
    assert stack[stack.index("--name") + 1] == "stack-contoso-shop-dev"
    assert stack[stack.index("--deny-settings-mode") + 1] == "denyWriteAndDelete"
    assert stack[stack.index("--deny-settings-excluded-principals") + 1] == "pipeline-object-id"
    assert stack[stack.index("--action-on-unmanage") + 1] == "deleteAll"
    assert stack[stack.index("--template-spec") + 1] == SPEC_ID.format("1.0.0")
    assert stack[stack.index("--tags") + 1] == "specVersion=1.0.0"

    azure.forget_calls()
    second = azure.run("deploy.sh", "dev", "1.0.0")
    assert second.returncode == 0, second.stderr
    assert changing(azure.calls()) == []
    assert any(c[:3] == ["deployment", "sub", "what-if"] for c in azure.calls())


def test_prod_detaches_resources_that_leave_the_template(azure: FakeAzure) -> None:
    azure.script(LOGIN + deploy_rules())
    assert azure.run("deploy.sh", "prod", "1.0.0").returncode == 0
    stack = next(c for c in azure.calls() if c[:3] == ["stack", "sub", "create"])
    assert stack[stack.index("--action-on-unmanage") + 1] == "detachAll"


@pytest.mark.parametrize(
    ("script", "args", "env", "message"),
    [
        (
            "deploy.sh",
            ["qa", "1.0.0"],
            {},
            "error: unknown environment 'qa' (expected one of: dev staging prod)",
        ),
        ("rollback.sh", ["production"], {}, "error: unknown environment 'production'"),
        (
            "deploy.sh",
            ["dev", "1.0.0"],
            {"SHOP_SUBSCRIPTION_ID": ""},
            "error: SHOP_SUBSCRIPTION_ID is not set",
        ),
        (
            "publish-spec.sh",
            ["1.0.0"],
            {"SHOP_SUBSCRIPTION_ID": ""},
            "error: SHOP_SUBSCRIPTION_ID is not set",
        ),
        ("deploy.sh", ["dev"], {}, "error: usage: deploy.sh <dev|staging|prod> <version>"),
        (
            "deploy.sh",
            ["dev", "1.0.0"],
            {"SHOP_INCIDENT_FLOW_WEBHOOK_URL": ""},
            "error: SHOP_INCIDENT_FLOW_WEBHOOK_URL is not set",
        ),
        (
            "rollback.sh",
            ["prod"],
            {"SHOP_INCIDENT_FLOW_WEBHOOK_URL": ""},
            "error: SHOP_INCIDENT_FLOW_WEBHOOK_URL",
        ),
    ],
)
def test_bad_input_is_refused_in_one_line_before_any_az_call(
    azure: FakeAzure, script: str, args: list[str], env: dict[str, str], message: str
) -> None:
    azure.script([])
    result = azure.run(script, *args, env=env)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(message)
    assert azure.calls() == []


def test_logged_out_az_is_refused_before_any_change(azure: FakeAzure) -> None:
    azure.script([rule("account", "show", exit=1, stderr="ERROR: Please run 'az login' to setup account.\n")])
    result = azure.run("deploy.sh", "staging", "1.0.0")
    assert result.returncode == 3
    assert (
        result.stderr
        == "error: az is not logged in (run: az login, or use the pipeline's service connection)\n"
    )
    assert azure.calls() == [["account", "show", "--output", "none"]]


def test_subscription_the_login_cannot_see_is_refused(azure: FakeAzure) -> None:
    azure.script(
        [rule("account", "show"), rule("account", "set", exit=1, stderr="ERROR: Subscription not found\n")]
    )
    result = azure.run("publish-spec.sh", "1.0.0")
    assert result.returncode == 3
    assert result.stderr == "error: subscription 'sub-1' is not available to the logged-in account\n"
    assert changing(azure.calls()) == []


def test_throttling_without_retry_after_backs_off_exponentially_then_gives_up(azure: FakeAzure) -> None:
    always_throttled = rule("ts", "show", "id", exit=1, stderr="ERROR: Status: 429 (TooManyRequests)\n")
    azure.script([*LOGIN, always_throttled])
    result = azure.run("deploy.sh", "dev", "1.0.0")
    assert result.returncode == 4
    assert azure.sleeps() == ["2", "4"]
    assert len([c for c in azure.calls() if c[:2] == ["ts", "show"]]) == 3
    assert "still throttled after 3 attempts" in result.stderr
    assert changing(azure.calls()) == []


def test_rollback_redeploys_the_version_before_the_running_one(azure: FakeAzure) -> None:
    versions = rule("ts", "list", stdout="1.0.0\n1.2.0\n1.1.0\n")
    azure.script([*LOGIN, versions, *deploy_rules(deployed_version="1.2.0")], state=["deployed"])
    result = azure.run("rollback.sh", "staging")
    assert result.returncode == 0, result.stderr
    assert "staging runs 1.2.0; rolling back to 1.1.0" in result.stderr
    stack = next(c for c in azure.calls() if c[:3] == ["stack", "sub", "create"])
    assert stack[stack.index("--template-spec") + 1] == SPEC_ID.format("1.1.0")
    assert stack[stack.index("--tags") + 1] == "specVersion=1.1.0"


def test_rollback_with_no_earlier_version_fails_without_changes(azure: FakeAzure) -> None:
    azure.script([*LOGIN, rule("ts", "list", stdout="1.0.0\n"), *deploy_rules()], state=["deployed"])
    result = azure.run("rollback.sh", "dev")
    assert result.returncode == 4
    assert result.stderr.strip() == "error: no version before 1.0.0 of ts-contoso-shop"
    assert changing(azure.calls()) == []
