"""The ACS email and SMS adapters. Azure Communication Services cannot run here, so a stand-in HTTPS
endpoint (the edge: Azure itself) answers like the service; the real SDK clients, their HMAC signing and
polling, and our adapters run unchanged against it."""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from azure.communication.email.aio import EmailClient
from azure.communication.sms.aio import SmsClient
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from notification_service.adapters.acs_email import AcsEmailSender
from notification_service.adapters.acs_sms import AcsSmsSender
from notification_service.domain.errors import SendFailedError
from notification_service.domain.models import Email, Sms

ACCESS_KEY = base64.b64encode(b"stand-in-access-key-0123456789ab").decode()


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@dataclass
class StandInAcs:
    url: str
    ca_file: str
    requests: list[tuple[str, dict[str, str], Any]] = field(default_factory=list)
    sms_successful: bool = True

    @property
    def connection_string(self) -> str:
        return f"endpoint={self.url}/;accesskey={ACCESS_KEY}"


@pytest.fixture
async def acs(tmp_path: Path) -> AsyncIterator[StandInAcs]:
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    state = StandInAcs("", str(cert))

    async def handle(request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else None
        state.requests.append((request.path, dict(request.headers), body))
        if request.path == "/sms":
            return web.json_response(
                {
                    "value": [
                        {
                            "to": body["smsRecipients"][0]["to"],
                            "messageId": "m-1",
                            "httpStatusCode": 202,
                            "successful": state.sms_successful,
                            "errorMessage": None if state.sms_successful else "blocked",
                        }
                    ]
                },
                status=202,
            )
        if request.path == "/emails:send":
            operation = request.headers.get("Operation-Id", "op")
            location = f"{state.url}/emails/operations/{operation}?api-version=2023-03-31"
            return web.json_response(
                {"id": operation, "status": "Running"},
                status=202,
                headers={"Operation-Location": location, "Retry-After": "0"},
            )
        if request.path.startswith("/emails/operations/"):
            return web.json_response({"id": request.path.rsplit("/", 1)[1], "status": "Succeeded"})
        return web.json_response({"error": {"code": "NotFound"}}, status=404)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    state.url = f"https://127.0.0.1:{runner.addresses[0][1]}"
    yield state
    await runner.cleanup()


async def test_acs_email_sender_sends_with_stable_operation_id_against_stand_in_acs(acs: StandInAcs) -> None:
    client = EmailClient.from_connection_string(acs.connection_string, connection_verify=acs.ca_file)
    sender = AcsEmailSender(client, "orders@contoso-shop.example")
    try:
        await sender.send(
            Email(
                "ada@example.com", "Ada", "Hi", "text", "<p>html</p>", "2b1f7c4e-0000-4000-8000-000000000001"
            )
        )
    finally:
        await sender.close()

    path, headers, body = acs.requests[0]
    assert path == "/emails:send"
    assert headers["Operation-Id"] == "2b1f7c4e-0000-4000-8000-000000000001"
    assert headers["Authorization"].startswith("HMAC-SHA256")
    assert body["content"] == {"subject": "Hi", "plainText": "text", "html": "<p>html</p>"}
    assert body["recipients"]["to"] == [{"address": "ada@example.com", "displayName": "Ada"}]


async def test_acs_sms_sender_sends_against_stand_in_acs(acs: StandInAcs) -> None:
    sender = AcsSmsSender(
        SmsClient.from_connection_string(acs.connection_string, connection_verify=acs.ca_file), "+15550001111"
    )
    try:
        await sender.send(Sms("+447700900123", "order shipped", "key-1"))
    finally:
        await sender.close()

    path, _, body = acs.requests[0]
    assert path == "/sms"
    assert body["from"] == "+15550001111"
    assert body["message"] == "order shipped"


async def test_acs_sms_refusal_is_send_failed_against_stand_in_acs(acs: StandInAcs) -> None:
    acs.sms_successful = False
    sender = AcsSmsSender(
        SmsClient.from_connection_string(acs.connection_string, connection_verify=acs.ca_file), "+15550001111"
    )
    try:
        with pytest.raises(SendFailedError, match="blocked"):
            await sender.send(Sms("+447700900123", "x", "k"))
    finally:
        await sender.close()
