"""`--data-dir`: what the emulator acknowledged to an SDK client survives a SIGKILL of its process."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusReceiveMode
from azure.servicebus.exceptions import ServiceBusError

from .conftest import PLATFORM_CONFIG, connection_string, emulator_process

QUEUE = "payment-requests"
BATCH = 3
ACKED_BEFORE_KILL = 30


def _send_until_failure(port: int, acked: list[str], stopped: threading.Event) -> None:
    """Send batches of three, one after another, recording the ids of every acknowledged batch."""
    try:
        with (
            ServiceBusClient.from_connection_string(connection_string(port), retry_total=0) as client,
            client.get_queue_sender(QUEUE) as sender,
        ):
            for index in range(100_000):
                ids = [f"m-{index}-{part}" for part in range(BATCH)]
                sender.send_messages([ServiceBusMessage(f"body {i}", message_id=i) for i in ids])
                acked.extend(ids)
    except (ServiceBusError, OSError):
        pass  # the emulator was killed under us: expected
    finally:
        stopped.set()


def test_acknowledged_messages_survive_sigkill_mid_stream(tmp_path: Path) -> None:
    data_dir = str(tmp_path / "data")
    acked: list[str] = []
    stopped = threading.Event()
    with emulator_process("--config", str(PLATFORM_CONFIG), "--data-dir", data_dir) as (process, listening):
        sender = threading.Thread(target=_send_until_failure, args=(listening["amqp_port"], acked, stopped))
        sender.start()
        deadline = time.monotonic() + 60
        while len(acked) < ACKED_BEFORE_KILL * BATCH and not stopped.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not stopped.is_set(), "the sender failed before the kill"
        process.send_signal(signal.SIGKILL)
        process.wait()
        sender.join(60)
        assert stopped.is_set()
    assert len(acked) >= ACKED_BEFORE_KILL * BATCH

    with emulator_process("--config", str(PLATFORM_CONFIG), "--data-dir", data_dir) as (_, listening):
        received: list[str] = []
        conn_str = connection_string(listening["amqp_port"])
        mode = ServiceBusReceiveMode.RECEIVE_AND_DELETE
        with (
            ServiceBusClient.from_connection_string(conn_str) as client,
            client.get_queue_receiver(QUEUE, receive_mode=mode) as receiver,
        ):
            while batch := receiver.receive_messages(max_message_count=200, max_wait_time=1):
                received.extend(str(message.message_id) for message in batch)
    missing = set(acked) - set(received)
    assert not missing, f"{len(missing)} acknowledged messages lost, e.g. {sorted(missing)[:5]}"
    # At most the batch in flight at the kill may be there without its acknowledgement.
    assert len(received) - len(acked) in (0, BATCH)
