"""The emulator's wire path with the official Python SDK: ``python emulators/servicebus/bench/bench_sdk.py``.

Starts ``servicebus-emulator`` as its own process on free ports (in memory, then on SQLite with
``--data-dir``), and drives it with ``azure.servicebus.aio``:

- batched send: one sender, ``--batch-size`` messages per `send_messages` call;
  latency = one batch send call (until the emulator acknowledged the batch);
- peek-lock receive + complete with 1 and 4 receivers (each on its own connection, prefetch 0);
  latency = one `complete_message` round trip.

Prints the emulator's startup time, msg/s and p50/p99 latencies. Figures only; nothing is asserted.
The SDK client runs in this one process, so on a small machine the figures are partly the client's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from azure.servicebus import ServiceBusMessage
from azure.servicebus.aio import ServiceBusClient

QUEUE = "bench"
CONFIG = {
    "UserConfig": {
        "Namespaces": [
            {
                "Name": "sbemulatorns",
                "Queues": [{"Name": QUEUE, "Properties": {"LockDuration": "PT1M", "MaxDeliveryCount": 10}}],
            }
        ],
        "Logging": {"Type": "Console"},
    }
}


@contextlib.asynccontextmanager
async def emulator(directory: Path, data_dir: Path | None) -> AsyncIterator[tuple[str, float]]:
    """A running emulator process; yields its connection string and its startup time in seconds
    (process start until its ``listening`` log line)."""
    config = directory / "Config.json"
    config.write_text(json.dumps(CONFIG))
    args = [sys.executable, "-m", "servicebus_emulator.cli", "--config", str(config)]
    args += ["--amqp-port", "0", "--http-port", "0"]
    if data_dir is not None:
        args += ["--data-dir", str(data_dir)]
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)  # noqa: ASYNC220 - started once, off the clock
    try:
        assert process.stdout is not None
        port = None
        while port is None:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError(f"emulator exited with {process.wait()}")
            entry = json.loads(line)
            if entry.get("event") == "listening":
                port = entry["amqp_port"]
        startup = time.perf_counter() - started
        # Keep draining its log so a full pipe never blocks the emulator.
        drain = asyncio.get_running_loop().run_in_executor(None, process.stdout.read)
        yield (
            f"Endpoint=sb://127.0.0.1:{port};SharedAccessKeyName=RootManageSharedAccessKey;"
            "SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;",
            startup,
        )
    finally:
        process.terminate()
        process.wait(10)
        with contextlib.suppress(Exception):
            await drain


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    """p50 and p99 in milliseconds."""
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[98] * 1000


async def send_batches(
    conn_str: str, messages: int, batch_size: int, body: bytes
) -> tuple[float, list[float]]:
    latencies = []
    async with (
        ServiceBusClient.from_connection_string(conn_str) as client,
        client.get_queue_sender(QUEUE) as sender,
    ):
        await sender.send_messages(ServiceBusMessage(body))  # attach and authorize outside the clock
        began = time.perf_counter()
        for start in range(0, messages, batch_size):
            batch = [ServiceBusMessage(body) for _ in range(min(batch_size, messages - start))]
            sent = time.perf_counter()
            await sender.send_messages(batch)
            latencies.append(time.perf_counter() - sent)
        elapsed = time.perf_counter() - began
    return messages / elapsed, latencies


async def receive_and_complete(conn_str: str, messages: int, receivers: int) -> tuple[float, list[float]]:
    """Each receiver first takes one message off the clock (its connection and link open then)."""
    latencies: list[float] = []
    done = 0
    ready = 0
    go = asyncio.Event()
    finished = 0.0

    async def receiver_loop(client: ServiceBusClient) -> None:
        nonlocal done, ready, finished
        async with client.get_queue_receiver(QUEUE) as receiver:
            warm_up = await receiver.receive_messages(max_message_count=1, max_wait_time=10)
            for message in warm_up:
                await receiver.complete_message(message)
            ready += 1
            if ready == receivers:
                go.set()
            await go.wait()
            while done < messages:
                batch = await receiver.receive_messages(max_message_count=50, max_wait_time=1)
                for message in batch:
                    started = time.perf_counter()
                    await receiver.complete_message(message)
                    latencies.append(time.perf_counter() - started)
                    done += 1
                    finished = time.perf_counter()

    clients = [ServiceBusClient.from_connection_string(conn_str) for _ in range(receivers)]
    try:
        tasks = [asyncio.ensure_future(receiver_loop(client)) for client in clients]
        await go.wait()
        began = time.perf_counter()
        await asyncio.gather(*tasks)
    finally:
        for client in clients:
            await client.close()
    return done / (finished - began), latencies


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--body-size", type=int, default=1024)
    parser.add_argument("--stores", default="memory,sqlite", help="comma-separated: memory, sqlite")
    args = parser.parse_args()
    body = b"x" * args.body_size
    print(f"{args.messages} messages of {args.body_size} B; send batches of {args.batch_size}")
    for store in args.stores.split(","):
        with tempfile.TemporaryDirectory() as directory:
            data_dir = Path(directory) / "data" if store == "sqlite" else None
            async with emulator(Path(directory), data_dir) as (conn_str, startup):
                print(f"{store:6} startup (process start → listening) {startup * 1000:6.0f} ms")
                rate, latencies = await send_batches(conn_str, args.messages, args.batch_size, body)
                p50, p99 = percentiles(latencies)
                print(
                    f"{store:6} batched send              {rate:8,.0f} msg/s  "
                    f"batch p50 {p50:6.1f} ms  p99 {p99:6.1f} ms"
                )
                for receivers in (1, 4):
                    # The queue holds the batches sent above (+1 warm-up); top it up for the warm-ups.
                    await send_batches(conn_str, receivers, args.batch_size, body)
                    if receivers > 1:
                        await send_batches(conn_str, args.messages, args.batch_size, body)
                    rate, latencies = await receive_and_complete(conn_str, args.messages, receivers)
                    p50, p99 = percentiles(latencies)
                    print(
                        f"{store:6} receive+complete, {receivers} rcv    {rate:8,.0f} msg/s  "
                        f"complete p50 {p50:6.1f} ms  p99 {p99:6.1f} ms"
                    )


if __name__ == "__main__":
    asyncio.run(main())
