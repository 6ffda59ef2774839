"""The HTTP side: list and fetch mail and texts, accept texts from the local SMS sender, an inbox page.

Routes (all JSON unless said otherwise; errors are application/problem+json):
  GET    /health
  GET    /api/messages[?to=ADDRESS][&subject=TEXT][&wait=SECONDS]   newest first
  GET    /api/messages/{id}          text, html and main headers
  GET    /api/messages/{id}/raw      message/rfc822, as received
  DELETE /api/messages
  POST   /api/sms                    {"to": "+E164", "from": "...", "body": "..."}
  GET    /api/sms[?to=NUMBER][&wait=SECONDS]
  DELETE /api/sms
  GET    /                           the inbox page
`wait` holds the request until something matches (at most 30 s), so tests need not poll.

With an admin token (``--admin-token-env``) every route needs ``Authorization: Bearer <token>`` except
``GET /health`` (probes) and ``POST /api/sms``, the way texts come in, as open as SMTP is for mail.
Bodies are limited to 64 KiB (413) and must arrive within the body timeout (408).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from aiohttp import web
from emulator_common.admin_http import ProblemError, guard_middlewares, json_response, read_json
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from mailbox_emulator.inbox import Inbox
from mailbox_emulator.inbox_page import render_inbox
from mailbox_emulator.model import Mail, Sms

INBOX_KEY: web.AppKey[Inbox] = web.AppKey("inbox", Inbox)
MAX_WAIT_SECONDS = 30.0


class SmsIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    to: Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{6,14}$")] = Field(
        description="E.164 phone number"
    )
    sender: str = Field(default="ContosoShop", alias="from", min_length=1, max_length=32)
    body: str = Field(min_length=1, max_length=1600)


def _wait_seconds(request: web.Request) -> float:
    raw = request.query.get("wait", "0")
    try:
        wait = float(raw)
    except ValueError:
        wait = -1
    if not 0 <= wait <= MAX_WAIT_SECONDS:
        raise ProblemError(
            400,
            "Bad Request",
            f"wait must be a number of seconds from 0 to {MAX_WAIT_SECONDS:g}",
            field="wait",
        )
    return wait


async def _health(request: web.Request) -> web.Response:
    return json_response({"status": "healthy"})


async def _list_mail(request: web.Request) -> web.Response:
    inbox = request.app[INBOX_KEY]
    to = request.query.get("to")
    subject = request.query.get("subject", "").casefold()

    def matches(mail: Mail) -> bool:
        # The subject last: reading it parses the mail (once), the envelope needs no parsing.
        return (not to or mail.addressed_to(to)) and (not subject or subject in mail.subject.casefold())

    found = await inbox.wait_for(lambda: inbox.mails(matches), _wait_seconds(request))
    return json_response({"messages": [mail.summary() for mail in found]})


def _mail_or_404(request: web.Request) -> Mail:
    mail = request.app[INBOX_KEY].mail(request.match_info["mail_id"])
    if mail is None:
        raise ProblemError(404, "Not Found", f"no message {request.match_info['mail_id']!r}")
    return mail


async def _get_mail(request: web.Request) -> web.Response:
    return json_response(_mail_or_404(request).detail())


async def _get_raw(request: web.Request) -> web.Response:
    return web.Response(body=_mail_or_404(request).raw, content_type="message/rfc822")


async def _clear_mail(request: web.Request) -> web.Response:
    return json_response({"removed": request.app[INBOX_KEY].clear_mails()})


async def _add_sms(request: web.Request) -> web.Response:
    payload = await read_json(request, SmsIn)
    sms = Sms(
        id=uuid.uuid4().hex,
        received_at=datetime.now(UTC),
        to=payload.to,
        sender=payload.sender,
        body=payload.body,
    )
    await request.app[INBOX_KEY].add_sms(sms)
    return json_response(sms.as_json(), status=201)


async def _list_sms(request: web.Request) -> web.Response:
    inbox = request.app[INBOX_KEY]
    to = request.query.get("to")
    found = await inbox.wait_for(
        lambda: inbox.texts(lambda sms: not to or sms.to == to), _wait_seconds(request)
    )
    return json_response({"messages": [sms.as_json() for sms in found]})


async def _clear_sms(request: web.Request) -> web.Response:
    return json_response({"removed": request.app[INBOX_KEY].clear_texts()})


async def _page(request: web.Request) -> web.Response:
    inbox = request.app[INBOX_KEY]
    response = web.Response(text=render_inbox(inbox.mails(), inbox.texts()), content_type="text/html")
    # Mail HTML is untrusted: the page shows it only as escaped text and runs no script at all.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def _is_open(request: web.Request) -> bool:
    return request.path == "/health" or (request.method == "POST" and request.path == "/api/sms")


def create_app(inbox: Inbox, admin_token: str | None = None) -> web.Application:
    app = web.Application(middlewares=guard_middlewares(admin_token, _is_open), client_max_size=64 * 1024)
    app[INBOX_KEY] = inbox
    app.router.add_get("/health", _health)
    app.router.add_get("/api/messages", _list_mail)
    app.router.add_delete("/api/messages", _clear_mail)
    app.router.add_get("/api/messages/{mail_id}", _get_mail)
    app.router.add_get("/api/messages/{mail_id}/raw", _get_raw)
    app.router.add_post("/api/sms", _add_sms)
    app.router.add_get("/api/sms", _list_sms)
    app.router.add_delete("/api/sms", _clear_sms)
    app.router.add_get("/", _page)
    return app
