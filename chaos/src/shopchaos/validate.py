"""Validation of experiment files before anything runs: the Chaos Toolkit format (chaoslib's own check),
then ours: every `shopchaos` activity names an action or probe that exists with arguments it takes, every
component is one of harness/platform.yaml, every fault rule is one the emulators accept, every signal a
signal. A problem names the file, the activity and what is wrong; with any problem, no fault is applied."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# chaoslib ships no type information.
from chaoslib.exceptions import ChaosException  # type: ignore[import-untyped]
from chaoslib.experiment import ensure_experiment_is_valid  # type: ignore[import-untyped]
from shopctl.commands import parse_signal
from shopctl.errors import ShopError

from shopchaos.faults import fault_spec
from shopchaos.platform import ChaosError

MODULES = (
    "shopchaos.faults",
    "shopchaos.processes",
    "shopchaos.load",
    "shopchaos.waits",
    "shopchaos.probes",
)
_COMPONENT_ARGUMENTS = ("component",)
_COMPONENT_LISTS = ("components",)


@dataclass(frozen=True)
class Problem:
    file: Path
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.message}"


def load_experiment(path: Path) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise ChaosError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise ChaosError(f"{path}: {line}not YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(loaded, dict):
        raise ChaosError(f"{path}: an experiment is a mapping (title, description, method, ...)")
    return loaded


def _activities(experiment: Mapping[str, Any]) -> Iterable[tuple[str, Any]]:
    hypothesis = experiment.get("steady-state-hypothesis") or {}
    for i, probe in enumerate(hypothesis.get("probes") or []):
        yield f"steady-state-hypothesis.probes[{i}]", probe
    for part in ("method", "rollbacks"):
        for i, activity in enumerate(experiment.get(part) or []):
            yield f"{part}[{i}]", activity


def _check_activity(activity: Mapping[str, Any], components: list[str]) -> list[str]:
    provider = activity.get("provider") or {}
    if provider.get("type") != "python":
        return []
    module_name, func_name = str(provider.get("module")), str(provider.get("func"))
    if module_name not in MODULES:
        if module_name.startswith("shopchaos"):
            return [f"unknown module {module_name!r}; known: {', '.join(MODULES)}"]
        return []
    module = importlib.import_module(module_name)
    known: list[str] = list(getattr(module, "__all__", []))
    if func_name not in known:
        return [f"unknown action {module_name}.{func_name}; known in {module_name}: {', '.join(known)}"]
    arguments = dict(provider.get("arguments") or {})
    try:
        inspect.signature(getattr(module, func_name)).bind(**arguments)
    except TypeError as exc:
        return [f"{module_name}.{func_name}: {exc}"]
    problems: list[str] = []
    for name in _COMPONENT_ARGUMENTS:
        if name in arguments and arguments[name] not in components:
            problems.append(f"component: unknown {arguments[name]!r}; known: {', '.join(components)}")
    for name in _COMPONENT_LISTS:
        for value in arguments.get(name) or []:
            if value not in components:
                problems.append(f"components: unknown {value!r}; known: {', '.join(components)}")
    if "signal" in arguments:
        try:
            parse_signal(str(arguments["signal"]))
        except ShopError as exc:
            problems.append(str(exc))
    if func_name == "add_fault":
        try:
            fault_spec(**{k: v for k, v in arguments.items()})
        except ChaosError as exc:
            problems.append(str(exc))
        except TypeError as exc:
            problems.append(f"fault rule: {exc}")
    return problems


def validate(path: Path, components: list[str]) -> list[Problem]:
    """Every problem of one experiment file (empty when it may run)."""
    try:
        experiment = load_experiment(path)
    except ChaosError as exc:
        return [Problem(path, "file", str(exc).removeprefix(f"{path}: "))]
    problems: list[Problem] = []
    for where, activity in _activities(experiment):
        label = f"{where} {activity.get('name')!r}" if isinstance(activity, dict) else where
        if not isinstance(activity, dict):
            problems.append(Problem(path, label, "an activity is a mapping (type, name, provider)"))
            continue
        problems += [Problem(path, label, message) for message in _check_activity(activity, components)]
    if problems:
        return problems
    try:
        ensure_experiment_is_valid(experiment)
    except ChaosException as exc:
        problems.append(Problem(path, "experiment", str(exc)))
    return problems
