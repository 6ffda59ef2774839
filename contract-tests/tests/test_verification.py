"""The committed pacts verify against their real providers, and the gate bites: a pact that asks for
something the provider does not do fails, naming the interaction.

Each provider (and kind) is launched once for the module (``ProviderSession``) and every verification of
the module runs against it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from contract_gate.pacts import COMMITTED_PACTS, PactFile, load_pact, pact_files
from contract_gate.providers import provider_spec
from contract_gate.verify import PactResult, ProviderSession

Verify = Callable[[Path], PactResult]


@pytest.fixture(scope="module")
def verify() -> Iterator[Verify]:
    """Verifies a pact file; the first pact of a provider (and kind) launches it for the module."""
    sessions: dict[tuple[str, str], ProviderSession] = {}
    with ExitStack() as stack:

        def run(path: Path) -> PactResult:
            pact = load_pact(path)
            [kind] = pact.kinds
            spec = provider_spec(pact.provider, "message" if kind == "message" else "http")
            key = (spec.name, spec.kind)
            if key not in sessions:
                sessions[key] = stack.enter_context(ProviderSession(spec))
            return sessions[key].verify(pact)

        yield run


def describe(result: PactResult) -> str:
    lines = [f"{result.file.name}: error={result.error}"]
    for interaction in result.interactions:
        lines.append(f"  {'ok  ' if interaction.passed else 'FAIL'} {interaction.description}")
        lines.extend(f"       {m}" for m in interaction.mismatches)
    return "\n".join(lines)


@pytest.mark.parametrize("path", pact_files(COMMITTED_PACTS), ids=lambda p: p.name)
def test_committed_pact_verifies_against_its_real_provider(verify: Verify, path: Path) -> None:
    result = verify(path)
    assert result.passed, describe(result)
    assert len(result.interactions) == len(load_pact(path).interactions)


def altered(tmp_path: Path, name: str, description: str, change: Callable[[dict[str, Any]], None]) -> Path:
    """A copy of the committed pact ``name`` with one interaction changed by ``change``."""
    pact = load_pact(COMMITTED_PACTS / name)
    document = copy.deepcopy(pact.document)
    [interaction] = [i for i in document["interactions"] if i["description"] == description]
    change(interaction)
    interaction.pop("key", None)  # the V4 key hashes the interaction; it names the original one
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=2))
    return path


def assert_fails_naming(result: PactResult, description: str, *words: str) -> None:
    assert not result.passed
    assert result.failing == [description], describe(result)
    [failed] = [i for i in result.interactions if not i.passed]
    text = "\n".join(failed.mismatches)
    for word in words:
        assert word in text, describe(result)


def rename_key(mapping: dict[str, Any], old: str, new: str) -> None:
    mapping[new] = mapping.pop(old)


def test_gate_fails_a_pact_expecting_a_renamed_response_field(verify: Verify, tmp_path: Path) -> None:
    description = "a request for a product"

    def rename_name_to_title(interaction: dict[str, Any]) -> None:
        rename_key(interaction["response"]["body"]["content"], "name", "title")
        rules = interaction["response"].get("matchingRules", {}).get("body", {})
        if "$.name" in rules:
            rename_key(rules, "$.name", "$.title")

    path = altered(tmp_path, "frontend-product.json", description, rename_name_to_title)

    assert_fails_naming(verify(path), description, "title")


def test_gate_fails_a_pact_expecting_another_status_code(verify: Verify, tmp_path: Path) -> None:
    description = "a request for a product that does not exist"

    def expect_gone(interaction: dict[str, Any]) -> None:
        interaction["response"]["status"] = 410

    path = altered(tmp_path, "frontend-product.json", description, expect_gone)

    assert_fails_naming(verify(path), description, "410", "404")


def expect_property_renamed(old: str, new: str) -> Callable[[dict[str, Any]], None]:
    def change(interaction: dict[str, Any]) -> None:
        rename_key(interaction["metadata"], old, new)
        rules = interaction.get("matchingRules", {}).get("metadata", {})
        if old in rules:
            rename_key(rules, old, new)

    return change


def test_gate_fails_a_message_pact_expecting_an_application_property_payment_does_not_send(
    verify: Verify, tmp_path: Path
) -> None:
    description = "a PaymentSucceeded message"
    path = altered(
        tmp_path, "order-payment.json", description, expect_property_renamed("type", "messageType")
    )

    assert_fails_naming(verify(path), description, "messageType")


def test_gate_fails_a_message_pact_expecting_an_application_property_order_does_not_send(
    verify: Verify, tmp_path: Path
) -> None:
    description = "a PaymentRequested message"
    path = altered(
        tmp_path, "payment-order.json", description, expect_property_renamed("traceparent", "traceParent")
    )

    assert_fails_naming(verify(path), description, "traceParent")


def test_pact_file_is_named_for_its_consumer_and_provider() -> None:
    for path in pact_files(COMMITTED_PACTS):
        pact: PactFile = load_pact(path)
        assert path.name == f"{pact.consumer}-{pact.provider}.json"


def test_gate_reports_why_the_provider_produced_no_message(verify: Verify, tmp_path: Path) -> None:
    def rename(interaction: dict[str, Any]) -> None:
        interaction["description"] = "a PaymentRequestedV2 message"

    path = altered(tmp_path, "payment-order.json", "a PaymentRequested message", rename)

    assert_fails_naming(verify(path), "a PaymentRequestedV2 message", "unknown message description")
