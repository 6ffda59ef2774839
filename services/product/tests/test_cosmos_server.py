"""The local Cosmos DB server as the platform runs it (scripts/cosmos-server.mjs): the npm package's server
with HTTP keep-alive, so that the service's Cosmos DB calls reuse their connections."""

from __future__ import annotations

import http.client
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from shopctl.ports import free_port
from shopctl.testing import LaunchedPlatform

REPO = Path(__file__).resolve().parents[3]
LAUNCHER = ["node", "scripts/cosmos-server.mjs"]
PACKAGE_COMMAND = ["node_modules/.bin/cosmosdb-server", "--no-ssl"]


@contextmanager
def cosmos_server(command: list[str]) -> Iterator[tuple[subprocess.Popen[str], int]]:
    port = free_port()
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert "Ready to accept HTTP" in process.stdout.readline()
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def two_requests_on_one_connection(port: int) -> tuple[bool, bool]:
    """Whether the server let the connection live after the first answer, and whether the second request
    went over that same socket."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/")
        first = connection.getresponse()
        first.read()
        socket_after_first = connection.sock
        connection.request("GET", "/")
        second = connection.getresponse()
        second.read()
        assert first.status == second.status == 200
        return not first.will_close, socket_after_first is not None and connection.sock is socket_after_first
    finally:
        connection.close()


def test_platform_cosmos_server_keeps_connections_alive(platform: LaunchedPlatform) -> None:
    assert two_requests_on_one_connection(platform.port("cosmos")) == (True, True)


def test_package_command_alone_closes_every_connection() -> None:
    # Why the launcher exists; this also shows the check above can tell the two apart.
    with cosmos_server(PACKAGE_COMMAND) as (_, port):
        assert two_requests_on_one_connection(port) == (False, False)


def test_sigterm_stops_it_with_status_0_even_with_an_idle_connection_open() -> None:
    with cosmos_server(LAUNCHER) as (process, port):
        idle = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        idle.request("GET", "/")
        idle.getresponse().read()

        process.send_signal(signal.SIGTERM)

        assert process.wait(timeout=5) == 0
        idle.close()


def test_launcher_refuses_a_port_that_is_not_a_number() -> None:
    result = subprocess.run(
        [*LAUNCHER, "--port", "eighty"], cwd=REPO, capture_output=True, text=True, timeout=10, check=False
    )

    assert result.returncode == 2
    assert "usage: cosmos-server.mjs" in result.stderr
