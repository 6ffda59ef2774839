"""How many calls to each Azure service one order of the load gate makes, read from the services' code.

An average order of the gate's mix (`loadtests/src/shoploads/mix.py`) has 1.5 lines (60 % one, 30 % two,
10 % three), and 90 % of orders are paid: a declined one releases its reservation instead of confirming it,
which makes the same number of calls, so every order is counted as paid.
"""

from __future__ import annotations

LINES = 0.6 * 1 + 0.3 * 2 + 0.1 * 3

# product, services/product/src/product_service/domain/reservations.py: reserve creates the reservation
# (PENDING), takes a hold per line, replaces it (RESERVED); confirm moves it (CONFIRMED, one patch), commits
# a hold per line, replaces it (settled).
COSMOS_CREATE = 1.0
COSMOS_PATCH = 2 * LINES + 1
COSMOS_REPLACE = 2.0

# payment worker, services/payment/src/payment_service/domain/processor.py: the ledger row is inserted with
# the gateway's answer, then marked published (a merge conditional on its ETag). Notification,
# services/notification/src/notification_service/adapters/tables.py: one entity inserted per status event
# (PENDING_PAYMENT and PAID), all of its channels in it.
TABLE_INSERT_PAYMENT = 1.0
TABLE_INSERT_NOTIFICATION = 2.0
TABLE_MERGE = 1.0

# order → payment: PaymentRequested on the payment-requests queue (order's outbox relay sends, the payment
# worker receives and completes); payment → order: the outcome on the payment-events topic (the worker
# sends, order's subscription receives and completes).
SERVICE_BUS_MESSAGES = 1.0
# order → notification: OrderStatusChanged for PENDING_PAYMENT and PAID on order-events, each sent in a
# batch of its own (order's EventHubPublisher sends per partition key, the order id).
EVENT_HUBS_EVENTS = 2.0
