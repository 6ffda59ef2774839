"""Plain-text tables for people: what runs, where, and whether it is healthy."""

from __future__ import annotations

from collections.abc import Sequence


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns; a cell with newlines continues on the next lines of its column."""
    expanded: list[list[str]] = []
    for row in rows:
        cells = [cell.splitlines() or [""] for cell in row]
        for line in range(max(len(cell) for cell in cells)):
            expanded.append([cell[line] if line < len(cell) else "" for cell in cells])
    widths = [max([len(h), *(len(r[i]) for r in expanded)]) for i, h in enumerate(headers)]

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([fmt(headers), fmt(["-" * w for w in widths]), *(fmt(r) for r in expanded)])


def urls_cell(urls: dict[str, str], ports: dict[str, int]) -> str:
    if urls:
        return "\n".join(f"{name}: {url}" for name, url in urls.items())
    return ", ".join(f"{name} {port}" for name, port in ports.items())
