"""Health check against real HTTP servers on loopback: one per service, some made to fail."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from shopops.cli import main
from shopops.environments import DEFAULT_FILE

SERVICES = ("product", "order", "payment", "payment-worker", "notification", "frontend")


class Behaviour:
    """What a server answers: `ready_status` for /ready, and how many 429s come first."""

    def __init__(self) -> None:
        self.ready_status = 200
        self.throttle = 0
        self.hits: list[str] = []


def serve(behaviour: Behaviour) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            behaviour.hits.append(self.path)
            if behaviour.throttle > 0:
                behaviour.throttle -= 1
                self.send_response(429)
                self.send_header("Retry-After", "1")
                self.end_headers()
                return
            status = behaviour.ready_status if self.path == "/ready" else 200
            body = {
                "status": "ok" if status == 200 else "unavailable",
                "checks": {} if status == 200 else {"database": {"status": "unavailable"}},
            }
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


@pytest.fixture
def environment(
    tmp_path: Path,
) -> Iterator[tuple[Path, dict[str, Behaviour], dict[str, ThreadingHTTPServer]]]:
    behaviours = {service: Behaviour() for service in SERVICES}
    servers = {service: serve(behaviours[service]) for service in SERVICES}
    config = yaml.safe_load(DEFAULT_FILE.read_text())
    config["environments"]["dev"]["urls"] = {
        service: f"http://127.0.0.1:{server.server_address[1]}" for service, server in servers.items()
    }
    path = tmp_path / "environments.yaml"
    path.write_text(yaml.safe_dump(config))
    yield path, behaviours, servers
    for server in servers.values():
        server.shutdown()
        server.server_close()


def run(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(["--environments", str(path), "health", "--env", "dev", "--attempts", "2", "--backoff", "0.05"])
    out, err = capsys.readouterr()
    return int(str(exited.value.code)), out, err


def test_every_service_healthy_prints_the_table_and_exits_zero(environment, capsys) -> None:  # type: ignore[no-untyped-def]
    path, behaviours, _ = environment
    code, out, _ = run(path, capsys)

    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["service", "check", "result", "status", "attempts", "detail"]
    assert len(lines) == 1 + 11  # frontend has no /ready
    assert all(line.split()[2] == "ok" for line in lines[1:])
    # The checks run side by side (a thread pool), so the two arrive in either order.
    assert sorted(behaviours["payment-worker"].hits) == ["/health", "/ready"]


def test_a_stopped_service_fails_the_check_naming_it(environment, capsys) -> None:  # type: ignore[no-untyped-def]
    path, _, servers = environment
    servers["order"].shutdown()
    servers["order"].server_close()

    code, out, err = run(path, capsys)

    assert code == 1
    assert err.strip() == "health check of dev failed: order /health, order /ready"
    order_rows = [line for line in out.splitlines() if line.startswith("order ")]
    assert all("FAIL" in row and "ConnectError" in row and " 2 " in row for row in order_rows)


def test_a_service_not_ready_fails_naming_the_dependency(environment, capsys) -> None:  # type: ignore[no-untyped-def]
    path, behaviours, _ = environment
    behaviours["notification"].ready_status = 503

    code, out, err = run(path, capsys)

    assert code == 1
    assert "notification /ready" in err
    assert "notification /health" not in err
    assert "HTTP 503 unavailable database" in out


def test_a_throttled_service_is_retried_after_retry_after(environment, capsys) -> None:  # type: ignore[no-untyped-def]
    path, behaviours, _ = environment
    behaviours["product"].throttle = 1
    started = time.monotonic()

    code, out, _ = run(path, capsys)

    assert time.monotonic() - started >= 1.0  # Retry-After: 1, not the 0.05 s backoff
    assert code == 0
    # /health and /ready run side by side: whichever reached the server first got the 429.
    product_rows = [line.split() for line in out.splitlines() if line.startswith("product ")]
    assert sorted(row[2:5] for row in product_rows) == [["ok", "200", "1"], ["ok", "200", "2"]]
    assert len(behaviours["product"].hits) == 3
