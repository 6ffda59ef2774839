"""k8s/README.md's table of objects per overlay is what the overlays render."""

from __future__ import annotations

import re
from collections import Counter

from shopk8s.layout import K8S_DIR, OVERLAYS
from shopk8s.manifests import Object


def _readme_table() -> dict[str, dict[str, int]]:
    text = (K8S_DIR / "README.md").read_text()
    header = "| kind | " + " | ".join(OVERLAYS) + " |"
    rows = text.split(header, 1)[1].split("\n\n", 1)[0].strip().splitlines()[1:]
    table = {}
    for row in rows:
        kind, *counts = [cell.strip() for cell in row.strip("|").split("|")]
        table[kind] = {
            overlay: int(n) for overlay, n in zip(OVERLAYS, counts, strict=True) if re.fullmatch(r"\d+", n)
        }
    return table


def test_readme_table_lists_the_rendered_objects(rendered: dict[str, list[Object]]) -> None:
    counted: dict[str, dict[str, int]] = {}
    for overlay in OVERLAYS:
        for kind, n in Counter(obj["kind"] for obj in rendered[overlay]).items():
            counted.setdefault(kind, {})[overlay] = n
    assert _readme_table() == counted
