// The container registry the pipelines push to and the AKS kubelet identity pulls from (no admin user).

@description('Required. Registry name (CAF: cr), 5 to 50 alphanumerics, globally unique.')
@minLength(5)
@maxLength(50)
param registryName string

@description('Required. SKU; Premium where retention and zone redundancy matter.')
@allowed([
  'Standard'
  'Premium'
])
param sku string

@description('Required. Object id of the AKS kubelet identity, granted AcrPull.')
param kubeletPrincipalId string

@description('Required. Log Analytics workspace id for the registry\'s diagnostic logs.')
param logAnalyticsWorkspaceId string

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Tags applied to every resource.')
param tags object = {}

var acrPull = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

resource registry 'Microsoft.ContainerRegistry/registries@2025-11-01' = {
  // checkov:skip=CKV_AZURE_139: reached over its public endpoint from AKS egress and hosted pipeline agents, with Entra-only auth; private endpoints in snet-pep are the planned next step (infra/README.md)
  // checkov:skip=CKV_AZURE_166: image scanning is Defender for Containers, enabled per subscription outside this template; quarantine is a preview feature
  // checkov:skip=CKV_AZURE_163: image scanning is Defender for Containers, enabled per subscription outside this template
  name: registryName
  location: location
  tags: tags
  sku: {
    name: sku
  }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
    publicNetworkAccess: 'Enabled'
    policies: {
      retentionPolicy: {
        days: 30
        status: sku == 'Premium' ? 'enabled' : 'disabled'
      }
    }
  }
}

resource kubeletPulls 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, kubeletPrincipalId, acrPull)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPull)
    principalId: kubeletPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource registryDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: registry
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

@description('Login server the pipelines push images to and the overlays reference.')
output loginServer string = registry.properties.loginServer

@description('Resource id of the registry.')
output registryId string = registry.id
