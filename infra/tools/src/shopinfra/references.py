"""The files a template is made of: the `.bicep` files its `module` declarations name, followed from module
to module wherever they live (infra/main.bicep calls ../monitoring/azure/monitoring.bicep), and the files
they read with `load*Content`. The Bicep compiler inlines all of them into the one JSON a Template Spec
holds, so the checks scan them and the spec's content hash covers them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from shopinfra.syntax import BicepSyntaxError, parse_file

_LOAD = re.compile(r"\bload(?:Text|Json|Yaml|FileAsBase64)Content\(\s*'([^']+)'")


def module_targets(path: Path) -> list[Path]:
    """Local files the modules of one template name (registry and Template Spec references skipped)."""
    try:
        bicep = parse_file(path)
    except BicepSyntaxError:
        return []  # the parse check reports it
    return [(path.parent / m.path).resolve() for m in bicep.modules if ":" not in m.path]


def reachable_templates(roots: Iterable[Path]) -> list[Path]:
    """The roots and every existing `.bicep` file their modules reach, transitively; resolved, sorted."""
    seen: set[Path] = set()
    pending = [root.resolve() for root in roots]
    while pending:
        path = pending.pop()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        pending.extend(module_targets(path))
    return sorted(seen)


def loaded_files(templates: Iterable[Path]) -> list[Path]:
    """The files the templates read with loadTextContent, loadJsonContent, ...; resolved, sorted."""
    found = {
        (template.parent / match.group(1)).resolve()
        for template in templates
        for match in _LOAD.finditer(template.read_text(encoding="utf-8"))
    }
    return sorted(found)


def template_closure(main: Path) -> list[Path]:
    """Everything a deployment of `main` is built from: its templates and the files they load."""
    templates = reachable_templates([main])
    return sorted({*templates, *loaded_files(templates)})


def template_files(infra_dir: Path) -> list[Path]:
    """Every template and parameter file under infra_dir (tools/ aside), then the templates outside it that
    their modules reach (../monitoring/azure)."""
    found = [*infra_dir.rglob("*.bicep"), *infra_dir.rglob("*.bicepparam")]
    inside = sorted(p for p in found if "tools" not in p.relative_to(infra_dir).parts)
    root = infra_dir.resolve()
    reached = reachable_templates(p for p in inside if p.suffix == ".bicep")
    return [*inside, *(p for p in reached if not p.is_relative_to(root))]


def scan_root(infra_dir: Path) -> Path:
    """The folder holding infra_dir and every template it reaches: copies for other tools keep the relative
    module paths by keeping the layout below it."""
    files = [p.resolve() for p in template_files(infra_dir)]
    common = Path(os.path.commonpath([infra_dir.resolve(), *files]))
    return infra_dir if common == infra_dir.resolve() else common
