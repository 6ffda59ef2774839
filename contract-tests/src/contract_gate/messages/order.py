"""order's ``PaymentRequested`` / ``OrderStatusChanged``, built by order's own code.

order is TypeScript, so its messages come from the builder script of the TypeScript side of the gate
(``contract-tests/consumers/ts/src/order-messages.ts``), which runs order's real outbox message builders
and its real mapping to a Service Bus message / Event Hubs event, and prints
``{"contents": ..., "metadata": {...}}`` for one description. The interaction's provider-state parameters,
if any, go along as the script's second argument (JSON).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from pact.types import Message

from contract_gate.pacts import REPO_ROOT

BUILDER = Path("contract-tests/consumers/ts/src/order-messages.ts")
TIMEOUT_SECONDS = 60.0


class BuilderError(RuntimeError):
    pass


class OrderMessages:
    def __init__(self, root: Path = REPO_ROOT, builder: Path = BUILDER) -> None:
        self._root = root
        self._builder = builder
        if not (root / builder).is_file():
            raise BuilderError(f"order's message builder {builder} is missing")

    def produce(self, description: str, request: dict[str, Any]) -> Message:
        params: dict[str, Any] = {}
        for state in request.get("providerStates") or []:
            params.update(state.get("params") or {})
        command = ["node", "--import", "tsx", str(self._builder), description]
        if params:
            command.append(json.dumps(params))
        try:
            done = subprocess.run(
                command, cwd=self._root, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired:
            raise BuilderError(
                f"{self._builder} {description!r} did not finish in {TIMEOUT_SECONDS:.0f}s"
            ) from None
        if done.returncode != 0:
            raise BuilderError(
                f"{self._builder} {description!r} exited {done.returncode}: {done.stderr.strip()}"
            )
        try:
            built = json.loads(done.stdout)
            contents, metadata = built["contents"], dict(built.get("metadata") or {})
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise BuilderError(
                f"{self._builder} {description!r} printed no {{contents, metadata}}: {error}"
            ) from None
        body = contents if isinstance(contents, str) else json.dumps(contents)
        return Message(
            contents=body.encode(),
            metadata=metadata,
            content_type=metadata.get("contentType", "application/json"),
        )
