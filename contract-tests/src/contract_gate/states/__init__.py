"""Provider states: Python functions that put a running provider into the state an interaction names,
through the provider's own API (or its store), never through a test-only route.

A handler takes the state's parameters and may return values (``{"cursor": ...}``) that the pact's
``fromProviderState`` generators put into the request, e.g. a page cursor only the provider can issue.
pact-python's built-in state callback drops return values, so the gate serves the Pact core's state
change callback itself (``StateServer``), on a free loopback port.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

log = logging.getLogger(__name__)

StateHandler = Callable[[dict[str, Any]], Mapping[str, Any] | None]
"""Sets a state up from its parameters; returns values for the pact's provider-state generators."""


class UnknownStateError(LookupError):
    def __init__(self, provider: str, state: str) -> None:
        super().__init__(
            f"provider {provider!r} has no handler for state {state!r}: add it to "
            f"contract-tests/src/contract_gate/states/{provider}.py and to the states table of the README"
        )


class StateServer:
    """The Pact core's provider-state callback (``POST`` with ``state``, ``params``, ``action``), answered
    by ``handlers``; the JSON it answers a setup with is that state's values. A failure is answered 400:
    the Pact core fails the interaction at once (it retries a 5xx for two minutes), and ``failures``
    keeps the reason, by state name, for the report."""

    def __init__(self, provider: str, handlers: Mapping[str, StateHandler]) -> None:
        self.provider = provider
        self.handlers = handlers
        self.failures: dict[str, str] = {}
        server = self

        class Callback(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request: dict[str, Any] = {}
                try:
                    request = json.loads(self.rfile.read(length) or b"{}")
                    values = server.handle(request)
                except Exception as error:
                    log.warning("provider state %r failed: %s", request.get("state"), error)
                    server.failures[str(request.get("state"))] = f"{type(error).__name__}: {error}"
                    self._answer(400, {"error": f"{type(error).__name__}: {error}"})
                    return
                self._answer(200, values)

            def _answer(self, status: int, body: Mapping[str, Any]) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                log.debug("state callback: " + format, *args)

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Callback)
        self._thread = threading.Thread(target=self._http.serve_forever, name="pact-states", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host!s}:{port}/_pact/state"

    def handle(self, request: Mapping[str, Any]) -> dict[str, Any]:
        state = str(request.get("state") or "")
        if request.get("action", "setup") != "setup" or not state:
            return {}
        handler = self.handlers.get(state)
        if handler is None:
            raise UnknownStateError(self.provider, state)
        params = request.get("params") or {}
        return dict(handler(dict(params)) or {})

    def __enter__(self) -> StateServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join()
