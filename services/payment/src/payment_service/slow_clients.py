"""Cuts off clients too slow to send their request (head and body) under gunicorn's threaded workers.

A gunicorn thread blocks on the socket while it reads a request, so a client sending a byte now and then
would hold a thread for as long as it likes. `RequestDeadlines` gives each request ``seconds`` from the
moment its thread takes the connection until the app has its whole body; past that, one watchdog thread
shuts the socket's reading side, the blocked read returns end-of-stream, and the request ends (gunicorn
drops a half-sent head; `api.limits` answers a half-sent body with 408). Deadlines are per thread: the
worker arms one when its thread starts on a connection, the app disarms it once the body is in.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time

__all__ = ["REQUEST_DEADLINES", "RequestDeadlines"]


class RequestDeadlines:
    def __init__(self, seconds: float = 15.0) -> None:
        self.seconds = seconds
        self._armed: dict[int, tuple[float, socket.socket]] = {}
        self._expired: set[int] = set()
        self._lock = threading.Lock()
        self._watchdog: threading.Thread | None = None

    def arm(self, sock: socket.socket) -> None:
        """Starts the calling thread's deadline for the request it is about to read from ``sock``."""
        with self._lock:
            self._armed[threading.get_ident()] = (time.monotonic() + self.seconds, sock)
            self._expired.discard(threading.get_ident())
            if self._watchdog is None:
                # Started on first use, so in the gunicorn worker process, after the fork.
                self._watchdog = threading.Thread(target=self._watch, name="request-deadlines", daemon=True)
                self._watchdog.start()

    def disarm(self) -> bool:
        """Ends the calling thread's deadline; True if it had passed (the socket was cut off)."""
        ident = threading.get_ident()
        with self._lock:
            self._armed.pop(ident, None)
            expired = ident in self._expired
            self._expired.discard(ident)
            return expired

    def _watch(self) -> None:
        while True:
            time.sleep(min(0.25, self.seconds / 4))
            now = time.monotonic()
            with self._lock:
                due = [ident for ident, (deadline, _) in self._armed.items() if deadline <= now]
                cut = [self._armed.pop(ident)[1] for ident in due]
                self._expired.update(due)
            for sock in cut:
                with contextlib.suppress(OSError):  # already closed by the client or the worker
                    sock.shutdown(socket.SHUT_RD)


REQUEST_DEADLINES = RequestDeadlines()
