"""What the gate starts for each provider, and how it reaches it.

A provider is verified per kind of interaction it offers: HTTP against its running process, messages
through a message producer that runs the provider's real code. Each entry names the platform components
to launch (``harness/platform.yaml``, dependencies included, on free ports with their real stores) and
builds, from the launched platform, what the verifier needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Literal

from shopctl.testing import LaunchedPlatform

from contract_gate.messages import MessageProducer
from contract_gate.messages.order import OrderMessages
from contract_gate.messages.payment import PaymentMessages
from contract_gate.states import StateHandler
from contract_gate.states.order import OrderStates
from contract_gate.states.product import DevAuth, ProductStates

Kind = Literal["http", "message"]


@dataclass
class ProviderTarget:
    """A started provider as the verifier sees it; ``cleanup`` closes the clients the gate opened."""

    http_url: str | None = None
    producer: MessageProducer | None = None
    states: Mapping[str, StateHandler] = field(default_factory=dict)
    cleanup: ExitStack = field(default_factory=ExitStack)


@dataclass(frozen=True)
class ProviderSpec:
    name: str
    kind: Kind
    components: tuple[str, ...]
    """Launched for the verification; empty when the provider's code runs inside the gate."""
    open: Callable[[LaunchedPlatform | None], ProviderTarget]


def _product_http(platform: LaunchedPlatform | None) -> ProviderTarget:
    assert platform is not None
    url = f"http://127.0.0.1:{platform.port('product', 'http')}"
    states = ProductStates(url, DevAuth.of(platform.env("product")))
    target = ProviderTarget(http_url=url, states=states.handlers())
    target.cleanup.callback(states.close)
    return target


def _order_http(platform: LaunchedPlatform | None) -> ProviderTarget:
    assert platform is not None
    product_url = f"http://127.0.0.1:{platform.port('product', 'http')}"
    url = f"http://127.0.0.1:{platform.port('order', 'http')}"
    product = ProductStates(product_url, DevAuth.of(platform.env("product")))
    states = OrderStates(url, product)
    target = ProviderTarget(http_url=url, states=states.handlers())
    target.cleanup.callback(states.close)
    target.cleanup.callback(product.close)
    return target


def _order_messages(platform: LaunchedPlatform | None) -> ProviderTarget:
    return ProviderTarget(producer=OrderMessages().produce)


def _payment_messages(platform: LaunchedPlatform | None) -> ProviderTarget:
    assert platform is not None
    messages = PaymentMessages(platform.env("payment-worker")["PAYMENT_SERVICEBUS_CONNECTION_STRING"])
    target = ProviderTarget(producer=messages.produce, states=messages.state_handlers())
    target.cleanup.callback(messages.close)
    return target


PROVIDERS: dict[tuple[str, Kind], ProviderSpec] = {
    (spec.name, spec.kind): spec
    for spec in (
        ProviderSpec("product", "http", ("product",), _product_http),
        ProviderSpec("order", "http", ("order",), _order_http),
        ProviderSpec("order", "message", (), _order_messages),
        ProviderSpec("payment", "message", ("payment-worker",), _payment_messages),
    )
}


class UnknownProviderError(LookupError):
    pass


def provider_spec(name: str, kind: Kind) -> ProviderSpec:
    spec = PROVIDERS.get((name, kind))
    if spec is None:
        known = ", ".join(sorted(f"{n} ({k})" for n, k in PROVIDERS))
        raise UnknownProviderError(f"no {kind} provider named {name!r} (the gate verifies: {known})")
    return spec
