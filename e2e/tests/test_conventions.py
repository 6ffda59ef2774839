"""Every service keeps docs/conventions.md: its log lines, its /metrics and its /health and /ready answers.

The services run as `make up` runs them (harness/platform.yaml, free ports, once for this module); each
gets a few requests, one of them with a ``traceparent``, and then each check runs per service, so that a
failure names the service that drifted.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families
from shopctl.errors import ComponentFailedError
from shopctl.testing import LaunchedPlatform, launched

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Service:
    name: str  # the component in harness/platform.yaml, and the `service` field of its log lines
    prefix: str  # of its own metrics
    path: str  # requested with a traceparent: a parametrized route where the service has one
    raw_id: str | None = None  # the id in `path`, which must never become a route label


SERVICES = [
    Service("product", "product_", "/products/conventions-missing-1", "conventions-missing-1"),
    Service("order", "order_", f"/orders/{uuid.UUID(int=7)}", str(uuid.UUID(int=7))),
    Service("payment", "payment_", "/payments/ord_conventions_missing", "ord_conventions_missing"),
    # The worker serves only /health, /ready and /metrics: its traced request is one no route serves.
    Service("payment-worker", "payment_", "/conventions/no-such-path"),
    Service("notification", "notification_", "/notifications?orderId=ord_conventions"),
]
BY_NAME = {service.name: service for service in SERVICES}

LEVELS = {"debug", "info", "warning", "error", "critical"}
RFC3339_MS_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
TRACE_ID, SPAN_ID = re.compile(r"^[0-9a-f]{32}$"), re.compile(r"^[0-9a-f]{16}$")
RED_LABELS = {"method", "route", "status"}
BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, float("inf")]
RUNTIME_PREFIXES = ("process_", "python_", "nodejs_")
UNMATCHED_PATH = "/conventions/no-such-path"

CHECK = {
    "type": "object",
    "required": ["status"],
    "additionalProperties": False,
    "properties": {"status": {"enum": ["ok", "unavailable"]}, "error": {"type": "string", "minLength": 1}},
    "if": {"properties": {"status": {"const": "unavailable"}}},
    "then": {"required": ["error"]},
    "else": {"not": {"required": ["error"]}},
}
HEALTH_SCHEMA = {
    "type": "object",
    "required": ["status", "checks"],
    "additionalProperties": False,
    "properties": {
        "status": {"enum": ["ok", "unavailable"]},
        "checks": {
            "type": "object",
            "propertyNames": {"pattern": "^[a-z][a-zA-Z0-9]*$"},
            "additionalProperties": CHECK,
        },
    },
}


@dataclass
class Shop:
    platform: LaunchedPlatform
    not_started: dict[str, str]  # service -> why it did not start
    traces: dict[str, tuple[str, str]] = field(default_factory=dict)  # service -> (trace id, parent span)

    def url(self, service: str) -> str:
        if service in self.not_started:
            pytest.fail(f"{service} did not start:\n{self.not_started[service]}")
        return f"http://127.0.0.1:{self.platform.port(service, 'http')}"

    def log_lines(self, service: str) -> list[str]:
        return self.platform.component(service).log_file.read_text().splitlines()


def _depends_on(names: set[str]) -> dict[str, set[str]]:
    """Per component, every component it needs, directly or not."""
    components = yaml.safe_load((REPO / "harness" / "platform.yaml").read_text())["components"]

    def closure(name: str) -> set[str]:
        direct = set(components[name].get("depends_on", []))
        return direct.union(*(closure(dep) for dep in direct))

    return {name: closure(name) for name in names}


@contextlib.contextmanager
def _platform() -> Iterator[Shop]:
    """Every service; one that cannot start is left out (with those that need it), so that the others are
    still checked and its own tests fail with its log."""
    wanted = [s.name for s in SERVICES]
    not_started: dict[str, str] = {}
    needs = _depends_on(set(wanted))
    while True:
        try:
            with launched(*wanted) as platform:
                yield Shop(platform, not_started)
                return
        except ComponentFailedError as error:
            if error.component not in wanted:
                raise
            for name in [n for n in wanted if n == error.component or error.component in needs[n]]:
                wanted.remove(name)
                not_started[name] = str(error)


def _send_requests(shop: Shop) -> None:
    """Per service: the traced request, a path no route serves, then /health, /ready and /metrics."""
    for service in SERVICES:
        if service.name in shop.not_started:
            continue
        trace_id, parent_span = secrets.token_hex(16), secrets.token_hex(8)
        shop.traces[service.name] = (trace_id, parent_span)
        with httpx.Client(base_url=shop.url(service.name), timeout=30) as http:
            http.get(service.path, headers={"traceparent": f"00-{trace_id}-{parent_span}-01"})
            for path in (UNMATCHED_PATH, "/health", "/ready", "/metrics"):
                http.get(path)


@pytest.fixture(scope="module")
def shop() -> Iterator[Shop]:
    with _platform() as running:
        _send_requests(running)
        yield running


services = pytest.mark.parametrize("service", [s.name for s in SERVICES])


def _entries(shop: Shop, service: str) -> list[dict[str, Any]]:
    shop.url(service)
    entries = []
    for number, line in enumerate(shop.log_lines(service), 1):
        try:
            entry = json.loads(line)
        except ValueError:
            pytest.fail(f"{service}'s log line {number} is not JSON: {line!r}")
        assert isinstance(entry, dict), f"{service}'s log line {number} is not a JSON object: {line!r}"
        entries.append(entry)
    return entries


@services
def test_log_lines_are_json_objects_in_the_conventions_shape(shop: Shop, service: str) -> None:
    entries = _entries(shop, service)

    assert entries, f"{service} logged nothing"
    for entry in entries:
        where = f"{service} logged {entry}"
        for name in ("time", "level", "service", "message"):
            assert type(entry.get(name)) is str, f"{where}: `{name}` is not a string"
        assert RFC3339_MS_UTC.match(entry["time"]), f"{where}: `time` is not RFC 3339 UTC with ms and Z"
        assert entry["level"] in LEVELS, f"{where}: `level` is not one of {sorted(LEVELS)}"
        assert entry["service"] == service, f"{where}: `service` is not the component name {service!r}"
        assert ("trace_id" in entry) == ("span_id" in entry), f"{where}: `trace_id` and `span_id` go together"
        if "trace_id" in entry:
            assert TRACE_ID.match(str(entry["trace_id"])), f"{where}: `trace_id` is not 32 lower-case hex"
            assert SPAN_ID.match(str(entry["span_id"])), f"{where}: `span_id` is not 16 lower-case hex"
        for optional in ("logger", "exception"):
            assert type(entry.get(optional, "")) is str, f"{where}: `{optional}` is not a string"


@services
def test_lines_of_a_traced_request_carry_its_trace_id_and_the_services_span(shop: Shop, service: str) -> None:
    shop.url(service)
    trace_id, parent_span = shop.traces[service]
    deadline = time.monotonic() + 5  # a logger may flush asynchronously (pino)
    while not (traced := [e for e in _entries(shop, service) if e.get("trace_id") == trace_id]):
        assert time.monotonic() < deadline, f"{service} logged no line with the request's trace id {trace_id}"
        time.sleep(0.2)

    for entry in traced:
        assert SPAN_ID.match(str(entry.get("span_id"))), f"{service} logged {entry}: no 16-hex `span_id`"
        assert entry["span_id"] != parent_span, f"{service} logged {entry}: the caller's span, not its own"


@services
def test_metrics_are_the_red_metrics_and_the_services_own(shop: Shop, service: str) -> None:
    response = httpx.get(f"{shop.url(service)}/metrics", timeout=30)
    families = {family.name: family for family in text_string_to_metric_families(response.text)}
    types = {name: family.type for name, family in families.items()}
    samples = [sample for family in families.values() for sample in family.samples]
    spec = BY_NAME[service]

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    requests = [s for s in samples if s.name == "http_requests_total"]
    assert requests, f"{service} has no http_requests_total"
    assert types.get("http_requests") == "counter", f"{service}: http_requests_total is not a counter"
    duration = [s for s in samples if s.name.startswith("http_request_duration_seconds_")]
    assert duration, f"{service} has no http_request_duration_seconds"
    assert types.get("http_request_duration_seconds") == "histogram", f"{service}: duration not a histogram"
    for sample in requests + duration:
        labels = set(sample.labels) - ({"le"} if sample.name.endswith("_bucket") else set())
        assert labels == RED_LABELS, f"{service}: {sample.name} has labels {sorted(sample.labels)}"
        assert sample.labels["method"].isupper(), f"{service}: method {sample.labels['method']!r}"
        assert sample.labels["status"].isdigit(), f"{service}: status {sample.labels['status']!r}"
        assert spec.raw_id is None or spec.raw_id not in sample.labels["route"], f"{service}: raw path label"
    buckets = sorted({float(s.labels["le"]) for s in duration if s.name.endswith("_bucket")})
    assert buckets == BUCKETS, f"{service}: buckets {buckets}"

    counted = {(s.labels["route"], s.labels["status"]) for s in requests}
    for route in ("/health", "/ready", "/metrics"):
        assert (route, "200") in counted, f"{service} did not count GET {route}: {sorted(counted)}"
    assert ("unmatched", "404") in counted, f"{service}: GET {UNMATCHED_PATH} not counted as `unmatched`"
    if spec.raw_id is not None:
        path = spec.path.split("?")[0]
        templates = {route for route, _ in counted if "{" in route}
        assert any(re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", t), path) for t in templates), (
            f"{service}: GET {path} is not counted under a route template: {sorted(counted)}"
        )

    for name, family in families.items():
        if name in ("http_requests", "http_request_duration_seconds") or name.startswith(RUNTIME_PREFIXES):
            continue
        assert name.startswith(spec.prefix), f"{service}: metric {name} does not start with {spec.prefix}"
        if family.type == "counter":
            names = {sample.name for sample in family.samples}
            assert names <= {f"{name}_total"}, f"{service}: counter {name} does not end in _total"


@services
@pytest.mark.parametrize("path", ["/health", "/ready"])
def test_health_and_ready_answer_ok_in_the_conventions_shape(shop: Shop, service: str, path: str) -> None:
    response = httpx.get(f"{shop.url(service)}{path}", timeout=30)

    assert response.status_code == 200, f"{service} {path}: {response.status_code} {response.text}"
    assert response.headers["content-type"].split(";")[0].strip() == "application/json"
    body = response.json()
    jsonschema.validate(body, HEALTH_SCHEMA)
    assert body["status"] == "ok"
    assert all(check["status"] == "ok" for check in body["checks"].values())
    if path == "/health":
        assert body["checks"] == {}
    else:
        assert body["checks"], f"{service} /ready checks no dependency"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_ready_is_503_unavailable_naming_the_dependency_that_does_not_answer(
    shop: Shop, tmp_path: Path
) -> None:
    """A second payment worker whose Service Bus is a closed port: it serves, but is not ready."""
    shop.url("payment-worker")
    port, closed = _free_port(), _free_port()
    env = shop.platform.env("payment-worker")
    env["PAYMENT_WORKER_PORT"] = str(port)
    env["PAYMENT_SERVICEBUS_CONNECTION_STRING"] = (
        f"Endpoint=sb://127.0.0.1:{closed};SharedAccessKeyName=RootManageSharedAccessKey;"
        "SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;"
    )
    log_file = tmp_path / "payment-worker.log"
    with log_file.open("wb") as log:
        worker = subprocess.Popen(
            shop.platform.component("payment-worker").command,
            cwd=REPO,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert worker.poll() is None, log_file.read_text()
            with contextlib.suppress(httpx.TransportError):
                response = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=10)
                break
            assert time.monotonic() < deadline, log_file.read_text()
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()

    assert response.status_code == 503, response.text
    assert response.headers["content-type"].split(";")[0] == "application/json"
    body = response.json()
    jsonschema.validate(body, HEALTH_SCHEMA)
    assert body["status"] == "unavailable"
    assert body["checks"]["serviceBus"]["status"] == "unavailable"
    assert body["checks"]["serviceBus"]["error"]
    assert body["checks"]["tableStorage"] == {"status": "ok"}
    logged = [json.loads(line) for line in log_file.read_text().splitlines()]
    assert any(e["message"] == "readiness check failed" and e["level"] == "warning" for e in logged)
