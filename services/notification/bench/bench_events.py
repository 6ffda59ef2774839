"""CPU cost of one order event in the notification service, and of one email in the mailbox.

    .venv/bin/python services/notification/bench/bench_events.py [--orders 300] [--rate 40] [--profile DIR]

Starts Azurite, the mailbox and the Event Hubs emulator on free ports (``shopctl.testing.launched``) and
the real ``notification-service`` process, then sends ``--orders`` orders' events through the official
SDK (``PENDING_PAYMENT`` then ``PAID`` per order, every other customer with a phone, so half the ``PAID``
events also send an SMS) at ``--rate`` events per second, the way the order service emits them, and waits
until every event is handled and every email is in the mailbox. Prints process CPU seconds (user + sys)
per event for the service, per email for the mailbox, and per event for Azurite (the log table and the
checkpoints) and the Event Hubs emulator, measured from the first event sent to the last email received;
Azurite's requests per event by kind (the service reaches Azurite through a counting forwarder,
``counting_proxy.py``: log table reads and writes, checkpoints, the SDK's ownership and listing calls) and
Azurite's resident memory before and after the events.

``--platform-file`` runs the components from another platform description (the previous Azurite options,
say), ``PYTHONPATH`` the service and mailbox from another source tree: that is how a before/after pair is
taken on one machine.

``--profile DIR`` also samples the service, the mailbox and the Event Hubs emulator with py-spy while the
events flow and writes ``notification.txt`` / ``mailbox.txt`` / ``eventhubs.txt`` (collapsed stacks)
there, with the 25 hottest functions printed.

``--smtp-only N`` measures the email alone: N mails through the service's SMTP sender (in this process,
uvloop, one connection, one mail at a time) into the mailbox; CPU per mail of the sender (this process)
and of the mailbox, three rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psutil
import uvloop
from azure.eventhub import EventData
from azure.eventhub.aio import EventHubProducerClient

# A sibling file: run as a script, the bench's own folder is first on sys.path.
from counting_proxy import CountingProxy
from shopctl.emulator_accounts import azurite_connection_string
from shopctl.testing import LaunchedPlatform, launched

REPO = Path(__file__).resolve().parents[3]
CONTRACTS = REPO / "contract-tests" / "messages"
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def listener(port: int) -> psutil.Process:
    """The process listening on ``port`` on this machine."""
    for connection in psutil.net_connections("tcp"):
        address = connection.laddr
        if connection.status == psutil.CONN_LISTEN and address and address.port == port and connection.pid:
            return psutil.Process(connection.pid)
    raise RuntimeError(f"nothing listens on port {port}")


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def service_env(
    platform: LaunchedPlatform, port: int, blob_port: int, table_port: int, log_level: str
) -> dict[str, str]:
    """The service's environment; it reaches Azurite on ``blob_port`` / ``table_port`` (the forwarders)."""
    storage = azurite_connection_string(
        blob=f"http://127.0.0.1:{blob_port}/devstoreaccount1",
        table=f"http://127.0.0.1:{table_port}/devstoreaccount1",
    )
    return {
        "NOTIFICATION_ENVIRONMENT": "development",
        "NOTIFICATION_LOG_LEVEL": log_level,
        "NOTIFICATION_PORT": str(port),
        "NOTIFICATION_EVENTHUB_CONNECTION_STRING": eventhub_connection_string(platform),
        "NOTIFICATION_CHECKPOINT_CONNECTION_STRING": storage,
        "NOTIFICATION_TABLES_CONNECTION_STRING": storage,
        "NOTIFICATION_EMAIL_TRANSPORT": "smtp",
        "NOTIFICATION_SMTP_PORT": str(platform.port("mailbox", "smtp")),
        "NOTIFICATION_SMS_TRANSPORT": "mailbox",
        "NOTIFICATION_MAILBOX_URL": f"http://127.0.0.1:{platform.port('mailbox', 'http')}",
        "NOTIFICATION_CONTRACTS_DIR": str(CONTRACTS),
    }


def eventhub_connection_string(platform: LaunchedPlatform) -> str:
    return (
        f"Endpoint=sb://127.0.0.1:{platform.port('eventhubs', 'amqp')};"
        "SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;"
        "UseDevelopmentEmulator=true;EntityPath=order-events"
    )


def order_events(orders: int) -> list[dict[str, Any]]:
    example = json.loads((CONTRACTS / "examples" / "OrderStatusChanged.v1.json").read_text())
    events: list[dict[str, Any]] = []
    for number in range(orders):
        order_id = f"ord_{uuid.uuid4().hex[:12]}"
        customer: dict[str, str] = {"email": f"{order_id}@example.com", "name": "Ada Lovelace"}
        if number % 2:
            customer["phone"] = "+15551230000"
        for previous, status in ((None, "PENDING_PAYMENT"), ("PENDING_PAYMENT", "PAID")):
            data = {**example["data"], "orderId": order_id, "previousStatus": previous, "status": status}
            data["customer"] = customer
            events.append({**example, "id": str(uuid.uuid4()), "correlationId": order_id, "data": data})
    return events


async def send_paced(connection_string: str, events: list[dict[str, Any]], rate: float) -> None:
    async with EventHubProducerClient.from_connection_string(connection_string) as producer:
        started = time.monotonic()
        for index, envelope in enumerate(events):
            event = EventData(json.dumps(envelope).encode())
            event.properties = {"type": envelope["type"], "version": 1, "traceparent": TRACEPARENT}
            await producer.send_batch([event], partition_key=envelope["data"]["orderId"])
            ahead = started + (index + 1) / rate - time.monotonic()
            if ahead > 0:
                await asyncio.sleep(ahead)


def handled(service_url: str) -> float:
    text = httpx.get(f"{service_url}/metrics", timeout=5).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith('notification_events_total{result="handled"}')
    )


def mail_count(mailbox_url: str) -> int:
    return len(httpx.get(f"{mailbox_url}/api/messages", timeout=10).json()["messages"])


def start_service(
    platform: LaunchedPlatform, log_path: Path, blob_port: int, table_port: int, log_level: str
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "notification-service")],
            env={**os.environ, **service_env(platform, port, blob_port, table_port, log_level)},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(log_path.read_text())
        try:
            if httpx.get(f"{url}/ready", timeout=5).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.2)


def hottest(collapsed: Path, top: int = 25) -> list[tuple[int, str]]:
    """Functions by inclusive samples (a function counted once per stack), from py-spy's raw format."""
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue  # a frame name with a line break in it (a docstring's) splits its stack in two
        samples = int(count)
        total += samples
        for frame in set(stack.split(";")):
            inclusive[frame] += samples
    return [(100 * n // max(total, 1), frame) for frame, n in inclusive.most_common(top)]


def run(orders: int, rate: float, profile: Path | None, platform_file: Path | None, log_level: str) -> None:
    events = order_events(orders)
    emails = len(events)
    with (
        launched("azurite", "mailbox", "eventhubs", platform_file=platform_file) as platform,
        tempfile.TemporaryDirectory() as tmp,
        CountingProxy(platform.port("azurite", "blob")) as blob_proxy,
        CountingProxy(platform.port("azurite", "table")) as table_proxy,
    ):
        mailbox_url = f"http://127.0.0.1:{platform.port('mailbox', 'http')}"
        mailbox = listener(platform.port("mailbox", "smtp"))
        azurite = listener(platform.port("azurite", "table"))
        eventhubs = listener(platform.port("eventhubs", "amqp"))
        process, url = start_service(
            platform, Path(tmp) / "service.log", blob_proxy.port, table_proxy.port, log_level
        )
        service = psutil.Process(process.pid)
        spies: list[subprocess.Popen[bytes]] = []
        try:
            time.sleep(2)  # past the first load-balancing round, so the start-up is not counted
            if profile is not None:
                profile.mkdir(parents=True, exist_ok=True)
                for name, pid in (
                    ("notification", service.pid),
                    ("mailbox", mailbox.pid),
                    ("eventhubs", eventhubs.pid),
                ):
                    spies.append(
                        subprocess.Popen(
                            [
                                *(str(Path(sys.executable).parent / "py-spy"), "record", "--nonblocking"),
                                *("--pid", str(pid), "--format", "raw", "--rate", "200"),
                                *("--output", str(profile / f"{name}.txt")),
                            ],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                        )
                    )
            before = {p: cpu_seconds(p) for p in (service, mailbox, azurite, eventhubs)}
            requests_before = blob_proxy.snapshot() + table_proxy.snapshot()
            azurite_rss_before = azurite.memory_info().rss
            started = time.monotonic()
            asyncio.run(send_paced(eventhub_connection_string(platform), events, rate))
            deadline = time.monotonic() + 120
            # An event counts as handled once its messages are accepted, so the mail is in by then.
            while handled(url) < len(events):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"only {handled(url)} of {len(events)} events handled")
                time.sleep(0.25)
            elapsed = time.monotonic() - started
            spent = {p: cpu_seconds(p) - before[p] for p in before}
            requests = blob_proxy.snapshot() + table_proxy.snapshot()
            requests.subtract(requests_before)
            azurite_rss_after = azurite.memory_info().rss
            if (received := mail_count(mailbox_url)) != emails:
                raise RuntimeError(f"{received} emails in the mailbox, {emails} expected")
        finally:
            for spy in spies:
                spy.send_signal(signal.SIGINT)
                spy.wait(timeout=30)
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        print(f"{len(events)} events ({orders} orders), {emails} emails, {elapsed:.1f} s, {rate:g} events/s")
        print(f"notification: {1000 * spent[service] / len(events):.2f} ms CPU per event")
        print(f"mailbox:      {1000 * spent[mailbox] / emails:.2f} ms CPU per email")
        print(f"azurite:      {1000 * spent[azurite] / len(events):.2f} ms CPU per event")
        print(f"eventhubs:    {1000 * spent[eventhubs] / len(events):.2f} ms CPU per event")
        mib = 1024 * 1024
        print(
            f"azurite RSS:  {azurite_rss_before / mib:.0f} MiB before, {azurite_rss_after / mib:.0f} MiB "
            f"after {len(events)} events"
        )
        total = sum(requests.values())
        print(f"azurite requests: {total / len(events):.3f} per event")
        for kind, count in sorted(requests.items(), key=lambda item: -item[1]):
            if count:
                print(f"  {count / len(events):7.3f}  {kind} ({count})")
        if profile is not None:
            for name in ("notification", "mailbox", "eventhubs"):
                print(f"\n{name}: hottest functions (% of samples, inclusive)")
                for share, frame in hottest(profile / f"{name}.txt"):
                    print(f"{share:4d}%  {frame}")


async def send_mails(smtp_port: int, mailbox: psutil.Process, count: int) -> tuple[float, float]:
    """CPU seconds per mail of this process's SMTP sender and of the mailbox, over ``count`` mails."""
    from notification_service.adapters.smtp import SmtpEmailSender  # the service's code, as PYTHONPATH says
    from notification_service.domain.models import Email

    sender = SmtpEmailSender(
        "127.0.0.1", smtp_port, sender="orders@contoso-shop.example", sender_name="Contoso"
    )
    mails = [
        Email(
            f"c{n}@example.com",
            "Ada Lovelace",
            f"Payment received for order ord_{n:012d}",
            "Hello Ada,\n" * 12,
            "<p>Hello Ada</p>\n" * 30,
            f"key-{n}",
        )
        for n in range(count + 1)
    ]
    await sender.send(mails[0])  # the connection is opened outside the measured part
    mailbox_before, own_before = cpu_seconds(mailbox), time.process_time()
    for mail in mails[1:]:
        await sender.send(mail)
    own, spent = time.process_time() - own_before, cpu_seconds(mailbox) - mailbox_before
    await sender.close()
    return own / count, spent / count


def run_smtp_only(count: int, platform_file: Path | None) -> None:
    with launched("mailbox", platform_file=platform_file) as platform:
        port = platform.port("mailbox", "smtp")
        mailbox = listener(port)
        for _ in range(3):
            sender, received = uvloop.run(send_mails(port, mailbox, count))
            print(
                f"{count} mails: sender {1000 * sender:.3f} ms CPU per mail, mailbox {1000 * received:.3f} ms"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--orders", type=int, default=300, help="orders; each sends two events")
    parser.add_argument("--rate", type=float, default=40.0, help="events per second")
    parser.add_argument(
        "--profile", type=Path, help="write py-spy samples of the service, the mailbox and Event Hubs here"
    )
    parser.add_argument(
        "--platform-file", type=Path, help="the components from this platform.yaml (default: the repo's)"
    )
    parser.add_argument(
        "--log-level",
        default="WARNING",
        help="the service's NOTIFICATION_LOG_LEVEL (the platform runs INFO: a line per event)",
    )
    parser.add_argument("--smtp-only", type=int, metavar="N", help="only N mails through the SMTP sender")
    args = parser.parse_args()
    if args.smtp_only:
        run_smtp_only(args.smtp_only, args.platform_file)
        return
    run(args.orders, args.rate, args.profile, args.platform_file, args.log_level)


if __name__ == "__main__":
    main()
