"""Where things are: the repository, the overlays, the platform description and the offline schemas."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
K8S_DIR = REPO_ROOT / "k8s"
PLATFORM_FILE = REPO_ROOT / "harness" / "platform.yaml"
BAKE_FILE = REPO_ROOT / "docker-bake.hcl"
INFRA_TEMPLATE = REPO_ROOT / "infra" / "main.bicep"
INFRA_PARAMETERS_DIR = REPO_ROOT / "infra" / "env"
# Shared offline schemas live beside the repository (/work/shared/schemas/README.md), never copied into it.
SCHEMAS_DIR = REPO_ROOT / ".." / "shared" / "schemas"

OVERLAYS = ("kind", "dev", "staging", "prod")
# The AKS overlays (the infrastructure of infra/ behind each).
AZURE_OVERLAYS = ("dev", "staging", "prod")
# Environments that run several replicas and so need autoscalers and disruption budgets.
SCALED_OVERLAYS = ("staging", "prod")
NAMESPACES = {overlay: f"contoso-shop-{overlay}" for overlay in OVERLAYS}
