"""Makes tests/ops_testing.py importable and its fixtures available to every test."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from ops_testing import fake_clis, manifest_file, repo

__all__ = ["fake_clis", "manifest_file", "repo"]
