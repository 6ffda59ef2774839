"""SHOP_RUNTIME picks how shopctl.testing runs the platform: processes by default, containers on request.

The container runtime needs a Docker engine; where none answers (as on the machines that run `make test`
without Docker) it must refuse with a reason naming the engine, and the engine-dependent test skips.
"""

from __future__ import annotations

import socket

import pytest
from shopctl.containers.engine import ContainerEngineUnavailableError, docker_engine_problem
from shopctl.testing import RUNTIMES, UnknownRuntimeError, launched, selected_runtime

ENGINE_PROBLEM = docker_engine_problem()


def test_processes_are_the_default() -> None:
    assert selected_runtime({}) == "processes"
    assert selected_runtime({"SHOP_RUNTIME": ""}) == "processes"


def test_containers_are_chosen_by_name() -> None:
    assert selected_runtime({"SHOP_RUNTIME": "containers"}) == "containers"
    assert RUNTIMES == ("processes", "containers")


def test_an_unknown_runtime_is_refused_listing_the_known_ones() -> None:
    with pytest.raises(
        UnknownRuntimeError, match=r"SHOP_RUNTIME='docker': expected one of processes, containers"
    ):
        selected_runtime({"SHOP_RUNTIME": "docker"})
    with pytest.raises(UnknownRuntimeError), launched("azurite", environ={"SHOP_RUNTIME": "k8s"}):
        pass


def test_processes_runtime_starts_the_real_component() -> None:
    with launched("cosmos", environ={"SHOP_RUNTIME": "processes"}) as platform:
        with socket.create_connection(("127.0.0.1", platform.port("cosmos")), timeout=5):
            pass
        assert platform.url("cosmos").startswith("http://127.0.0.1:")


def test_engine_detection_names_the_docker_engine_when_there_is_none() -> None:
    if ENGINE_PROBLEM is None:
        pytest.skip("a Docker engine answers here: nothing missing to name")
    assert "Docker" in ENGINE_PROBLEM


def test_containers_runtime_without_an_engine_refuses_naming_it() -> None:
    if ENGINE_PROBLEM is None:
        pytest.skip("a Docker engine answers here: the runtime starts instead (test_containers_engine.py)")
    with (
        pytest.raises(ContainerEngineUnavailableError, match=r"SHOP_RUNTIME=containers: .*Docker engine"),
        launched("azurite", environ={"SHOP_RUNTIME": "containers"}),
    ):
        pass
