"""Makes tests/pipelines_testing.py importable for the tests."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from pipelines_testing import flow_copy

__all__ = ["flow_copy"]
