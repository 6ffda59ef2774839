"""Product images: admin upload with type and size checks, served from Blob Storage with ETag caching.
What Blob Storage holds is read past the service, with the SDK."""

from __future__ import annotations

from azure.core.exceptions import ResourceNotFoundError
from azure.storage.blob.aio import ContainerClient
from product_service.seed import png_tile

PNG = png_tile((10, 20, 30), "test")
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


async def upload(api, product_id: str, data: bytes, content_type: str):
    return await api.http.put(
        f"/products/{product_id}/image", content=data, headers={**api.admin, "Content-Type": content_type}
    )


async def uploaded(api, product_id: str, data: bytes, content_type: str) -> dict:
    """An upload that must succeed: 200 and the product with its image address."""
    response = await upload(api, product_id, data, content_type)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == product_id
    assert body["imageUrl"] == f"/products/{product_id}/image"
    return body


async def stored_blob(api, product_id: str) -> tuple[bytes, str] | None:
    """The product's image blob (bytes, content type) as Blob Storage holds it, or None."""
    async with ContainerClient.from_connection_string(
        api.settings.blob_connection_string.get_secret_value(), api.settings.blob_container
    ) as container:
        try:
            downloader = await container.download_blob(f"products/{product_id}")
        except ResourceNotFoundError:
            return None
        return await downloader.readall(), downloader.properties.content_settings.content_type


async def test_upload_then_get_image_round_trips_bytes(api):
    await api.create_product(id="a")

    await uploaded(api, "a", PNG, "image/png")
    fetched = await api.http.get("/products/a/image")

    assert await stored_blob(api, "a") == (PNG, "image/png")
    assert fetched.status_code == 200
    assert fetched.content == PNG
    assert fetched.headers["content-type"] == "image/png"
    assert fetched.headers["cache-control"] == "public, max-age=300"
    assert fetched.headers["etag"].startswith('"')


async def test_get_image_with_matching_etag_is_304(api):
    await api.create_product(id="a")
    await uploaded(api, "a", PNG, "image/png")
    etag = (await api.http.get("/products/a/image")).headers["etag"]

    response = await api.http.get("/products/a/image", headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""


async def test_replacing_image_changes_etag(api):
    await api.create_product(id="a")
    await uploaded(api, "a", PNG, "image/png")
    before = (await api.http.get("/products/a/image")).headers["etag"]

    await uploaded(api, "a", JPEG, "image/jpeg")
    after = await api.http.get("/products/a/image")

    assert after.headers["etag"] != before
    assert after.headers["content-type"] == "image/jpeg"
    assert await stored_blob(api, "a") == (JPEG, "image/jpeg")


async def test_upload_refuses_type_outside_allowlist(api):
    await api.create_product(id="a")

    response = await upload(api, "a", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")

    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"
    assert await stored_blob(api, "a") is None


async def test_upload_refuses_bytes_that_do_not_match_the_type(api):
    await api.create_product(id="a")

    response = await upload(api, "a", b"GIF89a not a png", "image/png")

    assert response.status_code == 415
    assert (await api.http.get("/products/a/image")).status_code == 404
    assert await stored_blob(api, "a") is None


async def test_upload_over_size_limit_is_413(start_api):
    api = await start_api(image_max_bytes=2048)
    await api.create_product(id="a")

    response = await upload(api, "a", PNG + b"\x00" * 4096, "image/png")

    assert response.status_code == 413
    assert await stored_blob(api, "a") is None


async def test_upload_needs_admin_token(api):
    await api.create_product(id="a")

    response = await api.http.put("/products/a/image", content=PNG, headers={"Content-Type": "image/png"})

    assert response.status_code == 401
    assert await stored_blob(api, "a") is None


async def test_upload_for_missing_product_is_404(api):
    response = await upload(api, "ghost", PNG, "image/png")

    assert response.status_code == 404
    assert await stored_blob(api, "ghost") is None


async def test_image_of_product_without_one_is_404(api):
    await api.create_product(id="a")

    response = await api.http.get("/products/a/image")

    assert response.status_code == 404


async def test_deleting_product_deletes_its_image(api):
    await api.create_product(id="a")
    await uploaded(api, "a", PNG, "image/png")
    assert await stored_blob(api, "a") is not None

    deleted = await api.http.delete("/products/a", headers=api.admin)

    assert deleted.status_code == 204
    assert deleted.content == b""
    assert await stored_blob(api, "a") is None
    assert (await api.http.get("/products/a")).status_code == 404
    assert (await api.http.get("/products/a/image")).status_code == 404
