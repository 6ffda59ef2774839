"""The card gateway: the edge of the world we cannot run, so this is a simulator with a real gateway's
contract (an idempotency key per charge, test card numbers, unanswered calls).

State (charges, refunds, every attempt) lives in a SQLite file shared by the API and the worker processes,
so a charge survives a killed worker exactly like a charge at a real gateway would, and the idempotency
key means a retried charge returns the first answer instead of charging twice.

Test cards (any other Luhn-valid number is approved, anything else declined):

| card | behaviour |
|---|---|
| 4242424242424242 | approved |
| 4000000000000002 | declined (``declined``) |
| 4000000000009995 | declined (``insufficient_funds``) |
| 4000000000000119 | no answer: every call raises GatewayUnavailableError |
| 4000000000000259 | approved after a fraud review that takes ``fraud_review_seconds`` |
"""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from payment_service.domain.errors import GatewayUnavailableError
from payment_service.domain.models import ChargeResult, FailureReason, Money

CARD_SUCCESS = "4242424242424242"
CARD_DECLINED = "4000000000000002"
CARD_INSUFFICIENT_FUNDS = "4000000000009995"
CARD_GATEWAY_TIMEOUT = "4000000000000119"
CARD_FRAUD_REVIEW = "4000000000000259"

_DECLINES = {
    CARD_DECLINED: FailureReason.DECLINED,
    CARD_INSUFFICIENT_FUNDS: FailureReason.INSUFFICIENT_FUNDS,
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS charges (
    idempotency_key TEXT PRIMARY KEY,
    card_last4 TEXT NOT NULL,
    amount TEXT NOT NULL,
    currency TEXT NOT NULL,
    approved INTEGER NOT NULL,
    authorization_code TEXT,
    failure_reason TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS attempts (idempotency_key TEXT NOT NULL, outcome TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS refunds (
    idempotency_key TEXT PRIMARY KEY,
    refund_id TEXT NOT NULL,
    payment_id TEXT NOT NULL,
    amount TEXT NOT NULL,
    currency TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""


def luhn_valid(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


@dataclass(frozen=True)
class RecordedCharge:
    idempotency_key: str
    approved: bool
    amount: Money


class SimulatedGateway:
    """The simulator's state is one SQLite connection per process, used from the event loop that calls it.

    The file is in WAL mode with ``synchronous=NORMAL``: a commit appends to the log without flushing it to
    disk (a power loss may forget the last charges; a killed process never does), so a charge is one short
    transaction, well under the cost of handing it to a thread and back. The API's refunds and the
    worker's charges take the write lock in turn (``BEGIN IMMEDIATE``).
    """

    def __init__(self, state_path: Path, api_key: str, *, fraud_review_seconds: float) -> None:
        if not api_key.startswith("sk_test_"):
            raise ValueError("the simulated gateway only accepts test keys (sk_test_...)")
        self._fraud_review_seconds = fraud_review_seconds
        state_path.parent.mkdir(parents=True, exist_ok=True)
        self._db = _open(state_path)

    def close(self) -> None:
        self._db.close()

    async def charge(self, idempotency_key: str, amount: Money, card_token: str) -> ChargeResult:
        if card_token == CARD_FRAUD_REVIEW and self._find_charge(idempotency_key) is None:
            await asyncio.sleep(self._fraud_review_seconds)
        answer = None if card_token == CARD_GATEWAY_TIMEOUT else _judge(card_token)
        result = self._answer(idempotency_key, amount, card_token[-4:], answer)
        if result is None:
            raise GatewayUnavailableError("the gateway did not answer in time")
        return result

    async def refund(self, idempotency_key: str, payment_id: str, amount: Money) -> str:
        return self._store_refund(idempotency_key, payment_id, amount)

    def charges(self) -> list[RecordedCharge]:
        """Every charge the gateway made (for operators and tests: a double charge shows up here)."""
        rows = self._db.execute("SELECT idempotency_key, approved, amount, currency FROM charges").fetchall()
        return [RecordedCharge(key, bool(ok), Money(Decimal(value), cur)) for key, ok, value, cur in rows]

    def attempts(self, idempotency_key: str) -> list[str]:
        rows = self._db.execute(
            "SELECT outcome FROM attempts WHERE idempotency_key = ? ORDER BY rowid", (idempotency_key,)
        ).fetchall()
        return [outcome for (outcome,) in rows]

    def _answer(
        self, key: str, amount: Money, last4: str, answer: ChargeResult | None
    ) -> ChargeResult | None:
        """In one transaction: the first answer for ``key`` when there is one (attempt ``replayed``),
        else ``answer`` recorded as the charge (``charged``), or nothing charged when ``answer`` is None
        (``timeout``: the gateway did not answer)."""
        with _transaction(self._db) as db:
            previous = self._find_charge(key)
            outcome = "replayed" if previous else "timeout" if answer is None else "charged"
            if previous is None and answer is not None:
                db.execute(
                    "INSERT INTO charges VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        last4,
                        f"{amount.value:.2f}",
                        amount.currency,
                        int(answer.approved),
                        answer.authorization_code,
                        answer.failure_reason.value if answer.failure_reason else None,
                        datetime.now(UTC).isoformat(),
                    ),
                )
            db.execute("INSERT INTO attempts VALUES (?, ?, ?)", (key, outcome, datetime.now(UTC).isoformat()))
        return previous or answer

    def _find_charge(self, idempotency_key: str) -> ChargeResult | None:
        row = self._db.execute(
            "SELECT approved, authorization_code, failure_reason FROM charges WHERE idempotency_key = ?",
            (idempotency_key,),
        ).fetchone()
        if row is None:
            return None
        approved, code, reason = row
        return ChargeResult(
            approved=bool(approved),
            authorization_code=code,
            failure_reason=FailureReason(reason) if reason else None,
        )

    def _store_refund(self, key: str, payment_id: str, amount: Money) -> str:
        with _transaction(self._db) as db:
            db.execute(
                "INSERT OR IGNORE INTO refunds VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key,
                    f"re_{secrets.token_hex(8)}",
                    payment_id,
                    f"{amount.value:.2f}",
                    amount.currency,
                    datetime.now(UTC).isoformat(),
                ),
            )
            (refund_id,) = db.execute(
                "SELECT refund_id FROM refunds WHERE idempotency_key = ?", (key,)
            ).fetchone()
        return str(refund_id)


def _judge(card_token: str) -> ChargeResult:
    reason = _DECLINES.get(card_token) or (None if luhn_valid(card_token) else FailureReason.DECLINED)
    if reason is None:
        return ChargeResult(approved=True, authorization_code=f"AUTH-{secrets.randbelow(10**6):06d}")
    return ChargeResult(approved=False, failure_reason=reason)


def _open(path: Path) -> sqlite3.Connection:
    # Autocommit: transactions are explicit (BEGIN IMMEDIATE takes the write lock up front, so the API
    # and the worker never deadlock upgrading a read). A lock held longer than the timeout fails the call
    # (the worker abandons the message) rather than stalling the event loop for long.
    db = sqlite3.connect(path, timeout=2.0, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(_SCHEMA)
    return db


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
