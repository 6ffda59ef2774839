"""``product-service`` with ``PRODUCT_WORKERS=2``: a supervisor and two real server processes on one port,
against the real Cosmos DB server and Azurite."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from prometheus_client.parser import text_string_to_metric_families
from shopctl.ports import free_port

SCRIPT = Path(sys.executable).with_name("product-service")


def _workers(supervisor: subprocess.Popen[str]) -> list[psutil.Process]:
    return psutil.Process(supervisor.pid).children()


def _serving(supervisor: subprocess.Popen[str], port: int) -> int:
    """How many workers listen on the port (each listens once its server has started)."""
    return sum(
        any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in worker.net_connections("tcp"))
        for worker in _workers(supervisor)
    )


@pytest.fixture
def supervisor(settings_for, process_env) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    env = process_env(
        settings_for(),
        PRODUCT_HOST="127.0.0.1",
        PRODUCT_PORT=str(port),
        PRODUCT_WORKERS="2",
        PRODUCT_SEED_ON_START="true",
    )
    process = subprocess.Popen(
        [str(SCRIPT)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while _serving(process, port) < 2 or not _healthy(base):
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("product-service with two workers did not start")
            time.sleep(0.1)
        yield base, process
    finally:
        for child in psutil.Process(process.pid).children() if process.poll() is None else []:
            child.kill()
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/health", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def _log_lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_every_worker_answers_from_the_seeded_catalog_and_metrics_count_them_all(supervisor):
    base, process = supervisor
    # A new connection each time: the kernel hands each to whichever worker accepts first.
    pages = [httpx.get(f"{base}/products", params={"limit": 5}).json() for _ in range(30)]
    scrape = httpx.get(f"{base}/metrics").text

    assert len(_workers(process)) == 2
    assert all(len(page["items"]) == 5 for page in pages)  # no worker answers before the seed is in
    served = {
        sample.labels["status"]: sample.value
        for family in text_string_to_metric_families(scrape)
        for sample in family.samples
        if sample.name == "http_requests_total" and sample.labels["route"] == "/products"
    }
    assert served == {"200": 30}


def _connection_to_each_worker(base: str, process: subprocess.Popen[str]) -> list[http.client.HTTPConnection]:
    """A kept-alive connection served by each worker: the kernel picks the worker at accept, and each
    worker's accepted sockets name the client's port."""
    host, port = base.removeprefix("http://").split(":")
    by_worker: dict[int, http.client.HTTPConnection] = {}
    for _ in range(40):
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request("GET", "/health")
        connection.getresponse().read()
        client_port = connection.sock.getsockname()[1]
        owner = next(
            worker.pid
            for worker in _workers(process)
            for accepted in worker.net_connections("tcp")
            if accepted.raddr and accepted.raddr.port == client_port
        )
        if owner in by_worker:
            connection.close()
        else:
            by_worker[owner] = connection
        if len(by_worker) == 2:
            return list(by_worker.values())
    pytest.fail("40 connections all went to one worker")


def _call(connection: http.client.HTTPConnection, method: str, path: str, body: object = None) -> Any:
    payload = None if body is None else json.dumps(body)
    connection.request(method, path, body=payload, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    answer = json.loads(response.read())
    assert response.status < 300, answer
    return answer


def test_a_reservation_through_one_worker_shows_at_once_in_the_others_catalog(supervisor):
    base, process = supervisor
    one, other = _connection_to_each_worker(base, process)
    listed = _call(other, "GET", "/products?limit=1")["items"][0]
    before = _call(other, "GET", f"/products/{listed['id']}")  # now in the other worker's cache

    reservation = {"orderId": "across-workers", "items": [{"productId": listed["id"], "quantity": 2}]}
    _call(one, "POST", "/reservations", reservation)
    after = _call(other, "GET", f"/products/{listed['id']}")

    assert (after["stock"], after["reserved"]) == (before["stock"] - 2, before["reserved"] + 2)


def test_sigterm_to_the_supervisor_stops_every_worker_gracefully(supervisor):
    _, process = supervisor
    workers = _workers(process)
    metrics_dir = Path(workers[0].environ()["PROMETHEUS_MULTIPROC_DIR"])

    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=30)

    assert process.returncode == 0
    assert not any(worker.is_running() and worker.status() != psutil.STATUS_ZOMBIE for worker in workers)
    stopped = [line for line in _log_lines(out) if line["message"] == "product service stopped"]
    assert len(stopped) == 2
    assert not metrics_dir.exists()


def test_a_worker_that_dies_takes_the_service_down(supervisor):
    _, process = supervisor
    first, second = _workers(process)

    os.kill(first.pid, signal.SIGKILL)
    out, _ = process.communicate(timeout=30)

    assert process.returncode != 0
    assert not second.is_running() or second.status() == psutil.STATUS_ZOMBIE
    assert any(line["message"] == "product worker exited" for line in _log_lines(out))
