"""Every test the threat model cites as proof exists, so a control cannot lose its proof unnoticed."""

from __future__ import annotations

from pathlib import Path

from repochecks.doc_links import missing_citations

ROOT = Path(__file__).resolve().parents[3]


def test_every_cited_proof_exists() -> None:
    assert missing_citations(ROOT / "docs" / "threat-model.md", ROOT) == []


def test_a_renamed_test_or_a_deleted_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_auth.py").write_text("def test_tokens_are_checked():\n    pass\n")
    document = tmp_path / "model.md"
    document.write_text(
        "| S | forged token | checked | `tests/test_auth.py::test_tokens_are_checked` |\n"
        "| S | forged token | checked | `tests/test_auth.py::test_renamed_long_ago` |\n"
        "| T | bad body | validated | `tests/test_gone.py` |\n"
    )
    assert missing_citations(document, tmp_path) == [
        "model.md:2: tests/test_auth.py has no test test_renamed_long_ago",
        "model.md:3: tests/test_gone.py does not exist",
    ]
