from __future__ import annotations

from pathlib import Path

from infra_helpers import INFRA, REPO, copy_templates
from shopinfra.checks import template_files
from shopinfra.findings import Finding
from shopinfra.lowering import lower
from shopinfra.pycep_check import compare_with_pycep, new_parser
from shopinfra.syntax import parse_file


def test_pycep_reads_every_module_and_agrees_with_our_parser() -> None:
    parser = new_parser()
    notes: list[Finding] = []
    findings = [
        f
        for path in template_files(INFRA)
        if path.suffix == ".bicep"
        for f in compare_with_pycep(parse_file(path), parser, notes)
    ]
    assert findings == []
    # main.bicep uses lambdas (toObject) and the generated rule groups a multi-line ternary, both newer than
    # pycep-parser; every other module, monitoring/azure's included, is read by both parsers.
    assert [n.path.relative_to(REPO).as_posix() for n in notes] == [
        "infra/main.bicep",
        "monitoring/azure/prometheus-rule-groups.bicep",
    ]


def test_a_declaration_only_one_parser_sees_is_reported(tmp_path: Path) -> None:
    infra = copy_templates(tmp_path / "infra")
    module = infra / "modules/key-vault.bicep"
    ours = parse_file(module)
    module.write_text(module.read_text() + "\noutput extra string = vault.id\n", encoding="utf-8")
    findings = list(compare_with_pycep(ours, new_parser(), []))
    assert [f.message for f in findings] == ["outputs: extra seen by only pycep-parser"]


def test_lowering_keeps_every_line_in_place() -> None:
    for path in template_files(INFRA):
        if path.suffix != ".bicep":
            continue
        original = path.read_text(encoding="utf-8").split("\n")
        lowered = lower("\n".join(original)).split("\n")
        assert len(lowered) == len(original)
        for before, after in zip(original, lowered, strict=True):
            assert after in (before, "") or after.split()[:2] == before.split()[:2]


def test_lowering_rewrites_types_pycep_cannot_read() -> None:
    text = (
        "@description('t')\ntype t = {\n  a: string\n}\n"
        "param p t\nparam q string[]\nparam r string?\noutput o t[] = []\n"
    )
    assert lower(text).split("\n") == [
        "",
        "",
        "",
        "",
        "param p object",
        "param q array",
        "param r string",
        "output o array = []",
        "",
    ]
