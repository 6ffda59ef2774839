#!/usr/bin/env bash
# Imports the generated dashboards into Azure Managed Grafana (infra/modules/monitoring.bicep), into
# the folder "Contoso Shop", replacing older copies. Their `datasource` variable picks the workspace's
# managed Prometheus data source (type prometheus), so the JSON is the same as locally.
#   usage: import-dashboards.sh GRAFANA_NAME RESOURCE_GROUP
# Needs the Azure CLI with the amg extension (`az extension add --name amg`), signed in with Grafana Admin
# or Grafana Editor on the workspace.
set -euo pipefail

if [ "$#" -ne 2 ]; then
  echo "usage: $0 GRAFANA_NAME RESOURCE_GROUP" >&2
  exit 2
fi
grafana=$1
group=$2
dashboards="$(cd "$(dirname "$0")/../dashboards" && pwd)"
folder="Contoso Shop"

if ! az grafana folder show --name "$grafana" --resource-group "$group" --folder "$folder" >/dev/null 2>&1; then
  az grafana folder create --name "$grafana" --resource-group "$group" --title "$folder" >/dev/null
fi
for dashboard in "$dashboards"/*.json; do
  echo "importing $(basename "$dashboard")"
  az grafana dashboard import --name "$grafana" --resource-group "$group" \
    --folder "$folder" --overwrite true --definition "@$dashboard" >/dev/null
done
