"""Secret scanning: the repository passes detect-secrets against its baseline, and the baseline lists only
the public emulator keys; a new secret or a smuggled baseline entry fails, naming the file."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

from repochecks.secrets_baseline import baseline_problems

ROOT = Path(__file__).resolve().parents[3]
BASELINE = ROOT / ".secrets.baseline"
HOOK = ROOT / ".venv" / "bin" / "detect-secrets-hook"


def test_the_baseline_holds_only_public_emulator_keys() -> None:
    assert baseline_problems(ROOT, BASELINE) == []


def test_a_baseline_entry_that_is_not_an_emulator_key_is_refused(tmp_path: Path) -> None:
    # pragma: allowlist nextline secret (a baseline entry smuggled in on purpose)
    (tmp_path / "settings.py").write_text('API_KEY = "not-an-emulator-key"\n')
    baseline = json.loads(BASELINE.read_text())
    baseline["results"] = {
        "settings.py": [{"type": "Secret Keyword", "line_number": 1, "hashed_secret": "0" * 40}]
    }
    (tmp_path / ".secrets.baseline").write_text(json.dumps(baseline))
    assert baseline_problems(tmp_path, tmp_path / ".secrets.baseline") == [
        "settings.py:1: Secret Keyword in the secrets baseline is not a public emulator key"
    ]


def test_the_hook_fails_on_a_new_secret_naming_its_file_and_line(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)  # the hook reads files through git
    shutil.copy(BASELINE, tmp_path / ".secrets.baseline")
    leaked = tmp_path / "leaked.py"
    # A made-up key shaped like a real storage account key (88 base64 characters): what the scan must catch.
    made_up = base64.b64encode(hashlib.sha512(b"not a real account key").digest()).decode()
    leaked.write_text(f'STORAGE = "DefaultEndpointsProtocol=https;AccountName=shop;AccountKey={made_up}"\n')

    def hook(*files: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(HOOK), "--baseline", ".secrets.baseline", *(f.name for f in files)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )

    caught = hook(leaked)
    assert caught.returncode == 1
    assert "Location:    leaked.py:1" in caught.stdout
