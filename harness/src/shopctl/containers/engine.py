"""Whether a Docker engine answers here: the container backend needs one, its tests skip without one."""

from __future__ import annotations

import os

from shopctl.errors import ShopError

DEFAULT_ENGINE = "unix:///var/run/docker.sock"


class ContainerEngineUnavailableError(ShopError):
    """SHOP_RUNTIME=containers was asked for where no Docker engine answers."""


def docker_engine_problem() -> str | None:
    """None when a Docker engine answers a ping, else why not (a sentence naming the missing engine)."""
    try:
        import docker
        from docker.errors import DockerException
    except ImportError:
        return "the Docker SDK is not installed (install shopctl[containers])"
    address = os.environ.get("DOCKER_HOST") or DEFAULT_ENGINE
    try:
        client = docker.from_env(timeout=5)
        try:
            client.ping()
        finally:
            client.close()
    except (DockerException, OSError) as exc:
        cause: BaseException = exc
        while cause.__context__ is not None:  # the innermost: "FileNotFoundError" says more than requests'
            cause = cause.__context__
        return f"no Docker engine answers at {address} ({type(cause).__name__})"
    return None
