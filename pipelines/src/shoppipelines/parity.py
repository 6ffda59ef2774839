"""The two implementations of the release flow, reduced to what must match: the stages, in order, and the
commands each stage runs (make targets, ops scripts, docker buildx bake, shopctl). Platform plumbing
(checkout, artifacts, logins, result publishing, CodeQL) is left out: it differs by design.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shoppipelines.azure_templates import expand
from shoppipelines.findings import Finding
from shoppipelines.github import load

COMMAND = re.compile(
    r"(?:scripts/ops/bin/[\w.-]+\.sh(?:\s+(?!\$|\")[\w.-]+)?|\bmake\s+(?:test|install|contract|chaos|load-gate)\b"
    r"|docker buildx bake|shopctl replay|infra/scripts/[\w.-]+)"
)
_INPUT = re.compile(r"\$\{\{\s*inputs\.(\w+)\s*\}\}")
_STAGE_ARGUMENT = re.compile(r'"\$STAGE"')


@dataclass(frozen=True)
class Flow:
    source: Path
    stages: dict[str, list[str]]


def _commands(texts: list[str]) -> list[str]:
    found: list[str] = []
    for text in texts:
        found.extend(" ".join(match.split()) for match in COMMAND.findall(text))
    return found


_SCRIPT_KEYS = ("bash", "script", "pwsh", "powershell")
_SCRIPT_INPUTS = ("inlineScript", "scriptPath", "arguments", "script", "filePath")


def _azure_scripts(node: Any) -> list[str]:
    """The shell text of every step under `node` (jobs, deployment strategies and steps alike)."""
    if isinstance(node, list):
        return [text for item in node for text in _azure_scripts(item)]
    if not isinstance(node, dict):
        return []
    texts = [str(node[key]) for key in _SCRIPT_KEYS if key in node]
    if "task" in node:
        texts.extend(str(node["inputs"][key]) for key in _SCRIPT_INPUTS if key in node.get("inputs", {}))
    for key, value in node.items():
        if key not in (*_SCRIPT_KEYS, "inputs") and isinstance(value, dict | list):
            texts.extend(_azure_scripts(value))
    return texts


def azure_flow(pipeline: Path) -> Flow:
    expanded = expand(pipeline).pipeline
    stages = {
        stage["stage"]: _commands(_azure_scripts(stage.get("jobs", []))) for stage in expanded["stages"]
    }
    return Flow(pipeline, stages)


def _steps_texts(steps: list[dict[str, Any]], repo: Path, inputs: dict[str, str]) -> list[str]:
    texts: list[str] = []
    for step in steps:
        uses = str(step.get("uses", ""))
        if uses.startswith("./.github/actions/"):
            action = load(repo / uses / "action.yml")
            with_ = {key: str(value) for key, value in (step.get("with") or {}).items()}
            texts.extend(
                _STAGE_ARGUMENT.sub(with_.get("stage", ""), text)
                for text in _steps_texts(action["runs"].get("steps", []), repo, {})
            )
        if "run" in step:
            texts.append(_INPUT.sub(lambda m: inputs.get(m.group(1), m.group(0)), str(step["run"])))
    return texts


def github_flow(workflow: Path, repo: Path) -> Flow:
    jobs = load(workflow)["jobs"]
    stages = {}
    for name, job in jobs.items():
        if "uses" in job:
            called = load(repo / job["uses"])
            inputs = {key: str(value) for key, value in (job.get("with") or {}).items()}
            texts = [
                text
                for inner in called["jobs"].values()
                for text in _steps_texts(inner.get("steps", []), repo, inputs)
            ]
        else:
            texts = _steps_texts(job.get("steps", []), repo, {})
        stages[name] = _commands(texts)
    return Flow(workflow, stages)


def differences(azure: Flow, github: Flow) -> list[Finding]:
    findings = []
    for stage in azure.stages.keys() - github.stages.keys():
        findings.append(Finding(github.source, f"stage {stage} exists only in {azure.source.name}"))
    for stage in github.stages.keys() - azure.stages.keys():
        findings.append(Finding(azure.source, f"stage {stage} exists only in {github.source.name}"))
    common_azure = [stage for stage in azure.stages if stage in github.stages]
    common_github = [stage for stage in github.stages if stage in azure.stages]
    if common_azure != common_github:
        findings.append(
            Finding(github.source, f"stages run in another order: {common_azure} vs {common_github}")
        )
    for stage in common_azure:
        if azure.stages[stage] != github.stages[stage]:
            findings.append(
                Finding(
                    github.source,
                    f"stage {stage} runs {github.stages[stage]} here but {azure.stages[stage]} in "
                    f"{azure.source.name}",
                )
            )
    return sorted(findings, key=str)
