"""Throughput of the Event Hubs emulator with the official Python SDK (azure-eventhub, asyncio).

    .venv/bin/python emulators/eventhubs/bench/bench_eventhubs.py [--events 20000] [--size 256]

Starts an emulator on free ports (in memory, or SQLite with ``--data-dir``; or uses
``--connection-string``), sends ``--events`` events in full batches spread over the hub's 4 partitions,
then reads them back with one consumer client receiving all 4 partitions at once, and prints events/s
for both and, for an emulator it started, the emulator's CPU time (user + sys) per event sent and per
event delivered. ``PYTHONPATH`` runs the emulator from another source tree: a before/after pair on one
machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

import psutil
from azure.eventhub import EventData
from azure.eventhub.aio import EventHubConsumerClient, EventHubProducerClient

CONFIG = Path(__file__).resolve().parents[1] / "config" / "platform.json"
HUB = "order-events"


def start_emulator(log_file: IO[str], data_dir: str | None) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "eventhubs_emulator.cli", "--config", str(CONFIG)]
    if data_dir is not None:
        command += ["--data-dir", data_dir]
    process = subprocess.Popen(
        [*command, "--amqp-port", "0", "--http-port", "0"],
        stdout=log_file,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        for line in Path(log_file.name).read_text().splitlines():
            entry = json.loads(line)
            if entry.get("event") == "listening":
                port = entry["amqp_port"]
                connection_string = (
                    f"Endpoint=sb://127.0.0.1:{port};SharedAccessKeyName=RootManageSharedAccessKey;"
                    f"SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;EntityPath={HUB}"
                )
                return process, connection_string
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("emulator did not start")


async def send(connection_string: str, count: int, size: int) -> float:
    body = b"x" * size
    async with EventHubProducerClient.from_connection_string(connection_string) as producer:
        partitions = await producer.get_partition_ids()
        per_partition = count // len(partitions)
        started = time.perf_counter()

        async def fill(partition_id: str) -> None:
            left = per_partition
            while left:
                batch = await producer.create_batch(partition_id=partition_id)
                while left:
                    try:
                        batch.add(EventData(body))
                    except ValueError:
                        break
                    left -= 1
                await producer.send_batch(batch)

        await asyncio.gather(*(fill(p) for p in partitions))
        return time.perf_counter() - started


async def receive(connection_string: str, count: int) -> float:
    received = 0
    done = asyncio.Event()
    consumer = EventHubConsumerClient.from_connection_string(connection_string, "analytics", prefetch=1000)

    async def on_batch(context, events) -> None:
        nonlocal received
        received += len(events)
        if received >= count:
            done.set()

    started = time.perf_counter()
    task = asyncio.create_task(
        consumer.receive_batch(on_batch, max_batch_size=500, starting_position="-1", max_wait_time=1)
    )
    await asyncio.wait_for(done.wait(), 600)
    elapsed = time.perf_counter() - started
    await consumer.close()
    task.cancel()
    return elapsed


def cpu_seconds(process: psutil.Process | None) -> float:
    if process is None:
        return 0.0
    times = process.cpu_times()
    return float(times.user + times.system)


def emulator_cpu(process: psutil.Process | None, before: float, count: int) -> str:
    if process is None:
        return ""
    return f", emulator {1000 * (cpu_seconds(process) - before) / count:.3f} ms CPU per event"


async def run(connection_string: str, count: int, size: int, emulator: psutil.Process | None = None) -> None:
    before = cpu_seconds(emulator)
    sent = await send(connection_string, count, size)
    print(
        f"batched send : {count} events of {size} B in {sent:.2f} s = {count / sent:,.0f} events/s"
        + emulator_cpu(emulator, before, count)
    )
    before = cpu_seconds(emulator)
    read = await receive(connection_string, count)
    print(
        f"receive (4 partitions, one client): {count} events in {read:.2f} s = {count / read:,.0f} events/s"
        + emulator_cpu(emulator, before, count)
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--size", type=int, default=256, help="body size in bytes")
    parser.add_argument("--connection-string", help="an emulator already running (hub order-events)")
    parser.add_argument(
        "--data-dir", help="start the emulator with SQLite persistence in this (empty) directory"
    )
    args = parser.parse_args()
    if args.connection_string is not None:
        asyncio.run(run(args.connection_string, args.events, args.size))
        return
    with tempfile.NamedTemporaryFile("w", suffix=".log") as log_file:
        process, connection_string = start_emulator(log_file, args.data_dir)
        try:
            asyncio.run(run(connection_string, args.events, args.size, psutil.Process(process.pid)))
        finally:
            process.terminate()
            process.wait(10)


if __name__ == "__main__":
    main()
