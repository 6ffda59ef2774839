"""Checks the calls between templates: a module call passes only the params its template declares and
every required one; a `.bicepparam` file assigns only params of the template it is `using`, every required
one, and literal values within `@allowed`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from shopinfra.findings import Finding
from shopinfra.model import ArrayValue, BicepFile, Literal, ObjectValue, Param, unwrap

CHECK = "params"
_MODULE_KEYS = frozenset({"name", "scope", "params", "dependsOn"})

Loader = Callable[[Path], BicepFile]


def check_modules(bicep: BicepFile, load: Loader) -> Iterator[Finding]:
    for module in bicep.modules:
        target_path = (bicep.path.parent / module.path).resolve()
        if not target_path.is_file():
            yield Finding(
                bicep.path, module.line, CHECK, f"module {module.symbol}: {module.path} does not exist"
            )
            continue
        target = load(target_path)
        body = unwrap(module.body)
        if not isinstance(body, ObjectValue):
            continue
        for prop in body.properties:
            if prop.key not in _MODULE_KEYS:
                yield Finding(
                    bicep.path, prop.line, CHECK, f"module {module.symbol}: unknown key {prop.key!r}"
                )
        params = body.get("params")
        passed: dict[str, int] = {}
        if isinstance(params, ObjectValue):
            passed = {prop.key: prop.line for prop in params.properties}
        elif params is not None:
            continue  # computed params object: only the compiler can see its keys
        where = f"module {module.symbol} ({module.path})"
        yield from _compare(bicep.path, module.line, where, passed, target.params)


def check_param_file(param_file: BicepFile, load: Loader) -> Iterator[Finding]:
    if param_file.using is None:
        yield Finding(param_file.path, 1, CHECK, "no `using` declaration")
        return
    target_path = (param_file.path.parent / param_file.using).resolve()
    if not target_path.is_file():
        yield Finding(param_file.path, 1, CHECK, f"using {param_file.using}: file does not exist")
        return
    target = load(target_path)
    passed = {assignment.name: assignment.line for assignment in param_file.assignments}
    yield from _compare(param_file.path, 1, f"using {param_file.using}", passed, target.params)
    for assignment in param_file.assignments:
        declared = target.params.get(assignment.name)
        if declared is not None:
            yield from _check_allowed(param_file.path, assignment.line, declared, assignment.value)


def _compare(
    path: Path, line: int, where: str, passed: dict[str, int], declared: dict[str, Param]
) -> Iterator[Finding]:
    for name, passed_line in passed.items():
        if name not in declared:
            yield Finding(
                path, passed_line, CHECK, f"{where}: param {name!r} is not declared by the template"
            )
    for name, param in declared.items():
        if param.required and name not in passed:
            yield Finding(path, line, CHECK, f"{where}: required param {name!r} is not passed")


def _check_allowed(path: Path, line: int, param: Param, value: object) -> Iterator[Finding]:
    for decorator in param.decorators:
        if decorator.name != "allowed" or not decorator.arguments:
            continue
        allowed_list = decorator.arguments[0]
        if not isinstance(allowed_list, ArrayValue) or not isinstance(value, Literal):
            continue
        allowed = [item.value for item in allowed_list.items if isinstance(item, Literal)]
        if value.value not in allowed:
            yield Finding(path, line, CHECK, f"param {param.name!r}: {value.value!r} is not one of {allowed}")
