"""Where things are: the platform file, the directory commands run in, and the state directory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from shopctl.errors import PlatformFileError
from shopctl.platform import Platform, load_platform
from shopctl.resolve import ResolvedComponent, ResolvedTask, resolve_platform, resolve_task
from shopctl.state import state_file

PLATFORM_FILE = Path("harness") / "platform.yaml"


def find_platform_file(explicit: str | None, environ: Mapping[str, str]) -> Path:
    """--platform, else $SHOP_PLATFORM, else harness/platform.yaml in this or a parent directory."""
    chosen = explicit or environ.get("SHOP_PLATFORM")
    if chosen:
        return Path(chosen).resolve()
    here = Path.cwd()
    for directory in (here, *here.parents):
        if (directory / PLATFORM_FILE).is_file():
            return directory / PLATFORM_FILE
    raise PlatformFileError(f"no {PLATFORM_FILE} here or in a parent directory; use --platform FILE")


@dataclass(frozen=True)
class Workspace:
    platform_file: Path
    platform: Platform
    root: Path
    state_dir: Path

    @property
    def state_path(self) -> Path:
        return state_file(self.state_dir)

    @classmethod
    def open(
        cls, platform_file: Path, state_dir: str | None = None, environ: Mapping[str, str] = os.environ
    ) -> Workspace:
        platform = load_platform(platform_file)
        root = (platform_file.parent / platform.root).resolve()
        chosen = state_dir or environ.get("SHOP_STATE_DIR")
        return cls(platform_file, platform, root, Path(chosen).resolve() if chosen else root / ".shop")

    def resolve(
        self,
        names: list[str] | None = None,
        overrides: Mapping[str, int] | None = None,
        environ: Mapping[str, str] = os.environ,
        free_ports: bool = False,
    ) -> list[ResolvedComponent]:
        return resolve_platform(
            self.platform,
            names or self.platform.default_names(),
            root=self.root,
            state_dir=self.state_dir,
            overrides=overrides,
            environ=environ,
            free_ports=free_ports,
        )

    def task(
        self, name: str, overrides: Mapping[str, int] | None = None, environ: Mapping[str, str] = os.environ
    ) -> ResolvedTask:
        return resolve_task(
            self.platform,
            name,
            root=self.root,
            state_dir=self.state_dir,
            overrides=overrides,
            environ=environ,
        )
