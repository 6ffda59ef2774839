"""Catalog endpoints: list, read, categories, admin edits with ETag/If-Match, product images."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from pydantic import TypeAdapter

from product_service.api.deps import AdminDep, CatalogDep, runtime_of
from product_service.api.links import links
from product_service.api.schemas import (
    CATEGORY_PATTERN,
    PRICE_PATTERN,
    CategoryPublic,
    Problem,
    ProductCreate,
    ProductPage,
    ProductPatch,
    ProductPublic,
    ProductReplace,
)
from product_service.domain.catalog import same_version
from product_service.domain.models import ID_PATTERN, CategorySummary, Page, Product, ProductFilter
from product_service.domain.paging import CURSOR_PATTERN

_PROBLEM: dict[str, Any] = {"model": Problem}
router = APIRouter(
    tags=["catalog"], responses={422: {**_PROBLEM, "description": "Invalid input; `errors` names each field"}}
)

ProductId = Annotated[str, Path(pattern=ID_PATTERN, examples=["kitc-mug"])]
IfMatch = Annotated[
    str | None,
    Header(description="ETag from a previous read; the write fails with 412 if the product changed since."),
]

IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")
_ADMIN_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {**_PROBLEM, "description": "Missing or invalid bearer token"},
    403: {**_PROBLEM, "description": "Token lacks the admin role"},
    404: {**_PROBLEM, "description": "No such product"},
    412: {**_PROBLEM, "description": "If-Match does not match the current ETag"},
    422: {**_PROBLEM, "description": "Invalid body; `errors` names each field"},
}
# Routes that read a JSON body: one that is not JSON at all is refused before validation.
_JSON_BODY_ERRORS: dict[int | str, dict[str, Any]] = {
    **_ADMIN_ERRORS,
    400: {**_PROBLEM, "description": "The body is not JSON (`type` .../malformed-json)"},
}


def etag_of(product: Product) -> str:
    version = (product.version or "").strip('"')
    return f'"{version}"'


def _with_etag(response: Response, product: Product) -> ProductPublic:
    response.headers["ETag"] = etag_of(product)
    return ProductPublic.of(product)


# The public reads answer with JSON rendered once per cached answer (`Snapshot.derived`): a cache hit does
# no model building or serialisation. The bytes are what the declared response models would produce.
_CATEGORIES = TypeAdapter(list[CategoryPublic])


def product_json(product: Product) -> bytes:
    body = ProductPublic.of(product)
    return body.__pydantic_serializer__.to_json(body, by_alias=True)


def page_json(page: Page[Product]) -> bytes:
    body = ProductPage(items=[ProductPublic.of(p) for p in page.items], next_cursor=page.next_cursor)
    return body.__pydantic_serializer__.to_json(body, by_alias=True)


def categories_json(summaries: list[CategorySummary]) -> bytes:
    return _CATEGORIES.dump_json([CategoryPublic.of(summary) for summary in summaries], by_alias=True)


def _json(body: bytes, headers: dict[str, str] | None = None) -> Response:
    return Response(body, media_type="application/json", headers=headers)


@router.get(
    "/products",
    response_model=ProductPage,
    summary="List products",
    description="Filters combine with AND. Results are ordered by name. Page with `cursor` (opaque).",
    responses={400: {**_PROBLEM, "description": "Cursor not issued for these filters (`errors` names it)"}},
)
async def list_products(
    request: Request,
    category: Annotated[str | None, Query(pattern=CATEGORY_PATTERN, examples=["kitchen"])] = None,
    q: Annotated[
        str | None, Query(min_length=1, max_length=100, description="Text in name or description.")
    ] = None,
    min_price: Annotated[
        str | None, Query(alias="minPrice", pattern=PRICE_PATTERN, examples=["10.00"])
    ] = None,
    max_price: Annotated[
        str | None, Query(alias="maxPrice", pattern=PRICE_PATTERN, examples=["50.00"])
    ] = None,
    in_stock: Annotated[
        bool | None, Query(alias="inStock", description="Only products with stock > 0.")
    ] = None,
    limit: Annotated[int | None, Query(ge=1, le=100, description="Page size (default 20).")] = None,
    cursor: Annotated[
        str | None,
        Query(
            max_length=8192,
            # Base64url only, as issued: an unbounded alphabet let a valid cursor (8192 non-ASCII characters,
            # ~98 KB percent-encoded) outgrow the HTTP server's 64 KB request line.
            pattern=CURSOR_PATTERN,
            description="`nextCursor` of the previous page.",
        ),
    ] = None,
) -> Response:
    product_filter = ProductFilter(
        category=category,
        text=q,
        min_price=Decimal(min_price) if min_price is not None else None,
        max_price=Decimal(max_price) if max_price is not None else None,
        in_stock=in_stock,
    )
    runtime = runtime_of(request)
    page = await runtime.catalog.page(product_filter, limit or runtime.settings.page_size_default, cursor)
    return _json(page.derived(page_json, page_json))


@router.get("/categories", response_model=list[CategoryPublic], summary="Categories with product counts")
async def list_categories(request: Request) -> Response:
    summaries = await runtime_of(request).catalog.category_summaries()
    return _json(summaries.derived(categories_json, categories_json))


@router.get(
    "/products/{product_id}",
    response_model=ProductPublic,
    summary="Get one product",
    responses={404: {**_PROBLEM, "description": "No such product"}, 304: {"description": "Not modified"}},
)
async def get_product(
    product_id: ProductId,
    request: Request,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    snapshot = await runtime_of(request).catalog.read(product_id)
    etag = snapshot.derived(etag_of, etag_of)
    if if_none_match is not None and any(same_version(tag, etag) for tag in if_none_match.split(",")):
        return Response(status_code=304, headers={"ETag": etag})
    return _json(snapshot.derived(product_json, product_json), {"ETag": etag})


@router.post(
    "/products",
    response_model=ProductPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Create a product (admin)",
    responses={
        **_JSON_BODY_ERRORS,
        201: {
            "links": links(
                "/products/{product_id}",
                "product_id",
                "$response.body#/id",
                GetProduct="get",
                ReplaceProduct="put",
                ChangeProduct="patch",
                DeleteProduct="delete",
            )
            | links(
                "/products/{product_id}/image",
                "product_id",
                "$response.body#/id",
                UploadImage="put",
                GetImage="get",
            )
        },
        409: {**_PROBLEM, "description": "The id is taken"},
    },
)
async def create_product(
    body: ProductCreate, catalog: CatalogDep, _admin: AdminDep, response: Response
) -> ProductPublic:
    product = await catalog.create(body.fields(), body.id)
    response.headers["Location"] = f"/products/{product.id}"
    return _with_etag(response, product)


@router.put(
    "/products/{product_id}",
    response_model=ProductPublic,
    summary="Replace a product's editable fields (admin)",
    description="Stock held for open reservations is kept; `stock` sets the units available to reserve.",
    responses=_JSON_BODY_ERRORS,
)
async def replace_product(
    product_id: ProductId,
    body: ProductReplace,
    catalog: CatalogDep,
    _admin: AdminDep,
    response: Response,
    if_match: IfMatch = None,
) -> ProductPublic:
    return _with_etag(response, await catalog.replace(product_id, body.fields(), if_match))


@router.patch(
    "/products/{product_id}",
    response_model=ProductPublic,
    summary="Change some fields of a product (admin)",
    responses=_JSON_BODY_ERRORS,
)
async def patch_product(
    product_id: ProductId,
    body: ProductPatch,
    catalog: CatalogDep,
    _admin: AdminDep,
    response: Response,
    if_match: IfMatch = None,
) -> ProductPublic:
    return _with_etag(response, await catalog.patch(product_id, body.changes(), if_match))


@router.delete(
    "/products/{product_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a product and its image (admin)",
    responses={**_ADMIN_ERRORS, 409: {**_PROBLEM, "description": "Stock is held for open reservations"}},
)
async def delete_product(
    product_id: ProductId, catalog: CatalogDep, _admin: AdminDep, if_match: IfMatch = None
) -> Response:
    await catalog.delete(product_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    "/products/{product_id}/image",
    response_model=ProductPublic,
    summary="Upload or replace the product image (admin)",
    description="The body is the image itself; Content-Type must be one of the allowed image types.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in IMAGE_TYPES},
        }
    },
    responses={
        **_ADMIN_ERRORS,
        200: {
            "links": links("/products/{product_id}/image", "product_id", "$response.body#/id", GetImage="get")
        },
        413: {**_PROBLEM, "description": "Image over the size limit"},
        415: {**_PROBLEM, "description": "Type not allowed, or the bytes are not that type"},
    },
)
async def put_image(
    product_id: ProductId,
    request: Request,
    catalog: CatalogDep,
    _admin: AdminDep,
    response: Response,
    content_type: Annotated[str, Header()] = "",
) -> ProductPublic:
    data = await request.body()
    return _with_etag(response, await catalog.put_image(product_id, data, content_type))


@router.get(
    "/products/{product_id}/image",
    summary="The product image",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in IMAGE_TYPES},
            "description": "The image bytes, with the type it was uploaded as",
        },
        304: {"description": "Not modified"},
        404: {**_PROBLEM, "description": "No such product or no image"},
    },
)
async def get_image(
    product_id: ProductId,
    request: Request,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    runtime = runtime_of(request)
    image = await runtime.catalog.open_image(product_id)
    etag = f'"{image.etag.strip(chr(34))}"'
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={runtime.settings.image_cache_seconds}",
        "X-Content-Type-Options": "nosniff",
    }
    if if_none_match is not None and any(same_version(tag, etag) for tag in if_none_match.split(",")):
        await image.chunks.aclose()
        return Response(status_code=304, headers=headers)
    if image.data is not None:
        # From memory: one body, without the streamed response's task group and its disconnect listener.
        await image.chunks.aclose()
        return Response(image.data, media_type=image.content_type, headers=headers)
    headers["Content-Length"] = str(image.size)
    return StreamingResponse(image.chunks, media_type=image.content_type, headers=headers)
