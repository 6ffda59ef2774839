// Everything Azure Monitor does for the shop, for infra/ to call once per environment: the Log Analytics
// workspace (retention per environment), Container Insights on the cluster, the action group (Power
// Automate incident flow), the recording rules and SLO alerts on managed Prometheus, the saga workbook and
// Azure Managed Grafana.
metadata description = 'Contoso Shop monitoring on Azure Monitor (one environment).'

@description('Required. The environment: dev, staging or prod.')
@allowed([
  'dev'
  'staging'
  'prod'
])
param environment string

@description('Required. Name of the AKS cluster.')
param clusterName string

@description('Required. Resource ID of the Azure Monitor workspace (in this resource group) the cluster\'s managed Prometheus writes to.')
param azureMonitorWorkspaceId string

@description('Required. HTTP trigger URL of the Power Automate incident flow.')
@secure()
param incidentFlowWebhookUrl string

@description('Optional. Email address of the on-call rotation.')
param onCallEmail string = ''

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Tags of every resource.')
param tags object?

module workspace 'log-analytics.bicep' = {
  name: 'monitoring-log-analytics'
  params: {
    name: 'log-shop-${environment}'
    environment: environment
    location: location
    tags: tags
  }
}

module actionGroup 'action-group.bicep' = {
  name: 'monitoring-action-group'
  params: {
    name: 'ag-shop-${environment}'
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
    logAnalyticsWorkspaceId: workspace.outputs.id
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
    logAnalyticsWorkspaceId: workspace.outputs.id
    location: location
    tags: tags
  }
}

module grafana 'managed-grafana.bicep' = {
  name: 'monitoring-grafana'
  params: {
    name: 'amg-shop-${environment}'
    azureMonitorWorkspaceId: azureMonitorWorkspaceId
    location: location
    tags: tags
  }
}

@description('The resource ID of the Log Analytics workspace.')
output logAnalyticsWorkspaceId string = workspace.outputs.id

@description('The resource ID of the action group.')
output actionGroupId string = actionGroup.outputs.id

@description('The Grafana endpoint (URL).')
output grafanaEndpoint string = grafana.outputs.endpoint
