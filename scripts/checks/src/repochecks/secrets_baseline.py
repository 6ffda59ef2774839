"""The secrets baseline may hold only the public, well-known emulator keys.

`detect-secrets` compares every tracked file with `.secrets.baseline`; anything it finds that the baseline
does not list fails `make lint`. This module guards the baseline itself: each entry must sit on a line that
carries one of the keys every Azurite and Cosmos DB emulator install publishes, so a real secret cannot be
waved through by re-generating the baseline. False positives are not baselined: they carry an inline
`pragma: allowlist secret` with the reason, or (for data files that cannot hold comments) an exclusion
recorded in the baseline's `filters_used`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

# Published in Microsoft's documentation for Azurite and the Cosmos DB emulator; they open nothing real.
PUBLIC_EMULATOR_KEYS = {
    "Azurite account key (devstoreaccount1)": (
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
    ),
    "Cosmos DB emulator key": (
        "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="
    ),
}


def _public_key_hashes() -> set[str]:
    # detect-secrets records a finding as the SHA-1 of the secret it matched.
    keys = PUBLIC_EMULATOR_KEYS.values()
    return {hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest() for key in keys}


def baseline_problems(root: Path, baseline: Path) -> list[str]:
    """One line per baseline entry that is not a public emulator key (or that points nowhere)."""
    results: dict[str, list[dict[str, object]]] = json.loads(baseline.read_text())["results"]
    public_hashes = _public_key_hashes()
    problems: list[str] = []
    for filename, entries in sorted(results.items()):
        path = root / filename
        lines = path.read_text().splitlines() if path.is_file() else []
        for entry in entries:
            if entry.get("hashed_secret") in public_hashes:
                continue
            number = int(str(entry["line_number"]))
            # A keyword finding hashes the whole value (a connection string carrying the key); a folded YAML
            # value (`KEY: >-`) is reported on a line next to the key's.
            nearby = " ".join(lines[max(number - 2, 0) : number + 1])
            if not any(key in nearby for key in PUBLIC_EMULATOR_KEYS.values()):
                where = f"{filename}:{number}: {entry['type']}"
                problems.append(f"{where} in the secrets baseline is not a public emulator key")
    return problems
