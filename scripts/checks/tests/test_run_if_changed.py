"""scripts/run-if-changed.mjs: a build runs when its inputs changed, its output is missing, or it last
failed; otherwise it is skipped. Run as the platform runs it: node, real files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "run-if-changed.mjs"
# The "build": appends a line to runs.log, writes the output, exits with the code in ./exit-code if any.
BUILD = (
    "const fs = require('fs'); fs.appendFileSync('runs.log', 'run\\n');"
    "fs.mkdirSync('dist', {recursive: true}); fs.writeFileSync('dist/out.js', '');"
    "process.exit(fs.existsSync('exit-code') ? Number(fs.readFileSync('exit-code', 'utf8')) : 0)"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.ts").write_text("export const a = 1;\n")
    (tmp_path / "tsconfig.json").write_text("{}\n")
    return tmp_path


def build(project: Path, *extra: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "node",
            str(SCRIPT),
            "--stamp",
            "dist/.inputs.sha256",
            "--output",
            "dist/out.js",
            "--input",
            "src",
            "--input",
            "tsconfig.json",
            *extra,
            "--",
            "node",
            "-e",
            BUILD,
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def runs(project: Path) -> int:
    log = project / "runs.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_builds_once_then_skips_while_nothing_changed(project: Path) -> None:
    assert build(project).returncode == 0
    skipped = build(project)
    assert skipped.returncode == 0
    assert skipped.stdout == "", "nothing of its own on stdout: component logs are JSON lines"
    assert runs(project) == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda p: (p / "src" / "a.ts").write_text("export const a = 2;\n"),
        lambda p: (p / "src" / "b.ts").write_text("export {};\n"),
        lambda p: (p / "tsconfig.json").write_text('{"strict": true}\n'),
        lambda p: (p / "dist" / "out.js").unlink(),
        lambda p: (p / "src" / "a.ts").rename(p / "src" / "c.ts"),
    ],
    ids=["edited", "added", "config", "output-missing", "renamed"],
)
def test_builds_again_after_a_change(project: Path, change: object) -> None:
    assert build(project).returncode == 0
    change(project)  # type: ignore[operator]
    assert build(project).returncode == 0
    assert runs(project) == 2


def test_a_failed_build_is_not_recorded_and_runs_again(project: Path) -> None:
    (project / "exit-code").write_text("3")
    assert build(project).returncode == 3
    (project / "exit-code").unlink()
    assert build(project).returncode == 0
    assert runs(project) == 2


def test_force_builds_even_when_up_to_date(project: Path) -> None:
    build(project)
    build(project, "--force")
    assert runs(project) == 2


def test_missing_arguments_are_refused(project: Path) -> None:
    refused = subprocess.run(
        ["node", str(SCRIPT), "--stamp", "x", "--", "true"], cwd=project, capture_output=True, text=True
    )
    assert refused.returncode == 2
    assert "--input" in refused.stderr


def test_runs_started_together_build_once(project: Path) -> None:
    # Three platforms launched at once (parallel test suites) share one build output.
    slow = BUILD.replace(
        "process.exit(", "Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500); process.exit("
    )
    starts = [
        subprocess.Popen(
            [
                "node",
                str(SCRIPT),
                "--stamp",
                "dist/.inputs.sha256",
                "--output",
                "dist/out.js",
                "--input",
                "src",
                "--",
                "node",
                "-e",
                slow,
            ],
            cwd=project,
        )
        for _ in range(3)
    ]
    assert [start.wait(timeout=60) for start in starts] == [0, 0, 0]
    assert runs(project) == 1
    assert not (project / "dist" / ".inputs.sha256.lock").exists()


def test_a_lock_left_by_a_killed_build_is_taken_over_at_once(project: Path) -> None:
    # A platform that gives up on a component mid-build kills it holding the lock; the next start must not
    # wait for the lock to go stale (ten minutes).
    gone = subprocess.Popen(["true"])
    gone.wait()
    lock = project / "dist" / ".inputs.sha256.lock"
    lock.mkdir(parents=True)
    (lock / "pid").write_text(str(gone.pid))
    assert build(project).returncode == 0
    assert runs(project) == 1
    assert not lock.exists()


def test_a_lock_held_by_a_live_build_is_waited_for(project: Path) -> None:
    lock = project / "dist" / ".inputs.sha256.lock"
    lock.mkdir(parents=True)
    holder = subprocess.Popen(["sleep", "30"])
    try:
        (lock / "pid").write_text(str(holder.pid))
        with pytest.raises(subprocess.TimeoutExpired):
            build(project, timeout=2)
        assert runs(project) == 0
    finally:
        holder.kill()
        holder.wait()
