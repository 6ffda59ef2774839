"""Where the services send their traces on AKS: Application Insights, signed in as each service's own
managed identity. The component has local authentication off (infra/modules/log-analytics.bicep), so the
connection string alone cannot ingest; the Azure Monitor exporter authenticates with the identity named by
`APPLICATIONINSIGHTS_AUTHENTICATION_STRING` (`Authorization=AAD;ClientId=<client id>`), which must be the
identity the pod runs as (its ServiceAccount's workload identity annotation): infra grants only those
identities Monitoring Metrics Publisher on the component."""

from __future__ import annotations

from shopk8s.manifests import Object, Problem, of_kind, pod_labels, pod_spec, ref

CONNECTION_STRING = "APPLICATIONINSIGHTS_CONNECTION_STRING"
AUTHENTICATION_STRING = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING"
# The azure.env key the pipeline fills from infra/main.bicep's `appInsightsConnectionString` output.
CONNECTION_STRING_KEY = "APPINSIGHTS_CONNECTION_STRING"
WORKLOAD_IDENTITY_LABEL = "azure.workload.identity/use"
CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id"


def authentication_string(client_id: str) -> str:
    """Application Insights' documented Entra ingestion setting for a user-assigned managed identity."""
    return f"Authorization=AAD;ClientId={client_id}"


def workload_identity_deployments(objects: list[Object]) -> list[Object]:
    """The Deployments whose pods get a federated token (the services that call Azure)."""
    return [d for d in of_kind(objects, "Deployment") if pod_labels(d).get(WORKLOAD_IDENTITY_LABEL) == "true"]


def container_environment(deployment: Object, objects: list[Object]) -> dict[str, str]:
    """What the first container's environment holds from ConfigMaps (`envFrom`, later ones winning) and
    literal `env` values, which win over both, as the kubelet resolves them."""
    config_maps = {obj["metadata"]["name"]: obj.get("data", {}) for obj in of_kind(objects, "ConfigMap")}
    container = pod_spec(deployment)["containers"][0]
    environment: dict[str, str] = {}
    for source in container.get("envFrom", []):
        name = source.get("configMapRef", {}).get("name")
        if name in config_maps:
            environment.update(config_maps[name])
    for variable in container.get("env", []):
        if "value" in variable:
            environment[variable["name"]] = variable["value"]
    return environment


def _client_id(deployment: Object, objects: list[Object]) -> str | None:
    account = pod_spec(deployment).get("serviceAccountName", "default")
    for obj in of_kind(objects, "ServiceAccount"):
        if obj["metadata"]["name"] == account:
            client_id: str | None = obj["metadata"].get("annotations", {}).get(CLIENT_ID_ANNOTATION)
            return client_id
    return None


def app_insights_problems(objects: list[Object], connection_string: str) -> list[Problem]:
    """Each workload-identity Deployment exports to `connection_string` signed in as its own identity."""
    problems = []
    for deployment in workload_identity_deployments(objects):
        where = ref(deployment)
        environment = container_environment(deployment, objects)
        client_id = _client_id(deployment, objects)
        if client_id is None:
            problems.append(Problem(where, f"its ServiceAccount has no {CLIENT_ID_ANNOTATION} annotation"))
            continue
        found = environment.get(CONNECTION_STRING)
        if found != connection_string:
            problems.append(
                Problem(where, f"{CONNECTION_STRING} is {found!r}, not azure.env's {CONNECTION_STRING_KEY}")
            )
        expected = authentication_string(client_id)
        found = environment.get(AUTHENTICATION_STRING)
        if found != expected:
            problems.append(
                Problem(
                    where, f"{AUTHENTICATION_STRING} is {found!r}, not {expected!r} (its ServiceAccount's)"
                )
            )
    return problems


def publisher_problems(objects: list[Object], publishers: set[str]) -> list[Problem]:
    """Each workload-identity Deployment (named after its component, as infra names the identities) has
    Monitoring Metrics Publisher on the component in infra, else its spans are refused."""
    return [
        Problem(
            ref(deployment),
            "its identity has no Monitoring Metrics Publisher on the Application Insights component in "
            "infra/main.bicep's grants",
        )
        for deployment in workload_identity_deployments(objects)
        if deployment["metadata"]["name"] not in publishers
    ]
