"""Second reading of each `.bicep` file by pycep-parser (the parser checkov uses), on the lowered text
(see `lowering`). Where pycep reads a file, its declarations (params, resources with type@apiVersion,
modules, outputs) must equal ours: a difference means one parser misreads the file. Where it cannot
(lambdas, newer functions), our grammar is the only reading and that is reported, not failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pycep import BicepParser

from shopinfra.findings import Finding
from shopinfra.lowering import lower
from shopinfra.model import BicepFile
from shopinfra.references import scan_root, template_files

CHECK = "parse"


def _declarations_ours(bicep: BicepFile) -> dict[str, set[str]]:
    return {
        "params": set(bicep.params),
        "resources": {f"{r.symbol}={r.type_name}@{r.api_version}" for r in bicep.resources},
        "modules": {m.symbol for m in bicep.modules},
        "outputs": set(bicep.outputs),
    }


def _declarations_pycep(parsed: dict[str, Any]) -> dict[str, set[str]]:
    resources = parsed.get("resources", {})
    return {
        "params": set(parsed.get("parameters", {})),
        "resources": {f"{name}={r['type']}@{r['api_version']}" for name, r in resources.items()},
        "modules": set(parsed.get("modules", {})),
        "outputs": set(parsed.get("outputs", {})),
    }


def compare_with_pycep(bicep: BicepFile, parser: BicepParser, notes: list[Finding]) -> Iterator[Finding]:
    text = bicep.path.read_text(encoding="utf-8")
    try:
        parsed = parser.parse(text=lower(text))
    except Exception as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        notes.append(
            Finding(bicep.path, 1, CHECK, f"pycep-parser cannot read it ({first_line}); own grammar only")
        )
        return
    ours, theirs = _declarations_ours(bicep), _declarations_pycep(dict(parsed))
    for kind in ours:
        for name in sorted(ours[kind] ^ theirs[kind]):
            side = "only our parser" if name in ours[kind] else "only pycep-parser"
            yield Finding(bicep.path, 1, CHECK, f"{kind}: {name} seen by {side}")


def new_parser() -> BicepParser:
    return BicepParser(add_line_numbers=True)


def lowered_copy(infra_dir: Path, target_dir: Path) -> list[Path]:
    """Writes the lowered text of every template of infra_dir (those outside it too) under target_dir, at its
    path relative to `scan_root(infra_dir)`."""
    base = scan_root(infra_dir)
    written: list[Path] = []
    for source in template_files(infra_dir):
        if source.suffix != ".bicep":
            continue
        destination = target_dir / source.resolve().relative_to(base.resolve())
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(lower(source.read_text(encoding="utf-8")), encoding="utf-8")
        written.append(destination)
    return written
