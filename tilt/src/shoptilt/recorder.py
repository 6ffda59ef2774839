"""Tilt's builtins as recording stand-ins: each call is kept as a typed record instead of acting.

Only what cannot run here is stood in for (image builds, a cluster, processes); file reads are real, and
`kustomize` renders the overlay with the real `kubectl kustomize` when both exist. The signatures follow
Tilt's API reference (docs.tilt.dev/api.html) for the parameters the Tiltfile uses, so a misspelt or
unsupported keyword fails here as it would in Tilt. Values handed back to Starlark are plain dicts/lists:
the Python binding of starlark-go converts nothing else.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Value = Any  # what starlark-go hands over: None, bool, int, str, list, tuple, dict


class TiltfileError(Exception):
    """The Tiltfile did something Tilt itself refuses (a duplicate resource, an unknown setting)."""


@dataclass(frozen=True)
class PortForward:
    local_port: int
    container_port: int
    name: str | None


@dataclass(frozen=True)
class Link:
    url: str
    name: str | None


@dataclass(frozen=True)
class Probe:
    http_get: dict[str, Value] | None
    tcp_socket: dict[str, Value] | None
    exec_command: list[str] | None


@dataclass(frozen=True)
class Sync:
    local: str
    remote: str


@dataclass(frozen=True)
class DockerBuild:
    ref: str
    context: str
    dockerfile: str
    build_args: dict[str, str]
    target: str | None
    syncs: list[Sync]
    restart_entrypoint: list[str] | None


@dataclass(frozen=True)
class K8sResource:
    workload: str
    port_forwards: list[PortForward]
    resource_deps: list[str]
    labels: list[str]
    links: list[Link]


@dataclass(frozen=True)
class LocalResource:
    name: str
    cmd: list[str]
    env: dict[str, str]
    serve_cmd: list[str]
    serve_env: dict[str, str]
    deps: list[str]
    resource_deps: list[str]
    readiness_probe: Probe | None
    labels: list[str]
    links: list[Link]
    auto_init: bool = True


@dataclass
class Recording:
    """Everything one evaluation of a Tiltfile declared."""

    docker_builds: list[DockerBuild] = field(default_factory=list)
    k8s_yaml: list[str] = field(default_factory=list)
    rendered_workloads: list[str] | None = None
    rendered_images: list[str] | None = None
    k8s_resources: list[K8sResource] = field(default_factory=list)
    local_resources: list[LocalResource] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)
    printed: list[str] = field(default_factory=list)
    # Commands the Tiltfile runs while it loads (Tilt's `local`): recorded, never run.
    local_commands: list[list[str]] = field(default_factory=list)

    def resource_names(self) -> list[str]:
        return [r.workload for r in self.k8s_resources] + [r.name for r in self.local_resources]

    def local_resource(self, name: str) -> LocalResource:
        return next(r for r in self.local_resources if r.name == name)

    def k8s_resource(self, name: str) -> K8sResource:
        return next(r for r in self.k8s_resources if r.workload == name)


def _argv(cmd: Value) -> list[str]:
    if cmd is None or cmd == "":
        return []
    return shlex.split(cmd) if isinstance(cmd, str) else [str(arg) for arg in cmd]


def _str_list(value: Value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(item) for item in value]


def _links(value: Value) -> list[Link]:
    links = []
    for item in value or []:
        links.append(Link(url=item, name=None) if isinstance(item, str) else Link(item["url"], item["name"]))
    return links


def _port_forwards(value: Value) -> list[PortForward]:
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    forwards = []
    for item in items:
        if isinstance(item, int):
            forwards.append(PortForward(item, item, None))
        elif isinstance(item, str):
            local, _, remote = item.partition(":")
            forwards.append(PortForward(int(local), int(remote or local), None))
        else:
            forwards.append(PortForward(item["local_port"], item["container_port"], item["name"]))
    return forwards


def _probe(value: Value) -> Probe | None:
    if value is None:
        return None
    return Probe(value["http_get"], value["tcp_socket"], value["exec"])


class Recorder:
    """One evaluation's stand-ins for Tilt's builtins; `builtins()` is what the interpreter gets."""

    def __init__(self, root: Path, args: Mapping[str, str]) -> None:
        self.root = root
        self.recording = Recording()
        self._args = dict(args)
        self._defined: dict[str, str] = {}

    def builtins(self) -> dict[str, Callable[..., Value] | Value]:
        """Tilt's global functions; `config.X` is reached as `config__X` (see evaluate.py)."""
        return {
            "config__define_string": self.config_define_string,
            "config__parse": self.config_parse,
            "config__main_dir": str(self.root),
            "read_yaml": self.read_yaml,
            "local": self.local,
            "docker_build": self.docker_build,
            "docker_build_with_restart": self.docker_build_with_restart,
            "sync": self.sync,
            "kustomize": self.kustomize,
            "k8s_yaml": self.k8s_yaml,
            "k8s_resource": self.k8s_resource,
            "port_forward": self.port_forward,
            "link": self.link,
            "local_resource": self.local_resource,
            "probe": self.probe,
            "http_get_action": self.http_get_action,
            "tcp_socket_action": self.tcp_socket_action,
        }

    # --- config -------------------------------------------------------------------------------------------
    def config_define_string(self, name: str, args: bool = False, usage: str = "") -> None:
        if name in self._defined:
            raise TiltfileError(f"config.define_string: {name} defined twice")
        self._defined[name] = usage

    def config_parse(self) -> dict[str, str]:
        unknown = sorted(set(self._args) - set(self._defined))
        if unknown:
            raise TiltfileError(
                f"unknown setting(s) {', '.join(unknown)}; defined: {', '.join(self._defined)}"
            )
        self.recording.settings = dict(self._args)
        return dict(self._args)

    # --- commands -----------------------------------------------------------------------------------------
    def local(self, command: Value, quiet: bool = False, echo_off: bool = False, env: Value = None) -> str:
        """Tilt runs the command while the Tiltfile loads; here it is recorded and answers nothing."""
        self.recording.local_commands.append(_str_list(command))
        return ""

    # --- files --------------------------------------------------------------------------------------------
    def read_yaml(self, paths: str, default: Value = None) -> Value:
        path = self.root / paths
        if not path.exists() and default is not None:
            return default
        return yaml.safe_load(path.read_text())

    def kustomize(self, paths: str, kustomize_bin: str | None = None, flags: Value = None) -> str:
        """The overlay's path as Tilt's Blob stand-in; its workloads rendered when kubectl and it exist."""
        overlay = self.root / paths
        kubectl = shutil.which("kubectl")
        if kubectl and (overlay / "kustomization.yaml").exists():
            rendered = subprocess.run(
                [kubectl, "kustomize", *_str_list(flags), str(overlay)],
                capture_output=True,
                text=True,
                check=False,
                timeout=60,
            )
            if rendered.returncode != 0:
                raise TiltfileError(f"kustomize {paths}: {rendered.stderr.strip()}")
            workloads = [
                doc
                for doc in yaml.safe_load_all(rendered.stdout)
                if doc and doc.get("kind") in {"Deployment", "StatefulSet", "DaemonSet", "Job"}
            ]
            self.recording.rendered_workloads = [doc["metadata"]["name"] for doc in workloads]
            pods = [doc["spec"]["template"]["spec"] for doc in workloads]
            self.recording.rendered_images = sorted(
                {
                    container["image"]
                    for pod in pods
                    for container in pod.get("containers", []) + pod.get("initContainers", [])
                }
            )
        return f"kustomize:{paths}"

    # --- images -------------------------------------------------------------------------------------------
    def docker_build(
        self,
        ref: str,
        context: str,
        build_args: Value = None,
        dockerfile: str = "Dockerfile",
        live_update: Value = None,
        target: str | None = None,
        only: Value = None,
        ignore: Value = None,
        entrypoint: Value = None,
    ) -> None:
        self._add_build(ref, context, dockerfile, build_args, target, live_update, None)

    def docker_build_with_restart(
        self,
        ref: str,
        context: str,
        entrypoint: Value,
        live_update: Value,
        base_suffix: str = "-tilt_docker_build_with_restart_base",
        # Tilt's own default, inside the container (B108).
        restart_file: str = "/tmp/.restart-proc",  # nosec B108
        trigger: Value = None,
        exit_policy: str = "restart",
        dockerfile: str = "Dockerfile",
        build_args: Value = None,
        target: str | None = None,
    ) -> None:
        """ext://restart_process: a docker_build whose live update re-runs `entrypoint`."""
        self._add_build(ref, context, dockerfile, build_args, target, live_update, _argv(entrypoint))

    def _add_build(
        self,
        ref: str,
        context: str,
        dockerfile: str,
        build_args: Value,
        target: str | None,
        live_update: Value,
        restart: list[str] | None,
    ) -> None:
        if any(build.ref == ref for build in self.recording.docker_builds):
            raise TiltfileError(f"docker_build: image {ref} is built twice")
        syncs = [Sync(step["local"], step["remote"]) for step in live_update or [] if step["step"] == "sync"]
        self.recording.docker_builds.append(
            DockerBuild(ref, context, dockerfile, dict(build_args or {}), target, syncs, restart)
        )

    def sync(self, local_path: str, remote_path: str) -> dict[str, str]:
        return {"step": "sync", "local": local_path, "remote": remote_path}

    # --- Kubernetes ---------------------------------------------------------------------------------------
    def k8s_yaml(self, yaml: Value, allow_duplicates: bool = False) -> None:
        self.recording.k8s_yaml.extend(_str_list(yaml))

    def k8s_resource(
        self,
        workload: str = "",
        new_name: str = "",
        port_forwards: Value = None,
        extra_pod_selectors: Value = None,
        trigger_mode: Value = None,
        resource_deps: Value = None,
        objects: Value = None,
        auto_init: bool = True,
        pod_readiness: str = "",
        links: Value = None,
        labels: Value = None,
    ) -> None:
        self._check_new_name(workload)
        self.recording.k8s_resources.append(
            K8sResource(
                workload=workload,
                port_forwards=_port_forwards(port_forwards),
                resource_deps=_str_list(resource_deps),
                labels=_str_list(labels),
                links=_links(links),
            )
        )

    def port_forward(
        self,
        local_port: int,
        container_port: int | None = None,
        name: str | None = None,
        link_path: str | None = None,
        host: str | None = None,
    ) -> dict[str, Value]:
        return {"local_port": local_port, "container_port": container_port or local_port, "name": name}

    def link(self, url: str, name: str | None = None) -> dict[str, Value]:
        return {"url": url, "name": name}

    # --- local resources ----------------------------------------------------------------------------------
    def local_resource(
        self,
        name: str,
        cmd: Value = None,
        deps: Value = None,
        trigger_mode: Value = None,
        resource_deps: Value = None,
        ignore: Value = None,
        auto_init: bool = True,
        serve_cmd: Value = None,
        cmd_bat: Value = None,
        serve_cmd_bat: Value = None,
        allow_parallel: bool = False,
        links: Value = None,
        tags: Value = None,
        env: Value = None,
        serve_env: Value = None,
        readiness_probe: Value = None,
        dir: str = "",
        serve_dir: str = "",
        labels: Value = None,
    ) -> None:
        self._check_new_name(name)
        if not cmd and not serve_cmd:
            raise TiltfileError(f"local_resource {name}: give cmd or serve_cmd")
        self.recording.local_resources.append(
            LocalResource(
                name=name,
                cmd=_argv(cmd),
                env=dict(env or {}),
                serve_cmd=_argv(serve_cmd),
                serve_env=dict(serve_env or {}),
                deps=_str_list(deps),
                resource_deps=_str_list(resource_deps),
                readiness_probe=_probe(readiness_probe),
                labels=_str_list(labels),
                links=_links(links),
                auto_init=bool(auto_init),
            )
        )

    def probe(
        self,
        initial_delay_secs: int = 0,
        timeout_secs: int = 1,
        period_secs: int = 10,
        success_threshold: int = 1,
        failure_threshold: int = 3,
        exec: Value = None,
        http_get: Value = None,
        tcp_socket: Value = None,
    ) -> dict[str, Value]:
        given = [action for action in (exec, http_get, tcp_socket) if action is not None]
        if len(given) != 1:
            raise TiltfileError("probe: give exactly one of exec, http_get, tcp_socket")
        return {"exec": exec, "http_get": http_get, "tcp_socket": tcp_socket}

    def http_get_action(
        self, port: int, host: str = "", scheme: str = "http", path: str = ""
    ) -> dict[str, Value]:
        return {"port": port, "host": host, "scheme": scheme, "path": path}

    def tcp_socket_action(self, port: int, host: str = "") -> dict[str, Value]:
        return {"port": port, "host": host}

    def _check_new_name(self, name: str) -> None:
        if name in self.recording.resource_names():
            raise TiltfileError(f"resource {name} declared twice")
