"""A real ``product-service`` process on a free port, against the Cosmos DB server and Azurite started on
free ports (shopctl.testing), with the demo catalog seeded at start. Shared by the benchmarks."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

DEV_SIGNING_KEY = "bench-signing-key-for-local-runs-only-0123456789"


@dataclass(frozen=True)
class LocalProduct:
    url: str
    product_pid: int
    cosmos_pid: int
    signing_key: str


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("product-service exited during start")
        try:
            if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("product-service did not become ready")


def _pid_listening_on(port: int) -> int:
    """The launched child process serving ``port`` (the supervisor may have wrapped it in a shell)."""
    for child in psutil.Process().children(recursive=True):
        try:
            if any(c.laddr and c.laddr.port == port for c in child.net_connections(kind="tcp")):
                return child.pid
        except psutil.Error:
            continue
    raise SystemExit(f"no child process listens on port {port}")


@contextmanager
def local_product(
    platform_file: Path | None = None, product_src: Path | None = None
) -> Iterator[LocalProduct]:
    """``platform_file`` replaces harness/platform.yaml (another Cosmos DB server command, say);
    ``product_src`` runs the ``product_service`` package found there instead of the installed one."""
    from shopctl.emulator_accounts import COSMOS_EMULATOR_KEY
    from shopctl.ports import free_port
    from shopctl.testing import launched

    with launched("azurite", "cosmos", platform_file=platform_file) as platform:
        port = free_port()
        env = {
            **os.environ,
            "PRODUCT_ENVIRONMENT": "development",
            "PRODUCT_HOST": "127.0.0.1",
            "PRODUCT_PORT": str(port),
            "PRODUCT_COSMOS_ENDPOINT": platform.url("cosmos"),
            "PRODUCT_COSMOS_KEY": COSMOS_EMULATOR_KEY,
            "PRODUCT_COSMOS_ENABLE_ENDPOINT_DISCOVERY": "false",
            "PRODUCT_COSMOS_FORCE_CROSS_PARTITION_HEADER": "true",
            "PRODUCT_BLOB_CONNECTION_STRING": platform.azurite_connection_string("blob"),
            "PRODUCT_AUTH_MODE": "dev",
            "PRODUCT_AUTH_DEV_SIGNING_KEY": DEV_SIGNING_KEY,
            "PRODUCT_SEED_ON_START": "true",
        }
        if product_src is not None:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(product_src), env.get("PYTHONPATH")]))
        script = Path(sys.executable).with_name("product-service")
        process = subprocess.Popen([str(script)], env=env, stdout=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(url, process)
            yield LocalProduct(url, process.pid, _pid_listening_on(platform.port("cosmos")), DEV_SIGNING_KEY)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
