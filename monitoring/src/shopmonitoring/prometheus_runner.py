"""`shop-monitoring prometheus`: the `prometheus` component of harness/platform.yaml.

Resolves the platform as `shopctl` does (port overrides from ``SHOP_PORT_*``), writes prometheus.yml for the
components that declare a ``metrics`` URL, then becomes Debian's Prometheus (exec), so that the supervisor's
signals reach Prometheus itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from shopctl.resolve import run_components
from shopctl.workspace import Workspace

from shopmonitoring.scrape import prometheus_config, targets, write_config

PROMETHEUS = "/usr/bin/prometheus"


def prometheus_argv(binary: str, config: Path, data_dir: Path, listen: str) -> list[str]:
    return [
        binary,
        f"--config.file={config}",
        f"--storage.tsdb.path={data_dir / 'tsdb'}",
        "--storage.tsdb.retention.time=2d",
        f"--web.listen-address={listen}",
        "--web.enable-lifecycle",
    ]


def prepare(platform_file: Path, data_dir: Path, environ: Mapping[str, str] = os.environ) -> Path:
    """Write ``data_dir``/prometheus.yml for the platform as it runs; returns its path."""
    workspace = Workspace.open(platform_file, environ=environ)
    # The run's components when shopctl started us (optional groups included), else the default set.
    components = workspace.resolve(run_components(environ), environ=environ)
    return write_config(data_dir / "prometheus.yml", prometheus_config(targets(components)))


def run(platform_file: Path, data_dir: Path, listen: str, binary: str = PROMETHEUS) -> None:
    config = prepare(platform_file, data_dir)
    argv = prometheus_argv(binary, config, data_dir, listen)
    os.execv(argv[0], argv)
