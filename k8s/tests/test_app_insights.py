"""On AKS every service exports its traces to Application Insights, signed in as its own managed identity:
its settings carry `APPLICATIONINSIGHTS_CONNECTION_STRING` from azure.env and
`APPLICATIONINSIGHTS_AUTHENTICATION_STRING=Authorization=AAD;ClientId=<its client id>`. The committed
azure.env files hold one zero GUID for every identity, so the client ids are told apart in a copy whose
azure.env gives each key a value of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from shopk8s import app_insights, handoff, infra_grants
from shopk8s.layout import AZURE_OVERLAYS, INFRA_TEMPLATE, K8S_DIR
from shopk8s.manifests import Object, of_kind, ref, render

CONNECTION_STRING = (
    "InstrumentationKey=11111111-2222-3333-4444-555555555555;"
    "IngestionEndpoint=https://marker.in.applicationinsights.azure.com/;ApplicationId=marker"
)
SERVICES = {"product", "order", "payment", "payment-worker", "notification", "analytics"}


def _distinct_values(overlay: Path) -> dict[str, str]:
    """Gives each key of the overlay's azure.env a value of its own (a GUID per client id); returns them."""
    env_file = overlay / "azure.env"
    values = {
        key: f"{index:08d}-0000-4000-8000-{index:012d}"
        for index, key in enumerate(handoff.env_keys(env_file), start=1)
    }
    values[app_insights.CONNECTION_STRING_KEY] = CONNECTION_STRING
    env_file.write_text("".join(f"{key}={value}\n" for key, value in values.items()))
    return values


def _client_id_key(component: str) -> str:
    return component.upper().replace("-", "_") + "_CLIENT_ID"


def _remove_target(replacements: Path, settings: str, variable: str) -> None:
    """Drops the target writing `variable` into ConfigMap `settings` from the replacements file."""
    text = replacements.read_text()
    target = (
        f"    - select:\n        kind: ConfigMap\n        name: {settings}\n"
        f"      fieldPaths:\n        - data.{variable}\n"
    )
    start = text.index(target)
    end = start + len(target)
    while text.startswith("      options:", end) or text.startswith("        ", end):
        end = text.index("\n", end) + 1
    replacements.write_text(text[:start] + text[end:])


@pytest.mark.parametrize("overlay", AZURE_OVERLAYS)
def test_every_service_exports_with_the_committed_settings(
    rendered: dict[str, list[Object]], overlay: str
) -> None:
    env = handoff.env_values(K8S_DIR / "overlays" / overlay / "azure.env")
    objects = rendered[overlay]
    assert [
        str(p) for p in app_insights.app_insights_problems(objects, env[app_insights.CONNECTION_STRING_KEY])
    ] == []
    exporting = {d["metadata"]["name"] for d in app_insights.workload_identity_deployments(objects)}
    assert exporting == SERVICES


def test_the_services_with_a_client_id_in_the_hand_off_are_the_ones_that_export() -> None:
    table = handoff.handoff_table(K8S_DIR / "README.md")
    with_identity = {
        source.path.removeprefix("identityClientIds.")
        for source in table.values()
        if source.path.startswith("identityClientIds.")
    }
    assert with_identity == SERVICES
    assert table[app_insights.CONNECTION_STRING_KEY] == handoff.Source(
        "output", "appInsightsConnectionString"
    )


@pytest.mark.parametrize("overlay", AZURE_OVERLAYS)
def test_every_exporting_service_may_publish_to_app_insights(
    rendered: dict[str, list[Object]], overlay: str
) -> None:
    publishers = infra_grants.app_insights_publishers(INFRA_TEMPLATE)
    assert [str(p) for p in app_insights.publisher_problems(rendered[overlay], publishers)] == []


def test_infra_without_one_service_s_publisher_grant_fails_naming_it(
    rendered: dict[str, list[Object]], tmp_path: Path
) -> None:
    """The publisher grants looped over a list of components that lacks notification."""
    without_notification = sorted(SERVICES - {"notification"})
    components = "var telemetryComponents = [\n" + "".join(f"  '{c}'\n" for c in without_notification) + "]\n"
    loop = "var telemetryGrants = [for component in workloadComponents: {"
    text = INFRA_TEMPLATE.read_text()
    assert loop in text
    template = tmp_path / "main.bicep"
    template.write_text(
        text.replace(loop, components + loop.replace("workloadComponents", "telemetryComponents"))
    )
    problems = app_insights.publisher_problems(
        rendered["prod"], infra_grants.app_insights_publishers(template)
    )
    assert [p.where for p in problems] == ["Deployment/notification"]
    assert problems[0].message.startswith("its identity has no Monitoring Metrics Publisher")


def test_infra_granting_the_role_on_another_component_fails(
    rendered: dict[str, list[Object]], tmp_path: Path
) -> None:
    """The grants must target the component whose connection string the services get."""
    template = tmp_path / "main.bicep"
    text = INFRA_TEMPLATE.read_text()
    grants = "  scope: 'appInsights'\n  target: names.appInsights\n"
    assert grants in text
    template.write_text(text.replace(grants, "  scope: 'appInsights'\n  target: names.logAnalytics\n"))
    problems = app_insights.publisher_problems(
        rendered["dev"], infra_grants.app_insights_publishers(template)
    )
    assert sorted(p.where for p in problems) == sorted(f"Deployment/{s}" for s in SERVICES)


def test_kind_carries_no_application_insights_setting(rendered: dict[str, list[Object]]) -> None:
    leaked = [
        ref(cm)
        for cm in of_kind(rendered["kind"], "ConfigMap")
        if set(cm.get("data", {})) & {app_insights.CONNECTION_STRING, app_insights.AUTHENTICATION_STRING}
    ]
    assert leaked == []


def test_each_service_signs_in_as_its_own_identity(k8s_copy: Path) -> None:
    for overlay in AZURE_OVERLAYS:
        values = _distinct_values(k8s_copy / "overlays" / overlay)
        objects = render(k8s_copy / "overlays" / overlay)
        assert [str(p) for p in app_insights.app_insights_problems(objects, CONNECTION_STRING)] == []
        for deployment in app_insights.workload_identity_deployments(objects):
            component = deployment["metadata"]["name"]
            environment = app_insights.container_environment(deployment, objects)
            assert environment[app_insights.AUTHENTICATION_STRING] == (
                f"Authorization=AAD;ClientId={values[_client_id_key(component)]}"
            ), f"{overlay}: {component}"
            assert environment[app_insights.CONNECTION_STRING] == CONNECTION_STRING


def test_a_service_without_its_authentication_replacement_fails_naming_it(k8s_copy: Path) -> None:
    replacements = k8s_copy / "components" / "azure" / "replacements.yaml"
    _remove_target(replacements, "notification-settings", app_insights.AUTHENTICATION_STRING)
    _distinct_values(k8s_copy / "overlays" / "staging")
    problems = app_insights.app_insights_problems(
        render(k8s_copy / "overlays" / "staging"), CONNECTION_STRING
    )
    assert [p.where for p in problems] == ["Deployment/notification"]
    assert problems[0].message.startswith(
        f"{app_insights.AUTHENTICATION_STRING} is 'Authorization=AAD;ClientId=placeholder', not "
    )


def test_a_service_without_the_connection_string_replacement_fails_naming_it(k8s_copy: Path) -> None:
    replacements = k8s_copy / "components" / "azure" / "replacements.yaml"
    _remove_target(replacements, "analytics-settings", app_insights.CONNECTION_STRING)
    _distinct_values(k8s_copy / "overlays" / "prod")
    problems = app_insights.app_insights_problems(render(k8s_copy / "overlays" / "prod"), CONNECTION_STRING)
    assert [str(p) for p in problems] == [
        f"Deployment/analytics: {app_insights.CONNECTION_STRING} is 'placeholder', not azure.env's "
        "APPINSIGHTS_CONNECTION_STRING"
    ]


def test_a_service_signing_in_as_another_identity_fails_naming_it(k8s_copy: Path) -> None:
    """payment-worker's authentication string filled from the payment API's client id."""
    replacements = k8s_copy / "components" / "azure" / "replacements.yaml"
    text = replacements.read_text()
    moved = (
        "    - select:\n        kind: ConfigMap\n        name: payment-worker-settings\n"
        f"      fieldPaths:\n        - data.{app_insights.AUTHENTICATION_STRING}\n"
        "      options:\n        delimiter: ClientId=\n        index: 1\n"
    )
    assert text.count(moved) == 1
    text = text.replace(moved, "")
    payment_targets = "    fieldPath: data.PAYMENT_CLIENT_ID\n  targets:\n"
    replacements.write_text(text.replace(payment_targets, payment_targets + moved))
    values = _distinct_values(k8s_copy / "overlays" / "dev")
    problems = app_insights.app_insights_problems(render(k8s_copy / "overlays" / "dev"), CONNECTION_STRING)
    assert [str(p) for p in problems] == [
        f"Deployment/payment-worker: {app_insights.AUTHENTICATION_STRING} is "
        f"'Authorization=AAD;ClientId={values['PAYMENT_CLIENT_ID']}', not "
        f"'Authorization=AAD;ClientId={values['PAYMENT_WORKER_CLIENT_ID']}' (its ServiceAccount's)"
    ]
