// The Log Analytics workspace of Container Insights and the workbooks, with the log retention of each
// environment: what an incident review needs, no longer (cost).
metadata description = 'Log Analytics workspace with per-environment retention.'

@description('Required. Name of the workspace (CAF: log-<workload>-<environment>).')
param name string

@description('Required. The environment: dev, staging or prod.')
@allowed([
  'dev'
  'staging'
  'prod'
])
param environment string

@description('Optional. Location of the workspace.')
param location string = resourceGroup().location

@description('Optional. Tags of the workspace.')
param tags object?

var retentionDays = {
  dev: 30
  staging: 60
  prod: 90
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionDays[environment]
    features: {
      disableLocalAuth: true
    }
    publicNetworkAccessForIngestion: 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
  }
}

@description('The resource ID of the workspace.')
output id string = workspace.id

@description('The log retention applied, in days.')
output retentionInDays int = retentionDays[environment]
