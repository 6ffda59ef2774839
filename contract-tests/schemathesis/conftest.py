"""The platform and the schemathesis runner for the tests of this folder (README.md).

One launch of product, order, payment and notification (with what they depend on, each on a free port)
serves every test of the module. Each test runs the schemathesis CLI against the OpenAPI document one
running service serves, with ``schemathesis.toml`` (checks, generation) and ``shop_checks.py`` (our own
check) as hooks. The budget is the bounded one of ``make test`` unless run.sh sets ``SHOP_SCHEMATHESIS_*``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import subprocess
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from shopctl.testing import LaunchedPlatform, launched

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BIN = REPO / ".venv" / "bin"
CONFIG_FILE = HERE / "schemathesis.toml"
SERVICES = ("product", "order", "payment", "notification")
# Started besides the services: the worker charges the order placed for the runs (known_order).
HELPERS = ("payment-worker",)
# A subset while working on one service, e.g. SHOP_SCHEMATHESIS_SERVICES=product,payment (the others skip).
SELECTED = tuple(
    name for name in os.environ.get("SHOP_SCHEMATHESIS_SERVICES", ",".join(SERVICES)).split(",") if name
)


@dataclass(frozen=True)
class Budget:
    """The bounded gate (few examples, derandomised: the same requests on every run), or run.sh's long run
    (``SHOP_SCHEMATHESIS_MAX_EXAMPLES``, a fresh seed unless ``SHOP_SCHEMATHESIS_SEED`` names one)."""

    max_examples: int | None
    seed: int | None
    stateful_steps: int

    @classmethod
    def from_environment(cls) -> Budget:
        max_examples = os.environ.get("SHOP_SCHEMATHESIS_MAX_EXAMPLES")
        if not max_examples:
            return cls(max_examples=None, seed=None, stateful_steps=6)
        seed = os.environ.get("SHOP_SCHEMATHESIS_SEED") or str(random.getrandbits(32))
        steps = os.environ.get("SHOP_SCHEMATHESIS_STATEFUL_STEPS") or "20"
        return cls(max_examples=int(max_examples), seed=int(seed), stateful_steps=int(steps))

    @property
    def bounded(self) -> bool:
        return self.max_examples is None

    def options(self) -> list[str]:
        if self.bounded:
            # max-examples from schemathesis.toml; Hypothesis derandomised.
            return ["--generation-deterministic"]
        return ["--max-examples", str(self.max_examples), "--seed", str(self.seed)]


@dataclass(frozen=True)
class RunResult:
    name: str
    command: list[str]
    returncode: int
    output: str

    def __str__(self) -> str:
        return f"schemathesis run '{self.name}' exited with {self.returncode}:\n{self.output}"


class Schemathesis:
    """Runs ``schemathesis run`` against one running service's document."""

    def __init__(self, platform: LaunchedPlatform, budget: Budget, workdir: Path) -> None:
        self.platform = platform
        self.budget = budget
        self.workdir = workdir
        self.reports: list[tuple[str, Path]] = []

    def run(
        self,
        name: str,
        service: str,
        *options: str,
        token: str | None = None,
        known_values: dict[str, list[str]] | None = None,
    ) -> RunResult:
        """``known_values``: parameter (``path.order_id``) → values that exist, drawn for that parameter
        half of the time, so that some requests reach real data instead of 404."""
        if service not in SELECTED:
            pytest.skip(f"{service} is not in SHOP_SCHEMATHESIS_SERVICES")
        host = self.platform.component(service).host
        url = f"http://{host}:{self.platform.port(service, 'http')}/openapi.json"
        report = self.workdir / f"{name}.xml"
        command = [
            str(BIN / "schemathesis"),
            "--no-color",
            "--config-file",
            str(self._config(name, known_values or {})),
            "run",
            url,
            *self.budget.options(),
            "--report",
            "junit",
            "--report-junit-path",
            str(report),
            *options,
        ]
        if token is not None:
            command += ["--header", f"Authorization: Bearer {token}"]
        self.reports.append((name, report))
        pythonpath = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))
        completed = subprocess.run(
            command,
            env={**os.environ, "SCHEMATHESIS_HOOKS": "shop_checks", "PYTHONPATH": pythonpath},
            cwd=self.workdir,
            capture_output=True,
            text=True,
            check=False,
        )
        return RunResult(name, command, completed.returncode, completed.stdout + completed.stderr)

    def _config(self, name: str, known_values: dict[str, list[str]]) -> Path:
        """schemathesis.toml plus this run's own tables (TOML allows no table twice: the base file has
        neither of these)."""
        lines = [CONFIG_FILE.read_text(), "[phases.stateful]", f"max-steps = {self.budget.stateful_steps}"]
        if known_values:
            lines.append("[parameters]")
        for index, parameter in enumerate(known_values):
            lines.append(f'"{parameter}" = {{ dictionary = "known{index}", probability = 0.5 }}')
        for index, values in enumerate(known_values.values()):
            lines += [f"[dictionaries.known{index}]", f"values = {json.dumps(values)}"]
        config = self.workdir / f"{name}.toml"
        config.write_text("\n".join(lines) + "\n")
        return config

    def write_junit(self, path: Path) -> None:
        """One JUnit XML of every run: each run's own report as a ``testsuite`` named after the run."""
        suites = ET.Element("testsuites", name="schemathesis")
        for name, report in self.reports:
            if not report.exists():
                suite = ET.SubElement(suites, "testsuite", name=name, tests="1", errors="1", failures="0")
                case = ET.SubElement(suite, "testcase", name=name, classname=name)
                ET.SubElement(case, "error", message="schemathesis wrote no report (see the test's output)")
                continue
            root = ET.parse(report).getroot()
            for suite in [root] if root.tag == "testsuite" else root.iter("testsuite"):
                suite.set("name", name)
                for case in suite.iter("testcase"):
                    case.set("classname", name)
                suites.append(suite)
        for key in ("tests", "failures", "errors", "skipped"):
            suites.set(key, str(sum(int(suite.get(key, "0")) for suite in suites)))
        path.parent.mkdir(parents=True, exist_ok=True)
        ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)


def dev_token(platform: LaunchedPlatform, service: str) -> str:
    """An admin token from the service's own ``<service>-dev-token`` (``servicekit.auth.mint_dev_token``
    with the service's issuer, audience and admin role), signed with the development key the platform
    gives the service (``harness/platform.yaml``)."""
    result = subprocess.run(
        # A day: long runs outlast the default hour.
        [str(BIN / f"{service}-dev-token"), "--subject", "schemathesis", "--lifetime", "86400"],
        env={**os.environ, **platform.env(service)},
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return result.stdout.strip()


@pytest.fixture(scope="module")
def platform() -> Iterator[LaunchedPlatform]:
    with launched(*SELECTED, *HELPERS) as running:
        yield running


def _base(platform: LaunchedPlatform, service: str) -> str:
    return f"http://{platform.component(service).host}:{platform.port(service, 'http')}"


def _wait_for(url: str, ready: Callable[[httpx.Response], bool], within: float = 45.0) -> None:
    deadline = time.monotonic() + within
    while True:
        response = httpx.get(url, timeout=5)
        if ready(response):
            return
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{url} never got there; last answer {response.status_code}: {response.text}"
            )
        time.sleep(0.25)


@pytest.fixture(scope="module")
def known_order(platform: LaunchedPlatform) -> str:
    """An order placed through the order API and carried through the saga by the real services: charged
    by the payment worker (a payment row) and told to the customer (notification log entries). Its id
    gives the payment and notification runs data to read, besides the 404s of made-up ids."""
    if not {"product", "order", "payment", "notification"} <= set(SELECTED):
        pytest.skip("needs product, order, payment and notification")
    product = httpx.get(
        f"{_base(platform, 'product')}/products", params={"inStock": "true", "limit": 1}
    ).json()
    order = httpx.post(
        f"{_base(platform, 'order')}/orders",
        headers={"Idempotency-Key": str(uuid.uuid4())},
        json={
            "customer": {"email": "ada@example.com", "name": "Ada Lovelace", "phone": "+447700900123"},
            "items": [{"productId": product["items"][0]["id"], "quantity": 1}],
            "paymentMethod": {"type": "card", "token": "4242424242424242"},
        },
        timeout=30,
    )
    assert order.status_code == 201, order.text
    order_id: str = order.json()["id"]
    _wait_for(f"{_base(platform, 'payment')}/payments/{order_id}", lambda r: r.status_code == 200)
    _wait_for(
        f"{_base(platform, 'notification')}/notifications?orderId={order_id}",
        lambda r: r.status_code == 200 and bool(r.json()["notifications"]),
    )
    return order_id


@pytest.fixture(scope="module")
def schemathesis_cli(
    platform: LaunchedPlatform, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Schemathesis]:
    budget = Budget.from_environment()
    if not budget.bounded:
        print(f"schemathesis: {budget.max_examples} examples per operation, seed {budget.seed}")
    runner = Schemathesis(platform, budget, tmp_path_factory.mktemp("schemathesis"))
    yield runner
    junit = os.environ.get("SHOP_SCHEMATHESIS_JUNIT")
    if junit:
        runner.write_junit(Path(junit))


@pytest.fixture(scope="module")
def admin_token(platform: LaunchedPlatform) -> dict[str, str]:
    return {
        service: dev_token(platform, service) for service in ("product", "payment") if service in SELECTED
    }


@pytest.fixture(scope="session")
def problem_failures() -> Callable[[int, str | None, Any], list[str]]:
    """``shop_checks.problem_failures``: the logic of the problem+json check, for its own tests."""
    spec = importlib.util.spec_from_file_location("shop_checks", HERE / "shop_checks.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    check: Callable[[int, str | None, Any], list[str]] = module.problem_failures
    return check
