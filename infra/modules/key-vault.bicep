// Key Vault for the few secrets a service cannot get through its identity (the payment gateway key).
// RBAC only, no access policies; soft delete and purge protection on.

@description('Required. Vault name (CAF: kv-), 3 to 24 characters, globally unique.')
@minLength(3)
@maxLength(24)
param vaultName string

@description('Required. Days a deleted vault or secret can be recovered.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int

@description('Required. Log Analytics workspace id for the vault\'s audit logs.')
param logAnalyticsWorkspaceId string

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Tags applied to every resource.')
param tags object = {}

resource vault 'Microsoft.KeyVault/vaults@2026-02-01' = {
  // checkov:skip=CKV_AZURE_109: reached over its public endpoint from AKS egress and hosted pipeline agents, with Entra-only auth; private endpoints in snet-pep are the planned next step (infra/README.md)
  // checkov:skip=CKV_AZURE_189: reached over its public endpoint from AKS egress and hosted pipeline agents, with Entra-only auth; private endpoints in snet-pep are the planned next step (infra/README.md)
  name: vaultName
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource vaultDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: vault
  properties: {
    workspaceId: logAnalyticsWorkspaceId
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

@description('Vault URI (PAYMENT_KEY_VAULT_URL, the SecretProviderClass keyvaultName comes from vaultName).')
output vaultUri string = vault.properties.vaultUri

@description('Vault name.')
output vaultName string = vault.name
