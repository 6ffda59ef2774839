"""Evaluate a Tiltfile with starlark-go, the Go Starlark interpreter Tilt embeds, Tilt's builtins recorded.

    recording = evaluate(Path("Tiltfile"), args=["--mode=process"])

Two things the Python binding cannot hand to Starlark are bridged in the source, keeping its line
numbers: a `load("ext://NAME", ...)` of a Tilt extension we stand in for is blanked (its symbols are
globals), and `config.X` (a Tilt module) is read as `config__X` (the binding converts no struct).
The dialect is Tilt's: top-level `if`/`for`, sets and recursion allowed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import starlark_go

from shoptilt.recorder import Recorder, Recording, TiltfileError

# Tilt extensions this harness stands in for, and the symbols each provides.
EXTENSIONS = {"restart_process": {"docker_build_with_restart"}}

_LOAD = re.compile(r"""^load\(\s*["']ext://(?P<ext>[\w-]+)["']\s*,(?P<symbols>[^)]*)\)\s*$""")
_BUILTIN_PREFIX = re.compile(r"^<builtin> in [\w]+:\d+:\d+: ")
_MODULE_ATTRIBUTE = re.compile(r"(?<![\w.])config\.(?=[a-z_]+)")


class TiltfileFailedError(Exception):
    """The Tiltfile stopped: a `fail(...)`, an error Tilt would raise, or invalid Starlark."""

    def __init__(self, message: str, line: int | None) -> None:
        self.message, self.line = message, line
        super().__init__(f"{message} (line {line})" if line else message)


def parse_tilt_args(args: Sequence[str]) -> dict[str, str]:
    """`tilt up -- --mode=process` passes `--mode=process`; `--name value` works too."""
    settings: dict[str, str] = {}
    items = list(args)
    while items:
        item = items.pop(0)
        if not item.startswith("--"):
            raise TiltfileFailedError(f"unexpected argument {item!r}; settings look like --name=value", None)
        name, sep, value = item[2:].partition("=")
        if not sep:
            if not items:
                raise TiltfileFailedError(f"--{name} needs a value", None)
            value = items.pop(0)
        settings[name] = value
    return settings


def bridge_source(source: str) -> str:
    """Blank the extension loads we stand in for and rename `config.X`; every line stays where it was."""
    lines = []
    for number, line in enumerate(source.splitlines(), start=1):
        match = _LOAD.match(line)
        if line.startswith("load("):
            if not match:
                raise TiltfileFailedError(
                    f"line {number}: only one-line loads of ext:// extensions are read", number
                )
            symbols = {part.strip().strip("\"'") for part in match["symbols"].split(",") if part.strip()}
            known = EXTENSIONS.get(match["ext"])
            if known is None or not symbols <= known:
                raise TiltfileFailedError(
                    f"line {number}: extension {match['ext']} {sorted(symbols)} is not stood in for", number
                )
            line = ""
        lines.append(_MODULE_ATTRIBUTE.sub("config__", line))
    return "\n".join(lines) + "\n"


def evaluate(tiltfile: Path, args: Sequence[str] = (), root: Path | None = None) -> Recording:
    """Run the Tiltfile as `tilt up -- ARGS` would, in `root` (default: the Tiltfile's directory)."""
    starlark_go.configure_starlark(allow_set=True, allow_global_reassign=True, allow_recursion=True)
    recorder = Recorder((root or tiltfile.parent).resolve(), parse_tilt_args(args))
    interpreter = starlark_go.Starlark(globals=recorder.builtins(), print=recorder.recording.printed.append)
    try:
        interpreter.exec(bridge_source(tiltfile.read_text()), filename=str(tiltfile))
    except starlark_go.EvalError as exc:
        raise TiltfileFailedError(_message(exc.error), _innermost_line(exc, str(tiltfile))) from exc
    except starlark_go.SyntaxError as exc:
        raise TiltfileFailedError(exc.msg, exc.line) from exc
    except starlark_go.ResolveError as exc:
        first = exc.errors[0] if exc.errors else None
        raise TiltfileFailedError(exc.error, first.line if first else None) from exc
    except TiltfileError as exc:
        raise TiltfileFailedError(str(exc), None) from exc
    return recorder.recording


def _innermost_line(exc: starlark_go.EvalError, filename: str) -> int | None:
    """The Tiltfile's line nearest the error: a builtin such as fail() reports line 0 of itself."""
    if exc.filename == filename and exc.line:
        return exc.line
    lines = re.findall(rf"^\s*{re.escape(filename)}:(\d+):", exc.backtrace, flags=re.MULTILINE)
    return int(lines[-1]) if lines else None


def _message(error: str) -> str:
    """What fail() said, or what a stood-in builtin raised, without the interpreter's location prefix."""
    marker = "fail: "
    if marker in error:
        return error[error.index(marker) + len(marker) :]
    return _BUILTIN_PREFIX.sub("", error)
