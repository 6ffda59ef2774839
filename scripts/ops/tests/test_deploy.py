"""Deploy and rollback against fake az/kubectl: digests rendered by the real kubectl kustomize."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import yaml
from ops_testing import FakeClis, release
from shopops.cli_tools import AzureCli, CommandLine
from shopops.deploy import Tools, deploy, rollback
from shopops.environments import load_environment
from shopops.errors import AzureLoginError, OpsError, RefusedInputError, RolloutFailedError
from shopops.manifest import Image, ReleaseManifest

DEV = load_environment("dev")


def tools(repo: Path) -> Tools:
    return Tools(AzureCli(attempts=3), CommandLine("kubectl"), repo, "5s")


def recorded(fake: FakeClis) -> dict[str, str]:
    stored = fake.state / "configmaps" / "contoso-shop-dev.release-manifest.json"
    data: dict[str, str] = json.loads(stored.read_text())["data"]
    return {key: json.loads(value)["commit"] for key, value in data.items()}


def test_deploy_applies_every_image_by_digest_and_records_it(fake_clis: FakeClis, repo: Path) -> None:
    message = deploy(tools(repo), DEV, release("a1b2c3d", "a"))

    assert "deployed" in message
    applied = [stdin for stdin in fake_clis.stdin_of("kubectl", "apply") if "Deployment" in stdin]
    images = {
        doc["metadata"]["name"]: doc["spec"]["template"]["spec"]["containers"][0]["image"]
        for doc in yaml.safe_load_all(applied[0])
    }
    assert images["order"] == "contososhop.azurecr.io/contoso-shop/order@sha256:" + "a" * 64
    assert len(images) == 6
    rollouts = [call[2] for call in fake_clis.calls("kubectl") if call[:2] == ["rollout", "status"]]
    assert rollouts == [
        f"deployment/{s}"
        for s in ("product", "order", "payment", "payment-worker", "notification", "frontend")
    ]
    assert fake_clis.calls("az")[1][:2] == ["aks", "get-credentials"]
    assert recorded(fake_clis) == {"current": "a1b2c3d"}


def test_deploying_the_same_release_twice_changes_nothing_the_second_time(
    fake_clis: FakeClis, repo: Path
) -> None:
    deploy(tools(repo), DEV, release("a1b2c3d", "a"))
    before = recorded(fake_clis)
    first_apply = fake_clis.stdin_of("kubectl", "apply")[0]

    message = deploy(tools(repo), DEV, release("a1b2c3d", "a"))

    assert "nothing recorded" in message
    assert recorded(fake_clis) == before
    applies = fake_clis.stdin_of("kubectl", "apply")
    assert len(applies) == 3  # twice the same objects, one ConfigMap write
    assert applies[2] == first_apply


def test_a_rollout_that_times_out_fails_naming_the_deployment_and_records_nothing(
    fake_clis: FakeClis, repo: Path
) -> None:
    fake_clis.script(
        {
            "program": "kubectl",
            "args_prefix": ["rollout", "status", "deployment/payment"],
            "stderr": "error: timed out waiting for the condition\n",
            "exit": 1,
        }
    )

    with pytest.raises(
        RolloutFailedError, match=r"deployment/payment in contoso-shop-dev failed: .*timed out"
    ):
        deploy(tools(repo), DEV, release("a1b2c3d", "a"))
    assert not (fake_clis.state / "configmaps" / "contoso-shop-dev.release-manifest.json").exists()


def test_rollback_after_a_failed_smoke_test_returns_to_the_previous_release(
    fake_clis: FakeClis, repo: Path
) -> None:
    good, bad = release("1111111", "1"), release("2222222", "2")
    fake_clis.seed_history("contoso-shop-dev", good, None)
    deploy(tools(repo), DEV, bad)
    assert recorded(fake_clis) == {"current": "2222222", "previous": "1111111"}

    message = rollback(tools(repo), DEV, bad)

    assert message == "dev: rolled back from 2222222 to 1111111"
    last_apply = [s for s in fake_clis.stdin_of("kubectl", "apply") if "Deployment" in s][-1]
    assert "@sha256:" + "1" * 64 in last_apply
    assert "2" * 64 not in last_apply
    assert recorded(fake_clis)["current"] == "1111111"
    writes = len(fake_clis.stdin_of("kubectl", "apply"))
    rollback(tools(repo), DEV, bad)  # idempotent: re-applies the good release, records nothing new
    assert len(fake_clis.stdin_of("kubectl", "apply")) == writes + 1


def test_rollback_after_a_failed_rollout_returns_to_the_current_release(
    fake_clis: FakeClis, repo: Path
) -> None:
    fake_clis.seed_history("contoso-shop-dev", release("1111111", "1"), release("0000000", "0"))
    assert rollback(tools(repo), DEV, release("2222222", "2")) == "dev: rolled back from 2222222 to 1111111"


def test_rollback_without_an_earlier_release_says_so(fake_clis: FakeClis, repo: Path) -> None:
    with pytest.raises(OpsError, match="no earlier release recorded in contoso-shop-dev"):
        rollback(tools(repo), DEV, release("2222222", "2"))


def test_throttled_az_is_retried_after_its_retry_after(fake_clis: FakeClis, repo: Path) -> None:
    throttled = "ERROR: (TooManyRequests) Too many requests. Status: 429. Retry-After: 1\n"
    fake_clis.script(
        {
            "program": "az",
            "args_prefix": ["aks", "get-credentials"],
            "stderr": throttled,
            "exit": 1,
            "times": 1,
        }
    )
    started = time.monotonic()

    deploy(tools(repo), DEV, release("a1b2c3d", "a"))

    assert time.monotonic() - started >= 1.0
    assert [call[:2] for call in fake_clis.calls("az")].count(["aks", "get-credentials"]) == 2


def test_az_throttled_on_every_attempt_gives_up_naming_429(fake_clis: FakeClis, repo: Path) -> None:
    fake_clis.script(
        {
            "program": "az",
            "args_prefix": ["aks"],
            "stderr": "429 TooManyRequests Retry-After: 0\n",
            "exit": 1,
            "times": 9,
        }
    )
    with pytest.raises(OpsError, match=r"az aks still throttled \(429\) after 3 attempts"):
        deploy(tools(repo), DEV, release("a1b2c3d", "a"))


def test_az_not_logged_in_stops_before_touching_the_cluster(fake_clis: FakeClis, repo: Path) -> None:
    fake_clis.script(
        {
            "program": "az",
            "args_prefix": ["account", "show"],
            "stderr": "ERROR: Please run 'az login' to setup account.\n",
            "exit": 1,
        }
    )
    with pytest.raises(AzureLoginError, match="az is not logged in"):
        deploy(tools(repo), DEV, release("a1b2c3d", "a"))
    assert fake_clis.calls("kubectl") == []


def test_an_expired_token_is_renewed_with_the_federated_token(
    fake_clis: FakeClis, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = tmp_path / "federated-token"
    token.write_text("eyJ.federated.token\n")
    monkeypatch.setenv("AZURE_FEDERATED_TOKEN_FILE", str(token))
    monkeypatch.setenv("AZURE_CLIENT_ID", "client-1")
    monkeypatch.setenv("AZURE_TENANT_ID", "tenant-1")
    fake_clis.script(
        {
            "program": "az",
            "args_prefix": ["aks"],
            "exit": 1,
            "stderr": "AADSTS700024: Client assertion is not within its valid time range.\n",
        }
    )

    deploy(tools(repo), DEV, release("a1b2c3d", "a"))

    login = next(call for call in fake_clis.calls("az") if call[0] == "login")
    assert login[login.index("--federated-token") + 1] == "eyJ.federated.token"


def test_an_expired_token_without_a_federated_token_stops_with_one_line(
    fake_clis: FakeClis, repo: Path
) -> None:
    fake_clis.script(
        {
            "program": "az",
            "args_prefix": ["account"],
            "exit": 1,
            "stderr": "ERROR: ExpiredAuthenticationToken: the token is expired\n",
        }
    )
    with pytest.raises(AzureLoginError, match="no federated token to log in again with"):
        deploy(tools(repo), DEV, release("a1b2c3d", "a"))


def bake_components() -> list[str]:
    """The images a release holds: the targets of docker-bake.hcl's default group."""
    from ops_testing import REPO_ROOT

    bake = (REPO_ROOT / "docker-bake.hcl").read_text()
    group = re.search(r'group "default" \{\s*targets = \[(.*?)\]', bake, re.DOTALL)
    assert group, "docker-bake.hcl has no default group"
    return re.findall(r'"([\w-]+)"', group.group(1))


def test_the_real_overlays_render_every_deployment_by_digest() -> None:
    from ops_testing import REPO_ROOT
    from shopops.rollout import render

    digest = "@sha256:" + "c" * 64
    full = ReleaseManifest(
        "a1b2c3d",
        "contososhop.azurecr.io",
        {c: Image(f"contoso-shop/{c}", digest[1:]) for c in bake_components()},
    )
    for environment in ("dev", "staging", "prod"):
        rendered = render(CommandLine("kubectl"), REPO_ROOT / load_environment(environment).overlay, full)
        images = {
            doc["metadata"]["name"]: doc["spec"]["template"]["spec"]["containers"][0]["image"]
            for doc in yaml.safe_load_all(rendered)
            if doc and doc["kind"] == "Deployment"
        }
        assert images == {s: f"contososhop.azurecr.io/contoso-shop/{s}{digest}" for s in images}, environment
        assert {s.name for s in DEV.services} <= set(images)


def test_a_release_missing_an_image_the_overlay_uses_is_refused(repo: Path) -> None:
    from shopops.rollout import render

    partial = release("a1b2c3d", "a")
    del partial.images["order"]
    with pytest.raises(
        RefusedInputError, match=r"release manifest has no image for contoso-shop/order \(used by"
    ):
        render(CommandLine("kubectl"), repo / "k8s/overlays/dev", partial)
