"""The user mix in one place: who visits the shop, how often, how long they think between steps.

Weights are relative (Locust picks each user's class by weight); think times are seconds, uniform in
[low, high]. A shopper is the traffic that makes orders, and paces itself: it thinks between checkouts and
starts one at most every `pace` seconds, so a run offers a known order rate (half the users are shoppers:
150 users offer 75 / 1.3 = 58 orders/s) and a platform that keeps up is measured at that rate, not driven
past its limit by users that order again the moment an answer comes back.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Persona:
    weight: int
    think_low: float
    think_high: float
    # At most one task per this many seconds (measured from one task's start to the next); 0: no pace.
    pace: float = 0.0


BROWSER = Persona(weight=40, think_low=0.5, think_high=2.0)
SHOPPER = Persona(weight=50, think_low=0.2, think_high=0.6, pace=1.3)
RETURNING = Persona(weight=9, think_low=1.0, think_high=3.0)
ADMIN = Persona(weight=1, think_low=5.0, think_high=10.0)

# How a shopper pays: mostly the success card, sometimes a decline or insufficient funds
# (services/payment/README.md, test cards).
CARDS: dict[str, int] = {
    "4242424242424242": 90,  # approved
    "4000000000000002": 6,  # declined
    "4000000000009995": 4,  # insufficient funds
}
# Lines per order: most carts hold one or two products.
LINES: dict[int, int] = {1: 60, 2: 30, 3: 10}
# How a shopper waits for the saga: GET /orders/{id} until PAID or PAYMENT_FAILED, as the storefront's
# confirmation page polls (services/frontend/src/domain/order-status.ts, DEFAULT_BACKOFF): the first read
# after 0.5 s, each next wait 1.6 times the last, at most 8 s.
SAGA_POLL_FIRST_SECONDS = 0.5
SAGA_POLL_FACTOR = 1.6
SAGA_POLL_MAX_SECONDS = 8.0
SAGA_TIMEOUT_SECONDS = 30.0
# The products shoppers buy, picked once per process from the in-stock catalog, topped up to
# TOPPED_UP_STOCK units when the target gives an admin token so a long run never empties them.
BASKET_PRODUCTS = 24
TOPPED_UP_STOCK = 1_000_000
