"""Optional Pact Broker: when ``PACT_BROKER_BASE_URL`` is set, the gate publishes the pacts it verified
(consumer version = the git commit), publishes each verification result against them (provider version =
the git commit), and asks ``can-i-deploy`` for every participant when ``PACT_BROKER_ENVIRONMENT`` names
the environment to deploy to.

Everything goes through the broker's documented HTTP API (``POST /contracts/publish``, the pact's
``pb:publish-verification-results`` link, ``GET /can-i-deploy``), so no broker CLI is needed.

| variable | meaning |
|---|---|
| ``PACT_BROKER_BASE_URL`` | the broker; unset = no broker (the default) |
| ``PACT_BROKER_TOKEN`` or ``PACT_BROKER_USERNAME`` + ``PACT_BROKER_PASSWORD`` | credentials |
| ``PACT_BROKER_BRANCH`` | the branch the versions belong to (default: the current git branch) |
| ``PACT_BROKER_ENVIRONMENT`` | ask can-i-deploy to this environment (e.g. ``staging``) |
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from contract_gate.pacts import load_pact
from contract_gate.verify import PactResult


@dataclass(frozen=True)
class Broker:
    base_url: str
    version: str
    branch: str | None = None
    environment: str | None = None
    token: str | None = None
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str], version: str, branch: str | None) -> Broker | None:
        base_url = env.get("PACT_BROKER_BASE_URL")
        if not base_url:
            return None
        return cls(
            base_url=base_url.rstrip("/"),
            version=version,
            branch=env.get("PACT_BROKER_BRANCH") or branch,
            environment=env.get("PACT_BROKER_ENVIRONMENT") or None,
            token=env.get("PACT_BROKER_TOKEN") or None,
            username=env.get("PACT_BROKER_USERNAME") or None,
            password=env.get("PACT_BROKER_PASSWORD") or None,
        )

    def client(self, transport: httpx.BaseTransport | None = None) -> httpx.Client:
        headers = {"Accept": "application/hal+json, application/json"}
        auth: tuple[str, str] | None = None
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        elif self.username and self.password:
            auth = (self.username, self.password)
        return httpx.Client(
            base_url=self.base_url, headers=headers, auth=auth, timeout=30.0, transport=transport
        )


@dataclass
class BrokerOutcome:
    published: list[str] = field(default_factory=list)
    results_published: list[str] = field(default_factory=list)
    deployable: dict[str, bool] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(self.deployable.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "published": self.published,
            "resultsPublished": self.results_published,
            "canIDeploy": {
                name: {"deployable": ok, "reason": self.reasons.get(name)}
                for name, ok in self.deployable.items()
            },
        }


def publish_request(broker: Broker, result: PactResult) -> dict[str, Any]:
    """The body of ``POST /contracts/publish`` for one pact file."""
    content = result.file.read_bytes()
    return {
        "pacticipantName": result.consumer,
        "pacticipantVersionNumber": broker.version,
        **({"branch": broker.branch} if broker.branch else {}),
        "contracts": [
            {
                "consumerName": result.consumer,
                "providerName": result.provider,
                "specification": "pact",
                "contentType": "application/json",
                "content": base64.b64encode(content).decode(),
            }
        ],
    }


def verification_request(broker: Broker, result: PactResult) -> dict[str, Any]:
    return {
        "success": result.passed,
        "providerApplicationVersion": broker.version,
        **({"providerVersionBranch": broker.branch} if broker.branch else {}),
        "verifiedBy": {"implementation": "contoso-shop contract-verify"},
        "testResults": [
            {"interactionDescription": i.description, "success": i.passed, "mismatches": list(i.mismatches)}
            for i in result.interactions
        ],
    }


def run(
    broker: Broker, results: Sequence[PactResult], transport: httpx.BaseTransport | None = None
) -> BrokerOutcome:
    outcome = BrokerOutcome()
    with broker.client(transport) as http:
        for result in results:
            load_pact(result.file)  # only pacts that read back as pacts are published
            response = http.post("/contracts/publish", json=publish_request(broker, result))
            response.raise_for_status()
            outcome.published.append(result.file.name)
            pact_url = (
                f"/pacts/provider/{quote(result.provider)}/consumer/{quote(result.consumer)}"
                f"/version/{quote(broker.version)}"
            )
            pact = http.get(pact_url)
            pact.raise_for_status()
            link = pact.json().get("_links", {}).get("pb:publish-verification-results", {}).get("href")
            if link:
                http.post(link, json=verification_request(broker, result)).raise_for_status()
                outcome.results_published.append(result.file.name)
        if broker.environment:
            participants = sorted({r.consumer for r in results} | {r.provider for r in results})
            for name in participants:
                answer = http.get(
                    "/can-i-deploy",
                    params={
                        "pacticipant": name,
                        "version": broker.version,
                        "environment": broker.environment,
                    },
                )
                answer.raise_for_status()
                summary = answer.json().get("summary", {})
                outcome.deployable[name] = bool(summary.get("deployable"))
                outcome.reasons[name] = str(summary.get("reason", ""))
    return outcome


def dumps(outcome: BrokerOutcome) -> str:
    return json.dumps(outcome.as_json(), indent=2)
