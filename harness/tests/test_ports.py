"""Who listens on a local port: the answer the port-conflict message and the benches read."""

from __future__ import annotations

import os
import socket

from shopctl.ports import free_port, listener_pid, port_holder


def test_the_listening_process_is_found_by_its_port() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        assert listener_pid(port) == os.getpid()
        assert (port_holder(port) or "").startswith(f"pid {os.getpid()} (")


def test_a_port_nobody_listens_on_has_no_holder() -> None:
    port = free_port()

    assert listener_pid(port) is None
    assert port_holder(port) is None
