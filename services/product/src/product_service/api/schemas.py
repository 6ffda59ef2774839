"""Wire models (the OpenAPI contract). Inputs are strict and refuse unknown fields; prices travel as
decimal strings so that no client ever rounds them through a binary float."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    field_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.json_schema import SkipJsonSchema

from product_service.domain.models import (
    ID_PATTERN,
    CategorySummary,
    Product,
    ProductFields,
    Reservation,
    ReservationLine,
)

PRICE_PATTERN = r"^\d{1,9}(\.\d{1,2})?$"
CATEGORY_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_PRICE_RE = re.compile(PRICE_PATTERN)


def _decimal_string(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str) or _PRICE_RE.fullmatch(value) is None:
        raise ValueError('must be a decimal string such as "12.99" (at most 2 decimal places)')
    return Decimal(value)


Price = Annotated[
    Decimal,
    BeforeValidator(_decimal_string),
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str),
    WithJsonSchema({"type": "string", "pattern": PRICE_PATTERN, "examples": ["24.99"]}),
]
Id = Annotated[str, Field(pattern=ID_PATTERN, examples=["mug-classic-white"])]
Category = Annotated[str, Field(pattern=CATEGORY_PATTERN, max_length=64, examples=["kitchen"])]


class _Input(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        alias_generator=to_camel,
        populate_by_name=True,
        str_strip_whitespace=True,
    )


class _Output(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


_PRODUCT_EXAMPLE: dict[str, Any] = {
    "name": "Classic white mug",
    "description": "Stoneware mug, 350 ml, dishwasher safe.",
    "category": "kitchen",
    "price": "12.50",
    "currency": "USD",
    "stock": 40,
}


class ProductReplace(_Input):
    model_config = ConfigDict(json_schema_extra={"examples": [_PRODUCT_EXAMPLE]})

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    category: Category
    price: Price = Field(gt=0)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    stock: int = Field(ge=0, le=1_000_000)

    def fields(self) -> ProductFields:
        return ProductFields(
            name=self.name,
            description=self.description,
            category=self.category,
            price=self.price,
            currency=self.currency,
            stock=self.stock,
        )


class ProductCreate(ProductReplace):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"id": "mug-classic-white", **_PRODUCT_EXAMPLE}]}
    )

    id: Id | None = Field(default=None, description="Optional; a random id is assigned when omitted.")


def _no_nulls(schema: dict[str, Any]) -> None:
    """The document of a PATCH body: ``None`` marks an absent field in the model, but ``null`` is refused
    on the wire, so no property may say it takes one (nor default to it)."""
    schema["examples"] = [{"price": "10.99", "stock": 25}]
    for name, prop in list(schema.get("properties", {}).items()):
        branches = [branch for branch in prop.get("anyOf", []) if branch != {"type": "null"}]
        if len(branches) == 1:
            rest = {key: value for key, value in prop.items() if key not in ("anyOf", "default")}
            schema["properties"][name] = {**branches[0], **rest}


class ProductPatch(_Input):
    """Only the fields present change. ``null`` is not a value any field can take."""

    model_config = ConfigDict(json_schema_extra=_no_nulls)

    # None marks "absent" only: defaults are not validated, but an explicit null is refused below.
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    category: Category | None = None
    price: Price | None = Field(default=None, gt=0)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    stock: int | None = Field(default=None, ge=0, le=1_000_000)

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null; leave the field out to keep its value")
        return value

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class ProductPublic(_Output):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "mug-classic-white",
                    **_PRODUCT_EXAMPLE,
                    "reserved": 2,
                    "imageUrl": "/products/mug-classic-white/image",
                    "createdAt": "2025-01-01T10:00:00Z",
                    "updatedAt": "2025-01-02T08:30:00Z",
                }
            ]
        }
    )

    id: str
    name: str
    description: str
    category: str
    price: Price
    currency: str
    stock: int = Field(description="Units available to reserve.")
    reserved: int = Field(description="Units held for orders not yet confirmed or released.")
    image_url: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, product: Product) -> ProductPublic:
        return cls(
            id=product.id,
            name=product.name,
            description=product.description,
            category=product.category,
            price=product.price,
            currency=product.currency,
            stock=product.stock,
            reserved=product.reserved,
            image_url=f"/products/{product.id}/image" if product.image else None,
            created_at=product.created_at,
            updated_at=product.updated_at,
        )


class ProductPage(_Output):
    items: list[ProductPublic]
    next_cursor: str | None = Field(
        description="Pass as `cursor` with the same filters for the next page; null on the last page."
    )


class CategoryPublic(_Output):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "kitchen", "productCount": 18}]})

    name: str
    product_count: int

    @classmethod
    def of(cls, summary: CategorySummary) -> CategoryPublic:
        return cls(name=summary.name, product_count=summary.product_count)


class ReservationItem(_Input):
    product_id: Id
    quantity: int = Field(ge=1, le=1000)


class ReservationCreate(_Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"orderId": "ord-20250101-0001", "items": [{"productId": "mug-classic-white", "quantity": 2}]}
            ]
        }
    )

    order_id: Id
    items: list[ReservationItem] = Field(min_length=1, max_length=50)

    @field_validator("items")
    @classmethod
    def _distinct_products(cls, items: list[ReservationItem]) -> list[ReservationItem]:
        seen: set[str] = set()
        for index, item in enumerate(items):
            if item.product_id in seen:
                raise ValueError(
                    f"items[{index}].productId repeats '{item.product_id}'; list each product once"
                )
            seen.add(item.product_id)
        return items

    def lines(self) -> list[ReservationLine]:
        return [ReservationLine(item.product_id, item.quantity) for item in self.items]

    def index_of(self, product_id: str) -> int | None:
        """The position of the product's item (products are listed once each)."""
        return next((i for i, item in enumerate(self.items) if item.product_id == product_id), None)


class ReservationLinePublic(_Output):
    product_id: str
    quantity: int
    unit_price: Price | SkipJsonSchema[None] = Field(
        default=None,
        description="The product's price when its stock was held for this reservation. Absent from "
        "reservations made before reservations recorded prices.",
    )
    currency: str | SkipJsonSchema[None] = Field(
        default=None,
        description="The currency of `unitPrice` (ISO 4217); absent when `unitPrice` is.",
        examples=["USD"],
    )

    @classmethod
    def of(cls, line: ReservationLine) -> ReservationLinePublic:
        return cls(
            product_id=line.product_id,
            quantity=line.quantity,
            unit_price=line.unit_price,
            currency=line.currency,
        )


class ReservationPublic(_Output):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "orderId": "ord-20250101-0001",
                    "status": "RESERVED",
                    "items": [
                        {
                            "productId": "mug-classic-white",
                            "quantity": 2,
                            "unitPrice": "12.50",
                            "currency": "USD",
                        }
                    ],
                    "createdAt": "2025-01-01T10:00:00Z",
                    "updatedAt": "2025-01-01T10:00:00Z",
                    "expiresAt": "2025-01-01T10:15:00Z",
                }
            ]
        }
    )

    order_id: str
    status: str = Field(description="RESERVED, CONFIRMED, RELEASED or EXPIRED.")
    items: list[ReservationLinePublic]
    created_at: datetime
    updated_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, reservation: Reservation) -> ReservationPublic:
        return cls(
            order_id=reservation.order_id,
            status=reservation.status.value,
            items=[ReservationLinePublic.of(line) for line in reservation.items],
            created_at=reservation.created_at,
            updated_at=reservation.updated_at,
            expires_at=reservation.expires_at,
        )


class Problem(BaseModel):
    """RFC 9457 problem details; extension members vary by ``type``."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
