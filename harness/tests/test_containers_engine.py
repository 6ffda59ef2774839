"""The container runtime against a real Docker engine (the pipelines' agents): skipped where none answers.

Azurite runs its upstream image; our images are the ones `docker buildx bake` builds, so those tests also
need them built (they skip naming the missing image otherwise).
"""

from __future__ import annotations

import socket

import httpx
import pytest
from shopctl.containers.engine import docker_engine_problem
from shopctl.testing import launched

ENGINE_PROBLEM = docker_engine_problem()
pytestmark = pytest.mark.skipif(ENGINE_PROBLEM is not None, reason=f"needs a Docker engine: {ENGINE_PROBLEM}")

CONTAINERS = {"SHOP_RUNTIME": "containers"}


def _image_missing(image: str) -> str | None:
    import docker
    from docker.errors import ImageNotFound

    client = docker.from_env()
    try:
        client.images.get(image)
    except ImageNotFound:
        return f"image {image} is not built here (docker buildx bake)"
    finally:
        client.close()
    return None


def test_azurite_container_answers_on_every_mapped_port() -> None:
    with launched("azurite", environ=CONTAINERS) as platform:
        for port_name in ("blob", "queue", "table"):
            with socket.create_connection(("127.0.0.1", platform.port("azurite", port_name)), timeout=5):
                pass
        assert platform.url("azurite", "blob").endswith("/devstoreaccount1")


def test_product_reaches_cosmos_and_azurite_by_container_name() -> None:
    for image in ("contoso-shop/product", "contoso-shop/cosmos"):
        missing = _image_missing(image)
        if missing:
            pytest.skip(missing)
    with launched("product", environ=CONTAINERS) as platform:
        ready = httpx.get(platform.component("product").ready.http or "", timeout=5, trust_env=False)
        assert ready.status_code == 200, ready.text
