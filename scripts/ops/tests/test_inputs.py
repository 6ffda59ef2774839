"""Refused input: unknown environments, missing or broken manifests, each in one clear line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from ops_testing import REPO_ROOT
from shopctl.scenarios.targets import env_file_target
from shopops.cli import main
from shopops.environments import load_services
from shopops.manifest import from_bake_metadata, load


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    return int(str(exited.value.code)), capsys.readouterr().err


@pytest.mark.parametrize("command", ["health", "deploy", "rollback", "target-file"])
def test_an_unknown_environment_is_refused_in_one_line(command: str, manifest_file: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    extra = {
        "deploy": ["--manifest", str(manifest_file)],
        "rollback": ["--failed-manifest", str(manifest_file)],
    }
    code, err = run(capsys, command, "--env", "qa", *extra.get(command, []))
    assert code == 2
    assert err == f"shop-ops {command}: unknown environment 'qa': expected one of dev, prod, staging\n"


def test_a_missing_manifest_is_refused_in_one_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, err = run(capsys, "deploy", "--env", "dev", "--manifest", str(tmp_path / "none.json"))
    assert code == 2
    assert err == f"shop-ops deploy: release manifest not found: {tmp_path / 'none.json'}\n"


def test_a_manifest_with_a_tag_instead_of_a_digest_is_refused_naming_the_image(tmp_path: Path) -> None:
    data = {
        "schema": "contoso-shop/release-manifest/v1",
        "commit": "abc1234",
        "registry": "r.azurecr.io",
        "images": {"order": {"repository": "contoso-shop/order", "digest": "latest"}},
    }
    (tmp_path / "m.json").write_text(json.dumps(data))
    with pytest.raises(Exception, match=r"m.json: image order has no sha256 digest \(got 'latest'\)"):
        load(tmp_path / "m.json")


def test_manifest_from_bake_metadata_keeps_every_digest(tmp_path: Path) -> None:
    services = tuple(s.name for s in load_services())
    metadata = {
        s: {"containerimage.digest": "sha256:" + "b" * 64, "image.name": f"contoso-shop/{s}:abc1234"}
        for s in (*services, "cosmos")
    }
    (tmp_path / "bake.json").write_text(json.dumps(metadata))

    made = from_bake_metadata(tmp_path / "bake.json", "r.azurecr.io", "abc1234", services)

    assert made.reference("payment-worker") == "r.azurecr.io/contoso-shop/payment-worker@sha256:" + "b" * 64
    assert len(made.images) == 7


def test_manifest_from_bake_metadata_refuses_a_missing_service(tmp_path: Path) -> None:
    (tmp_path / "bake.json").write_text(
        json.dumps({"product": {"containerimage.digest": "sha256:" + "b" * 64}})
    )
    with pytest.raises(Exception, match=r"bake\.json: no image digest for order, payment"):
        from_bake_metadata(tmp_path / "bake.json", "r.azurecr.io", "abc1234", ("product", "order", "payment"))


def test_services_have_the_health_paths_of_the_platform_description() -> None:
    platform = yaml.safe_load((REPO_ROOT / "harness" / "platform.yaml").read_text())["components"]
    for service in load_services():
        component = platform[service.name]
        assert component["image"] == f"contoso-shop/{service.name}"
        assert component["health"]["http"].endswith(service.health)
        assert (component.get("ready", {}).get("http", "").rsplit("}", 1)[-1] or None) == service.ready


def test_target_file_is_read_by_shopctl_replay(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit):
        main(["target-file", "--env", "staging"])
    (tmp_path / "staging.env").write_text(capsys.readouterr().out)

    target = env_file_target(tmp_path / "staging.env", {"SHOP_ADMIN_TOKEN": "token"})

    assert target.name == "staging"
    assert target.url("order") == "https://shop-staging.contoso.example"
    assert target.url("payment").endswith("/namespaces/contoso-shop-staging/services/payment:http/proxy")
    # pragma: allowlist nextline secret (a test value)
    assert target.admin_token == "token"
