"""Seed the SQL target's corpus from the Service Bus SQL tests and README.

    python -m emulator_fuzz.sql_seeds

Takes every string literal of ``emulators/servicebus/tests/sql/*.py`` and every indented example line
of ``sql/README.md`` that parses as a filter or an action, and writes it as ``corpus/sql/filter-*`` (mode
byte 0) or ``action-*`` (mode byte 1). Strings that parse as neither are kept as ``invalid-*`` up to a
cap: they seed the error paths.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterator

from servicebus_emulator.sql import SqlSyntaxError, parse_action, parse_filter

from emulator_fuzz.corpus import PACKAGE_ROOT, corpus_dir

_SERVICEBUS = PACKAGE_ROOT.parent / "servicebus"
TEST_DIR = _SERVICEBUS / "tests" / "sql"
README = _SERVICEBUS / "src" / "servicebus_emulator" / "sql" / "README.md"
MAX_INVALID = 40


def candidate_texts() -> Iterator[str]:
    for path in sorted(TEST_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and 0 < len(node.value) < 400:
                yield node.value
    for line in README.read_text().splitlines():
        if line.startswith("    ") and not line.lstrip().startswith(("<", "from ")):
            yield line.strip()
        # Inline code spans hold most of the README's examples.
        yield from line.split("`")[1::2]


def _parses(parse: object, text: str) -> bool:
    try:
        parse(text)  # type: ignore[operator]
    except SqlSyntaxError:
        return False
    return True


def main() -> None:
    directory = corpus_dir("sql")
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*-*"):
        old.unlink()
    invalid = 0
    counts = {"filter": 0, "action": 0, "invalid": 0}
    for text in dict.fromkeys(candidate_texts()):
        if _parses(parse_filter, text):
            kind, mode = "filter", b"\x00"
        elif _parses(parse_action, text):
            kind, mode = "action", b"\x01"
        elif invalid < MAX_INVALID:
            invalid += 1
            kind, mode = "invalid", b"\x00"
        else:
            continue
        data = mode + text.encode("utf-8")
        (directory / f"{kind}-{hashlib.sha1(data, usedforsecurity=False).hexdigest()[:12]}").write_bytes(data)
        counts[kind] += 1
    print(f"sql corpus: {counts}")


if __name__ == "__main__":
    main()
