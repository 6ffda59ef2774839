"""NetworkPolicy evaluation over rendered objects: which pod-to-pod calls inside the namespace the policies
allow. Only what our manifests use is understood (matchLabels, matchExpressions with In, port numbers and
names); peers with a namespaceSelector or an ipBlock are outside the namespace and never match its pods."""

from __future__ import annotations

from typing import Any

from shopk8s.manifests import Object, Problem, of_kind, pod_labels, pod_spec, ref
from shopk8s.platform import Flow


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    for expression in selector.get("matchExpressions", []):
        if expression["operator"] != "In" or labels.get(expression["key"]) not in expression["values"]:
            return False
    return True


def _peer_matches(peers: list[dict[str, Any]] | None, labels: dict[str, str]) -> bool:
    if peers is None:
        return True
    return any(
        "podSelector" in peer and "namespaceSelector" not in peer and _selects(peer["podSelector"], labels)
        for peer in peers
    )


def _port_matches(ports: list[dict[str, Any]] | None, number: int, name: str) -> bool:
    return ports is None or any(p.get("port") in (number, name) for p in ports)


def _allows(policy: Object, direction: str, peer: dict[str, str], number: int, name: str) -> bool:
    rules_key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    return any(
        _peer_matches(rule.get(peers_key), peer) and _port_matches(rule.get("ports"), number, name)
        for rule in policy["spec"].get(rules_key, [])
    )


def _policies_for(policies: list[Object], labels: dict[str, str], direction: str) -> list[Object]:
    return [
        p
        for p in policies
        if direction in p["spec"].get("policyTypes", []) and _selects(p["spec"]["podSelector"], labels)
    ]


def allowed_flows(objects: list[Object]) -> set[Flow]:
    """Every (source Deployment, destination Deployment, container port) the policies let through."""
    policies = of_kind(objects, "NetworkPolicy")
    deployments = of_kind(objects, "Deployment")
    found = set()
    for source in deployments:
        egress = _policies_for(policies, pod_labels(source), "Egress")
        for destination in deployments:
            if destination is source:
                continue
            ingress = _policies_for(policies, pod_labels(destination), "Ingress")
            for container in pod_spec(destination)["containers"]:
                for port in container.get("ports", []):
                    number, name = port["containerPort"], port.get("name", "")
                    if any(
                        _allows(p, "Egress", pod_labels(destination), number, name) for p in egress
                    ) and any(_allows(p, "Ingress", pod_labels(source), number, name) for p in ingress):
                        found.add(Flow(source["metadata"]["name"], destination["metadata"]["name"], number))
    return found


def coverage(objects: list[Object]) -> list[Problem]:
    """Every Deployment's pods are selected by policies for both directions (so default deny applies)."""
    policies = of_kind(objects, "NetworkPolicy")
    problems = []
    for deployment in of_kind(objects, "Deployment"):
        for direction in ("Ingress", "Egress"):
            if not _policies_for(policies, pod_labels(deployment), direction):
                problems.append(Problem(ref(deployment), f"no NetworkPolicy governs its {direction.lower()}"))
    return problems


def flow_problems(objects: list[Object], expected: set[Flow]) -> list[Problem]:
    """The allowed calls between the overlay's Deployments are exactly the expected ones."""
    deployed = {d["metadata"]["name"] for d in of_kind(objects, "Deployment")}
    wanted = {f for f in expected if f.source in deployed and f.destination in deployed}
    allowed = allowed_flows(objects)
    problems = [
        Problem(f"Deployment/{f.source}", f"cannot reach {f.destination} on port {f.port}")
        for f in sorted(wanted - allowed)
    ]
    problems += [
        Problem(f"Deployment/{f.source}", f"may reach {f.destination} on port {f.port}, which it never calls")
        for f in sorted(allowed - wanted)
    ]
    return problems
