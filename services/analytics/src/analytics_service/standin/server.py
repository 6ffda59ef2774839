"""``powerbi-push-standin``: the push-dataset REST API under /v1.0/myorg (datasets, tables, rows), plus
what Power BI would show: a page at / with the newest rows, and /standin/rows as JSON for tests.

A body over ``MAX_BODY_BYTES`` is refused with 413 (in Power BI's error shape, like every error here)
before it is read; a connection that sends nothing for ``--idle-timeout`` seconds (default 15) is closed.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from analytics_service.standin.store import NotFoundError, PushStore, RequestError

log = logging.getLogger(__name__)
BASE = "/v1.0/myorg"
_ROWS = re.compile(rf"^{BASE}/datasets/(?P<dataset>[^/]+)/tables/(?P<table>[^/]+)/rows$")
_TABLES = re.compile(rf"^{BASE}/datasets/(?P<dataset>[^/]+)/tables$")
MAX_BODY_BYTES = 4 * 1024 * 1024
IDLE_TIMEOUT_SECONDS = 15.0


class Handler(BaseHTTPRequestHandler):
    server: PushStandin
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
            self._body_bytes = b""
            detail = f"the body must be at most {MAX_BODY_BYTES} bytes, with a valid Content-Length"
            self._error(413, "RequestEntityTooLarge", detail)
            return False
        return True

    def log_message(self, format: str, *args: Any) -> None:
        log.debug(format, *args)

    def _raw(self) -> bytes:
        # Read once; _send drains an unread body so a kept-alive connection stays in step.
        if self._body_bytes is None:
            length = int(self.headers.get("Content-Length") or 0)
            self._body_bytes = self.rfile.read(length) if length > 0 else b""
        return self._body_bytes

    def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
        self._raw()
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, code: str, message: str) -> None:
        self._send(status, {"error": {"code": code, "message": message}})

    def _body(self) -> Any:
        try:
            return json.loads(self._raw() or b"null")
        except ValueError as error:
            raise RequestError(f"body is not JSON: {error}") from None

    def _guard(self, action: Any) -> None:
        try:
            action()
        except RequestError as error:
            self._error(400, "InvalidRequest", str(error))
        except NotFoundError as error:
            self._error(404, "ItemNotFound", str(error))

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        store = self.server.store
        if url.path == "/health":
            self._send(200, {"status": "ok"})
        elif url.path == f"{BASE}/datasets":
            self._send(
                200,
                {
                    "value": [
                        {
                            "id": d.id,
                            "name": d.name,
                            "addRowsAPIEnabled": True,
                            "defaultRetentionPolicy": d.retention,
                        }
                        for d in store.datasets.values()
                    ]
                },
            )
        elif match := _TABLES.match(url.path):
            dataset = store.datasets.get(match["dataset"])
            if dataset is None:
                self._error(404, "ItemNotFound", f"no dataset {match['dataset']!r}")
            else:
                self._send(200, {"value": [{"name": t} for t in dataset.tables]})
        elif url.path == "/standin/rows":
            query = parse_qs(url.query)
            name, table = query.get("dataset", [""])[0], query.get("table", [""])[0]
            found = [d for d in store.datasets.values() if d.name == name and table in d.tables]
            self._send(200, {"rows": list(found[0].tables[table].rows) if found else []})
        elif url.path == "/":
            self._send(200, self._page(), "text/html; charset=utf-8")
        else:
            self._error(404, "ItemNotFound", f"no resource at {url.path}")

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path == f"{BASE}/datasets":
            retention = parse_qs(url.query).get("defaultRetentionPolicy", ["None"])[0]

            def create() -> None:
                dataset = self.server.store.create(self._body(), retention)
                self._send(201, {"id": dataset.id, "name": dataset.name, "defaultRetentionPolicy": retention})

            self._guard(create)
        elif match := _ROWS.match(url.path):

            def add() -> None:
                self.server.store.add_rows(match["dataset"], match["table"], self._body())
                self._send(200, {})

            self._guard(add)
        else:
            self._error(404, "ItemNotFound", f"no resource at {url.path}")

    def do_DELETE(self) -> None:
        if match := _ROWS.match(urlsplit(self.path).path):

            def clear() -> None:
                self.server.store.clear(match["dataset"], match["table"])
                self._send(200, {})

            self._guard(clear)
        else:
            self._error(404, "ItemNotFound", "no such resource")

    def _page(self) -> str:
        sections = []
        for dataset in self.server.store.datasets.values():
            for table in dataset.tables.values():
                head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
                newest = list(table.rows)[-50:][::-1]
                body = "".join(
                    "<tr>" + "".join(f"<td>{escape(str(r.get(c, '')))}</td>" for c in table.columns) + "</tr>"
                    for r in newest
                )
                sections.append(
                    f"<h2>{escape(dataset.name)} / {escape(table.name)} ({len(table.rows)} rows)</h2>"
                    f"<table border='1'><tr>{head}</tr>{body}</table>"
                )
        return (
            "<!doctype html><html><head><meta charset='utf-8'><meta http-equiv='refresh' content='5'>"
            "<title>Power BI push dataset (local stand-in)</title></head><body>"
            "<h1>Power BI push datasets: local stand-in</h1>"
            + ("".join(sections) or "<p>no datasets yet</p>")
            + "</body></html>"
        )


class PushStandin(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], idle_timeout: float = IDLE_TIMEOUT_SECONDS) -> None:
        super().__init__(address, Handler)
        self.store = PushStore()
        self.idle_timeout = idle_timeout

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exception(), TimeoutError):
            log.info("closed a connection idle for %g s", self.idle_timeout)
        else:
            super().handle_error(request, client_address)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local stand-in of the Power BI push-dataset REST API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7076)
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=IDLE_TIMEOUT_SECONDS,
        help="close a connection silent this long (s)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    server = PushStandin((args.host, args.port), args.idle_timeout)
    log.info("Power BI push-dataset stand-in on http://%s:%d%s", args.host, server.server_port, BASE)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
