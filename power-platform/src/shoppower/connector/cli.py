"""``shop-connector-generate [--check]``: regenerate the custom connector from the services' documents."""

from __future__ import annotations

import argparse
import sys

from shoppower.connector.generate import generate
from shoppower.connector.service_documents import service_documents


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the files on disk are not up to date")
    args = parser.parse_args(argv)
    files = generate(service_documents())
    if args.check:
        stale = files.differences()
        for path in stale:
            print(f"{path}: out of date; run `make power-platform-connector`", file=sys.stderr)
        sys.exit(1 if stale else 0)
    files.write()
    print(f"wrote {len(files.files)} connector files")
