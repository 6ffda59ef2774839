"""The services' OpenAPI documents, produced offline from their code (no service needs to run).

The same documents the services serve at ``/openapi.json`` (what contract-tests/schemathesis reads from
the running platform): product builds its FastAPI app with inert settings, payment returns its hand-written
document, order runs ``openApiDocument()`` under node/tsx.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[4]

_PRODUCT = """
import json
from product_service.main import create_app
from product_service.settings import Settings
settings = Settings(environment="development", cosmos_endpoint="http://127.0.0.1:1/", cosmos_key="unused",
                    blob_connection_string="UseDevelopmentStorage=true", auth_mode="dev",
                    auth_dev_signing_key="document-generation-only-key-000000")
print(json.dumps(create_app(settings).openapi()))
"""
_PAYMENT = """
import json
from payment_service.api.openapi import openapi_document
print(json.dumps(openapi_document()))
"""
_ORDER = "import('./src/api/openapi.ts').then(m => process.stdout.write(JSON.stringify(m.openApiDocument())))"


def _run(command: list[str], cwd: Path) -> dict[str, Any]:
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False, timeout=120)
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])} failed: {completed.stderr[-2000:]}")
    document: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return document


def service_documents(repo: Path = REPO) -> dict[str, dict[str, Any]]:
    return {
        "product": _run([sys.executable, "-c", _PRODUCT], repo),
        "payment": _run([sys.executable, "-c", _PAYMENT], repo),
        "order": _run(["node", "--import", "tsx", "-e", _ORDER], repo / "services" / "order"),
    }
