"""One owner per resource: follows a deployment from its main template through every module call (wherever
the module lives) and reports a resource that two declarations create, the same type and name in the same
scope. Azure would take both as one resource, each deployment overwriting the other's properties.

Names are compared in the main template's own terms: a module's params are replaced by what its caller
passes, `module.outputs.x` by that output's value and `resource.name` by the resource's name, so
`'MSCI-${location}-${clusterName}'` in a module called with `clusterName: aks.outputs.clusterName` reads
`'MSCI-${location}-${names.aks}'`. What stays computed (function calls, loop items) is compared as text,
so two names that only the deployment would show equal are not found; two equal texts are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from shopinfra.findings import Finding
from shopinfra.model import (
    BicepFile,
    Conditional,
    Expression,
    ForLoop,
    Literal,
    Module,
    ObjectValue,
    Resource,
    Value,
    unwrap,
)
from shopinfra.syntax import BicepSyntaxError, Token, tokenize

CHECK = "ownership"
_NO_SPACE_BEFORE = frozenset({".", ")", "]", ",", "?."})
_NO_SPACE_AFTER = ("(", "[", ".", "?.")
_LONGEST_INLINED = 120

Loader = Callable[[Path], BicepFile]


@dataclass(frozen=True)
class Declaration:
    scope: str
    type_name: str
    name: str
    path: Path
    line: int
    via: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.scope, self.type_name.lower(), self.name)


def check_ownership(main: BicepFile, load: Loader, param_files: Iterable[BicepFile] = ()) -> list[Finding]:
    """A finding at every declaration of a resource an earlier declaration already creates: with main's
    params as names, then with the literal values of each parameter file (names built differently in two
    modules meet there). One finding per declaration, naming the parameter file where it took one."""
    found: dict[tuple[Path, int], Finding] = {}
    for param_file in [None, *param_files]:
        first: dict[tuple[str, str, str], Declaration] = {}
        for declaration in declarations(main, load, param_file):
            owner = first.setdefault(declaration.key, declaration)
            if owner is declaration or (declaration.path, declaration.line) in found:
                continue
            values = f", with {param_file.path.name}" if param_file else ""
            found[(declaration.path, declaration.line)] = Finding(
                declaration.path,
                declaration.line,
                CHECK,
                f"{declaration.type_name} {declaration.name} ({declaration.via}{values}) is also declared at "
                f"{owner.path}:{owner.line} ({owner.via}): one resource, one owner",
            )
    return sorted(found.values())


def declarations(main: BicepFile, load: Loader, param_file: BicepFile | None = None) -> list[Declaration]:
    """Every resource the deployment of `main` creates (not `existing` ones), in declaration order; main's
    params take the literal values of `param_file` when given."""
    found: list[Declaration] = []
    values = {a.name: a.value for a in param_file.assignments} if param_file else {}
    _Instance(main, {}, "deployment", main.path.name, "", load, values).collect(found)
    return found


class _Instance:
    """One template as one module call deploys it: its params bound to the caller's values (main: unbound)."""

    def __init__(
        self,
        bicep: BicepFile,
        bindings: dict[str, str],
        scope: str,
        via: str,
        loop: str,
        load: Loader,
        values: dict[str, Value] | None = None,
        *,
        root: bool = True,
    ) -> None:
        self.bicep = bicep
        # Literal and written-out values of main's params (a parameter file's): `names.aks` reads 'aks-...'.
        self.values = {
            name: value for name, value in (values or {}).items() if isinstance(value, Literal | ObjectValue)
        }
        self.bindings = bindings
        self.scope = scope
        self.via = via
        self.loop = loop
        self.load = load
        self.resources = {r.symbol: r for r in bicep.resources}
        self.modules = {m.symbol: m for m in bicep.modules}
        self.root = root
        self._children: dict[str, _Instance | None] = {}
        self._resolving: set[str] = set()

    def collect(self, found: list[Declaration]) -> None:
        for resource in self.bicep.resources:
            if not resource.existing:
                scope, name = self.identity(resource)
                found.append(
                    Declaration(scope, resource.type_name, name, self.bicep.path, resource.line, self.via)
                )
        for module in self.bicep.modules:
            child = self.child(module.symbol)
            if child is not None:
                child.collect(found)

    # --- resources ---------------------------------------------------------------------------------------
    def identity(self, resource: Resource) -> tuple[str, str]:
        """(scope, name) of a resource, in the main template's terms."""
        body = unwrap(resource.body)
        loop = self.loop + _loop_prefix(resource.body, self)
        local = _loop_variables(resource.body)
        name = self.value(body.get("name"), local) if isinstance(body, ObjectValue) else "?"
        scope = self.scope
        if isinstance(body, ObjectValue):
            parent = body.get("parent")
            target = body.get("scope")
            if isinstance(parent, Expression) and parent.text in self.resources:
                parent_scope, parent_name = self.identity(self.resources[parent.text])
                if not loop and _plain(parent_name) and _plain(name):
                    return (
                        parent_scope,
                        f"{parent_name[:-1]}/{name[1:]}",
                    )  # 'a'/'b' reads 'a/b', as Azure names it
                return parent_scope, f"{parent_name}/{loop}{name}"
            if isinstance(target, Expression):
                if target.text in self.resources:
                    referenced = self.resources[target.text]
                    target_scope, target_name = self.identity(referenced)
                    scope = f"{target_scope} > {referenced.type_name} {target_name}"
                else:
                    scope = f"{self.scope} > {self.expression(target.text)}"
        return scope, f"{loop}{name}"

    # --- modules -----------------------------------------------------------------------------------------
    def child(self, symbol: str) -> _Instance | None:
        if symbol not in self._children:
            self._children[symbol] = self._instantiate(self.modules[symbol])
        return self._children[symbol]

    def _instantiate(self, module: Module) -> _Instance | None:
        if ":" in module.path:
            return None  # a registry or Template Spec module: not in this repo
        path = (self.bicep.path.parent / module.path).resolve()
        if not path.is_file():
            return None  # the params check reports it
        try:
            target = self.load(path)
        except BicepSyntaxError:
            return None  # the parse check reports it
        body = unwrap(module.body)
        loop = self.loop + _loop_prefix(module.body, self)
        bindings: dict[str, str] = {}
        scope = self.scope
        if isinstance(body, ObjectValue):
            params = body.get("params")
            local = _loop_variables(module.body)
            if isinstance(params, ObjectValue):
                bindings = {prop.key: self.value(prop.value, local) for prop in params.properties}
            target_scope = body.get("scope")
            if isinstance(target_scope, Expression):
                if target_scope.text in self.resources:
                    referenced = self.resources[target_scope.text]
                    scope_of, name = self.identity(referenced)
                    scope = f"{scope_of} > {referenced.type_name} {name}"
                else:
                    scope = f"{self.scope} > {self.expression(target_scope.text)}"
        return _Instance(
            target, bindings, scope, f"{self.via} > {module.symbol}", loop, self.load, root=False
        )

    # --- values ------------------------------------------------------------------------------------------
    def value(self, value: Value | None, local: frozenset[str] = frozenset()) -> str:
        if value is None:
            return "?"
        if isinstance(value, Literal):
            return f"'{value.value}'" if isinstance(value.value, str) else str(value.value).lower()
        if isinstance(value, Expression):
            return self.expression(value.text, local)
        if isinstance(value, ForLoop | Conditional):
            return self.value(unwrap(value), local)
        return "{...}" if isinstance(value, ObjectValue) else "[...]"

    def expression(self, text: str, local: frozenset[str] = frozenset()) -> str:
        try:
            tokens = [t for t in tokenize(self.bicep.path, text) if t.kind not in ("newline", "eof")]
        except BicepSyntaxError:
            return text
        parts: list[str] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            after = [t.text for t in tokens[index + 1 : index + 5]]
            previous = tokens[index - 1].text if index else ""
            if token.kind == "istring":
                parts.append(self.interpolated(token, local))
            elif token.kind != "ident" or previous in (".", "?.") or token.text in local:
                parts.append(token.text)
            elif token.text in self.modules and after[:3] == [".", "outputs", "."] and len(after) == 4:
                parts.append(self.module_output(token.text, after[3]))
                index += 4
            elif token.text in self.resources and after[:2] == [".", "name"]:
                parts.append(self.resource_name(token.text))
                index += 2
            elif isinstance(self.values.get(token.text), ObjectValue) and len(after) >= 2 and after[0] == ".":
                member = cast(ObjectValue, self.values[token.text]).get(after[1])
                parts.append(
                    self.value(member) if isinstance(member, Literal) else token.text + "." + after[1]
                )
                index += 2
            elif isinstance(self.values.get(token.text), Literal):
                parts.append(self.value(self.values[token.text]))
            elif after[:1] != ["("]:
                parts.append(self.symbol(token.text))
            else:
                parts.append(token.text)
            index += 1
        return _join(parts)

    def interpolated(self, token: Token, local: frozenset[str]) -> str:
        body = token.text[1:-1]
        out: list[str] = []
        index = 0
        while index < len(body):
            if body.startswith("${", index) and (index == 0 or body[index - 1] != "\\"):
                end = _closing_brace(body, index + 2)
                resolved = self.expression(body[index + 2 : end], local)
                quoted = resolved.startswith("'") and resolved.endswith("'") and len(resolved) > 1
                out.append(resolved[1:-1] if quoted else "${" + resolved + "}")
                index = end + 1
            else:
                out.append(body[index])
                index += 1
        return "'" + "".join(out) + "'"

    def symbol(self, name: str) -> str:
        if name in self._resolving:
            return name
        self._resolving.add(name)
        try:
            if name in self.bindings:
                return _grouped(self.bindings[name])
            param = self.bicep.params.get(name)
            if param is not None:
                # Main's params stay names; a module param nobody passes takes its default.
                if param.default is None or self.root:
                    return name
                return _grouped(self.value(param.default))
            variable = self.bicep.variables.get(name)
            if variable is not None and isinstance(variable.value, Literal | Expression):
                resolved = self.value(variable.value)
                # A long computed value (a JSON document) reads better, and compares the same, by its name.
                return _grouped(resolved) if len(resolved) <= _LONGEST_INLINED else name
            return name
        finally:
            self._resolving.discard(name)

    def module_output(self, symbol: str, output: str) -> str:
        child = self.child(symbol)
        named = child.bicep.outputs.get(output) if child else None
        if child is None or named is None or named.value is None:
            return f"{symbol}.outputs.{output}"
        return _grouped(child.value(named.value))

    def resource_name(self, symbol: str) -> str:
        body = unwrap(self.resources[symbol].body)
        return self.value(body.get("name")) if isinstance(body, ObjectValue) else f"{symbol}.name"


def _loop_prefix(value: Value, instance: _Instance) -> str:
    """`[for SOURCE] ` for a looped declaration: its items differ by the loop, not by the name text."""
    if not isinstance(value, ForLoop):
        return ""
    source = value.source.partition(" in ")[2]
    return f"[for {instance.expression(source, _loop_variables(value))}] "


def _loop_variables(value: Value) -> frozenset[str]:
    """The item (and index) names of `[for item in ...]` / `[for (item, i) in ...]`."""
    if not isinstance(value, ForLoop):
        return frozenset()
    variables = value.source.partition(" in ")[0]
    return frozenset(part for part in variables.replace("(", " ").replace(")", " ").split() if part != ",")


def _closing_brace(text: str, start: int) -> int:
    depth = 1
    for index in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return index
    return len(text)


def _plain(text: str) -> bool:
    """A string with nothing left to compute."""
    return len(text) > 1 and text[0] == text[-1] == "'" and "${" not in text


def _grouped(text: str) -> str:
    return f"({text})" if " " in text and not (text.startswith("'") and text.endswith("'")) else text


def _join(parts: list[str]) -> str:
    out = ""
    for part in parts:
        if out and part not in _NO_SPACE_BEFORE and not out.endswith(_NO_SPACE_AFTER) and part != "(":
            out += " "
        out += part
    return out
