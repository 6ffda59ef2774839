// Log Analytics (the sink of every diagnostic setting and of Container Insights) and workspace-based
// Application Insights for the services' OpenTelemetry traces.

@description('Required. Log Analytics workspace name (CAF: log-).')
@minLength(4)
@maxLength(63)
param workspaceName string

@description('Required. Application Insights component name (CAF: appi-).')
@minLength(1)
param appInsightsName string

@description('Required. Days logs are kept; differs per environment.')
@minValue(30)
@maxValue(730)
param retentionInDays int

@description('Optional. Daily ingestion cap in GB; -1 for none.')
param dailyQuotaGb int = -1

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Tags applied to every resource.')
param tags object = {}

resource workspace 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    workspaceCapping: {
      dailyQuotaGb: dailyQuotaGb
    }
    features: {
      disableLocalAuth: true
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    RetentionInDays: retentionInDays
    DisableLocalAuth: true
    IngestionMode: 'LogAnalytics'
  }
}

resource workspaceDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: workspace
  properties: {
    workspaceId: workspace.id
    logs: [
      {
        categoryGroup: 'audit'
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

resource appInsightsDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: appInsights
  properties: {
    workspaceId: workspace.id
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

@description('Resource id of the Log Analytics workspace (diagnostic settings target).')
output workspaceId string = workspace.id

@description('Application Insights connection string (no key material: local auth is off, ingestion uses Entra).')
output appInsightsConnectionString string = appInsights.properties.ConnectionString
