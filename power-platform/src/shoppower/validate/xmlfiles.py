"""Well-formedness of XML files (defusedxml: no entity expansion from the files we read)."""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree  # type: ignore[import-untyped]

from shoppower.validate.findings import Finding


def parse_xml(path: Path, findings: list[Finding]) -> Element | None:
    try:
        root: Element = ElementTree.parse(path).getroot()
        return root
    except ParseError as error:
        line = error.position[0] if error.position else None
        findings.append(Finding(path, f"XML is not well formed: {error}", line))
        return None


def text(element: Element | None, tag: str) -> str:
    found = element.find(tag) if element is not None else None
    return (found.text or "").strip() if found is not None else ""
