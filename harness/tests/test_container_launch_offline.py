"""The parts of the container launcher that need no Docker engine: the view the tests get (Docker host and
mapped ports) and the readiness rule, checked against real sockets and a real HTTP server."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from shopctl.containers.launch import _answers, _host_view
from shopctl.containers.spec import ContainerSpec, ReadyCheck
from shopctl.workspace import Workspace

REPO_PLATFORM = Path(__file__).resolve().parents[2] / "harness" / "platform.yaml"


def test_tests_see_the_docker_host_and_the_mapped_ports(tmp_path: Path) -> None:
    workspace = Workspace.open(REPO_PLATFORM, state_dir=str(tmp_path))
    mapped = {"azurite": {"blob": 32768, "queue": 32769, "table": 32770}, "cosmos": {"http": 32771}}
    mapped["product"] = {"http": 32772}
    view = {c.name: c for c in _host_view(workspace, ["product"], "192.0.2.7", mapped)}
    assert view["product"].urls["api"] == "http://192.0.2.7:32772/products"
    assert view["product"].env["PRODUCT_COSMOS_ENDPOINT"] == "http://192.0.2.7:32771/"
    assert view["azurite"].ports == {"blob": 32768, "queue": 32769, "table": 32770}


def _spec(ready: ReadyCheck) -> ContainerSpec:
    return ContainerSpec("x", "contoso-shop/x", {}, {"http": 1}, (), ready, uses_state_dir=False)


class _Status(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(503 if self.path == "/ready-not" else 403 if self.path == "/forbidden" else 200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_port() -> Iterator[int]:
    server = HTTPServer(("127.0.0.1", 0), _Status)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("path", "ready"), [("/ready", True), ("/forbidden", True), ("/ready-not", False)])
def test_http_answer_below_500_is_ready(http_port: int, path: str, ready: bool) -> None:
    spec = _spec(ReadyCheck(http_port="http", path=path, tcp_ports=()))
    assert _answers(spec, "127.0.0.1", {"http": http_port}) is ready


def test_tcp_readiness_needs_every_named_port(http_port: int) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        unused = closed.getsockname()[1]
    spec = _spec(ReadyCheck(http_port=None, path="", tcp_ports=("a", "b")))
    assert _answers(spec, "127.0.0.1", {"a": http_port, "b": http_port})
    assert not _answers(spec, "127.0.0.1", {"a": http_port, "b": unused})
