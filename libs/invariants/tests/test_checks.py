"""Each invariant on a consistent reading of the shop, then on readings broken one way at a time: the
check fails and names the order, payment, product or queue at fault."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from shop_invariants.checker import check
from shop_invariants.model import (
    AcceptedOrder,
    Email,
    Expectations,
    GatewayCharge,
    LedgerRow,
    Observation,
    ObservedOrder,
    OrderLine,
    StockLevel,
)

PAID, FAILED, LATE = "ord-paid", "ord-failed", "ord-late"
EXPECTATIONS = Expectations(
    accepted=(
        AcceptedOrder(PAID, (OrderLine("kitc-teapot", 2),)),
        AcceptedOrder(FAILED, (OrderLine("kitc-teapot", 1), OrderLine("garden-hose", 1))),
        AcceptedOrder(LATE, (OrderLine("garden-hose", 3),)),
    ),
    stock_before={"kitc-teapot": StockLevel(10, 0), "garden-hose": StockLevel(5, 0)},
    terminal_within_seconds=60,
)


def healthy() -> Observation:
    """PAID took two teapots; FAILED returned its stock; LATE was paid after a timeout cancel (refund due)
    and its hoses came back."""
    return Observation(
        orders={
            PAID: ObservedOrder(PAID, "PAID", None, Decimal("20.00")),
            FAILED: ObservedOrder(FAILED, "PAYMENT_FAILED", "declined", Decimal("15.00")),
            LATE: ObservedOrder(
                LATE, "CANCELLED", "refund due: payment succeeded after cancellation", Decimal("9")
            ),
        },
        ledger=[
            LedgerRow(PAID, "pay-1", "published", True, Decimal("20.00"), False),
            LedgerRow(FAILED, "pay-2", "published", False, Decimal("15.00"), False),
            LedgerRow(LATE, "pay-3", "published", True, Decimal("9.00"), False),
        ],
        gateway=[GatewayCharge("pay-1", True), GatewayCharge("pay-2", False), GatewayCharge("pay-3", True)],
        stock={"kitc-teapot": StockLevel(8, 0), "garden-hose": StockLevel(5, 0)},
        emails=[
            Email(f"We received your order {PAID}"),
            Email(f"Payment received for order {PAID}"),
            Email(f"We received your order {FAILED}"),
            Email(f"Payment failed for order {FAILED}"),
            Email(f"We received your order {LATE}"),
            Email(f"Your order {LATE} was cancelled"),
        ],
        outbox_pending=0,
        dead_letters={"payment-requests/$DeadLetterQueue": 0},
        elapsed=3.0,
    )


def verdicts(observation: Observation, expectations: Expectations = EXPECTATIONS) -> dict[str, list[str]]:
    """The broken invariants with their problems."""
    return {r.name: list(r.problems) for r in check(expectations, observation) if not r.holds}


def test_a_consistent_shop_holds_every_invariant_and_prints_the_counts() -> None:
    results = check(EXPECTATIONS, healthy())
    assert [r.name for r in results if not r.holds] == []
    printed = "\n".join(r.render() for r in results)
    assert "PASS  every-order-terminal" in printed
    assert "PAID=1" in printed
    assert "ledger_total=29.00 paid_orders_total=29.00 paid_orders=2 refund_due=1" in printed


def test_an_accepted_order_the_api_does_not_know_is_missing() -> None:
    broken = healthy()
    broken.orders[PAID] = None
    assert verdicts(broken)["no-accepted-order-missing"] == [
        f"order {PAID}: accepted (201) but GET /orders/{PAID} finds nothing"
    ]


def test_an_order_still_pending_is_stranded_and_a_slow_settle_breaks_the_bound() -> None:
    broken = healthy()
    broken.orders[FAILED] = ObservedOrder(FAILED, "PENDING_PAYMENT", None, Decimal("15.00"))
    assert f"order {FAILED} still PENDING_PAYMENT" in verdicts(broken)["every-order-terminal"]
    slow = replace(healthy(), elapsed=61.0)
    assert verdicts(slow)["every-order-terminal"] == ["took 61.0 s, more than the 60 s bound"]


def test_a_second_gateway_approval_or_an_unrecorded_one_is_a_double_charge() -> None:
    twice = healthy()
    assert twice.gateway is not None
    twice.gateway.append(GatewayCharge("pay-1", True))
    assert "payment pay-1: approved 2 times at the gateway" in verdicts(twice)["at-most-one-charge"]
    orphan = healthy()
    assert orphan.gateway is not None
    orphan.gateway.append(GatewayCharge("pay-9", True))
    assert verdicts(orphan)["at-most-one-charge"] == [
        "payment pay-9: approved at the gateway, unknown to the ledger"
    ]


def test_money_taken_for_a_failed_order_breaks_the_charge_and_ledger_invariants() -> None:
    broken = healthy()
    broken.ledger[1] = LedgerRow(FAILED, "pay-2", "published", True, Decimal("15.00"), False)
    found = verdicts(broken)
    assert found["at-most-one-charge"] == [f"order {FAILED}: charged (payment pay-2) but PAYMENT_FAILED"]
    assert found["ledger-equals-paid-orders"] == ["ledger 44.00 != paid orders 29.00"]


def test_a_paid_order_without_a_ledger_row_is_reported() -> None:
    broken = healthy()
    broken.ledger.pop(0)
    assert f"order {PAID}: PAID without a successful ledger row" in verdicts(broken)["at-most-one-charge"]


def test_leaked_or_still_reserved_stock_names_the_product() -> None:
    leak = healthy()
    # 4 hoses left is within what LATE's refund-due cancellation allows (it may have kept its 3 units)
    leak.stock["garden-hose"] = StockLevel(4, 1)
    assert verdicts(leak)["stock-conserved"] == ["product garden-hose: 1 unit(s) still reserved"]
    lost = healthy()
    lost.stock["garden-hose"] = StockLevel(1, 0)
    assert verdicts(lost)["stock-conserved"] == ["product garden-hose: stock 5 - sold 0 should be 2..5, is 1"]
    oversold = healthy()
    oversold.stock["kitc-teapot"] = StockLevel(7, 0)
    assert verdicts(oversold)["stock-conserved"] == [
        "product kitc-teapot: stock 10 - sold 2 should be 8, is 7"
    ]


def test_a_duplicate_or_missing_email_names_the_order_and_status() -> None:
    double = healthy()
    double.emails.append(Email(f"Payment received for order {PAID}"))
    assert verdicts(double)["one-notification-per-event"] == [f"order {PAID}: 2 emails about PAID"]
    lost = healthy()
    lost.emails.pop(3)
    assert verdicts(lost)["one-notification-per-event"] == [f"order {FAILED}: no email about PAYMENT_FAILED"]


def test_unsent_outbox_rows_and_unexpected_dead_letters_break_their_invariants() -> None:
    broken = replace(healthy(), outbox_pending=3, dead_letters={"payment-requests/$DeadLetterQueue": 1})
    found = verdicts(broken)
    assert found["outbox-drained"] == ["order outbox: 3 unsent rows"]
    assert found["dead-letters-as-meant"] == ["payment-requests/$DeadLetterQueue: 1 dead-lettered, meant 0"]
    meant = replace(EXPECTATIONS, dead_letters_allowed={"payment-requests/$DeadLetterQueue": 1})
    assert "dead-letters-as-meant" not in verdicts(
        replace(healthy(), dead_letters=broken.dead_letters), meant
    )
