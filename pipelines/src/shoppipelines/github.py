"""GitHub Actions files: workflows, the reusable workflows and composite actions they use, and two rules
every one of them keeps: actions pinned by full commit SHA, and least-privilege `permissions` per job."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from shoppipelines.findings import Finding, line_of

_USES = re.compile(r"^\s*(?:-\s*)?uses:\s*['\"]?([^\s'\"#]+)")
_PINNED = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$")
_DOCKER_PINNED = re.compile(r"^docker://[^@]+@sha256:[0-9a-f]{64}$")
# Write scopes a job may hold, and what it must be doing to hold them.
WRITE_SCOPES = {
    # pragma: allowlist nextline secret (a permission name)
    "id-token": "logs in to Azure with OIDC (uses ./.github/actions/azure-login or a deploy workflow)",
    "security-events": "uploads SARIF (github/codeql-action)",
}


@dataclass(frozen=True)
class GithubFiles:
    root: Path

    @property
    def workflows(self) -> list[Path]:
        return sorted((self.root / "workflows").glob("*.y*ml"))

    @property
    def actions(self) -> list[Path]:
        return sorted((self.root / "actions").glob("*/action.y*ml"))


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a mapping")
    # PyYAML reads the key `on` as True (YAML 1.1); workflows mean the string.
    if True in data:
        data["on"] = data.pop(True)
    return data


def unpinned_actions(files: GithubFiles) -> list[Finding]:
    """Every `uses:` that is neither local (`./`) nor pinned to a 40-hex commit (or a docker digest)."""
    findings = []
    for path in [*files.workflows, *files.actions]:
        for number, text in enumerate(path.read_text().splitlines(), start=1):
            match = _USES.match(text)
            if not match:
                continue
            target = match.group(1)
            if target.startswith("./") or _PINNED.match(target) or _DOCKER_PINNED.match(target):
                continue
            findings.append(Finding(path, f"action {target} is not pinned to a full commit SHA", number))
    return findings


def _job_text(job: dict[str, Any]) -> str:
    return yaml.safe_dump(job)


def permission_problems(files: GithubFiles) -> list[Finding]:
    """Top level `permissions: {}`; each job declares its own; write scopes only where the job needs them."""
    findings = []
    for path in files.workflows:
        workflow = load(path)
        if workflow.get("permissions") != {}:
            findings.append(
                Finding(path, "workflow must set `permissions: {}` at the top", line_of(path, "permissions"))
            )
        for name, job in (workflow.get("jobs") or {}).items():
            line = line_of(path, f"  {name}:")
            permissions = job.get("permissions")
            if not isinstance(permissions, dict):
                findings.append(Finding(path, f"job {name} has no `permissions:` mapping of its own", line))
                continue
            text = _job_text(job)
            for scope, level in permissions.items():
                if level == "read" or level == "none":
                    continue
                if scope not in WRITE_SCOPES:
                    findings.append(
                        Finding(path, f"job {name} asks for {scope}: {level}, which no job needs", line)
                    )
                elif not _needs(scope, text):
                    findings.append(
                        Finding(
                            path,
                            f"job {name} asks for {scope}: write "
                            f"but only a job that {WRITE_SCOPES[scope]} may",
                            line,
                        )
                    )
    return findings


def _needs(scope: str, job_text: str) -> bool:
    if scope == "id-token":
        return "./.github/actions/azure-login" in job_text or "deploy-environment.yml" in job_text
    return "github/codeql-action/" in job_text
