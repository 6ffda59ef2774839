// Azure Managed Grafana for the shop's dashboards, with the cluster's Azure Monitor workspace (managed
// Prometheus) as its Prometheus data source. The dashboards are the same JSON as locally
// (monitoring/grafana/dashboards); monitoring/grafana/azure/import-dashboards.sh imports them.
metadata description = 'Azure Managed Grafana integrated with the Azure Monitor workspace.'

@description('Required. Name of the Grafana workspace (CAF: amg-<workload>-<environment>).')
param name string

@description('Required. Resource ID of the Azure Monitor workspace (in this resource group) the cluster sends its Prometheus metrics to.')
param azureMonitorWorkspaceId string

@description('Optional. Location of the Grafana workspace.')
param location string = resourceGroup().location

@description('Optional. Tags of the Grafana workspace.')
param tags object?

resource grafana 'Microsoft.Dashboard/grafana@2025-08-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
  }
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    // pragma: allowlist nextline secret (API keys switched off)
    apiKey: 'Disabled'
    deterministicOutboundIP: 'Disabled'
    publicNetworkAccess: 'Enabled'
    zoneRedundancy: 'Disabled'
    grafanaIntegrations: {
      azureMonitorWorkspaceIntegrations: [
        {
          azureMonitorWorkspaceResourceId: azureMonitorWorkspaceId
        }
      ]
    }
  }
}

resource azureMonitorWorkspace 'Microsoft.Monitor/accounts@2025-10-03' existing = {
  name: last(split(azureMonitorWorkspaceId, '/'))
}

// Monitoring Data Reader on the Azure Monitor workspace: Grafana's identity reads the Prometheus metrics.
resource readMetrics 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(azureMonitorWorkspaceId, grafana.id, 'b0d8363b-8ddd-447d-831f-62ca05bff136')
  scope: azureMonitorWorkspace
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      'b0d8363b-8ddd-447d-831f-62ca05bff136'
    )
    principalId: grafana.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

@description('The resource ID of the Grafana workspace.')
output id string = grafana.id

@description('The Grafana endpoint (URL).')
output endpoint string = grafana.properties.endpoint
