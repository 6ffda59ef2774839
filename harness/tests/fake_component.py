"""A stand-in component for supervisor tests: an HTTP server whose behaviour the flags choose."""

from __future__ import annotations

import argparse
import http.server
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

ready = threading.Event()


class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if ready.is_set() else 503)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def _answers_ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ready-after", type=float, default=0.0)
    parser.add_argument("--never-ready", action="store_true")
    parser.add_argument("--exit-after", type=float)
    parser.add_argument("--exit-code", type=int, default=3)
    parser.add_argument("--spawn-child", action="store_true")
    parser.add_argument("--ignore-term", action="store_true")
    parser.add_argument("--require-port", type=int, help="fail at once unless this port accepts")
    parser.add_argument(
        "--require-not-ready", type=int, help="fail at once if the component on this port is already ready"
    )
    args = parser.parse_args()

    print(f"fake component booting on {args.port}", flush=True)
    if args.require_port:
        try:
            socket.create_connection(("127.0.0.1", args.require_port), timeout=1).close()
        except OSError:
            print(f"dependency on port {args.require_port} is not up", flush=True)
            sys.exit(4)
    if args.require_not_ready and _answers_ready(args.require_not_ready):
        print(f"component on port {args.require_not_ready} was ready before this one started", flush=True)
        sys.exit(5)
    if args.ignore_term:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if args.spawn_child:
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        print(f"child pid {child.pid}", flush=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if not args.never_ready:
        time.sleep(args.ready_after)
        ready.set()
        print("fake component ready", flush=True)
    else:
        print("fake component cannot reach its database", flush=True)
    if args.exit_after is not None:
        time.sleep(args.exit_after)
        print("fake component giving up", flush=True)
        sys.exit(args.exit_code)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
