// Storage for product images and the Event Hubs checkpoints of notification and analytics (blob) and the payment ledger and notification log
// (tables). Shared key access is off: every client authenticates with its workload identity.

@description('Required. Account name (CAF: st), 3 to 24 lower-case alphanumerics, globally unique.')
@minLength(3)
@maxLength(24)
param accountName string

@description('Required. Redundancy SKU.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GZRS'
])
param skuName string

@description('Required. Blob containers to create.')
param blobContainers string[]

@description('Required. Tables to create.')
param tables string[]

@description('Required. Days deleted blobs and containers can be restored.')
@minValue(1)
@maxValue(365)
param deleteRetentionDays int

@description('Required. Log Analytics workspace id for the blob and table diagnostic logs.')
param logAnalyticsWorkspaceId string

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Tags applied to every resource.')
param tags object = {}

resource account 'Microsoft.Storage/storageAccounts@2026-04-01' = {
  // checkov:skip=CKV_AZURE_35: reached over its public endpoint from AKS egress and hosted pipeline agents, with Entra-only auth; private endpoints in snet-pep are the planned next step (infra/README.md)
  // checkov:skip=CKV_AZURE_59: reached over its public endpoint from AKS egress and hosted pipeline agents, with Entra-only auth; private endpoints in snet-pep are the planned next step (infra/README.md)
  // checkov:skip=CKV_AZURE_206: redundancy is the skuName param: LRS in dev only, ZRS in staging and GZRS in prod (env/*.bicepparam)
  // checkov:skip=CKV_AZURE_43: the name is a param; @minLength/@maxLength bound it and env/*.bicepparam give valid CAF names
  name: accountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2026-04-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: deleteRetentionDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: deleteRetentionDays
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-04-01' = [for name in blobContainers: {
  parent: blobService
  name: name
  properties: {
    publicAccess: 'None'
  }
}]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2026-04-01' = {
  parent: account
  name: 'default'
  properties: {}
}

resource tableResources 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-04-01' = [for name in tables: {
  parent: tableService
  name: name
  properties: {}
}]

resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: blobService
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
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

resource tableDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: tableService
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
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

resource accountDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: account
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    metrics: [
      {
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

@description('Blob endpoint (PRODUCT_BLOB_ACCOUNT_URL, NOTIFICATION_CHECKPOINT_ACCOUNT_URL).')
output blobEndpoint string = account.properties.primaryEndpoints.blob

@description('Table endpoint (PAYMENT_TABLES_ENDPOINT, NOTIFICATION_TABLES_ENDPOINT).')
output tableEndpoint string = account.properties.primaryEndpoints.table

@description('Account name.')
output accountName string = account.name
