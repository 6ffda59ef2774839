"""`shopctl replay` and `shopctl record` against the real platform, started once for this module with
`shopctl.testing.launched(record_state=True)` so `--target local` finds it as it finds `make up`.

The library runs here without its `slow` scenarios (fraud review, broker back-off, payment timeout) and
the ones pinning a known bug (`known-issue`); `make scenarios` runs the slow ones too.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import yaml
from shopctl.scenarios.model import load_file
from shopctl.testing import LaunchedPlatform, launched

REPO = Path(__file__).resolve().parents[2]
COMPONENTS = ("order", "payment", "payment-worker", "notification")
EXCLUDED = "slow,known-issue"
SCHEMA_LINE = f"# yaml-language-server: $schema={REPO / 'scenarios/schema/scenario.schema.json'}\n"


@pytest.fixture(scope="module")
def platform() -> Iterator[LaunchedPlatform]:
    with launched(*COMPONENTS, record_state=True) as started:
        yield started


def shopctl(platform: LaunchedPlatform, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shopctl", f"--state-dir={platform.state_dir}", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.timeout(600)
def test_the_library_replays_green_against_the_local_platform(
    platform: LaunchedPlatform, tmp_path: Path
) -> None:
    done = shopctl(
        platform,
        "replay",
        "scenarios/",
        "--target=local",
        f"--exclude-tags={EXCLUDED}",
        f"--junit={tmp_path / 'replay.xml'}",
        f"--json={tmp_path / 'replay.json'}",
        timeout=420,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    document = json.loads((tmp_path / "replay.json").read_text())
    outcomes = {s["name"]: s["outcome"] for s in document["scenarios"]}
    assert set(outcomes.values()) == {"passed"}, outcomes
    assert {"oversell-race", "duplicate-delivery", "product-service-unavailable", "invalid-input"} <= set(
        outcomes
    )
    race = next(s for s in document["scenarios"] if s["name"] == "oversell-race")
    assert len(race["orders"]) == 3
    assert race["latency"]["place_count"] == 20
    suite = ET.parse(tmp_path / "replay.xml").getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == (str(len(outcomes)), "0")
    assert re.search(r"^SCENARIO\s+ORDERS\s+RESULT\s+TIME", done.stdout, re.MULTILINE)
    assert "PASS  oversell-race" in done.stdout


WRONG = """\
name: wrong-expectation
description: the success card, expected to be declined
products:
  widget: {create: {stock: 3}}
steps:
  - id: buy
    place: {customer: ada, items: [{product: widget, quantity: 1}]}
  - wait_for: {status: PAID}
  - expect:
      within: 2
      status: PAYMENT_FAILED
      stock: {widget: {delta: -1}}
"""

FAULT_THEN_FAIL = """\
name: fault-then-fail
description: a failing step inside a fault block still removes the fault rule
independent: false
steps:
  - fault:
      rules:
        - broker: eventhubs
          entity: order-events
          operation: send
          action: latency
          latency_ms: 1
          must_fire: false
      steps:
        - place: {customer: bob, items: [{query: most stock}]}
        - expect: {within: 1, customer_orders: {bob: 2}}
"""


def test_a_wrong_expectation_fails_naming_the_step_the_observed_value_and_the_order(
    platform: LaunchedPlatform, tmp_path: Path
) -> None:
    (tmp_path / "wrong.yaml").write_text(SCHEMA_LINE + WRONG)
    (tmp_path / "fault.yaml").write_text(SCHEMA_LINE + FAULT_THEN_FAIL)
    done = shopctl(platform, "replay", str(tmp_path), f"--json={tmp_path / 'out.json'}")
    assert done.returncode == 1, done.stdout + done.stderr
    document = json.loads((tmp_path / "out.json").read_text())
    wrong = next(s for s in document["scenarios"] if s["name"] == "wrong-expectation")
    (order_id,) = wrong["orders"]
    assert wrong["outcome"] == "failed"
    assert wrong["failures"] == [
        {
            "step": "steps[2].expect",
            "line": 10,
            "expectation": "status",
            "expected": "PAYMENT_FAILED",
            "observed": "PAID",
            "orders": [order_id],
        }
    ]
    printed = done.stdout
    assert f"steps[2].expect: status: expected PAYMENT_FAILED, observed PAID (order {order_id})" in printed
    assert "steps[2].expect (line 10) — status" in printed
    assert f"orders created: {order_id}" in printed

    faulty = next(s for s in document["scenarios"] if s["name"] == "fault-then-fail")
    assert faulty["outcome"] == "failed"
    assert faulty["failures"][0]["step"] == "steps[0].fault.steps[1].expect"
    assert faulty["failures"][0]["observed"] == "1"
    rules = httpx.get(f"http://127.0.0.1:{platform.port('eventhubs', 'http')}/faults", timeout=5).json()[
        "rules"
    ]
    assert rules == [], "the fault rule must be removed although its block failed"


FIRES_AFTER_ITS_STEPS = """\
name: fires-after-its-steps
description: a must-fire rule on the order's payment outcome, whose steps end as soon as the order is placed
independent: false
steps:
  - fault:
      rules:
        - broker: servicebus
          entity: payment-events/Subscriptions/order-service
          operation: complete
          action: latency
          latency_ms: 1
      steps:
        - place: {customer: dee, items: [{query: most stock}]}
"""


def test_a_must_fire_rule_that_fires_after_its_steps_end_is_given_time(
    platform: LaunchedPlatform, tmp_path: Path
) -> None:
    """The steps end with the 201; the outcome is settled a saga later (hundreds of ms), within the grace.
    Judged at once, the rule would have fired never."""
    (tmp_path / "late.yaml").write_text(SCHEMA_LINE + FIRES_AFTER_ITS_STEPS)
    done = shopctl(platform, "replay", str(tmp_path), f"--json={tmp_path / 'out.json'}")
    assert done.returncode == 0, done.stdout + done.stderr
    (late,) = json.loads((tmp_path / "out.json").read_text())["scenarios"]
    assert late["outcome"] == "passed", late


INTERRUPTED = """\
name: interrupted
description: stopped by SIGTERM in the middle of a fault block
independent: false
steps:
  - fault:
      rules:
        - {broker: servicebus, entity: payment-requests, operation: send, action: error, must_fire: false}
      steps:
        - place: {customer: cy, items: [{query: most stock}]}
        - pause: 60
"""


def test_an_interrupted_run_removes_its_faults_and_reports_the_orders_it_created(
    platform: LaunchedPlatform, tmp_path: Path
) -> None:
    (tmp_path / "interrupted.yaml").write_text(SCHEMA_LINE + INTERRUPTED)
    replay = subprocess.Popen(
        [sys.executable, "-m", "shopctl", f"--state-dir={platform.state_dir}", "replay", str(tmp_path)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    admin = f"http://127.0.0.1:{platform.port('servicebus', 'http')}/faults"
    deadline = time.monotonic() + 30
    while not httpx.get(admin, timeout=5).json()["rules"] and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)  # the order is placed
    replay.send_signal(signal.SIGTERM)
    printed, _ = replay.communicate(timeout=60)
    assert replay.returncode == 1, printed
    assert "interrupted during steps[0].fault.steps[1].pause" in printed
    assert re.search(r"orders created: [0-9a-f-]{36}", printed), printed
    assert httpx.get(admin, timeout=5).json()["rules"] == []


SESSION = """\
name: short-session
description: a short shopping session to record
steps:
  - id: paid
    place: {customer: {label: ann, phone: generated}, items: [{query: most stock, quantity: 2}]}
  - id: declined
    place: {customer: ben, items: [{query: cheapest in stock}], card: declined}
  - id: shipped
    place: {customer: ann, items: [{query: first in stock}]}
  - wait_for: {status: settled}
  - fulfil: {order: "${steps.shipped.orders[0]}"}
  - expect:
      order: ${steps.paid.orders[0]}
      notifications: {emails: {PENDING_PAYMENT: 1, PAID: 1}, sms: {PAID: 1}}
  - expect:
      order: ${steps.shipped.orders[0]}
      notifications:
        emails: {PENDING_PAYMENT: 1, PAID: 1, FULFILLED: 1}
        sms: {PAID: 1, FULFILLED: 1}
        settle: 0
"""


def test_a_recorded_session_replays_green(platform: LaunchedPlatform, tmp_path: Path) -> None:
    since = datetime.now(UTC).isoformat()
    (tmp_path / "session.yaml").write_text(SCHEMA_LINE + SESSION)
    session = shopctl(platform, "replay", str(tmp_path / "session.yaml"))
    assert session.returncode == 0, session.stdout + session.stderr

    out = tmp_path / "recorded" / "session.yaml"
    recorded = shopctl(platform, "record", f"--since={since}", f"--out={out}", "--name=recorded-session")
    assert recorded.returncode == 0, recorded.stdout + recorded.stderr
    assert "recorded 3 order(s)" in recorded.stdout
    scenario = load_file(out).scenario
    assert scenario.name == "recorded-session"
    document = yaml.safe_load(out.read_text())
    places = [step["place"] for step in document["steps"] if "place" in step]
    assert [p["card"] for p in places] == ["success", "declined", "success"]
    assert places[0]["customer"] == {"label": "customer-1", "name": "QA Tester", "phone": "generated"}
    assert places[2]["customer"]["label"] == "customer-1"  # ann, twice
    expects = [step["expect"] for step in document["steps"] if "expect" in step]
    assert [e["status"] for e in expects] == ["PAID", "PAYMENT_FAILED", "FULFILLED"]
    assert expects[2]["notifications"] == {
        "emails": {"FULFILLED": 1, "PAID": 1, "PENDING_PAYMENT": 1},
        "sms": {"FULFILLED": 1, "PAID": 1},
    }

    replayed = shopctl(platform, "replay", str(out))
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "PASS  recorded-session" in replayed.stdout
