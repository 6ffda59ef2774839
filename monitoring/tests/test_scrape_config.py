"""The local Prometheus configuration from harness/platform.yaml: which components are scraped, at the
ports the platform runs them on (``SHOP_PORT_*`` overrides included), and what a bad URL says."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from shopctl.workspace import Workspace
from shopmonitoring.prometheus_runner import prepare, prometheus_argv
from shopmonitoring.scrape import RULES_FILE, target_from_url, targets

from .helpers import promtool_output
from .platform_copy import SERVES_METRICS, platform_with_metrics_urls


@pytest.fixture
def platform_file(tmp_path: Path) -> Path:
    return platform_with_metrics_urls(tmp_path)


def test_the_components_with_a_metrics_url_are_the_targets(platform_file: Path) -> None:
    components = Workspace.open(platform_file).resolve()

    declared = [c.name for c in components if "metrics" in c.urls]

    scraped = targets(components)

    assert [t.job for t in scraped] == declared
    assert set(SERVES_METRICS) <= set(declared)
    assert "frontend" not in declared
    assert {t.job: t.address for t in scraped}["servicebus"] == "127.0.0.1:5300"
    assert {t.path for t in scraped} == {"/metrics"}


def test_prepare_writes_a_config_promtool_accepts_at_the_overridden_ports(
    platform_file: Path, tmp_path: Path
) -> None:
    config_file = prepare(platform_file, tmp_path / "data", environ={"SHOP_PORT_ORDER_HTTP": "18002"})

    config = yaml.safe_load(config_file.read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["order"]["static_configs"] == [
        {"targets": ["127.0.0.1:18002"], "labels": {"component": "order"}}
    ]
    assert config["rule_files"] == [str(RULES_FILE)]
    code, output = promtool_output("check", "config", config_file)
    assert code == 0, output


def test_prometheus_runs_with_the_written_config_and_its_data_under_the_data_dir(tmp_path: Path) -> None:
    argv = prometheus_argv("/usr/bin/prometheus", tmp_path / "prometheus.yml", tmp_path, "127.0.0.1:9090")

    assert argv[0] == "/usr/bin/prometheus"
    assert f"--config.file={tmp_path / 'prometheus.yml'}" in argv
    assert f"--storage.tsdb.path={tmp_path / 'tsdb'}" in argv
    assert "--web.listen-address=127.0.0.1:9090" in argv


@pytest.mark.parametrize("url", ["amqp://127.0.0.1:5672/metrics", "/metrics", "http:///metrics"])
def test_a_metrics_url_that_is_not_http_with_a_host_is_refused_naming_the_component(url: str) -> None:
    with pytest.raises(ValueError, match=r"^order: metrics URL"):
        target_from_url("order", url)


def test_a_run_with_an_optional_group_scrapes_its_components_too(platform_file: Path, tmp_path: Path) -> None:
    # shopctl tells each process the components of its run; `--with monitoring` adds the telemetry receiver.
    workspace = Workspace.open(platform_file)
    run = ",".join(workspace.platform.default_names(["monitoring"]))

    config_file = prepare(platform_file, tmp_path / "data", environ={"SHOP_RUN_COMPONENTS": run})

    assert "telemetry" in jobs_of(config_file)
    assert "telemetry" not in jobs_of(prepare(platform_file, tmp_path / "default", environ={}))


def jobs_of(config_file: Path) -> set[str]:
    return {job["job_name"] for job in yaml.safe_load(config_file.read_text())["scrape_configs"]}
