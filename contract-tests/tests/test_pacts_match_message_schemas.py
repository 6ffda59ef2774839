"""Every message in every pact file present is a valid message of its type: the pacts can only ask for
what the contract allows (contract-tests/messages), whoever wrote them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from contract_gate.pacts import COMMITTED_PACTS, MESSAGE_SCHEMAS, load_pact, pact_files
from servicekit.contracts import Contracts


def message_interactions() -> list[Any]:
    cases = []
    for path in pact_files(COMMITTED_PACTS):
        pact = load_pact(path)
        for interaction in pact.interactions:
            if pact.is_message(interaction):
                cases.append(pytest.param(path, interaction, id=f"{path.name}: {interaction['description']}"))
    return cases


MESSAGES = message_interactions()


def body_of(interaction: dict[str, Any]) -> dict[str, Any]:
    contents = interaction["contents"]
    content = contents["content"]
    document: dict[str, Any] = json.loads(content) if isinstance(content, str) else content
    return document


def test_the_committed_pacts_hold_messages() -> None:
    assert MESSAGES, f"no message interactions in {COMMITTED_PACTS}"


@pytest.mark.parametrize(("path", "interaction"), MESSAGES)
def test_pact_message_is_valid_against_its_schema(path: Path, interaction: dict[str, Any]) -> None:
    body = body_of(interaction)
    contracts = Contracts(MESSAGE_SCHEMAS)
    assert contracts.knows(body["type"], body["version"]), f"no schema for {body['type']} v{body['version']}"
    assert contracts.violations(body, body["type"], body["version"]) == []


@pytest.mark.parametrize(("path", "interaction"), MESSAGES)
def test_pact_message_metadata_carries_its_type_and_content_type(
    path: Path, interaction: dict[str, Any]
) -> None:
    body, metadata = body_of(interaction), interaction.get("metadata") or {}
    assert metadata.get("contentType") == "application/json"
    assert (metadata.get("type"), metadata.get("version")) == (body["type"], body["version"])
    assert "traceparent" in metadata


def test_a_message_breaking_its_schema_is_caught() -> None:
    """The check above can fail: money as a JSON number is refused."""
    _, interaction = MESSAGES[0].values
    body = body_of(interaction)
    body["data"]["total" if body["type"] == "OrderStatusChanged" else "amount"]["value"] = 25.0
    assert Contracts(MESSAGE_SCHEMAS).violations(body, body["type"], body["version"]) != []
