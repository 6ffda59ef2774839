"""The image builds `docker-bake.hcl` declares, for comparing with the Tiltfile's `tilt/builds.yaml`.

Reads bake's HCL with python-hcl2: `inherits` (attributes of the named targets first), `matrix`
(every combination, `${key}` filled in), `args`, `dockerfile`, `target`; a target's image is the
`contoso-shop/NAME` in its tags (whatever registry and tag variables surround it).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hcl2.api import load as load_hcl

_IMAGE = re.compile(r"contoso-shop/[a-z0-9][a-z0-9-]*")


@dataclass(frozen=True)
class BakeBuild:
    target_name: str
    image: str
    dockerfile: str
    build_args: dict[str, str]
    stage: str | None


def _one(value: Any) -> Any:
    """python-hcl2 wraps attribute values in a list."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _attributes(block: dict[str, Any]) -> dict[str, Any]:
    return {key: _one(value) for key, value in block.items() if not key.startswith("__")}


def _fill(value: Any, variables: dict[str, str]) -> Any:
    if isinstance(value, str):
        for key, replacement in variables.items():
            value = value.replace("${" + key + "}", replacement)
        return value
    if isinstance(value, list):
        return [_fill(item, variables) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, variables) for key, item in value.items()}
    return value


def _resolved(name: str, targets: dict[str, dict[str, Any]], seen: tuple[str, ...] = ()) -> dict[str, Any]:
    if name in seen:
        raise ValueError(f"docker-bake.hcl: target {name} inherits itself ({' -> '.join([*seen, name])})")
    own = targets[name]
    merged: dict[str, Any] = {}
    for parent in own.get("inherits", []):
        for key, value in _resolved(parent, targets, (*seen, name)).items():
            merged[key] = {**merged.get(key, {}), **value} if key == "args" else value
    for key, value in own.items():
        merged[key] = {**merged.get(key, {}), **value} if key == "args" else value
    return merged


def read_bake(path: Path) -> list[BakeBuild]:
    with path.open() as handle:
        document = load_hcl(handle)
    targets = {
        name: _attributes(body) for block in document.get("target", []) for name, body in block.items()
    }
    builds = []
    for name in targets:
        target = _resolved(name, targets)
        matrix = target.get("matrix") or {}
        keys = sorted(matrix)
        for combination in itertools.product(*(matrix[key] for key in keys)) if keys else [()]:
            variables = dict(zip(keys, (str(item) for item in combination), strict=True))
            filled = _fill(target, variables)
            tags = filled.get("tags") or []
            images = {match for tag in tags for match in _IMAGE.findall(tag)}
            for image in sorted(images):
                builds.append(
                    BakeBuild(
                        target_name=str(filled.get("name", name)),
                        image=image,
                        dockerfile=filled.get("dockerfile", "Dockerfile"),
                        build_args={key: str(value) for key, value in (filled.get("args") or {}).items()},
                        stage=filled.get("target"),
                    )
                )
    return builds


def differences(builds_yaml: dict[str, Any], bake: list[BakeBuild]) -> list[str]:
    """Every way tilt/builds.yaml's images differ from docker-bake.hcl's, naming the image."""
    ours = builds_yaml.get("images", {})
    theirs = {build.image: build for build in bake}
    problems = []
    for image in sorted(set(ours) - set(theirs)):
        problems.append(f"{image}: in tilt/builds.yaml, not built by docker-bake.hcl")
    for image in sorted(set(theirs) - set(ours)):
        problems.append(
            f"{image}: built by docker-bake.hcl (target {theirs[image].target_name}), not in tilt/builds.yaml"
        )
    for image in sorted(set(ours) & set(theirs)):
        mine, bake_build = ours[image], theirs[image]
        # Arguments bake fills from its variables (revision, source for the OCI labels) are its own business;
        # a fixed argument (SERVICE) decides what is built, so Tilt must pass the same.
        fixed_args = {key: value for key, value in bake_build.build_args.items() if "${" not in value}
        expected = {
            "dockerfile": bake_build.dockerfile,
            "build_args": fixed_args,
            "target": bake_build.stage,
        }
        actual = {
            "dockerfile": mine.get("dockerfile"),
            "build_args": {key: str(value) for key, value in (mine.get("build_args") or {}).items()},
            "target": mine.get("target"),
        }
        for key in expected:
            if expected[key] != actual[key]:
                problems.append(
                    f"{image}: {key} is {actual[key]!r} in tilt/builds.yaml, "
                    f"{expected[key]!r} in docker-bake.hcl"
                )
    return problems
