"""Several server processes on one port (``PRODUCT_WORKERS`` > 1), for a machine where one event loop is
the bottleneck: the load gate's ``POST /orders`` waits in product's queue (loadtests/README.md).

The supervisor binds one socket per worker on the port (``SO_REUSEPORT``) and starts each worker as a
fresh interpreter that inherits its own and listens on it once it serves, so the kernel spreads new
connections over the workers that serve. The first worker starts alone and seeds the catalog if asked;
the others start once it is serving, so that none answers from a catalog still being seeded. Metrics are
kept in files all workers share (prometheus-client's multiprocess mode), so a scrape that reaches any
worker counts them all. Each worker has its own catalog cache and tells the others about every change it
makes (`adapters.sibling_cache`), so a reservation or an administrator's write through one worker shows
at once in the reads of all, as in a single process.

SIGTERM or SIGINT to the supervisor is passed to every worker as SIGTERM (a container runtime signals
only its first process); each finishes its requests in flight as a single process would. A worker that
exits on its own takes the others down, so whatever supervises the service sees it fail. In Kubernetes
the service runs one worker per pod and scales by replicas.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import FrameType

from servicekit.logs import configure_logging
from servicekit.metrics import MULTIPROCESS_DIR_ENV

from product_service.settings import Settings

log = logging.getLogger(__name__)

# Set by the supervisor for each worker it starts (not configuration: an interface between the two).
LISTEN_FD_ENV = "PRODUCT_WORKER_LISTEN_FD"
READY_FD_ENV = "PRODUCT_WORKER_READY_FD"
SIBLINGS_DIR_ENV = "PRODUCT_WORKER_SIBLINGS_DIR"
READY_TIMEOUT_SECONDS = 90.0


def listening_sockets(settings: Settings) -> list[socket.socket]:
    """One socket per worker, all bound to the configured port (``SO_REUSEPORT``): the kernel spreads new
    connections evenly by address over those that listen (a worker's server listens once it serves). With
    one socket shared, an idle machine handed every connection to the same worker, and a kept-alive
    connection stays where it was accepted."""
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sockets = []
    try:
        for _ in range(settings.workers):
            sock = socket.socket(family, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((settings.host, settings.port))
            sock.set_inheritable(True)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


class Supervisor:
    def __init__(self, settings: Settings, command: list[str]) -> None:
        self._settings = settings
        self._command = command
        self._workers: dict[int, subprocess.Popen[bytes]] = {}
        self._stopping = False
        self._status = 0

    def run(self) -> int:
        """Serves until signalled or a worker fails; the exit status: 0, or the failed worker's."""
        sockets = listening_sockets(self._settings)
        shared = Path(tempfile.mkdtemp(prefix="product-workers-"))
        (shared / "metrics").mkdir()
        (shared / "siblings").mkdir()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)
        try:
            env = {
                **os.environ,
                MULTIPROCESS_DIR_ENV: str(shared / "metrics"),
                SIBLINGS_DIR_ENV: str(shared / "siblings"),
            }
            first, *others = sockets
            if self._start_first(env, first):
                for sock in others:
                    if self._stopping:
                        break
                    self._start({**env, "PRODUCT_SEED_ON_START": "false"}, sock)
                log.info("product workers started", extra={"workers": len(self._workers)})
            self._reap()
            return self._status
        finally:
            self._stop_all()
            for sock in sockets:
                sock.close()
            shutil.rmtree(shared, ignore_errors=True)

    def _start(self, env: dict[str, str], sock: socket.socket, ready_fd: int | None = None) -> None:
        env = {**env, LISTEN_FD_ENV: str(sock.fileno())}
        fds = (sock.fileno(),) if ready_fd is None else (sock.fileno(), ready_fd)
        if ready_fd is not None:
            env[READY_FD_ENV] = str(ready_fd)
        process = subprocess.Popen(self._command, env=env, pass_fds=fds)
        self._workers[process.pid] = process

    def _start_first(self, env: dict[str, str], sock: socket.socket) -> bool:
        """Starts the first worker and waits until it serves. False when it exited, timed out or a signal
        came first; the first two are failures."""
        ready_read, ready_write = os.pipe()
        try:
            self._start(env, sock, ready_write)
            os.close(ready_write)
            deadline = time.monotonic() + READY_TIMEOUT_SECONDS
            while not self._stopping and time.monotonic() < deadline:
                readable, _, _ = select.select([ready_read], [], [], 0.5)
                if readable:
                    # A byte when it serves; end of file when it exited without serving (`_reap` has
                    # its status).
                    return os.read(ready_read, 1) == b"r"
            if not self._stopping:
                log.error("product worker did not start", extra={"seconds": READY_TIMEOUT_SECONDS})
                self._fail(1)
            return False
        finally:
            os.close(ready_read)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._stopping = True
        self._signal_all()

    def _fail(self, status: int) -> None:
        self._status = status
        self._stopping = True
        self._signal_all()

    def _signal_all(self) -> None:
        # os.kill, not Popen.send_signal: that polls, and could reap a worker before `_reap` sees it exit.
        # A worker not reaped yet keeps its pid, so the signal cannot reach another process.
        for pid in self._workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    def _reap(self) -> None:
        """Waits for every worker; the first to exit unasked stops the others and gives the status."""
        while self._workers:
            pid, wait_status = os.waitpid(-1, 0)
            process = self._workers.pop(pid, None)
            if process is None:
                continue
            process.returncode = os.waitstatus_to_exitcode(wait_status)
            if not self._stopping:
                log.error("product worker exited", extra={"pid": pid, "status": process.returncode})
                # A worker killed by a signal reports it negated; the supervisor's status is a failure.
                self._fail(process.returncode if process.returncode > 0 else 1)

    def _stop_all(self) -> None:
        """Whatever still runs when the supervisor itself fails."""
        self._signal_all()
        for process in self._workers.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def announce_ready() -> None:
    """In a worker the supervisor waits for: tells it this worker serves."""
    fd = os.environ.pop(READY_FD_ENV, None)
    if fd is not None:
        os.write(int(fd), b"r")
        os.close(int(fd))


def worker_socket() -> socket.socket | None:
    """The listening socket a worker inherited from its supervisor (None outside a supervisor)."""
    fd = os.environ.get(LISTEN_FD_ENV)
    return socket.socket(fileno=int(fd)) if fd is not None else None


def sibling_directory() -> Path | None:
    """Where a worker finds its siblings' sockets (`adapters.sibling_cache`); None outside a supervisor."""
    directory = os.environ.get(SIBLINGS_DIR_ENV)
    return Path(directory) if directory else None


def supervise(settings: Settings) -> None:
    configure_logging(settings.log_level, "product")
    sys.exit(Supervisor(settings, [sys.executable, "-m", "product_service"]).run())
