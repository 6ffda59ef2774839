"""Where the examples and the real artifacts are, broken copies for the bite tests, and the in-step rules:
each `*_drift` function compares an example with the real artifact it is drawn from and returns one message
per difference that matters, naming the example file (the validators themselves are the real artifacts'
own, imported by the tests)."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import sys
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import yaml
from analytics_service.dataset import COLUMNS, TABLE, dataset_definition
from dockerfile_parse import DockerfileParser  # type: ignore[import-untyped]
from shopctl.platform import Platform
from shopinfra.checks import template_files
from shopinfra.model import BicepFile, Literal, ObjectValue, Resource, Value, unwrap
from shopinfra.syntax import parse_file
from shopk8s import policy
from shopk8s.platform import liveness, readiness
from shopops.environments import load_services
from shoppipelines.azure_templates import expand
from shoppower.approvals.contract import load_contract
from shoppower.validate.tmdl import Model
from shoppower.validate.tmdl import parse_file as parse_tmdl

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "examples"
BICEP = EXAMPLES / "bicep-templates" / "aks-cluster.bicep"
DOCKERFILE = EXAMPLES / "docker" / "multi-stage.Dockerfile"
MANIFEST = EXAMPLES / "kubernetes" / "deployment-with-probes.yaml"
FLOW = EXAMPLES / "power-automate" / "approval-flow.json"
DATASET = EXAMPLES / "power-bi" / "streaming-dataset.json"
HEALTH_CHECK = EXAMPLES / "scripts" / "health-check.py"
PIPELINE = EXAMPLES / "azure-pipelines" / "multi-stage.yml"

INFRA = REPO_ROOT / "infra"
AKS_MODULE = INFRA / "modules" / "aks.bicep"
PYTHON_DOCKERFILE = REPO_ROOT / "services" / "python-service.Dockerfile"
K8S_PRODUCT = REPO_ROOT / "k8s" / "base" / "product"
REAL_FLOW = next(
    (REPO_ROOT / "power-platform" / "solutions").glob("*/src/Workflows/DeploymentApproval-*.json")
)
OPERATIONS_MODEL = (
    REPO_ROOT / "power-platform" / "powerbi" / "OperationsRealtime.SemanticModel" / "definition"
)
REAL_PIPELINE = REPO_ROOT / "pipelines" / "azure-pipelines.yml"
# Each example and the files of its full version, which its header names.
FULL_VERSIONS = {
    BICEP: (AKS_MODULE,),
    DOCKERFILE: (PYTHON_DOCKERFILE,),
    MANIFEST: (K8S_PRODUCT,),
    FLOW: (REAL_FLOW,),
    DATASET: (OPERATIONS_MODEL.parent, REPO_ROOT / "services" / "analytics"),
    HEALTH_CHECK: (REPO_ROOT / "scripts" / "ops" / "src" / "shopops" / "health.py",),
    PIPELINE: (REAL_PIPELINE,),
}


def broken_copy(example: Path, tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the example under tmp_path (same relative path) with `old` replaced by `new` everywhere."""
    text = example.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {example}; the bite test no longer breaks anything"
    copy = tmp_path / example.relative_to(EXAMPLES)
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text(text.replace(old, new), encoding="utf-8")
    return copy


# --- Bicep --------------------------------------------------------------------------------------------------
# Settings of the cluster and its pools that make it what the example says it is; each must equal infra/.
CLUSTER_SETTINGS = (
    "properties.enableRBAC",
    "properties.disableLocalAccounts",
    "properties.aadProfile.managed",
    "properties.aadProfile.enableAzureRBAC",
    "properties.oidcIssuerProfile.enabled",
    "properties.securityProfile.workloadIdentity.enabled",
    "properties.networkProfile.networkPlugin",
    "properties.networkProfile.networkPluginMode",
    "properties.networkProfile.networkPolicy",
    "properties.addonProfiles.omsagent.enabled",
    "properties.addonProfiles.omsagent.config.useAADAuth",
    "properties.azureMonitorProfile.metrics.enabled",
    "properties.autoUpgradeProfile.upgradeChannel",
)
POOL_SETTINGS = (
    "properties.mode",
    "properties.enableAutoScaling",
    "properties.scaleSetPriority",
    "properties.scaleSetEvictionPolicy",
    "properties.osSKU",
    "properties.enableEncryptionAtHost",
)


def _literal_at(value: Value | None, path: str) -> object:
    for key in path.split("."):
        value = unwrap(value) if value is not None else None
        if not isinstance(value, ObjectValue):
            return None
        value = value.get(key)
    return value.value if isinstance(value, Literal) else None


def _resources(bicep: BicepFile, type_name: str) -> list[Resource]:
    return [r for r in bicep.resources if r.type_name.lower() == type_name.lower() and not r.existing]


def _named(resources: list[Resource]) -> dict[object, Resource]:
    return {_literal_at(r.body, "name"): r for r in resources}


def bicep_drift(example: Path) -> list[str]:
    ours = parse_file(example)
    real = [parse_file(path) for path in template_files(INFRA) if path.suffix == ".bicep"]
    versions: dict[str, set[str]] = {}
    for bicep in real:
        for resource in bicep.resources:
            versions.setdefault(resource.type_name.lower(), set()).add(resource.api_version)
    problems = []
    for resource in ours.resources:
        used = versions.get(resource.type_name.lower())
        label = f"{example}:{resource.line}: {resource.type_name}@{resource.api_version}"
        if used is None:
            problems.append(f"{label}: infra/ declares no {resource.type_name}, so it is not drawn from it")
        elif resource.api_version not in used:
            problems.append(f"{label}: infra/ uses {', '.join(sorted(used))}")
    module = parse_file(AKS_MODULE)
    clusters = _resources(ours, "Microsoft.ContainerService/managedClusters")
    real_cluster = _resources(module, "Microsoft.ContainerService/managedClusters")[0]
    if len(clusters) != 1:
        return [*problems, f"{example}: declares {len(clusters)} clusters, want 1"]
    for setting in CLUSTER_SETTINGS:
        want, have = _literal_at(real_cluster.body, setting), _literal_at(clusters[0].body, setting)
        if want != have:
            problems.append(f"{example}:{clusters[0].line}: cluster {setting} is {have!r}, infra/ {want!r}")
    ours_pools = _named(_resources(ours, "Microsoft.ContainerService/managedClusters/agentPools"))
    real_pools = _named(_resources(module, "Microsoft.ContainerService/managedClusters/agentPools"))
    for name, real_pool in real_pools.items():
        pool = ours_pools.get(name)
        if pool is None:
            problems.append(f"{example}: no agent pool {name!r} (infra/modules/aks.bicep has one)")
            continue
        for setting in POOL_SETTINGS:
            want, have = _literal_at(real_pool.body, setting), _literal_at(pool.body, setting)
            if want != have:
                problems.append(f"{example}:{pool.line}: pool {name} {setting} is {have!r}, infra/ {want!r}")
    return problems


# --- Dockerfile ---------------------------------------------------------------------------------------------
def _dockerfile(path: Path) -> list[dict[str, Any]]:
    structure: list[dict[str, Any]] = DockerfileParser(str(path), cache_content=False).structure
    return structure


def _stages(structure: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(image, stage name) of each FROM."""
    found = []
    for item in structure:
        if item["instruction"] == "FROM":
            words = item["value"].split()
            found.append((words[0], words[2] if len(words) > 2 and words[1].upper() == "AS" else ""))
    return found


def _base_images(structure: list[dict[str, Any]]) -> set[str]:
    stages = _stages(structure)
    names = {name for _, name in stages}
    return {image for image, _ in stages if image not in names and "$" not in image}


def _stage_instructions(structure: list[dict[str, Any]], stage: str, instruction: str) -> list[str]:
    current, found = "", []
    for item in structure:
        if item["instruction"] == "FROM":
            words = item["value"].split()
            current = words[2] if len(words) > 2 else ""
        elif item["instruction"] == instruction and current == stage:
            found.append(str(item["value"]))
    return found


def _uv_sync_flags(structure: list[dict[str, Any]]) -> list[list[str]]:
    runs = [shlex.split(item["value"]) for item in structure if item["instruction"] == "RUN"]
    return [
        [word for word in run if word.startswith("--") and word != "--package"]
        for run in runs
        if run[:2] == ["uv", "sync"]
    ]


def dockerfile_drift(example: Path, platform: Platform) -> list[str]:
    ours, real = _dockerfile(example), _dockerfile(PYTHON_DOCKERFILE)
    where = f"{example}"
    problems = []
    if _base_images(ours) != _base_images(real):
        problems.append(
            f"{where}: base images {sorted(_base_images(ours))}, services/python-service.Dockerfile "
            f"{sorted(_base_images(real))}"
        )
    real_stages = {name for _, name in _stages(real)}
    for _, name in _stages(ours):
        if name not in real_stages:
            problems.append(f"{where}: stage {name!r} is not a stage of services/python-service.Dockerfile")
    if _stages(ours)[-1][1] != "runtime":
        problems.append(f"{where}: the last stage is {_stages(ours)[-1][1]!r}, want 'runtime'")
    real_user = _stage_instructions(real, "runtime-common", "USER")
    if _stage_instructions(ours, "runtime", "USER") != real_user:
        problems.append(
            f"{where}: runtime USER {_stage_instructions(ours, 'runtime', 'USER')}, want {real_user}"
        )
    port = str(platform.components["product"].ports["http"])
    for file, stage, structure in ((where, "runtime", ours), (PYTHON_DOCKERFILE, "product-runtime", real)):
        expose = _stage_instructions(structure, stage, "EXPOSE")
        if expose != [port]:
            problems.append(f"{file}: {stage} EXPOSE {expose}, harness/platform.yaml gives product {port}")
    healthchecks = _stage_instructions(ours, "runtime", "HEALTHCHECK")
    if len(healthchecks) != 1 or "/health'" not in healthchecks[0]:
        problems.append(f"{where}: the runtime stage's HEALTHCHECK does not probe /health")
    if _uv_sync_flags(ours) != _uv_sync_flags(real):
        problems.append(
            f"{where}: uv sync flags {_uv_sync_flags(ours)}, the real image {_uv_sync_flags(real)}"
        )
    return problems


# --- Kubernetes ---------------------------------------------------------------------------------------------
PROBES = ("startupProbe", "livenessProbe", "readinessProbe")


def load_manifest(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def _one(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [o for o in objects if o.get("kind") == kind]
    assert len(found) == 1, f"want one {kind}, found {len(found)}"
    return found[0]


def manifest_drift(example: Path, platform: Platform) -> list[str]:
    ours = load_manifest(example)
    real_deployment = _one(load_manifest(K8S_PRODUCT / "deployment.yaml"), "Deployment")
    real_service = _one(load_manifest(K8S_PRODUCT / "service.yaml"), "Service")
    deployment, service = _one(ours, "Deployment"), _one(ours, "Service")
    problems = []
    pod, real_pod = deployment["spec"]["template"]["spec"], real_deployment["spec"]["template"]["spec"]
    container, real_container = pod["containers"][0], real_pod["containers"][0]
    for probe in PROBES:
        have = container.get(probe, {}).get("httpGet")
        want = real_container.get(probe, {}).get("httpGet")
        if have != want:
            problems.append(f"{example}: {probe} {have}, k8s/base/product {want}")
    for key, have, want in (
        ("ports", container.get("ports"), real_container.get("ports")),
        (
            "container securityContext",
            container.get("securityContext"),
            real_container.get("securityContext"),
        ),
        ("pod securityContext", pod.get("securityContext"), real_pod.get("securityContext")),
        ("Service ports", service["spec"].get("ports"), real_service["spec"].get("ports")),
        ("Service selector", service["spec"].get("selector"), real_service["spec"].get("selector")),
    ):
        if have != want:
            problems.append(f"{example}: {key} {have}, k8s/base/product {want}")
    if policy.image_names(ours) != policy.image_names([real_deployment]):
        want_images = policy.image_names([real_deployment])
        problems.append(f"{example}: image {policy.image_names(ours)}, k8s/base/product {want_images}")
    component = platform.components[deployment["metadata"]["name"]]
    paths = {probe.path for probe in liveness(component) | readiness(component) if probe.path}
    used = {container[p]["httpGet"]["path"] for p in PROBES if "httpGet" in container.get(p, {})}
    if not used <= paths:
        problems.append(f"{example}: probes on {sorted(used)}, harness/platform.yaml has {sorted(paths)}")
    return problems


# --- Power Automate -----------------------------------------------------------------------------------------
def _flow_definition(path: Path) -> dict[str, Any]:
    definition: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["properties"]["definition"]
    return definition


def _actions(actions: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every action by name, nested ones (scopes, conditions) included."""
    found = dict(actions)
    for action in actions.values():
        for nested in (action.get("actions"), action.get("else", {}).get("actions")):
            if isinstance(nested, dict):
                found.update(_actions(nested))
    return found


def _of_type(actions: dict[str, dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [action for action in actions.values() if action["type"] == kind]


def flow_drift(example: Path) -> list[str]:
    ours, real = _flow_definition(example), _flow_definition(REAL_FLOW)
    problems = []
    schema = next(iter(ours["triggers"].values()))["inputs"]["schema"]
    real_schema = next(iter(real["triggers"].values()))["inputs"]["schema"]
    if schema != real_schema:
        problems.append(f"{example}: the trigger schema differs from {REAL_FLOW.name}'s")
    manifest = load_contract()["components"]["schemas"]["ReleaseManifest"]
    if sorted(schema.get("required", [])) != sorted(manifest["required"]):
        problems.append(
            f"{example}: trigger requires {schema.get('required')}, the contract {manifest['required']}"
        )
    ours_actions, real_actions = _actions(ours["actions"]), _actions(real["actions"])
    real_operations = {
        (a["inputs"]["host"]["apiId"], a["inputs"]["host"]["operationId"])
        for a in real_actions.values()
        if a["type"].startswith("OpenApiConnection")
    }
    for name, action in ours_actions.items():
        if action["type"].startswith("OpenApiConnection"):
            host = action["inputs"]["host"]
            if (host["apiId"], host["operationId"]) not in real_operations:
                problems.append(
                    f"{example}: action {name} calls {host['operationId']}, which the real flow does not"
                )
    for kind, keys in (("Response", ("statusCode",)), ("Http", ("method", "body", "authentication"))):
        for key in keys:
            have = [a["inputs"].get(key) for a in _of_type(ours_actions, kind)]
            want = [a["inputs"].get(key) for a in _of_type(real_actions, kind)]
            if have != want:
                problems.append(f"{example}: {kind} action {key} {have}, {REAL_FLOW.name} {want}")
    return problems


# --- Power BI -----------------------------------------------------------------------------------------------
def operations_model() -> Model:
    model = Model()
    for file in sorted(OPERATIONS_MODEL.rglob("*.tmdl")):
        parse_tmdl(file, model, [])
    return model


def dataset_drift(example: Path) -> list[str]:
    ours = json.loads(example.read_text(encoding="utf-8"))
    real = dataset_definition(ours.get("name", ""))
    problems = []
    if ours.get("defaultMode") != real["defaultMode"]:
        problems.append(
            f"{example}: defaultMode {ours.get('defaultMode')!r}, services/analytics {real['defaultMode']!r}"
        )
    tables = {table["name"]: table for table in ours.get("tables", [])}
    if list(tables) != [TABLE]:
        return [*problems, f"{example}: tables {list(tables)}, services/analytics pushes to [{TABLE!r}]"]
    columns = [(c["name"], c["dataType"]) for c in tables[TABLE]["columns"]]
    if columns != COLUMNS:
        problems.append(f"{example}: columns {columns}, services/analytics/.../dataset.py {COLUMNS}")
    model_table = operations_model().tables[TABLE]
    if {name for name, _ in columns} != model_table.columns:
        problems.append(
            f"{example}: columns {sorted(n for n, _ in columns)}, the OperationsRealtime model's "
            f"{sorted(model_table.columns)}"
        )
    model_measures = {m.name: " ".join(m.expression.split()) for m in model_table.measures}
    for measure in tables[TABLE].get("measures", []):
        if model_measures.get(measure["name"]) != " ".join(measure["expression"].split()):
            problems.append(
                f"{example}: measure {measure['name']!r} differs from the OperationsRealtime model's"
            )
    return problems


# --- health-check script ------------------------------------------------------------------------------------
def load_script(path: Path) -> ModuleType:
    """The script as a module (its file name has a dash, so it cannot be imported by name)."""
    name = f"example_{path.stem.replace('-', '_')}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered while it runs: dataclasses look their module up in sys.modules.
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def _path(url: str) -> str:
    return urlsplit(re.sub(r"\{[^}]*\}", "x", url)).path


def health_check_drift(example: Path, platform: Platform) -> list[str]:
    services = load_script(example).DEFAULT_SERVICES
    known = {service.name: service for service in load_services()}
    problems = []
    if set(services) != set(known):
        problems.append(
            f"{example}: services {sorted(services)}, scripts/ops/environments.yaml {sorted(known)}"
        )
    for name in sorted(set(services) & set(known)):
        service, component = services[name], platform.components[name]
        want_paths = tuple(p for p in (known[name].health, known[name].ready) if p)
        platform_paths = tuple(_path(c.http) for c in (component.health, component.ready) if c and c.http)
        if service.paths != want_paths or service.paths != platform_paths:
            problems.append(
                f"{example}: {name} checks {service.paths}, environments.yaml {want_paths}, "
                f"platform.yaml {platform_paths}"
            )
        port = urlsplit(service.base_url).port
        if port != component.ports["http"]:
            problems.append(
                f"{example}: {name} on port {port}, harness/platform.yaml {component.ports['http']}"
            )
    return problems


# --- Azure Pipelines ----------------------------------------------------------------------------------------
def _stages_of(path: Path) -> list[tuple[str, object]]:
    return [(stage["stage"], stage.get("dependsOn")) for stage in expand(path).pipeline["stages"]]


def _environments(path: Path) -> list[str]:
    return [
        job["environment"]
        for stage in expand(path).pipeline["stages"]
        for job in stage.get("jobs", [])
        if "deployment" in job
    ]


def pipeline_drift(example: Path) -> list[str]:
    problems = []
    if _stages_of(example) != _stages_of(REAL_PIPELINE):
        problems.append(
            f"{example}: stages (name, dependsOn) {_stages_of(example)}, pipelines/azure-pipelines.yml "
            f"{_stages_of(REAL_PIPELINE)}"
        )
    if _environments(example) != _environments(REAL_PIPELINE):
        problems.append(
            f"{example}: deployment environments {_environments(example)}, pipelines/azure-pipelines.yml "
            f"{_environments(REAL_PIPELINE)}"
        )
    return problems
