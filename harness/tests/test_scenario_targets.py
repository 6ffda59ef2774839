"""Targets: an env file names base URLs and the admin token's variable; whatever is wrong with a target
(unknown, malformed, missing token, unreachable service, local platform not running) fails before a
scenario sends anything, naming it. Also the JUnit and JSON reports of a run."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from shopctl.ports import free_port
from shopctl.scenarios.context import Failure
from shopctl.scenarios.model import load_file
from shopctl.scenarios.report import write_json, write_junit
from shopctl.scenarios.runner import ScenarioResult, needs, skip_reason
from shopctl.scenarios.targets import Target, TargetError, env_file_target

REPO = Path(__file__).resolve().parents[2]
LIBRARY = REPO / "scenarios"
BASE = "PRODUCT_URL=http://p.example\nORDER_URL=http://o.example\nPAYMENT_URL=http://pay.example\n"


def env_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "staging.env"
    path.write_text(text)
    return path


def shopctl(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shopctl", *args], capture_output=True, text=True, timeout=60, cwd=cwd
    )


def test_an_env_file_names_urls_and_the_token_variable(tmp_path: Path) -> None:
    path = env_file(
        tmp_path, f"# staging\nNAME=staging\n{BASE}MAILBOX_URL=http://m.example/\nADMIN_TOKEN_VAR=QA_TOKEN\n"
    )
    target = env_file_target(path, {"QA_TOKEN": "secret"})
    assert target.name == "staging"
    assert target.urls == {
        "product": "http://p.example",
        "order": "http://o.example",
        "payment": "http://pay.example",
        "mailbox": "http://m.example",
    }
    # pragma: allowlist nextline secret (a test value)
    assert target.admin_token == "secret"
    assert target.token_source == "$QA_TOKEN"
    assert "secret" not in repr(target)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BASE + "ORDERS_URL=http://x\n", r"staging.env:4: unknown key 'ORDERS_URL'"),
        ("PRODUCT_URL=http://p\n", r"staging.env: missing ORDER_URL, PAYMENT_URL"),
        (BASE + "MAILBOX_URL=mailbox:8025\n", r"staging.env:4: MAILBOX_URL must be an http\(s\) URL"),
        (BASE + "ADMIN_TOKEN_VAR=QA_TOKEN\n", r"ADMIN_TOKEN_VAR names QA_TOKEN, which is not set"),
        (BASE + "just words\n", r"staging.env:4: expected KEY=VALUE"),
    ],
)
def test_a_malformed_env_file_is_refused_naming_the_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(TargetError, match=message):
        env_file_target(env_file(tmp_path, text), {})


def test_unknown_target_and_stopped_local_platform_fail_fast(tmp_path: Path) -> None:
    unknown = shopctl("replay", "scenarios/success-card.yaml", "--target", "stagin")
    assert unknown.returncode == 2
    assert "unknown target 'stagin'" in unknown.stderr

    stopped = shopctl("--state-dir", str(tmp_path / "nothing"), "replay", "scenarios/success-card.yaml")
    assert stopped.returncode == 2
    assert "target local: no running platform recorded in" in stopped.stderr
    assert "--start" in stopped.stderr


def test_an_unreachable_service_fails_the_run_before_anything_is_sent(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    urls = "".join(f"{key}_URL={closed}\n" for key in ("PRODUCT", "ORDER", "PAYMENT", "MAILBOX"))
    done = shopctl("replay", "scenarios/catalog-basket.yaml", "--target", str(env_file(tmp_path, urls)))
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"order ({closed}/health) is unreachable" in done.stderr
    assert "started" not in done.stdout


def test_scenarios_creating_products_need_a_token(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    urls = "".join(f"{key}_URL={closed}\n" for key in ("PRODUCT", "ORDER", "PAYMENT", "MAILBOX"))
    done = shopctl(
        "replay", "scenarios/success-card.yaml", "--target", str(env_file(tmp_path, f"NAME=dev\n{urls}"))
    )
    assert done.returncode == 2
    assert (
        "success-card create products through the product admin API, which needs a bearer token"
        in done.stderr
    )
    assert "target dev: none (the file names no ADMIN_TOKEN_VAR)" in done.stderr


def test_what_a_target_lacks_skips_the_scenarios_that_need_it() -> None:
    remote = Target("staging", {"product": "http://p", "order": "http://o", "payment": "http://pay"}, "t")
    unavailable = load_file(LIBRARY / "product-service-unavailable.yaml").scenario
    assert needs(unavailable) >= {"local", "admin-token"}
    assert (
        skip_reason(unavailable, remote)
        == "needs the local platform (process control or `requires: [local]`)"
    )
    busy = load_file(LIBRARY / "broker-busy.yaml").scenario
    assert skip_reason(busy, remote) == "target staging has no eventhubs-admin, mailbox, servicebus-admin"
    assert skip_reason(load_file(LIBRARY / "invalid-input.yaml").scenario, remote) is None


def test_junit_and_json_name_the_failed_step_and_the_orders(tmp_path: Path) -> None:
    loaded = load_file(LIBRARY / "success-card.yaml")
    failure = Failure("steps[2].expect", 20, "status", "PAID", "PAYMENT_FAILED (reason: declined)", ["o-1"])
    results = [
        ScenarioResult(loaded, "failed", 3.5, ["o-1"], [failure]),
        ScenarioResult(load_file(LIBRARY / "fulfil.yaml"), "skipped", reason="target has no mailbox"),
    ]
    write_junit(tmp_path / "r.xml", results, {"run_id": "abc"})
    write_json(tmp_path / "r.json", results, {"run_id": "abc"})
    suite = ET.parse(tmp_path / "r.xml").getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("2", "1", "1")
    failed = suite.find("testcase[@name='success-card']/failure")
    assert failed is not None
    assert failed.get("message") == (
        "steps[2].expect: status: expected PAID, observed PAYMENT_FAILED (reason: declined) (order o-1)"
    )
    document = json.loads((tmp_path / "r.json").read_text())
    assert document["totals"] == {"scenarios": 2, "passed": 0, "failed": 1, "error": 0, "skipped": 1}
    assert document["scenarios"][0]["failures"][0]["observed"] == "PAYMENT_FAILED (reason: declined)"
    assert document["scenarios"][0]["orders"] == ["o-1"]
