"""The demo catalog: realistic, with images, loaded idempotently."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import zlib
from collections import Counter

from product_service.seed import catalog_products, png_tile


def test_catalog_has_over_a_hundred_unique_products_in_several_categories():
    products = catalog_products()

    assert len(products) >= 100
    assert len({p.id for p in products}) == len(products)
    assert len(Counter(p.fields.category for p in products)) >= 5
    assert any(p.fields.stock == 0 for p in products)


def test_png_tile_is_a_valid_png():
    data = png_tile((1, 2, 3), "x", size=8)

    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    idat = data.index(b"IDAT")
    length = int.from_bytes(data[idat - 4 : idat], "big")
    assert len(zlib.decompress(data[idat + 4 : idat + 4 + length])) == 8 * (1 + 8 * 3)


async def test_seed_on_start_loads_catalog_with_images(start_api):
    api = await start_api(seed_on_start=True)

    categories = (await api.http.get("/categories")).json()
    first = (await api.http.get("/products?limit=1")).json()["items"][0]
    image = await api.http.get(first["imageUrl"])

    assert sum(c["productCount"] for c in categories) == len(catalog_products())
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"


async def run_seed(env: dict[str, str]) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from product_service.cli import seed; seed()",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    return out.decode()


async def test_seed_command_is_idempotent_and_keeps_admin_changes(start_api, settings_for, process_env):
    settings = settings_for()
    env = process_env(settings, PRODUCT_LOG_LEVEL="WARNING")
    total = len(catalog_products())

    first = await run_seed(env)
    api = await start_api(cosmos_database=settings.cosmos_database, blob_container=settings.blob_container)
    edited = await api.http.patch("/products/kitc-mug", json={"price": "1.00"}, headers=api.admin)
    second = await run_seed(env)

    assert f"products created: {total}, already present: 0, images uploaded: {total}" in first
    assert f"products created: 0, already present: {total}, images uploaded: 0" in second
    assert edited.status_code == 200
    assert (await api.http.get("/products/kitc-mug")).json()["price"] == "1.00"
