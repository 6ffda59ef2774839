"""Builds the connector's files (paconn layout and the unpacked-solution layout) from the service
documents."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from shoppower.connector.convert import reachable_definitions, to_swagger_operation

PACKAGE = Path(__file__).resolve().parents[3]
OPERATIONS = PACKAGE / "connector" / "operations.yaml"
PACONN_DIR = PACKAGE / "connector" / "paconn"
CONNECTOR_NAME = "csh_contoso-shop-api"
SOLUTION_CONNECTORS = PACKAGE / "solutions" / "ContosoShopCore" / "src" / "Connectors"


@dataclass(frozen=True)
class ConnectorFiles:
    files: dict[str, str]
    """path relative to the package → content"""

    def write(self, root: Path = PACKAGE) -> None:
        for relative, content in self.files.items():
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")

    def differences(self, root: Path = PACKAGE) -> list[str]:
        """The files on disk that differ from (or are missing for) this generation."""
        return [
            relative
            for relative, content in self.files.items()
            if not (root / relative).is_file() or (root / relative).read_text(encoding="utf-8") != content
        ]


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def api_definition(config: dict[str, Any], documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    used: dict[str, set[str]] = {}
    for op in config["operations"]:
        service = op["service"]
        refs = used.setdefault(service, set())
        paths.setdefault(op["path"], {})[op["method"]] = to_swagger_operation(
            documents[service], service, op["method"], op["path"], op["operationId"], op["summary"], refs
        )
    definitions: dict[str, Any] = {}
    for service, names in sorted(used.items()):
        definitions.update(reachable_definitions(documents[service], service, names))
    connector = config["connector"]
    versions = {service: documents[service]["info"]["version"] for service in sorted(documents)}
    return {
        "swagger": "2.0",
        "info": {
            "title": connector["title"],
            "description": connector["description"],
            "version": "1.0",
            "x-contoso-generated-from": versions,
        },
        "host": connector["host"],
        "basePath": "/",
        "schemes": ["https"],
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "paths": dict(sorted(paths.items())),
        "definitions": dict(sorted(definitions.items())),
        "securityDefinitions": {
            "oauth2-auth": {
                "type": "oauth2",
                "flow": "accessCode",
                "authorizationUrl": "https://login.microsoftonline.com/common/oauth2/authorize",
                # pragma: allowlist nextline secret (a public sign-in URL)
                "tokenUrl": "https://login.windows.net/common/oauth2/authorize",
                "scopes": {},
            }
        },
        "security": [{"oauth2-auth": []}],
        "x-ms-connector-metadata": [
            {"propertyName": "Website", "propertyValue": "https://contoso-shop.example"},
            {"propertyName": "Categories", "propertyValue": "IT Operations;Sales and CRM"},
        ],
    }


def connection_parameters(config: dict[str, Any]) -> dict[str, Any]:
    audience = config["connector"]["audience"]
    return {
        "token": {
            "type": "oauthSetting",
            "oAuthSettings": {
                "identityProvider": "aad",
                # The client id is the public app registration id; the secret is set per environment by
                # the import (deployment settings), never stored here.
                "clientId": "00000000-0000-0000-0000-000000000000",
                "scopes": [],
                "redirectMode": "Global",
                "redirectUrl": "https://global.consent.azure-apim.net/redirect",
                "properties": {"IsFirstParty": "False", "AzureActiveDirectoryResourceId": audience},
                "customParameters": {
                    "loginUri": {"value": "https://login.microsoftonline.com"},
                    "tenantId": {"value": "common"},
                    "resourceUri": {"value": audience},
                },
            },
        },
        "token:TenantId": {
            "type": "string",
            "metadata": {"sourceType": "AzureActiveDirectoryTenant"},
            "uiDefinition": {
                "displayName": "Tenant",
                "description": "The tenant ID of for the Azure Active Directory application",
                "constraints": {"required": "false", "hidden": "true"},
            },
        },
        "apiHost": {
            "type": "string",
            "uiDefinition": {
                "displayName": "API host",
                "description": "The environment's API gateway host, e.g. api.test.contoso-shop.example",
                "tooltip": "Host name of the Contoso Shop API gateway for this environment",
                "constraints": {"required": "true"},
            },
        },
    }


def policy_template_instances() -> list[dict[str, Any]]:
    return [
        {
            "templateId": "dynamichosturl",
            "title": "Environment API host",
            "parameters": {
                "x-ms-apimTemplateParameter.urlTemplate": "https://@connectionParameters('apiHost')"
            },
        }
    ]


def generate(documents: dict[str, dict[str, Any]], operations_file: Path = OPERATIONS) -> ConnectorFiles:
    config = yaml.safe_load(operations_file.read_text(encoding="utf-8"))
    definition = api_definition(config, documents)
    parameters = connection_parameters(config)
    policies = policy_template_instances()
    properties = {
        "properties": {
            "iconBrandColor": config["connector"]["brandColor"],
            "publisher": config["connector"]["publisher"],
            "stackOwner": config["connector"]["publisher"],
            "capabilities": ["actions"],
            "connectionParameters": parameters,
            "policyTemplateInstances": policies,
        }
    }
    settings = {"apiProperties": "apiProperties.json", "apiDefinition": "apiDefinition.swagger.json"}
    solution = f"solutions/ContosoShopCore/src/Connectors/{CONNECTOR_NAME}"
    return ConnectorFiles(
        {
            "connector/paconn/apiDefinition.swagger.json": _dump(definition),
            "connector/paconn/apiProperties.json": _dump(properties),
            "connector/paconn/settings.json": _dump(settings),
            f"{solution}_openapidefinition.json": _dump(definition),
            f"{solution}_connectionparameters.json": _dump(parameters),
            f"{solution}_policytemplateinstances.json": _dump(policies),
        }
    )
