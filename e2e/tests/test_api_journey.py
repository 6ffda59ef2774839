"""The order saga over HTTP only: order → Service Bus → payment → topic → order → Event Hubs → notification.

Every component is the real one, started from harness/platform.yaml; nothing is faked but the card
gateway, which the payment service simulates with its documented test cards.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Shop

REPO = Path(__file__).resolve().parents[2]
SUCCESS_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
TERMINAL = {"PAID", "PAYMENT_FAILED", "CANCELLED", "FULFILLED"}
# From a redelivered message to its email: order → outbox relay → Event Hubs → notification → SMTP.
TRIP_SECONDS = 10.0
_ISO_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")


def settled_product(shop: Shop, product_id: str, timeout: float = 10) -> dict[str, Any]:
    """The product once no order holds any of it. Order confirms or releases the stock right after it
    commits PAID or PAYMENT_FAILED, so a terminal order may still hold its stock for a moment."""
    deadline = time.monotonic() + timeout
    while True:
        product: dict[str, Any] = shop.product.get(f"/products/{product_id}").json()
        if product["reserved"] == 0 or time.monotonic() > deadline:
            return product
        time.sleep(0.1)


def in_stock_products(shop: Shop, count: int) -> list[dict[str, Any]]:
    """In-stock products as they are once the orders of earlier journeys have let go of them."""
    listed = shop.product.get("/products", params={"inStock": "true", "limit": 20})
    assert listed.status_code == 200, listed.text
    chosen = [p["id"] for p in listed.json()["items"] if p["stock"] >= 5][:count]
    products = [settled_product(shop, product_id) for product_id in chosen]
    assert len(products) == count, "the seeded catalog should have products in stock"
    return products


def place_order(shop: Shop, email: str, card: str, products: list[dict[str, Any]]) -> dict[str, Any]:
    body = {
        "customer": {"email": email, "name": "Journey Tester"},
        "items": [{"productId": p["id"], "quantity": 1 + i} for i, p in enumerate(products)],
        "paymentMethod": {"type": "card", "token": card},
    }
    created = shop.order.post("/orders", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert created.status_code == 201, created.text
    order: dict[str, Any] = created.json()
    return order


def redelivery_window_seconds(shop: Shop) -> float:
    """The longest message lock of the Service Bus emulator config the platform runs with (queue
    ``payment-requests``, subscription ``payment-events/order-service``): a message whose settlement was
    lost is delivered again only once its lock expires."""
    command = shop.platform.component("servicebus").command
    config = json.loads((REPO / command[command.index("--config") + 1]).read_text())
    locks = []
    for namespace in config["UserConfig"]["Namespaces"]:
        subscriptions = [s for topic in namespace["Topics"] for s in topic["Subscriptions"]]
        for entity in [*namespace["Queues"], *subscriptions]:
            match = _ISO_DURATION.match(entity["Properties"]["LockDuration"])
            assert match, entity["Properties"]["LockDuration"]
            hours, minutes, seconds = (float(part or 0) for part in match.groups())
            locks.append(hours * 3600 + minutes * 60 + seconds)
    return max(locks)


def wait_for_terminal_status(shop: Shop, order_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        order: dict[str, Any] = shop.order.get(f"/orders/{order_id}").json()
        if order["status"] in TERMINAL or time.monotonic() > deadline:
            return order
        time.sleep(0.25)


def test_success_card_pays_the_order_and_sends_one_confirmation_email(shop: Shop) -> None:
    email = f"paid-{uuid.uuid4().hex[:8]}@example.com"
    products = in_stock_products(shop, 2)
    stock_before = {p["id"]: p["stock"] for p in products}

    order = place_order(shop, email, SUCCESS_CARD, products)
    assert order["status"] == "PENDING_PAYMENT"
    final = wait_for_terminal_status(shop, order["id"])
    assert final["status"] == "PAID"

    payment = shop.payment.get(f"/payments/{order['id']}")
    assert payment.status_code == 200, payment.text
    assert payment.json()["amount"]["value"] == order["total"]["value"]

    paid = {"to": email, "subject": f"Payment received for order {order['id']}"}
    received = {"to": email, "subject": "We received your order"}
    mails = shop.mailbox.get("/api/messages", params={**paid, "wait": 30}).json()
    assert len(mails["messages"]) == 1, mails
    assert len(shop.mailbox.get("/api/messages", params=received).json()["messages"]) == 1
    log = shop.notification.get("/notifications", params={"orderId": order["id"]})
    assert log.status_code == 200, log.text
    for i, product in enumerate(products):
        after = settled_product(shop, product["id"])
        assert after["stock"] == stock_before[product["id"]] - (1 + i)
        assert after["reserved"] == 0

    # A redelivered message must not produce a second copy of a notification: keep watching until any
    # message of this saga whose lock was lost has come back and made its way to the mailbox.
    deadline = time.monotonic() + redelivery_window_seconds(shop) + TRIP_SECONDS
    while time.monotonic() < deadline:
        for query in (paid, received):
            copies = shop.mailbox.get("/api/messages", params=query).json()["messages"]
            assert len(copies) == 1, f"{len(copies)} copies of {query['subject']!r}"
        time.sleep(2)


def test_declined_card_fails_the_payment_and_returns_the_stock(shop: Shop) -> None:
    email = f"declined-{uuid.uuid4().hex[:8]}@example.com"
    (product,) = in_stock_products(shop, 1)

    order = place_order(shop, email, DECLINED_CARD, [product])
    final = wait_for_terminal_status(shop, order["id"])
    assert final["status"] == "PAYMENT_FAILED"

    after = settled_product(shop, product["id"])
    assert after["stock"] == product["stock"]
    assert after["reserved"] == 0


def test_replayed_order_request_creates_one_order(shop: Shop) -> None:
    (product,) = in_stock_products(shop, 1)
    body = {
        "customer": {"email": f"replay-{uuid.uuid4().hex[:8]}@example.com", "name": "Replay"},
        "items": [{"productId": product["id"], "quantity": 1}],
        "paymentMethod": {"type": "card", "token": SUCCESS_CARD},
    }
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = shop.order.post("/orders", json=body, headers=key)
    second = shop.order.post("/orders", json=body, headers=key)
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    listed = shop.order.get("/orders", params={"customerEmail": body["customer"]["email"]}).json()
    assert [o["id"] for o in listed["items"]] == [first.json()["id"]]
    # Leaves the shop quiet: the next journey counts this product's stock.
    assert wait_for_terminal_status(shop, first.json()["id"])["status"] == "PAID"


def test_invalid_order_is_refused_naming_the_field_and_creates_nothing(shop: Shop) -> None:
    # A valid email, so the customer's orders can be listed; one good line, which an order would reserve.
    email = f"invalid-{uuid.uuid4().hex[:8]}@example.com"
    products = in_stock_products(shop, 2)
    body = {
        "customer": {"email": email, "name": "Bad", "phone": "12345"},
        "items": [
            {"productId": products[0]["id"], "quantity": 0},
            {"productId": products[1]["id"], "quantity": 1},
        ],
        "paymentMethod": {"type": "card", "token": SUCCESS_CARD},
    }
    refused = shop.order.post("/orders", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert refused.status_code in (400, 422)
    assert refused.headers["content-type"].startswith("application/problem+json")
    fields = {error["field"] for error in refused.json()["errors"]}
    assert {"customer.phone", "items[0].quantity"} <= fields

    listed = shop.order.get("/orders", params={"customerEmail": email})
    assert listed.status_code == 200, listed.text
    assert listed.json()["items"] == []
    for product in products:
        after = shop.product.get(f"/products/{product['id']}").json()
        assert (after["stock"], after["reserved"]) == (product["stock"], product["reserved"])
