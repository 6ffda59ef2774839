"""HTTP adapter of the stand-in (stdlib server: one small process, no framework needed).

A body over ``MAX_BODY_BYTES`` is refused with a 413 problem before it is read, and a connection that
sends nothing for ``--idle-timeout`` seconds (default 15) is closed, so a stalled client holds no thread.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import threading
import urllib.parse
import urllib.request
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import parse_qs, urlsplit

from shoppower.approvals import page
from shoppower.approvals.book import (
    AlreadyDecidedError,
    ApprovalBook,
    ApprovalRequest,
    ManifestConflictError,
    Status,
    UnknownReleaseError,
)
from shoppower.approvals.contract import FieldError, validate
from shoppower.approvals.problems import problem

log = logging.getLogger(__name__)

_RELEASE = r"(?P<release>[A-Za-z0-9][A-Za-z0-9._-]{0,63})"
_DECISION = re.compile(rf"^/(?P<ui>ui/)?releases/{_RELEASE}/(?P<verb>approve|reject)$")
_ONE = re.compile(rf"^/releases/{_RELEASE}$")
_STATUSES = ("pending", "approved", "rejected", "expired")
_VERDICT: dict[str, Literal["approved", "rejected"]] = {"approve": "approved", "reject": "rejected"}
MAX_BODY_BYTES = 256 * 1024
IDLE_TIMEOUT_SECONDS = 15.0


class BadRequestError(Exception):
    pass


def send_callback(url: str, decision: dict[str, Any]) -> None:
    """POST the decision to the pipeline's callback URL; a failure is logged, the poll still answers."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        # urlopen would read file: and other schemes; a callback is only ever a web hook.
        log.warning("callback not sent: only http(s) URLs are called", extra={"url": url})
        return
    request = urllib.request.Request(
        url, data=json.dumps(decision).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        # Scheme checked above (B310).
        with urllib.request.urlopen(request, timeout=5):  # nosec B310
            pass
    except OSError as error:
        log.warning("callback to %s failed: %s", url, error)


class ApprovalsHandler(BaseHTTPRequestHandler):
    server: ApprovalsServer
    protocol_version = "HTTP/1.1"
    _body_bytes: bytes | None = None

    def setup(self) -> None:
        super().setup()
        # A read that waits longer raises TimeoutError, which ends the connection (see handle_error).
        self.connection.settimeout(self.server.idle_timeout)

    def parse_request(self) -> bool:
        # One handler serves every request of a kept-alive connection: forget the previous body.
        self._body_bytes = None
        if not super().parse_request():
            return False
        length = self.headers.get("Content-Length") or "0"
        if not length.isdigit() or int(length) > MAX_BODY_BYTES:
            # The body is never read, so the connection cannot carry another request.
            self.close_connection = True
            detail = f"the body must be at most {MAX_BODY_BYTES} bytes, with a valid Content-Length"
            self._body_bytes = b""
            self._problem(problem(413, "body-too-large", "Content too large", detail))
            return False
        return True

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s " + format, self.address_string(), *args)

    # -- routing -------------------------------------------------------------------------------------
    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/healthz":
            self._json(HTTPStatus.OK, {"status": "ok"})
        elif url.path == "/":
            self._html(page.render(self.server.book.list()))
        elif url.path == "/releases":
            status = parse_qs(url.query, keep_blank_values=True).get("status", [None])[0]
            if status is not None and status not in _STATUSES:
                self._problem(
                    problem(
                        400, "invalid-query", "Invalid query", f"unknown status {status!r}", field="status"
                    )
                )
                return
            items = self.server.book.list(cast(Status | None, status))
            self._json(HTTPStatus.OK, {"items": [r.to_json() for r in items]})
        elif match := _ONE.match(url.path):
            self._guarded(lambda: self._json(HTTPStatus.OK, self.server.book.get(match["release"]).to_json()))
        elif _DECISION.match(url.path):
            self._not_allowed()
        else:
            self._problem(problem(404, "not-found", "Not found", f"no resource at {url.path}"))

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path == "/releases":
            self._guarded(self._submit)
        elif match := _DECISION.match(path):
            self._guarded(lambda: self._decide(match["release"], match["verb"], ui=bool(match["ui"])))
        elif path in ("/", "/healthz") or _ONE.match(path):
            self._not_allowed()
        else:
            self._problem(problem(404, "not-found", "Not found", f"no resource at {path}"))

    def _not_allowed(self) -> None:
        allowed = "GET" if not urlsplit(self.path).path.endswith(("/approve", "/reject")) else "POST"
        if urlsplit(self.path).path == "/releases":
            allowed = "GET, POST"
        body = problem(405, "method-not-allowed", "Method not allowed", f"{self.command} is not served here")
        self._raw_body()
        self.send_response(405)
        self.send_header("Allow", allowed)
        data = json.dumps(body).encode()
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def __getattr__(self, name: str) -> Any:
        # The stdlib server answers 501 for a method without a do_<METHOD>; every other method is a 405.
        if name.startswith("do_"):
            return self._not_allowed
        raise AttributeError(name)

    # -- operations ----------------------------------------------------------------------------------
    def _submit(self) -> None:
        manifest = self._body_json()
        validate("ReleaseManifest", manifest)
        request, created = self.server.book.submit(manifest)
        location = f"/releases/{request.releaseId}"
        self._json(HTTPStatus.ACCEPTED if created else HTTPStatus.OK, request.to_json(), location=location)

    def _decide(self, release_id: str, verb: str, *, ui: bool) -> None:
        body = self._body_form() if ui else self._body_json()
        validate("DecisionInput", body)
        request = self.server.book.decide(release_id, _VERDICT[verb], body["approver"], body.get("comment"))
        log.info("release %s %s by %s", release_id, request.status, request.approver)
        self._notify(request)
        if ui:
            self.send_response(HTTPStatus.SEE_OTHER)
            self.send_header("Location", "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._json(HTTPStatus.OK, request.to_json())

    def _notify(self, request: ApprovalRequest) -> None:
        callback = request.manifest.get("callbackUrl")
        if callback:
            threading.Thread(target=send_callback, args=(callback, request.to_json()), daemon=True).start()

    # -- plumbing ------------------------------------------------------------------------------------
    def _guarded(self, operation: Any) -> None:
        try:
            operation()
        except BadRequestError as error:
            self._problem(problem(400, "malformed-body", "Malformed request body", str(error)))
        except FieldError as error:
            self._problem(
                problem(
                    422, "invalid-field", "Invalid field", f"{error.field}: {error.detail}", field=error.field
                )
            )
        except UnknownReleaseError as error:
            self._problem(
                problem(404, "unknown-release", "Unknown release", str(error), releaseId=error.release_id)
            )
        except AlreadyDecidedError as error:
            self._problem(
                problem(
                    409,
                    "already-decided",
                    "Release already decided",
                    str(error),
                    releaseId=error.release_id,
                    currentStatus=error.status,
                )
            )
        except ManifestConflictError as error:
            self._problem(
                problem(409, "manifest-conflict", "Release id reused", str(error), releaseId=error.release_id)
            )

    def _raw_body(self) -> bytes:
        # Read once; _send drains an unread body so a kept-alive connection stays in step.
        if self._body_bytes is None:
            length = int(self.headers.get("Content-Length") or 0)
            self._body_bytes = self.rfile.read(length) if length > 0 else b""
        return self._body_bytes

    def _body_json(self) -> Any:
        raw = self._raw_body()
        try:
            return json.loads(raw)
        except ValueError as error:
            raise BadRequestError(f"body is not JSON: {error}") from None

    def _body_form(self) -> dict[str, str]:
        fields = parse_qs(self._raw_body().decode("utf-8", "replace"))
        return {name: values[0] for name, values in fields.items() if values and values[0]}

    def _send(self, status: int, body: bytes, content_type: str, location: str | None = None) -> None:
        self._raw_body()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, body: Any, location: str | None = None) -> None:
        self._send(status, json.dumps(body).encode(), "application/json", location)

    def _problem(self, body: dict[str, Any]) -> None:
        self._send(int(body["status"]), json.dumps(body).encode(), "application/problem+json")

    def _html(self, text: str) -> None:
        self._send(HTTPStatus.OK, text.encode(), "text/html; charset=utf-8")


class ApprovalsServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], book: ApprovalBook, idle_timeout: float = IDLE_TIMEOUT_SECONDS
    ) -> None:
        super().__init__(address, ApprovalsHandler)
        self.book = book
        self.idle_timeout = idle_timeout

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exception(), TimeoutError):
            log.info("closed a connection idle for %g s", self.idle_timeout)
        else:
            super().handle_error(request, client_address)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local stand-in of the release-approval flow")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7075)
    parser.add_argument("--state-file", type=Path, help="keep requests across restarts in this JSON file")
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=IDLE_TIMEOUT_SECONDS,
        help="close a connection silent this long (s)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    server = ApprovalsServer((args.host, args.port), ApprovalBook(args.state_file), args.idle_timeout)
    log.info("release approvals stand-in on http://%s:%d/", args.host, server.server_port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
