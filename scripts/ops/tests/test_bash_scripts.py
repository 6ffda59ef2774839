"""The Bash scripts, run for real against fake az/kubectl and stand-ins for the infra team's scripts."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import yaml
from ops_testing import OPS_DIR, REPO_ROOT, FakeClis, release

BIN = OPS_DIR / "bin"
SCRIPTS = sorted(path for path in BIN.rglob("*.sh"))


def bash(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args),
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


def infra_stand_ins(tmp_path: Path) -> tuple[Path, Path]:
    """Stand-ins for infra/scripts (another team's): each records its name and arguments."""
    folder, log = tmp_path / "infra-scripts", tmp_path / "infra-calls.log"
    folder.mkdir()
    for name in ("publish-spec.sh", "deploy.sh", "rollback.sh"):
        script = folder / name
        script.write_text(f'#!/usr/bin/env bash\necho "{name} $*" >> "{log}"\n')
        script.chmod(0o755)
    return folder, log


def test_every_script_is_strict_and_traps() -> None:
    for script in SCRIPTS:
        text = script.read_text()
        assert "set -euo pipefail" in text, f"{script}: no set -euo pipefail"
        assert "trap " in text or "lib/common.sh" in text, f"{script}: no trap"
    assert "trap " in (BIN / "lib" / "common.sh").read_text()


def test_require_vars_names_every_missing_variable() -> None:
    env = {
        name: "" for name in ("SHOP_ACR_NAME", "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID")
    }
    done = bash(
        str(BIN / "require-vars.sh"), "push", env={**env, "SHOP_IMAGE_TAG": "abc1234", "AZURE_TENANT_ID": "t"}
    )
    assert done.returncode == 2
    assert done.stderr == (
        "require-vars.sh: stage push is missing required variables: "
        "SHOP_ACR_NAME AZURE_CLIENT_ID AZURE_SUBSCRIPTION_ID\n"
    )


def test_deploy_refuses_an_unknown_environment_and_a_missing_manifest_in_one_line(tmp_path: Path) -> None:
    unknown = bash(str(BIN / "deploy.sh"), "qa", str(tmp_path / "m.json"))
    missing = bash(str(BIN / "deploy.sh"), "dev", str(tmp_path / "m.json"))
    assert (unknown.returncode, unknown.stderr) == (
        2,
        "deploy.sh: unknown environment 'qa': expected one of dev, prod, staging\n",
    )
    assert (missing.returncode, missing.stderr) == (
        2,
        f"deploy.sh: release manifest not found: {tmp_path / 'm.json'}\n",
    )


def test_az_call_waits_for_retry_after_when_throttled(fake_clis: FakeClis) -> None:
    fake_clis.script(
        {
            "program": "az",
            "args_prefix": ["acr", "show"],
            "exit": 1,
            "times": 1,
            "stderr": "ERROR: (TooManyRequests) Status: 429. Retry-After: 1\n",
        },
        {"program": "az", "args_prefix": ["acr", "show"], "stdout": "contososhop.azurecr.io\n"},
    )
    started = time.monotonic()
    done = bash("bash", "-c", f'source "{BIN}/lib/common.sh"; az_call acr show --name contososhop')
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started >= 1.0
    assert done.stdout == "contososhop.azurecr.io\n"
    assert "throttled (429); retrying in 1 s" in done.stderr


def test_az_call_stops_in_one_line_when_not_logged_in(fake_clis: FakeClis) -> None:
    fake_clis.script(
        {
            "program": "az",
            "args_prefix": ["account"],
            "exit": 1,
            "stderr": "ERROR: Please run 'az login' to setup account.\n",
        }
    )
    done = bash("bash", "-c", f'source "{BIN}/lib/common.sh"; az_call account show')
    assert done.returncode == 3
    assert done.stderr.splitlines()[-1].endswith(
        "az is not logged in: run 'az login' (pipelines: the workload identity service connection)"
    )


def test_az_call_logs_in_again_on_an_expired_token(fake_clis: FakeClis, tmp_path: Path) -> None:
    (tmp_path / "token").write_text("eyJ.federated")
    fake_clis.script(
        {"program": "az", "args_prefix": ["aks"], "exit": 1, "stderr": "AADSTS700024: expired\n"}
    )
    env = {
        "AZURE_FEDERATED_TOKEN_FILE": str(tmp_path / "token"),
        "AZURE_CLIENT_ID": "c",
        "AZURE_TENANT_ID": "t",
    }
    done = bash("bash", "-c", f'source "{BIN}/lib/common.sh"; az_call aks show', env=env)
    assert done.returncode == 0, done.stderr
    assert [call[0] for call in fake_clis.calls("az")] == ["aks", "login", "aks"]


def test_a_failed_rollout_rolls_apps_and_infra_back_and_fails_loudly(
    fake_clis: FakeClis, repo: Path, tmp_path: Path
) -> None:
    infra, infra_log = infra_stand_ins(tmp_path)
    env = {
        "INFRA_SCRIPTS_DIR": str(infra),
        "SHOP_INFRA_VERSION": "1.0.42",
        "SHOP_OPS": str(REPO_ROOT / ".venv/bin/shop-ops"),
    }
    bad = tmp_path / "bad.json"
    bad.write_text(release("2222222", "2").dumps())
    # the repo fixture's overlay stands in for k8s/overlays/dev
    env["SHOP_OPS"] = str(tmp_path / "shop-ops")
    Path(env["SHOP_OPS"]).write_text(
        f'#!/usr/bin/env bash\nexec "{REPO_ROOT}/.venv/bin/shop-ops" "$@" --repo-root "{repo}"\n'
    )
    Path(env["SHOP_OPS"]).chmod(0o755)
    fake_clis.seed_history("contoso-shop-dev", release("1111111", "1"), None)
    fake_clis.script(
        {
            "program": "kubectl",
            "args_prefix": ["rollout", "status", "deployment/order"],
            "exit": 1,
            "stderr": "error: timed out waiting for the condition\n",
        }
    )

    done = bash(str(BIN / "deploy.sh"), "dev", str(bad), env=env)

    assert done.returncode == 1
    assert "ROLLED BACK dev: release bad.json failed" in done.stderr
    assert "rollout of deployment/order in contoso-shop-dev failed" in done.stderr
    assert infra_log.read_text().splitlines() == [
        "publish-spec.sh 1.0.42",
        "deploy.sh dev 1.0.42",
        "rollback.sh dev",
    ]
    last_apps = [s for s in fake_clis.stdin_of("kubectl", "apply") if "Deployment" in s][-1]
    assert "sha256:" + "1" * 64 in last_apps


def test_a_failed_smoke_test_rolls_back_and_fails(fake_clis: FakeClis, repo: Path, tmp_path: Path) -> None:
    infra, infra_log = infra_stand_ins(tmp_path)
    environments = tmp_path / "environments.yaml"
    config = yaml.safe_load((OPS_DIR / "environments.yaml").read_text())
    config["environments"]["dev"]["base_url"] = "http://127.0.0.1:9/{service}"  # nothing listens there
    environments.write_text(yaml.safe_dump(config))
    shop_ops = tmp_path / "shop-ops"
    shop_ops.write_text(
        f"#!/usr/bin/env bash\ncommand=$1; shift\n"
        f'exec "{REPO_ROOT}/.venv/bin/shop-ops" --environments "{environments}" '
        f'"$command" "$@" $([ "$command" = rollback ] && echo --repo-root "{repo}")\n'
    )
    shop_ops.chmod(0o755)
    good, bad = release("1111111", "1"), release("2222222", "2")
    fake_clis.seed_history("contoso-shop-dev", bad, good)
    (tmp_path / "bad.json").write_text(bad.dumps())
    env = {"INFRA_SCRIPTS_DIR": str(infra), "SHOP_OPS": str(shop_ops), "SHOP_HEALTH_ATTEMPTS": "1"}

    done = bash(str(BIN / "smoke.sh"), "dev", str(tmp_path / "bad.json"), env=env)

    assert done.returncode == 1
    assert "health check of dev failed: " in done.stderr
    assert "product /health, product /ready" in done.stderr
    assert "ROLLED BACK dev" in done.stderr
    assert "smoke test of dev passed" not in done.stdout
    assert infra_log.read_text().splitlines() == ["rollback.sh dev"]
    assert ["proxy", "--port=8099"] in fake_clis.calls("kubectl")
