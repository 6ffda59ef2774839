// Managed Prometheus storage (Azure Monitor workspace) and Managed Grafana reading it.

@description('Required. Azure Monitor workspace name (CAF: amw-).')
param monitorWorkspaceName string

@description('Required. Managed Grafana name (CAF: amg-), 2 to 23 characters.')
@minLength(2)
@maxLength(23)
param grafanaName string

@description('Required. Log Analytics workspace id for Grafana\'s diagnostic logs.')
param logAnalyticsWorkspaceId string

@description('Optional. Entra object id of the group that administers Grafana; empty for none.')
param grafanaAdminGroupObjectId string = ''

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Tags applied to every resource.')
param tags object = {}

// Built-in role ids (stable across tenants).
var monitoringDataReader = 'b0d8363b-8ddd-447d-831f-62ca05bff136'
var grafanaAdmin = '22926164-76b3-42b3-bc55-97df8dab3e41'

resource monitorWorkspace 'Microsoft.Monitor/accounts@2025-10-03' = {
  name: monitorWorkspaceName
  location: location
  tags: tags
  properties: {
    publicNetworkAccess: 'Enabled'
  }
}

resource grafana 'Microsoft.Dashboard/grafana@2025-08-01' = {
  name: grafanaName
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
          azureMonitorWorkspaceResourceId: monitorWorkspace.id
        }
      ]
    }
  }
}

resource grafanaReadsMetrics 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(monitorWorkspace.id, grafana.id, monitoringDataReader)
  scope: monitorWorkspace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringDataReader)
    principalId: grafana.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource grafanaAdmins 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(grafanaAdminGroupObjectId)) {
  name: guid(grafana.id, grafanaAdminGroupObjectId, grafanaAdmin)
  scope: grafana
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grafanaAdmin)
    principalId: grafanaAdminGroupObjectId
    principalType: 'Group'
  }
}

resource grafanaDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: grafana
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

@description('Resource id of the Azure Monitor workspace (managed Prometheus).')
output monitorWorkspaceId string = monitorWorkspace.id

@description('Resource id of the default data collection rule of the Azure Monitor workspace.')
output prometheusDataCollectionRuleId string = monitorWorkspace.properties.defaultIngestionSettings.dataCollectionRuleResourceId

@description('Resource id of the default data collection endpoint of the Azure Monitor workspace.')
output prometheusDataCollectionEndpointId string = monitorWorkspace.properties.defaultIngestionSettings.dataCollectionEndpointResourceId

@description('Grafana endpoint URL.')
output grafanaEndpoint string = grafana.properties.endpoint
