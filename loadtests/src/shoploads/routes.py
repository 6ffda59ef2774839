"""Every request the suite makes, named by its route template: these are the Locust entry names, and the
only endpoint names a thresholds file may use."""

from __future__ import annotations

LIST_PRODUCTS = "GET /products"
SEARCH_PRODUCTS = "GET /products?q="
FILTER_PRODUCTS = "GET /products?category="
GET_PRODUCT = "GET /products/{id}"
GET_IMAGE = "GET /products/{id}/image"
LIST_CATEGORIES = "GET /categories"
PATCH_PRODUCT = "PATCH /products/{id}"
POST_ORDER = "POST /orders"
GET_ORDER = "GET /orders/{id}"
LIST_ORDERS = "GET /orders?customerEmail="
# Not an HTTP request: POST /orders answered → the order read back PAID or PAYMENT_FAILED.
SAGA = "saga POST /orders → PAID|PAYMENT_FAILED"
SAGA_TYPE = "SAGA"

ENDPOINTS: tuple[str, ...] = (
    LIST_PRODUCTS,
    SEARCH_PRODUCTS,
    FILTER_PRODUCTS,
    GET_PRODUCT,
    GET_IMAGE,
    LIST_CATEGORIES,
    PATCH_PRODUCT,
    POST_ORDER,
    GET_ORDER,
    LIST_ORDERS,
)
