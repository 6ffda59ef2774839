"""The scenario library: every file matches the committed JSON Schema (what editors check against), names
it on its first line, loads, and the schema is the one the models generate."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from shopctl.scenarios import schema
from shopctl.scenarios.model import load_all, load_file

REPO = Path(__file__).resolve().parents[2]
LIBRARY = REPO / "scenarios"
FILES = sorted(LIBRARY.glob("*.yaml"))
# What the library must cover (the QA brief); each is a scenario name.
REQUIRED = {
    "success-card",
    "declined-card",
    "insufficient-funds",
    "fraud-review",
    "gateway-timeout",
    "payment-timeout",
    "oversell-race",
    "idempotent-replay",
    "idempotency-key-reuse",
    "cancel-before-payment",
    "cancel-after-payment",
    "fulfil",
    "invalid-input",
    "unknown-product",
    "product-service-unavailable",
    "broker-busy",
    "duplicate-delivery",
}


def test_the_committed_schema_is_the_one_the_models_generate() -> None:
    assert schema.SCHEMA_FILE.read_text() == schema.text(), (
        "scenarios/schema/scenario.schema.json is stale: run .venv/bin/python -m shopctl.scenarios.schema"
    )
    jsonschema.Draft202012Validator.check_schema(json.loads(schema.SCHEMA_FILE.read_text()))


def test_the_library_covers_the_brief() -> None:
    names = {loaded.name for loaded in load_all([LIBRARY])}
    assert len(names) >= 15
    assert not REQUIRED - names


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario_matches_the_schema_and_loads(path: Path) -> None:
    first_line = path.read_text().splitlines()[0]
    assert first_line.startswith(schema.MODELINE), f"{path.name} must start with the schema line"
    target = (path.parent / first_line.removeprefix(schema.MODELINE)).resolve()
    assert target == schema.SCHEMA_FILE.resolve()

    document = json.loads(json.dumps(yaml.safe_load(path.read_text())))  # JSON's view: string keys
    validator = jsonschema.Draft202012Validator(json.loads(schema.SCHEMA_FILE.read_text()))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]
    assert not errors, errors

    loaded = load_file(path)
    assert loaded.name == path.stem, "a scenario file is named after its scenario"
