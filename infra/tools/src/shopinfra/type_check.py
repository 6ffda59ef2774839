"""Checks every `resource` declaration against Azure's type definitions: the type exists, its apiVersion
is the newest stable one in the snapshot, and the properties written out are known, writable, of the right
shape, carry allowed enum values, and include every required one.

Values computed at deploy time (references, function calls, interpolation) are not evaluated; only their
property names are checked. Types of providers outside the snapshot are reported as unchecked.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from shopinfra.azure_types import READ_ONLY, REQUIRED, TypeLibrary, TypeRef
from shopinfra.findings import Finding
from shopinfra.model import (
    ArrayValue,
    BicepFile,
    Expression,
    ForLoop,
    Literal,
    ObjectValue,
    Resource,
    Value,
    unwrap,
)

CHECK = "types"
# Keys the Bicep language adds to a resource body; they are not ARM properties.
_BICEP_KEYWORDS = frozenset({"parent", "scope", "dependsOn"})
_SCALARS = {"StringType": str, "IntegerType": int, "BooleanType": bool}
# Types whose only stable version describes a different resource; the newest preview is required instead.
PREVIEW_REQUIRED = {
    "microsoft.insights/diagnosticsettings": (
        "the stable 2016-09-01 is the legacy service diagnostic setting (name must be 'service', location "
        "required); resource diagnostic settings exist only as previews"
    ),
}


class TypeChecker:
    def __init__(self, library: TypeLibrary) -> None:
        self.library = library
        self.unchecked: list[Finding] = []

    def check_file(self, bicep: BicepFile) -> list[Finding]:
        findings: list[Finding] = []
        for resource in bicep.resources:
            findings.extend(self.check_resource(bicep, resource))
        return findings

    def check_resource(self, bicep: BicepFile, resource: Resource) -> Iterator[Finding]:
        label = f"{resource.type_name}@{resource.api_version}"
        if not self.library.known_provider(resource.type_name):
            self.unchecked.append(
                Finding(
                    bicep.path,
                    resource.line,
                    CHECK,
                    f"{label} (resource {resource.symbol}): provider not in the type snapshot, unchecked",
                )
            )
            return
        versions = self.library.api_versions(resource.type_name)
        if versions is None:
            yield Finding(bicep.path, resource.line, CHECK, f"unknown resource type {resource.type_name}")
            return
        if resource.api_version not in versions:
            yield Finding(bicep.path, resource.line, CHECK, f"{label}: apiVersion does not exist")
            return
        preview_reason = PREVIEW_REQUIRED.get(resource.type_name.lower())
        newest = max(versions) if preview_reason else self.library.newest_stable(resource.type_name)
        if resource.api_version != newest:
            which = "newest" if preview_reason else "newest stable"
            yield Finding(bicep.path, resource.line, CHECK, f"{label}: not the {which} apiVersion ({newest})")
        body_type = self.library.resource_body(resource.type_name, resource.api_version)
        if body_type is None:
            if preview_reason:
                self.unchecked.append(
                    Finding(
                        bicep.path, resource.line, CHECK, f"{label}: properties unchecked, {preview_reason}"
                    )
                )
            elif resource.api_version == newest:
                # In api-versions.json without a types.json (workbooks): the version is all we can check.
                self.unchecked.append(
                    Finding(bicep.path, resource.line, CHECK, f"{label}: no type definition in the snapshot")
                )
            return
        body = unwrap(resource.body)
        if not isinstance(body, ObjectValue):
            return
        walker = _Walker(bicep, label, existing=resource.existing)
        yield from walker.check(body_type, body, "", top_level=True)


class _Walker:
    def __init__(self, bicep: BicepFile, label: str, *, existing: bool) -> None:
        self.bicep = bicep
        self.label = label
        self.existing = existing

    def finding(self, line: int, where: str, message: str) -> Finding:
        return Finding(self.bicep.path, line, CHECK, f"{self.label}: {where or 'body'}: {message}")

    def check(
        self, expected: TypeRef, value: Value, where: str, *, top_level: bool = False
    ) -> Iterator[Finding]:
        value = unwrap(value) if isinstance(value, ForLoop) else value
        if isinstance(value, Expression):
            return
        kind = expected.kind
        if kind == "ObjectType":
            yield from self.check_object(expected, expected.node, value, where, top_level)
        elif kind == "DiscriminatedObjectType":
            yield from self.check_discriminated(expected, value, where)
        elif kind == "ArrayType":
            yield from self.check_array(expected, value, where)
        elif kind == "UnionType":
            yield from self.check_union(expected, value, where)
        elif kind == "StringLiteralType":
            if isinstance(value, Literal) and value.value != expected.node["value"]:
                yield self.finding(
                    value.line, where, f"must be {expected.node['value']!r}, not {value.value!r}"
                )
        elif kind in _SCALARS:
            scalar = _SCALARS[kind]
            literal_ok = isinstance(value, Literal) and (
                value.value is None
                or (isinstance(value.value, scalar) and not (scalar is int and isinstance(value.value, bool)))
            )
            if not literal_ok:
                yield self.finding(_line(value), where, f"expects a {kind[:-4].lower()}")

    def check_object(
        self, owner: TypeRef, node: dict[str, object], value: Value, where: str, top_level: bool
    ) -> Iterator[Finding]:
        if not isinstance(value, ObjectValue):
            yield self.finding(_line(value), where, "expects an object")
            return
        properties = node.get("properties", {})
        assert isinstance(properties, dict)
        additional = node.get("additionalProperties")
        for prop in value.properties:
            path = f"{where}.{prop.key}" if where else prop.key
            if top_level and prop.key in _BICEP_KEYWORDS:
                continue
            spec = properties.get(prop.key)
            if spec is None:
                if isinstance(additional, dict):
                    yield from self.check(owner.resolve(additional), prop.value, path)
                    continue
                close = difflib.get_close_matches(prop.key, list(properties), n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                yield self.finding(prop.line, path, f"unknown property{hint}")
                continue
            if spec["flags"] & READ_ONLY:
                yield self.finding(prop.line, path, "read-only property cannot be set")
                continue
            yield from self.check(owner.resolve(spec["type"]), prop.value, path)
        if self.existing:
            return
        written = {prop.key for prop in value.properties}
        for name, spec in properties.items():
            if spec["flags"] & REQUIRED and not spec["flags"] & READ_ONLY and name not in written:
                yield self.finding(
                    value.line, f"{where}.{name}" if where else name, "required property missing"
                )

    def check_discriminated(self, expected: TypeRef, value: Value, where: str) -> Iterator[Finding]:
        node = expected.node
        if not isinstance(value, ObjectValue):
            return
        tag = value.get(str(node["discriminator"]))
        base = dict(node.get("baseProperties", {}))
        elements: dict[str, dict[str, str]] = node["elements"]
        if isinstance(tag, Literal) and isinstance(tag.value, str):
            if tag.value not in elements:
                yield self.finding(
                    tag.line, where, f"{node['discriminator']} must be one of {sorted(elements)}"
                )
                return
            variant = expected.resolve(elements[tag.value])
            merged = {**base, **variant.node.get("properties", {})}
            yield from self.check_object(variant, {"properties": merged}, value, where, False)

    def check_array(self, expected: TypeRef, value: Value, where: str) -> Iterator[Finding]:
        item_type = expected.resolve(expected.node["itemType"])
        if isinstance(value, ArrayValue):
            for index, item in enumerate(value.items):
                yield from self.check(item_type, item, f"{where}[{index}]")
        elif isinstance(value, ForLoop):
            yield from self.check(item_type, unwrap(value), f"{where}[]")
        else:
            yield self.finding(_line(value), where, "expects an array")

    def check_union(self, expected: TypeRef, value: Value, where: str) -> Iterator[Finding]:
        members = [expected.resolve(ref) for ref in expected.node["elements"]]
        literals = [m.node["value"] for m in members if m.kind == "StringLiteralType"]
        if isinstance(value, Literal) and isinstance(value.value, str) and literals:
            open_enum = any(m.kind == "StringType" for m in members)
            if value.value not in literals and not open_enum:
                yield self.finding(value.line, where, f"{value.value!r} is not one of {sorted(literals)}")
            return
        objects = [m for m in members if m.kind in ("ObjectType", "DiscriminatedObjectType")]
        if len(objects) == 1:
            yield from self.check(objects[0], value, where)


def _line(value: Value) -> int:
    return value.line
