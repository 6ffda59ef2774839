#!/usr/bin/env bash
# Deploys an environment as the subscription-scope Deployment Stack stack-contoso-shop-<env> from
# version <version> of the Template Spec, with what-if first. Deny settings denyWriteAndDelete (the
# pipeline identity excluded); resources leaving the template are detached in prod, deleted elsewhere.
# Idempotent: when the stack already runs this version and what-if reports no change, nothing is called.
# Usage: deploy.sh <dev|staging|prod> <version>
#   env: SHOP_SUBSCRIPTION_ID, SHOP_PIPELINE_PRINCIPAL_ID, SHOP_INCIDENT_FLOW_WEBHOOK_URL (secret) (required),
#   SHOP_LOCATION; the parameter files read SHOP_AKS_ADMIN_GROUP_ID, SHOP_SQL_ADMIN_GROUP_ID, ...
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

environment="${1:-}"
version="${2:-}"
require_environment "$environment"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "usage: $(basename "$0") <dev|staging|prod> <version>" 2
[[ -n "${SHOP_PIPELINE_PRINCIPAL_ID:-}" ]] || fail "SHOP_PIPELINE_PRINCIPAL_ID is not set (excluded from deny settings)" 2
require_incident_flow_webhook
require_login_and_subscription

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
stack="$(stack_name "$environment")"

spec_id="$(azr ts show --name "$SHOP_SPEC_NAME" --resource-group "$SHOP_SPEC_GROUP" --version "$version" \
  --query id --output tsv)" || fail "cannot read template spec ${SHOP_SPEC_NAME} ${version} (not published yet?)" 4

parameters="${workdir}/${environment}.parameters.json"
azr bicep build-params --file "${SHOP_INFRA_DIR}/env/${environment}.bicepparam" --outfile "$parameters"

log "what-if for ${environment} from ${SHOP_SPEC_NAME} ${version}"
changes="$(azr deployment sub what-if --name "$stack" --location "$SHOP_LOCATION" --template-spec "$spec_id" \
  --parameters "@${parameters}" --result-format ResourceIdOnly --no-pretty-print \
  --query "length(changes[?changeType!='NoChange' && changeType!='Ignore'])" --output tsv)"
log "what-if: ${changes} resource change(s)"

deployed="$(azr stack sub show --name "$stack" --query tags.specVersion --output tsv 2>/dev/null || true)"
if [[ "$deployed" == "$version" && "$changes" == "0" ]]; then
  log "stack ${stack} already runs ${version} and what-if reports no change; nothing to do"
  exit 0
fi

log "deploying stack ${stack} (${version}, unmanaged resources: $(action_on_unmanage "$environment"))"
azr stack sub create --name "$stack" --location "$SHOP_LOCATION" --template-spec "$spec_id" \
  --parameters "@${parameters}" --deny-settings-mode denyWriteAndDelete \
  --deny-settings-excluded-principals "$SHOP_PIPELINE_PRINCIPAL_ID" \
  --action-on-unmanage "$(action_on_unmanage "$environment")" --tags "specVersion=${version}" \
  --yes --output none
log "stack ${stack} runs ${version}"
