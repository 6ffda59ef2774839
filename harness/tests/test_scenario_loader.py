"""A scenario that does not load is refused before anything is sent, naming file, line and path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from shopctl.scenarios import refs
from shopctl.scenarios.model import InvalidScenarioError, load_all, load_file

GOOD = """\
# yaml-language-server: $schema=schema/scenario.schema.json
name: good
description: a valid scenario
products:
  widget: {create: {stock: 3}}
steps:
  - id: buy
    place:
      customer: ada
      items: [{product: widget, quantity: 2}]
  - wait_for: {order: "${steps.buy.orders[0]}", status: PAID}
  - expect: {status: PAID, stock: {widget: {delta: -2}}}
"""


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def issues(path: Path) -> list[str]:
    with pytest.raises(InvalidScenarioError) as caught:
        load_file(path)
    return [str(issue) for issue in caught.value.issues]


def test_a_valid_scenario_loads(tmp_path: Path) -> None:
    loaded = load_file(write(tmp_path, GOOD))
    assert loaded.name == "good"
    assert loaded.line(("steps", 1)) == 11


def test_a_bad_value_is_named_by_file_line_and_path(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("quantity: 2", 'quantity: "two"'))
    assert issues(path) == [
        f"{path}:10: steps[0].place.items[0].quantity: Input should be a valid integer; "
        "or String should match pattern '^\\$\\{[^}]+\\}$'"
    ]


def test_every_problem_of_a_file_is_listed_with_its_line(tmp_path: Path) -> None:
    text = GOOD.replace("customer: ada", "customer: {label: ada, phon: x}").replace(
        "status: PAID}\n  - expect", "status: PAYED}\n  - expect"
    )
    path = write(tmp_path, text + "  - {}\n")
    found = issues(path)
    assert f"{path}:9: steps[0].place.customer.phon: unknown field `phon`" in found
    assert any(
        line.startswith(f"{path}:11: steps[1].wait_for.status: Input should be 'PENDING_PAYMENT'")
        for line in found
    )
    assert (
        f"{path}:13: steps[3]: a step needs exactly one of: "
        "place, repeat, wait_for, cancel, fulfil, pause, fault, suspend, expect" in found
    )


def test_missing_fields_name_what_is_missing(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("description: a valid scenario\n", ""))
    assert issues(path) == [f"{path}:2: missing `description`"]  # the mapping starts on line 2


def test_yaml_syntax_errors_and_repeated_keys_give_the_line(tmp_path: Path) -> None:
    broken = write(tmp_path, GOOD.replace("customer: ada", "customer: [ada"), "broken.yaml")
    assert issues(broken)[0].startswith(f"{broken}:10: not valid YAML")
    repeated = write(
        tmp_path,
        GOOD.replace("      customer: ada\n", "      customer: ada\n      customer: bob\n"),
        "r.yaml",
    )
    assert issues(repeated) == [f"{repeated}:10: steps[0].place: key 'customer' repeats line 9"]


def test_references_must_name_something_that_exists_earlier(tmp_path: Path) -> None:
    text = GOOD.replace("${steps.buy.orders[0]}", "${steps.later.orders[0]}").replace(
        "stock: {widget: {delta: -2}}", "stock: {gadget: {delta: -2}}, order: '${i}'"
    )
    path = write(tmp_path, text)
    assert issues(path) == [
        f"{path}:11: steps[1].wait_for.order: ${{steps.later.orders[0]}}: no earlier step has id 'later'",
        f"{path}:12: steps[2].expect.order: ${{i}}: `i` exists only inside `repeat`",
        f"{path}:12: steps[2].expect.stock.gadget: no product named 'gadget' in `products` (known: widget)",
    ]


def test_a_fault_step_needs_a_scenario_that_runs_alone(tmp_path: Path) -> None:
    text = GOOD.replace(
        "  - wait_for:",
        "  - fault:\n"
        "      rules: [{broker: servicebus, entity: payment-requests, operation: send, action: error}]\n"
        "      steps: [{pause: 1}]\n"
        "  - wait_for:",
    )
    path = write(tmp_path, text)
    assert issues(path) == [
        f"{path}:11: steps[1].fault: a fault step changes the platform for every scenario running alongside: "
        "set `independent: false` on the scenario"
    ]
    assert load_file(write(tmp_path, text.replace("products:", "independent: false\nproducts:")))


def test_two_files_may_not_share_a_scenario_name(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD, "b.yaml")
    with pytest.raises(InvalidScenarioError) as caught:
        load_all([tmp_path])
    assert [str(i) for i in caught.value.issues] == [
        f"{tmp_path / 'b.yaml'}:2: name: 'good' is also {tmp_path / 'a.yaml'}'s name"
    ]


def test_replay_refuses_a_bad_scenario_before_it_contacts_the_target(tmp_path: Path) -> None:
    good = write(tmp_path, GOOD, "good.yaml")
    bad = write(
        tmp_path, GOOD.replace("name: good", "name: bad").replace("quantity: 2", "quantity: -x"), "bad.yaml"
    )
    target = write(
        tmp_path,
        "PRODUCT_URL=http://127.0.0.1:9\nORDER_URL=http://127.0.0.1:9\nPAYMENT_URL=http://127.0.0.1:9\n",
        "t.env",
    )
    done = subprocess.run(
        [sys.executable, "-m", "shopctl", "replay", str(good), str(bad), "--target", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert f"{bad}:10: steps[0].place.items[0].quantity" in done.stderr
    assert "nothing was sent" in done.stderr
    assert "unreachable" not in done.stderr


def test_references_resolve_paths_and_keep_whole_values() -> None:
    scope = {"steps": {"buy": {"orders": [{"id": "o-1", "total": {"value": "5.00"}}, {"id": "o-2"}]}}, "i": 3}
    assert refs.parse("steps.buy.orders[-1].id") == ["steps", "buy", "orders", -1, "id"]
    assert refs.evaluate("${steps.buy.orders[-1].id}", scope) == "o-2"
    assert refs.evaluate("${steps.buy.orders}", scope) == scope["steps"]["buy"]["orders"]  # type: ignore[index]
    assert refs.evaluate("buyer-${i} paid ${steps.buy.orders[0].total.value}", scope) == "buyer-3 paid 5.00"
    assert refs.evaluate("${steps.buy.orders[0]}!", scope) == "o-1!"
    with pytest.raises(refs.RefError, match=r"steps.buy.orders has 2 item\(s\); there is no \[5\]"):
        refs.evaluate("${steps.buy.orders[5]}", scope)
    with pytest.raises(refs.RefError, match="cannot read"):
        refs.parse("steps..buy")
