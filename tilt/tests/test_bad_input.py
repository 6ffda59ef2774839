"""Broken on purpose: each check must fail and name what is at fault."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import yaml
from shopctl.errors import PlatformFileError
from shopctl.platform import load_platform
from shoptilt import checks
from shoptilt.evaluate import TiltfileFailedError

if TYPE_CHECKING:
    from conftest import TiltTree


def test_unknown_mode_fails_listing_the_modes(tree: TiltTree) -> None:
    with pytest.raises(
        TiltfileFailedError, match=r'unknown mode "kind"; the modes are: cluster, process'
    ) as failed:
        tree.evaluate("--mode=kind")
    assert failed.value.line is not None
    assert "fail(" in tree.tiltfile.read_text().splitlines()[failed.value.line - 1]


def test_undefined_setting_fails_like_tilt(tree: TiltTree) -> None:
    with pytest.raises(TiltfileFailedError, match=r"unknown setting\(s\) flavour; defined: mode"):
        tree.evaluate("--flavour=vanilla")


@pytest.mark.parametrize("mode", ["cluster", "process"])
def test_component_without_ports_fails_both_shopctl_and_the_tiltfile(tree: TiltTree, mode: str) -> None:
    tree.edit_platform(lambda platform: platform["components"]["cosmos"].pop("ports"))
    with pytest.raises(TiltfileFailedError, match="component cosmos has no ports"):
        tree.evaluate(f"--mode={mode}")
    with pytest.raises(PlatformFileError, match=r"components\.cosmos\.ports"):
        load_platform(tree.platform_file)


@pytest.mark.parametrize("mode", ["cluster", "process"])
def test_component_without_health_check_fails_both_shopctl_and_the_tiltfile(
    tree: TiltTree, mode: str
) -> None:
    tree.edit_platform(lambda platform: platform["components"]["mailbox"].pop("health"))
    with pytest.raises(TiltfileFailedError, match="component mailbox has no health check"):
        tree.evaluate(f"--mode={mode}")
    with pytest.raises(PlatformFileError, match=r"components\.mailbox\.health"):
        load_platform(tree.platform_file)


def test_image_without_a_build_fails_naming_image_and_component(tree: TiltTree) -> None:
    tree.edit_builds(lambda builds: builds["images"].pop("contoso-shop/notification"))
    with pytest.raises(
        TiltfileFailedError, match=r"no build for contoso-shop/notification \(component notification\)"
    ):
        tree.evaluate()


def test_label_naming_no_component_fails(tree: TiltTree) -> None:
    tree.edit_builds(lambda builds: builds["labels"]["storage"].append("redis"))
    with pytest.raises(TiltfileFailedError, match=r"labels\.storage names redis"):
        tree.evaluate()


def test_unknown_placeholder_fails_naming_where(tree: TiltTree) -> None:
    tree.edit_platform(
        lambda platform: platform["components"]["order"]["env"].update(ORDER_X="{nope.ports.x}")
    )
    with pytest.raises(
        TiltfileFailedError, match=r"components\.order\.env\.ORDER_X: unknown placeholder \{nope\.ports\.x\}"
    ):
        tree.evaluate("--mode=process")


@pytest.mark.parametrize("mode", ["cluster", "process"])
def test_a_dropped_resource_is_caught(tree: TiltTree, platform: dict[str, Any], mode: str) -> None:
    declare = "declare_workload(component_name)" if mode == "cluster" else "declare_process(component_name)"
    tree.replace_in_tiltfile(declare, f'if component_name != "order": {declare}')
    problems = checks.missing_components(tree.evaluate(f"--mode={mode}"), platform, mode)
    assert problems == [f"order: no {mode}-mode resource declared"]


@pytest.mark.parametrize("mode", ["cluster", "process"])
def test_dropped_dependencies_are_caught(tree: TiltTree, platform: dict[str, Any], mode: str) -> None:
    function = "def declare_workload(name):" if mode == "cluster" else "def declare_process(name):"
    tree.replace_in_tiltfile(function, function + '\n    components[name]["depends_on"] = []')
    problems = checks.dependency_mismatches(tree.evaluate(f"--mode={mode}"), platform, mode)
    assert any(problem.startswith("order: resource_deps []") for problem in problems), problems


def test_an_image_left_unbuilt_is_caught(tree: TiltTree, platform: dict[str, Any]) -> None:
    upstream = 'if not image.startswith("contoso-shop/"):'
    tree.replace_in_tiltfile(upstream, upstream[:-1] + ' or image == "contoso-shop/mailbox":')
    problems = checks.unbuilt_images(tree.evaluate(), platform)
    assert problems == ["mailbox: image contoso-shop/mailbox is not built"]


def test_clashing_port_forwards_are_caught(tree: TiltTree) -> None:
    tree.edit_platform(lambda platform: platform["components"]["payment"]["ports"].update(http=8001))
    platform = yaml.safe_load(tree.platform_file.read_text())
    problems = checks.port_forward_problems(tree.evaluate(), platform)
    assert problems == ["local port 8001 forwarded twice: product.http, payment.http"]


def test_a_probe_on_the_wrong_path_is_caught(tree: TiltTree, platform: dict[str, Any]) -> None:
    tree.replace_in_tiltfile('path = "/" + path', 'path = "/health"')
    problems = checks.readiness_problems(tree.evaluate("--mode=process"), platform)
    assert any(p.startswith("product: readiness probe GET http://127.0.0.1:8001/health,") for p in problems)


def test_an_extension_not_stood_in_for_is_refused_naming_it(tree: TiltTree) -> None:
    tree.replace_in_tiltfile(
        'load("ext://restart_process", "docker_build_with_restart")',
        'load("ext://helm_resource", "helm_resource")',
    )
    with pytest.raises(TiltfileFailedError, match=r"line 7: extension helm_resource \['helm_resource'\]"):
        tree.evaluate()


def test_invalid_starlark_fails_with_its_line(tree: TiltTree) -> None:
    tree.replace_in_tiltfile(
        'mode = settings.get("mode", "cluster")', 'mode = settings.get("mode", "cluster"'
    )
    with pytest.raises(TiltfileFailedError) as failed:
        tree.evaluate()
    assert failed.value.line is not None
    assert failed.value.line >= 18


LOCAL_PROCESS = "            declare_process(name = component_name)"


def test_a_component_without_image_declared_as_a_workload_is_caught(
    tree: TiltTree, platform: dict[str, Any]
) -> None:
    tree.replace_in_tiltfile(LOCAL_PROCESS, "            declare_workload(component_name)")
    problems = checks.local_only_problems(tree.evaluate(), platform)
    assert "approvals: has no image (local only) but is declared as a cluster workload" in problems


def test_a_component_without_image_left_out_of_cluster_mode_is_caught(
    tree: TiltTree, platform: dict[str, Any]
) -> None:
    tree.replace_in_tiltfile(LOCAL_PROCESS, "            pass")
    recording = tree.evaluate()
    assert "approvals: has no image (local only) but is not served as a local process" in (
        checks.local_only_problems(recording, platform)
    )
    assert "approvals: no cluster-mode resource declared" in checks.missing_components(
        recording, platform, "cluster"
    )


def test_a_local_process_on_a_forwarded_port_is_caught(tree: TiltTree) -> None:
    tree.edit_platform(lambda platform: platform["components"]["approvals"]["ports"].update(http=8080))
    platform = yaml.safe_load(tree.platform_file.read_text())
    problems = checks.port_forward_problems(tree.evaluate(), platform)
    assert problems == ["local port 8080 forwarded twice: frontend.http, approvals.http (local process)"]


def test_an_optional_group_started_by_default_is_caught(tree: TiltTree, platform: dict[str, Any]) -> None:
    tree.replace_in_tiltfile(
        '        auto_init = not component.get("group"),\n    )\n\ndef in_cluster',
        "        auto_init = True,\n    )\n\ndef in_cluster",
    )
    problems = checks.optional_group_problems(tree.evaluate("--mode=process"), platform)
    grouped = sorted(name for name, component in platform["components"].items() if component.get("group"))
    assert "prometheus" in grouped
    assert sorted(problems) == sorted(
        f"{name}: in group {platform['components'][name]['group']} but started by tilt up" for name in grouped
    )
