"""The committed JSON Schema of scenario files (for editors), generated from the models.

    .venv/bin/python -m shopctl.scenarios.schema            # rewrite scenarios/schema/scenario.schema.json
    .venv/bin/python -m shopctl.scenarios.schema --check    # exit 1 when the committed file is stale

Editors find it through the first line of each scenario:
`# yaml-language-server: $schema=schema/scenario.schema.json` (relative to the scenario file).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from shopctl.scenarios.model import Scenario

REPO = Path(__file__).resolve().parents[4]
SCHEMA_FILE = REPO / "scenarios" / "schema" / "scenario.schema.json"
SCHEMA_ID = "https://contoso-shop.example/schemas/scenario.schema.json"
MODELINE = "# yaml-language-server: $schema="


def schema() -> dict[str, Any]:
    generated = Scenario.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Contoso Shop QA order scenario",
        **{key: value for key, value in generated.items() if key != "title"},
    }


def text() -> str:
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


def modeline_for(scenario_file: Path) -> str:
    """The editor line for a scenario file: the schema's path relative to it (absolute when unrelated)."""
    try:
        relative = Path(os.path.relpath(SCHEMA_FILE, scenario_file.resolve().parent))
    except ValueError:  # another drive (Windows)
        relative = SCHEMA_FILE
    return f"{MODELINE}{relative.as_posix()}"


def main(argv: list[str]) -> int:
    if "--check" in argv:
        if not SCHEMA_FILE.exists() or SCHEMA_FILE.read_text() != text():
            print(
                f"{SCHEMA_FILE} is stale: run .venv/bin/python -m shopctl.scenarios.schema", file=sys.stderr
            )
            return 1
        return 0
    SCHEMA_FILE.parent.mkdir(parents=True, exist_ok=True)
    SCHEMA_FILE.write_text(text())
    print(f"wrote {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
