"""Email (HTML + text) and SMS bodies from Jinja2 templates, one set per order status.

HTML templates are autoescaped (a customer's name is data, never markup); text and SMS templates are not
HTML and are rendered verbatim. Which channels a status uses is decided here: every status gets an
email; SMS goes only to customers with a phone number, for the statuses worth a text.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from notification_service.domain.models import Email, OrderStatus, Sms, StatusChange

TEMPLATES = Path(__file__).parent / "templates"
SMS_STATUSES = frozenset(
    {OrderStatus.PAID, OrderStatus.PAYMENT_FAILED, OrderStatus.FULFILLED, OrderStatus.CANCELLED}
)
SUBJECTS = {
    OrderStatus.PENDING_PAYMENT: "We received your order {order_id}",
    OrderStatus.PAID: "Payment received for order {order_id}",
    OrderStatus.PAYMENT_FAILED: "Payment failed for order {order_id}",
    OrderStatus.FULFILLED: "Your order {order_id} is on its way",
    OrderStatus.CANCELLED: "Your order {order_id} was cancelled",
}
_KEY_NAMESPACE = uuid.UUID("6f1c2a51-3c1e-4b8e-9d62-3f3f1b7a9c10")


def idempotency_key(event_id: str, channel: str) -> str:
    """The same UUID for the same event and channel, on every instance and every retry."""
    return str(uuid.uuid5(_KEY_NAMESPACE, f"{event_id}:{channel}"))


class TemplateRenderer:
    def __init__(self, shop_name: str, shop_url: str, templates: Path = TEMPLATES) -> None:
        self._shop_name = shop_name
        self._shop_url = shop_url
        loader = FileSystemLoader(templates)
        # The templates ship with the code and never change while it runs: without auto_reload a
        # compiled template is used as it is, not checked against its file's time (a stat per render).
        self._html = Environment(
            loader=loader,
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        # Plain-text email and SMS bodies: HTML escaping would corrupt them; the HTML templates escape.
        self._text = Environment(  # nosec B701
            loader=loader, autoescape=False, undefined=StrictUndefined, auto_reload=False
        )

    def _context(self, change: StatusChange) -> dict[str, object]:
        return {
            "shop_name": self._shop_name,
            "shop_url": self._shop_url,
            "order_id": change.order_id,
            "customer_name": change.customer.name,
            "status": change.status.value,
            "previous_status": change.previous_status.value if change.previous_status else None,
            "total": f"{change.total_value} {change.total_currency}",
            "reason": change.reason,
        }

    def email(self, change: StatusChange) -> Email:
        context = self._context(change)
        name = change.status.value.lower()
        return Email(
            to=change.customer.email,
            to_name=change.customer.name,
            subject=SUBJECTS[change.status].format(order_id=change.order_id),
            text=self._text.get_template(f"email/{name}.txt").render(context),
            html=self._html.get_template(f"email/{name}.html").render(context),
            idempotency_key=idempotency_key(change.event_id, "email"),
        )

    def sms(self, change: StatusChange) -> Sms | None:
        if change.customer.phone is None or change.status not in SMS_STATUSES:
            return None
        body = self._text.get_template(f"sms/{change.status.value.lower()}.txt").render(self._context(change))
        return Sms(
            to=change.customer.phone,
            body=body.strip(),
            idempotency_key=idempotency_key(change.event_id, "sms"),
        )
