"""The container backend's specs, derived from platform.yaml without Docker: images, ports, start order,
environments resolved to the other containers' names on one network, and what to wait for."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from shopctl.containers.spec import BIND_ALL, STATE_DIR, ContainerSpec, ReadyCheck, container_specs
from shopctl.errors import PlatformFileError
from shopctl.platform import Platform, load_platform, start_order

REPO_PLATFORM = Path(__file__).resolve().parents[2] / "harness" / "platform.yaml"


@pytest.fixture(scope="module")
def platform() -> Platform:
    return load_platform(REPO_PLATFORM)


@pytest.fixture(scope="module")
def specs(platform: Platform) -> dict[str, ContainerSpec]:
    return {spec.name: spec for spec in container_specs(platform)}


def test_every_component_runs_its_image_on_its_ports(
    platform: Platform, specs: dict[str, ContainerSpec]
) -> None:
    # Local-only components (no image) and everything that needs one stay out of a container run.
    runs = [
        name
        for name in start_order(platform.components)
        if all(platform.components[dep].image for dep in platform.with_dependencies([name]))
    ]
    assert list(specs) == runs
    for name in runs:
        component = platform.components[name]
        assert specs[name].image == component.image
        assert specs[name].ports == component.ports
        assert specs[name].depends_on == tuple(component.depends_on)


def test_named_components_come_with_their_dependencies_first(platform: Platform) -> None:
    names = [spec.name for spec in container_specs(platform, ["order"])]
    assert names[-1] == "order"
    assert set(names) == {"order", "product", "azurite", "cosmos", "servicebus", "eventhubs"}
    assert names.index("cosmos") < names.index("product") < names.index("order")


def test_dependencies_are_reached_by_container_name(specs: dict[str, ContainerSpec]) -> None:
    product = specs["product"].env
    assert product["PRODUCT_COSMOS_ENDPOINT"] == "http://cosmos:8081/"
    assert "BlobEndpoint=http://azurite:10000/devstoreaccount1;" in product["PRODUCT_BLOB_CONNECTION_STRING"]
    order = specs["order"].env
    assert order["ORDER_PRODUCT_URL"] == "http://product:8001"
    assert order["ORDER_SERVICEBUS_CONNECTION_STRING"].startswith("Endpoint=sb://servicebus:5672;")
    assert specs["notification"].env["NOTIFICATION_MAILBOX_URL"] == "http://mailbox:8025"


def test_a_host_port_pair_binds_all_interfaces_for_itself_and_names_a_peer_otherwise(
    specs: dict[str, ContainerSpec],
) -> None:
    assert specs["product"].env["PRODUCT_HOST"] == BIND_ALL
    assert specs["payment"].env["PAYMENT_HOST"] == BIND_ALL
    assert specs["payment"].env["PAYMENT_WORKER_HOST"] == "payment-worker"
    assert specs["payment-worker"].env["PAYMENT_WORKER_HOST"] == BIND_ALL
    assert specs["payment-worker"].env["PAYMENT_HOST"] == "payment"
    assert specs["notification"].env["NOTIFICATION_SMTP_HOST"] == "mailbox"
    assert specs["notification"].env["NOTIFICATION_SMTP_PORT"] == "2525"


def test_no_placeholder_is_left_and_no_loopback_address_is_used(specs: dict[str, ContainerSpec]) -> None:
    for spec in specs.values():
        for key, value in spec.env.items():
            assert "{" not in value, f"{spec.name}.{key}: {value}"
            # CORS origins are the browser's addresses, on the machine, not on the network.
            if not key.endswith("_CORS_ORIGINS"):
                assert "127.0.0.1" not in value, f"{spec.name}.{key}: {value}"


def test_state_paths_live_in_the_shared_state_directory(specs: dict[str, ContainerSpec]) -> None:
    assert specs["order"].env["ORDER_SQLITE_PATH"] == f"{STATE_DIR}/data/order/orders.sqlite"
    shared = f"{STATE_DIR}/data/payment-gateway.sqlite3"
    assert (
        specs["payment"].env["PAYMENT_GATEWAY_STATE_PATH"]
        == specs["payment-worker"].env["PAYMENT_GATEWAY_STATE_PATH"]
        == shared
    )
    assert specs["payment"].uses_state_dir
    assert specs["payment-worker"].uses_state_dir
    assert not specs["product"].uses_state_dir


def test_waits_follow_ready_else_health(specs: dict[str, ContainerSpec]) -> None:
    assert specs["product"].ready == ReadyCheck(http_port="http", path="/ready", tcp_ports=())
    assert specs["frontend"].ready == ReadyCheck(http_port="http", path="/health", tcp_ports=())
    assert specs["azurite"].ready == ReadyCheck(http_port=None, path="", tcp_ports=("blob", "queue", "table"))


def _platform_with(tmp_path: Path, component_changes: dict[str, object]) -> Platform:
    raw = yaml.safe_load(REPO_PLATFORM.read_text())
    raw["components"]["order"].update(component_changes)
    path = tmp_path / "platform.yaml"
    path.write_text(yaml.safe_dump(raw))
    return load_platform(path)


def test_bare_host_without_its_port_sibling_is_refused_naming_the_key(tmp_path: Path) -> None:
    platform = _platform_with(tmp_path, {"env": {"ORDER_BIND": "{host}"}})
    with pytest.raises(PlatformFileError, match=r"components\.order\.env\.ORDER_BIND: a bare \{host\}"):
        container_specs(platform, ["order"])


def test_host_pair_with_a_literal_port_is_refused(tmp_path: Path) -> None:
    platform = _platform_with(tmp_path, {"env": {"ORDER_HOST": "{host}", "ORDER_PORT": "8002"}})
    with pytest.raises(PlatformFileError, match=r"ORDER_HOST: a bare \{host\} needs ORDER_PORT"):
        container_specs(platform, ["order"])


def test_a_path_on_the_machine_running_the_tests_is_refused(tmp_path: Path) -> None:
    platform = _platform_with(tmp_path, {"env": {"ORDER_SCRIPTS": "{root}/scripts"}})
    with pytest.raises(PlatformFileError, match=r"ORDER_SCRIPTS: \{root\} has no meaning for a container"):
        container_specs(platform, ["order"])


def test_health_url_off_the_components_own_port_is_refused(tmp_path: Path) -> None:
    platform = _platform_with(tmp_path, {"ready": {"http": "http://{host}:{product.ports.http}/ready"}})
    with pytest.raises(PlatformFileError, match=r"components\.order: health URL"):
        container_specs(platform, ["order"])


def test_component_without_image_cannot_run_as_a_container(tmp_path: Path) -> None:
    raw = yaml.safe_load(REPO_PLATFORM.read_text())
    del raw["components"]["cosmos"]["image"]
    path = tmp_path / "platform.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(PlatformFileError, match=r"components\.cosmos: no image"):
        container_specs(load_platform(path), ["cosmos"])
