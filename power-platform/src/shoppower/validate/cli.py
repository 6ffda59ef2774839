"""``shop-power-validate [FILE...]``: validate the Power Platform sources (all of them by default)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shoppower.schemas import SchemasMissingError
from shoppower.validate.package import PACKAGE, validate_files, validate_package


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="*", type=Path, help="only report on these files")
    args = parser.parse_args(argv)
    try:
        findings = validate_files(args.files) if args.files else validate_package()
    except SchemasMissingError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    for finding in findings:
        print(finding.render(Path.cwd()), file=sys.stderr)
    if findings:
        print(f"{len(findings)} problem(s) in the Power Platform sources", file=sys.stderr)
        sys.exit(1)
    print(f"Power Platform sources under {PACKAGE} are valid")
