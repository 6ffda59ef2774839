"""What one payment costs the worker: ``.venv/bin/python services/payment/bench/bench_worker.py``.

Starts Azurite and the Service Bus emulator on free ports (``shopctl.testing.launched``) and the real
``payment-worker`` process with the platform's settings, its Table storage traffic passing through a
counting proxy. Then sends ``--payments`` PaymentRequested messages with the official SDK, paced at
``--rate`` per second (0: all at once), and reads every outcome from ``payment-events/order-service``.

With ``--traces`` the worker exports its spans over OTLP to the ``telemetry`` receiver (started too);
without, tracing is configured but records nothing, as on a platform run without it.

Prints, per payment: the worker's CPU milliseconds (user + system of its process), the ledger's HTTP round
trips (requests through the proxy), and the CPU milliseconds Azurite and the Service Bus emulator spent
(read from /proc; those include the bench's own sending and receiving, the same in every run). Then the
latency from a request sent to its outcome read, and how much of it the worker spent on the payment (its
``payment_processing_seconds``); the rest is waiting in the queue and the emulator's deliveries.
``--profile FILE`` records the worker with py-spy meanwhile, ``--profile-emulator FILE`` the Service Bus
emulator (flame graphs; ``--profile-format raw`` for collapsed stacks).

``--code-from DIR`` runs the worker and the emulators from another checkout's sources (their ``src``
folders first on ``PYTHONPATH``) with this checkout's bench and settings: ``git worktree add /tmp/base HEAD``
then ``--code-from /tmp/base`` measures the code before a change the same way, on the same machine.
Figures only; nothing is asserted. The bench shares the machine with what it measures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import yaml
from azure.servicebus import ServiceBusMessage
from azure.servicebus.aio import ServiceBusClient
from shopctl.ports import free_port, listener_pid
from shopctl.testing import LaunchedPlatform, launched

REPO = Path(__file__).resolve().parents[3]
CONTRACTS = REPO / "contract-tests" / "messages"
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
SEND_BATCH = 50
# The sources a checkout's worker and emulators run from (``--code-from``).
CODE_DIRS = (
    "services/payment/src",
    "libs/servicekit/src",
    "emulators/amqp/src",
    "emulators/servicebus/src",
    "emulators/common/src",
)


class CountingProxy:
    """A TCP relay to Table storage that counts the HTTP requests passing through it.

    Only the client-to-server stream is parsed (request heads and their Content-Length bodies, which is
    all the Table SDK sends); answers are relayed untouched.
    """

    def __init__(self, upstream_port: int) -> None:
        self._upstream_port = upstream_port
        self.requests = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self._upstream_port)
        answers = asyncio.create_task(self._relay(upstream_reader, client_writer))
        try:
            while True:
                head = await client_reader.readuntil(b"\r\n\r\n")
                self.requests += 1
                body = await client_reader.readexactly(_content_length(head))
                upstream_writer.write(head + body)
                await upstream_writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            upstream_writer.close()
            await asyncio.gather(answers, return_exceptions=True)
            client_writer.close()

    @staticmethod
    async def _relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while chunk := await reader.read(65536):
                writer.write(chunk)
                await writer.drain()


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


def cpu_seconds(pid: int) -> tuple[float, float]:
    """The process's CPU seconds so far (from /proc/<pid>/stat): user + system, and system alone."""
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system), float(times.system)


def listening(port: int) -> int:
    """The process listening on a local TCP port (the emulators' processes belong to shopctl)."""
    pid = listener_pid(port)
    if pid is None:
        raise SystemExit(f"nothing listens on port {port}")
    return pid


def payment_requested() -> dict[str, Any]:
    envelope: dict[str, Any] = json.loads((CONTRACTS / "examples" / "PaymentRequested.v1.json").read_text())
    order_id = f"ord_{uuid.uuid4().hex[:12]}"
    envelope["id"] = str(uuid.uuid4())
    envelope["correlationId"] = order_id
    envelope["data"]["orderId"] = order_id
    return envelope


def request_message(envelope: dict[str, Any]) -> ServiceBusMessage:
    return ServiceBusMessage(
        json.dumps(envelope).encode(),
        message_id=envelope["data"]["orderId"],
        content_type="application/json",
        application_properties={"type": "PaymentRequested", "version": 1, "traceparent": TRACEPARENT},
    )


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    ops_url: str

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"payment-worker exited with {self.process.returncode} during start")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.ops_url}/ready", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise SystemExit("payment-worker did not become ready")


@contextlib.contextmanager
def worker_process(
    platform: LaunchedPlatform, settings: dict[str, str], log_dir: Path, *, traces: bool
) -> Iterator[Worker]:
    ops_port = free_port()
    env = {
        **os.environ,
        **settings,
        "PAYMENT_WORKER_PORT": str(ops_port),
        "PAYMENT_LEDGER_TABLE": f"benchpayments{uuid.uuid4().hex[:8]}",
        "PAYMENT_GATEWAY_STATE_PATH": str(log_dir / "gateway.sqlite3"),
        "PAYMENT_CONTRACTS_DIR": str(CONTRACTS),
    }
    if traces:
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = f"http://127.0.0.1:{platform.port('telemetry', 'http')}"
    with (log_dir / "payment-worker.log").open("wb") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("payment-worker"))], env=env, stdout=log, stderr=log, cwd=REPO
        )
    worker = Worker(process, f"http://127.0.0.1:{ops_port}")
    try:
        worker.wait_ready()
        yield worker
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def platform_env(addresses: dict[str, str]) -> dict[str, str]:
    """The worker's settings in harness/platform.yaml (the emulators' public keys included), their
    placeholders filled from ``addresses`` (``host``, ``servicebus.ports.amqp``...); a setting with a
    placeholder not in ``addresses`` is left out."""
    platform = yaml.safe_load((REPO / "harness" / "platform.yaml").read_text())
    env: dict[str, str] = {}
    for key, value in platform["components"]["payment-worker"]["env"].items():
        text = str(value)
        for name, address in addresses.items():
            text = text.replace("{" + name + "}", address)
        if "{" not in text:
            env[key] = text
    return env


def run_code_from(checkout: Path) -> None:
    """Puts ``checkout``'s sources of the worker and the emulators first on the path of every process
    started from now on (the workspace's editable installs come after ``PYTHONPATH``)."""
    paths = [str(checkout.resolve() / directory) for directory in CODE_DIRS]
    missing = [path for path in paths if not Path(path).is_dir()]
    if missing:
        raise SystemExit(f"--code-from {checkout}: no {', '.join(missing)}")
    os.environ["PYTHONPATH"] = os.pathsep.join([*paths, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)


def mean_processing_seconds(ops_url: str) -> tuple[float, int]:
    """The worker's ``payment_processing_seconds`` so far: its sum and count."""
    text = httpx.get(f"{ops_url}/metrics", timeout=5).text
    figures = {
        name: float(value)
        for name, _, value in (line.partition(" ") for line in text.splitlines())
        if name in ("payment_processing_seconds_sum", "payment_processing_seconds_count")
    }
    return figures["payment_processing_seconds_sum"], int(figures["payment_processing_seconds_count"])


@contextlib.asynccontextmanager
async def profilers(targets: dict[int, Path | None], output_format: str) -> AsyncIterator[None]:
    async with contextlib.AsyncExitStack() as stack:
        for pid, output in targets.items():
            await stack.enter_async_context(profiler(pid, output, output_format))
        yield


@contextlib.asynccontextmanager
async def profiler(pid: int, output: Path | None, output_format: str) -> AsyncIterator[None]:
    if output is None:
        yield
        return
    py_spy = Path(sys.executable).with_name("py-spy")
    command = [str(py_spy), "record", "--pid", str(pid), "--output", str(output)]
    command += ["--format", output_format, "--rate", "200", "--nonblocking"]
    process = await asyncio.create_subprocess_exec(*command, stdout=subprocess.DEVNULL)
    await asyncio.sleep(1.0)  # py-spy attaches
    try:
        yield
    finally:
        process.send_signal(2)  # SIGINT: py-spy writes its output and exits
        await process.wait()


async def send_requests(client: ServiceBusClient, payments: int, rate: float) -> dict[str, float]:
    """Sends the requests; returns when each order's request was sent (monotonic seconds)."""
    sent_at: dict[str, float] = {}
    started = time.monotonic()
    async with client.get_queue_sender("payment-requests") as sender:
        batch = SEND_BATCH if rate <= 0 else max(1, min(SEND_BATCH, int(rate / 10)))
        for sent in range(0, payments, batch):
            envelopes = [payment_requested() for _ in range(min(batch, payments - sent))]
            await sender.send_messages([request_message(e) for e in envelopes])
            sent_at.update({e["data"]["orderId"]: time.monotonic() for e in envelopes})
            if rate > 0:
                await asyncio.sleep(max(0.0, started + (sent + len(envelopes)) / rate - time.monotonic()))
    return sent_at


async def read_outcomes(client: ServiceBusClient, expected: int, within: float) -> dict[str, float]:
    """Reads outcomes until ``expected`` orders have one; returns when each arrived (monotonic seconds)."""
    seen: dict[str, float] = {}
    deadline = time.monotonic() + within
    async with client.get_subscription_receiver("payment-events", "order-service", prefetch_count=100) as rcv:
        while len(seen) < expected and time.monotonic() < deadline:
            # One at a time from the prefetched ones: asked for more, the SDK keeps collecting for 0.2 s
            # after the first, which would count as latency (the order service's receiver streams them).
            for message in await rcv.receive_messages(max_message_count=1, max_wait_time=1):
                seen.setdefault(str(message.correlation_id), time.monotonic())
                await rcv.complete_message(message)
    return seen


async def measure(args: argparse.Namespace) -> None:
    if args.code_from is not None:
        run_code_from(args.code_from)
    with (
        tempfile.TemporaryDirectory(prefix="bench-payment-") as directory,
        launched("azurite", "servicebus", *(["telemetry"] if args.traces else [])) as platform,
    ):
        proxy = CountingProxy(platform.port("azurite", "table"))
        table_port = await proxy.start()
        # The platform's settings with Table storage behind the counting proxy.
        settings = platform_env(
            {
                "host": "127.0.0.1",
                "servicebus.ports.amqp": str(platform.port("servicebus", "amqp")),
                "azurite.ports.table": str(table_port),
            }
        )
        connection = settings["PAYMENT_SERVICEBUS_CONNECTION_STRING"]
        pids = {
            "servicebus": listening(platform.port("servicebus", "amqp")),
            "azurite": listening(platform.port("azurite", "table")),
        }
        # The worker is started in a thread: its readiness wait blocks, and the proxy runs on this loop.
        stack = contextlib.ExitStack()
        worker = await asyncio.to_thread(
            stack.enter_context, worker_process(platform, settings, Path(directory), traces=args.traces)
        )
        try:
            pids = {"payment-worker": worker.process.pid, **pids}
            async with ServiceBusClient.from_connection_string(connection) as client:
                # One payment off the clock: links open, caches and the ledger table warm.
                warm = await send_requests(client, 1, 0)
                await read_outcomes(client, len(warm), 60)
                targets = {worker.process.pid: args.profile, pids["servicebus"]: args.profile_emulator}
                async with profilers(targets, args.profile_format):
                    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
                    requests_before = proxy.requests
                    processing_before = mean_processing_seconds(worker.ops_url)
                    began = time.monotonic()
                    sending = asyncio.create_task(send_requests(client, args.payments, args.rate))
                    seen = await read_outcomes(client, args.payments, args.timeout)
                    sent_at = await sending
                    elapsed = time.monotonic() - began
                    after = {name: cpu_seconds(pid) for name, pid in pids.items()}
                    requests = proxy.requests - requests_before
                    processing_after = mean_processing_seconds(worker.ops_url)
        finally:
            await asyncio.to_thread(stack.close)
            await proxy.close()
    latencies = sorted(seen[order] - sent for order, sent in sent_at.items() if order in seen)
    done = len(latencies)
    if done == 0:
        raise SystemExit("no payment finished")
    offered = f"{args.rate:g}/s" if args.rate > 0 else "all at once"
    print(f"payments {done}/{args.payments} in {elapsed:.1f} s ({done / elapsed:.1f}/s; sent {offered})")
    print(
        f"request sent -> outcome read: p50 {_percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p95 {_percentile(latencies, 0.95) * 1000:.0f} ms"
    )
    handled = processing_after[1] - processing_before[1]
    if handled:
        in_worker = (processing_after[0] - processing_before[0]) * 1000 / handled
        print(f"of which the worker's receipt -> decision: mean {in_worker:.0f} ms")
    for name in pids:
        total, system = ((after[name][part] - before[name][part]) * 1000 / done for part in (0, 1))
        print(f"{name:<15} CPU {total:7.2f} ms per payment ({system:.2f} ms of it in the kernel)")
    print(f"ledger round trips {requests / done:.2f} per payment ({requests} Table storage requests)")
    for output in (args.profile, args.profile_emulator):
        if output:
            print(f"profile: {output}")


def _percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--payments", type=int, default=300)
    parser.add_argument("--rate", type=float, default=20.0, help="payments sent per second (0: all at once)")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for every outcome")
    parser.add_argument(
        "--traces", action="store_true", help="export the worker's spans to the telemetry receiver"
    )
    parser.add_argument("--profile", type=Path, help="record the worker with py-spy into this file")
    parser.add_argument(
        "--profile-emulator", type=Path, help="record the Service Bus emulator with py-spy into this file"
    )
    parser.add_argument(
        "--code-from", type=Path, help="run the worker and the emulators from this checkout's sources"
    )
    parser.add_argument("--profile-format", default="flamegraph", choices=["flamegraph", "raw", "speedscope"])
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()
