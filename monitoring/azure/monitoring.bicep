// Everything Azure Monitor does for the shop on top of what infra/ owns, called once per environment by
// infra/main.bicep: Container Insights on the cluster (the data collection rule and its association), the
// action group (Power Automate incident flow), the recording rules and SLO alerts on managed Prometheus and
// the saga workbook. infra/ owns and passes in the Log Analytics workspace (its retention is one parameter
// per environment file), the Azure Monitor workspace, the cluster and Managed Grafana; nothing here creates
// a copy of them.
metadata description = 'Contoso Shop monitoring on Azure Monitor (one environment), on infra/\'s workspaces.'

@description('Required. The environment: dev, staging or prod.')
@allowed([
  'dev'
  'staging'
  'prod'
])
param environment string

@description('Required. Name of the AKS cluster (in this resource group).')
param clusterName string

@description('Required. Resource ID of the Log Analytics workspace Container Insights writes to and the workbook queries.')
param logAnalyticsWorkspaceId string

@description('Required. Resource ID of the Azure Monitor workspace (in this resource group) the cluster\'s managed Prometheus writes to.')
param azureMonitorWorkspaceId string

@description('Required. Name of the action group (CAF: ag-<workload>-<environment>).')
param actionGroupName string

@description('Required. HTTP trigger URL of the Power Automate incident flow.')
@secure()
param incidentFlowWebhookUrl string

@description('Optional. Email address of the on-call rotation; none when empty.')
param onCallEmail string = ''

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Tags of every resource.')
param tags object?

module actionGroup 'action-group.bicep' = {
  name: 'monitoring-action-group'
  params: {
    name: actionGroupName
    shortName: 'shop-${environment}'
    incidentFlowWebhookUrl: incidentFlowWebhookUrl
    onCallEmail: onCallEmail
    tags: tags
  }
}

module containerInsights 'container-insights.bicep' = {
  name: 'monitoring-container-insights'
  params: {
    clusterName: clusterName
    logAnalyticsWorkspaceId: logAnalyticsWorkspaceId
    namespaces: [
      'contoso-shop-${environment}'
      'kube-system'
    ]
    location: location
    tags: tags
  }
}

module rules 'prometheus-rule-groups.bicep' = {
  name: 'monitoring-prometheus-rules'
  params: {
    clusterName: clusterName
    azureMonitorWorkspaceId: azureMonitorWorkspaceId
    actionGroupId: actionGroup.outputs.id
    location: location
    tags: tags
  }
}

module sagaWorkbook 'saga-workbook.bicep' = {
  name: 'monitoring-saga-workbook'
  params: {
    logAnalyticsWorkspaceId: logAnalyticsWorkspaceId
    location: location
    tags: tags
  }
}

@description('The resource ID of the action group every shop alert notifies.')
output actionGroupId string = actionGroup.outputs.id

@description('The resource ID of the Container Insights data collection rule.')
output containerInsightsRuleId string = containerInsights.outputs.dataCollectionRuleId

@description('The resource IDs of the Prometheus rule groups.')
output ruleGroupIds array = rules.outputs.ruleGroupIds

@description('The resource ID of the saga workbook.')
output sagaWorkbookId string = sagaWorkbook.outputs.id
