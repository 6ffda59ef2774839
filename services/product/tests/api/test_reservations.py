"""Reservation endpoints: all-or-nothing, idempotent per order id, confirm/release/expiry."""

from __future__ import annotations

import asyncio
import json
from typing import Any


def order(order_id: str, *items: tuple[str, int]) -> dict[str, object]:
    return {"orderId": order_id, "items": [{"productId": p, "quantity": q} for p, q in items]}


async def test_reserve_holds_stock_and_answers_201(api):
    await api.create_product(id="a", stock=5)

    response = await api.http.post("/reservations", json=order("o-1", ("a", 2)))

    assert response.status_code == 201
    assert response.headers["location"] == "/reservations/o-1"
    assert response.json()["status"] == "RESERVED"
    assert await api.stock_of("a") == (3, 2)


async def test_reserve_repeat_gives_same_result_without_holding_twice(api):
    await api.create_product(id="a", stock=5)
    first = await api.http.post("/reservations", json=order("o-1", ("a", 2)))

    again = await api.http.post("/reservations", json=order("o-1", ("a", 2)))

    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert await api.stock_of("a") == (3, 2)


async def test_reserve_same_order_with_different_items_is_409(api):
    await hold_two_of_five(api)

    response = await api.http.post("/reservations", json=order("o-1", ("a", 3)))

    assert response.status_code == 409
    assert response.json()["type"].endswith("/reservation-conflict")


async def test_reserve_rejects_when_stock_short_and_takes_nothing(api):
    await api.create_product(id="a", stock=5)
    await api.create_product(id="b", stock=1)
    await api.create_product(id="c", stock=5)

    response = await api.http.post("/reservations", json=order("o-1", ("a", 2), ("b", 2), ("c", 1)))

    assert response.status_code == 409
    problem = response.json()
    assert problem["type"].endswith("/insufficient-stock")
    assert (problem["productId"], problem["requested"], problem["available"]) == ("b", 2, 1)
    assert await api.stock_of("a") == (5, 0)
    assert await api.stock_of("b") == (1, 0)
    assert await api.stock_of("c") == (5, 0)


async def test_reserve_rejects_unknown_product_naming_it_and_rolls_back(api):
    await api.create_product(id="a", stock=5)

    response = await api.http.post("/reservations", json=order("o-1", ("a", 1), ("zz-missing", 1)))

    assert response.status_code == 422
    assert response.json()["productId"] == "zz-missing"
    assert response.json()["type"].endswith("/unknown-product")
    assert await api.stock_of("a") == (5, 0)


async def test_rejected_reservation_repeat_gives_same_refusal(api):
    await api.create_product(id="a", stock=1)
    first = await api.http.post("/reservations", json=order("o-1", ("a", 2)))
    await api.http.patch("/products/a", json={"stock": 10}, headers=api.admin)

    again = await api.http.post("/reservations", json=order("o-1", ("a", 2)))

    assert again.status_code == first.status_code == 409
    assert again.json()["productId"] == "a"
    assert await api.stock_of("a") == (10, 0)


async def test_reserve_refuses_repeated_product_in_items(api):
    response = await api.http.post("/reservations", json=order("o-1", ("a", 1), ("a", 1)))

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "items"


async def hold_two_of_five(api) -> None:
    """Product "a" with 5 in stock, 2 of them held for order "o-1"."""
    await api.create_product(id="a", stock=5)
    await api.http.post("/reservations", json=order("o-1", ("a", 2)))


async def test_confirm_turns_hold_into_sale(api):
    await hold_two_of_five(api)

    response = await api.http.post("/reservations/o-1/confirm")

    assert response.status_code == 200
    assert response.json()["status"] == "CONFIRMED"
    assert await api.stock_of("a") == (3, 0)


async def test_confirm_twice_is_idempotent(api):
    await hold_two_of_five(api)
    await api.http.post("/reservations/o-1/confirm")

    response = await api.http.post("/reservations/o-1/confirm")

    assert response.status_code == 200
    assert await api.stock_of("a") == (3, 0)


async def test_release_returns_stock(api):
    await hold_two_of_five(api)

    first = await api.http.post("/reservations/o-1/release")
    second = await api.http.post("/reservations/o-1/release")

    assert first.status_code == second.status_code == 200
    assert second.json()["status"] == "RELEASED"
    assert await api.stock_of("a") == (5, 0)


async def test_confirm_after_release_is_409(api):
    await hold_two_of_five(api)
    await api.http.post("/reservations/o-1/release")

    response = await api.http.post("/reservations/o-1/confirm")

    assert response.status_code == 409
    assert "RELEASED" in response.json()["detail"]


async def test_release_after_confirm_is_409(api):
    await hold_two_of_five(api)
    await api.http.post("/reservations/o-1/confirm")

    response = await api.http.post("/reservations/o-1/release")

    assert response.status_code == 409


async def test_confirm_unknown_order_is_404(api):
    response = await api.http.post("/reservations/o-unknown/confirm")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_get_reservation(api):
    await api.create_product(id="a", stock=5)
    await api.http.post("/reservations", json=order("o-1", ("a", 1)))

    response = await api.http.get("/reservations/o-1")

    assert response.json()["items"] == [
        {"productId": "a", "quantity": 1, "unitPrice": "12.50", "currency": "USD"}
    ]


async def test_sweeper_expires_unconfirmed_reservation_and_returns_stock(start_api):
    api = await start_api(reservation_ttl_seconds=0.5, sweep_interval_seconds=0.2)
    await api.create_product(id="a", stock=5)
    await api.http.post("/reservations", json=order("o-1", ("a", 3)))
    await api.http.post("/reservations", json=order("o-2", ("a", 1)))
    await api.http.post("/reservations/o-2/confirm")

    for _ in range(50):
        if (await api.http.get("/reservations/o-1")).json()["status"] == "EXPIRED":
            break
        await asyncio.sleep(0.1)

    assert (await api.http.get("/reservations/o-1")).json()["status"] == "EXPIRED"
    assert await api.stock_of("a") == (4, 0)
    assert (await api.http.get("/reservations/o-2")).json()["status"] == "CONFIRMED"
    metrics = (await api.http.get("/metrics")).text
    assert "product_reservations_expired_total 1.0" in metrics


async def test_confirm_after_ttl_is_409_even_before_the_sweeper_runs(start_api):
    api = await start_api(reservation_ttl_seconds=0.2, sweep_interval_seconds=3600)
    await api.create_product(id="a", stock=5)
    await api.http.post("/reservations", json=order("o-1", ("a", 3)))
    await asyncio.sleep(0.3)

    confirm = await api.http.post("/reservations/o-1/confirm")
    release = await api.http.post("/reservations/o-1/release")

    assert confirm.status_code == 409
    assert "EXPIRED" in confirm.json()["detail"]
    assert release.status_code == 200
    assert release.json()["status"] == "EXPIRED"
    assert await api.stock_of("a") == (5, 0)


async def test_fifty_concurrent_reservations_against_stock_ten_exactly_ten_succeed(api):
    await api.create_product(id="hot", stock=10)

    responses = await asyncio.gather(
        *(api.http.post("/reservations", json=order(f"o-{n}", ("hot", 1))) for n in range(50))
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 10
    assert statuses.count(409) == 40
    assert await api.stock_of("hot") == (0, 10)


async def test_concurrent_repeats_of_one_order_hold_stock_once(api):
    await api.create_product(id="a", stock=10)

    responses = await asyncio.gather(
        *(api.http.post("/reservations", json=order("o-1", ("a", 2))) for _ in range(10))
    )

    assert {r.status_code for r in responses} <= {201, 409}
    assert any(r.status_code == 201 for r in responses)
    assert await api.stock_of("a") == (8, 2)


async def test_refused_item_is_named_by_its_position_in_the_request(api):
    # schemathesis: 422 unknown-product named no field at fault. Items are held in product id order, so
    # the position is the request's, not the order they were tried in.
    await api.create_product(id="b", stock=5)
    await api.create_product(id="c", stock=1)

    unknown = await api.http.post("/reservations", json=order("o-1", ("b", 1), ("a-ghost", 1)))
    short = await api.http.post("/reservations", json=order("o-2", ("c", 2), ("b", 1)))
    replayed = await api.http.post("/reservations", json=order("o-1", ("b", 1), ("a-ghost", 1)))

    assert unknown.status_code == 422
    assert [(e["field"], e["pointer"]) for e in unknown.json()["errors"]] == [
        ("items[1].productId", "/items/1/productId")
    ]
    assert short.status_code == 409
    assert [e["field"] for e in short.json()["errors"]] == ["items[0].productId"]
    assert replayed.json()["errors"] == unknown.json()["errors"]


async def test_order_id_with_capitals_confirms_and_releases_its_holds(api):
    # The local Cosmos DB server once lower-cased patch predicates, so these holds were never settled.
    await api.create_product(id="a", stock=5)
    await api.http.post("/reservations", json=order("Ord-A", ("a", 2)))
    await api.http.post("/reservations", json=order("Ord-B", ("a", 1)))

    confirmed = await api.http.post("/reservations/Ord-A/confirm")
    released = await api.http.post("/reservations/Ord-B/release")

    assert (confirmed.json()["status"], released.json()["status"]) == ("CONFIRMED", "RELEASED")
    assert await api.stock_of("a") == (3, 0)


def priced_items(answer: dict[str, Any]) -> list[tuple[str, int, str | None, str | None]]:
    return [(i["productId"], i["quantity"], i.get("unitPrice"), i.get("currency")) for i in answer["items"]]


async def test_reserve_answers_each_line_with_its_price_when_held(api):
    await api.create_product(id="mug", stock=5, price="12.5", currency="USD")
    await api.create_product(id="pot", stock=5, price="34.00", currency="EUR")

    response = await api.http.post("/reservations", json=order("o-1", ("pot", 1), ("mug", 2)))

    assert response.status_code == 201
    assert priced_items(response.json()) == [("mug", 2, "12.50", "USD"), ("pot", 1, "34.00", "EUR")]


async def test_replay_get_confirm_and_release_answer_the_prices_of_the_holds(api):
    await api.create_product(id="a", stock=5, price="12.50")
    await api.http.post("/reservations", json=order("o-1", ("a", 1)))
    await api.http.post("/reservations", json=order("o-2", ("a", 1)))
    # A new price applies to holds taken from now on, not to the reservations already made.
    await api.http.patch("/products/a", json={"price": "99.00"}, headers=api.admin)

    replayed = await api.http.post("/reservations", json=order("o-1", ("a", 1)))
    read = await api.http.get("/reservations/o-1")
    confirmed = await api.http.post("/reservations/o-1/confirm")
    released = await api.http.post("/reservations/o-2/release")
    later = await api.http.post("/reservations", json=order("o-3", ("a", 1)))

    assert replayed.headers["idempotent-replayed"] == "true"
    for answer in (replayed, read, confirmed, released):
        assert answer.status_code in (200, 201), answer.text
        assert priced_items(answer.json()) == [("a", 1, "12.50", "USD")], answer.request.url
    assert priced_items(later.json()) == [("a", 1, "99.00", "USD")]


async def test_reservation_stored_without_prices_is_answered_and_settled_without_them(api):
    # A reservation document written before lines carried prices: the same document, minus the prices.
    await api.create_product(id="a", stock=5)
    await api.create_product(id="b", stock=5)
    await api.http.post("/reservations", json=order("o-old", ("a", 2), ("b", 1)))
    # The answer comes before RESERVED is written: edit the document only once that write has landed.
    await api.app.state.runtime.reservations.drain()
    container = api.app.state.runtime.clients.reservations
    stored = await container.read_item("o-old", partition_key="o-old")
    stored["items"] = [{"productId": i["productId"], "quantity": i["quantity"]} for i in stored["items"]]
    await container.replace_item("o-old", stored)

    replayed = await api.http.post("/reservations", json=order("o-old", ("a", 2), ("b", 1)))
    read = await api.http.get("/reservations/o-old")
    confirmed = await api.http.post("/reservations/o-old/confirm")

    for answer in (replayed, read, confirmed):
        assert answer.status_code in (200, 201), answer.text
        assert answer.json()["items"] == [
            {"productId": "a", "quantity": 2},
            {"productId": "b", "quantity": 1},
        ]
    assert confirmed.json()["status"] == "CONFIRMED"
    assert await api.stock_of("a") == (3, 0)
    assert await api.stock_of("b") == (4, 0)


async def test_a_reservation_whose_caller_went_away_is_released_at_once(api: Any) -> None:
    """As when product was paused past the order service's timeout: the request and the caller's close
    are both waiting when it is read, and nobody will confirm or release what it holds."""
    product = await api.create_product(stock=3)
    body = json.dumps({"orderId": "ord-gone-1", "items": [{"productId": product["id"], "quantity": 1}]})
    incoming: list[dict[str, Any]] = [{"type": "http.request", "body": body.encode(), "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/reservations",
        "raw_path": b"/reservations",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"product.test"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("product.test", 80),
    }
    await api.app(scope, receive, send)

    assert sent[0]["status"] == 408
    assert await api.stock_of(product["id"]) == (3, 0)
    assert (await api.http.get("/reservations/ord-gone-1")).json()["status"] == "RELEASED"
