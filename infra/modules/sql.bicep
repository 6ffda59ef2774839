// Azure SQL for the order service, Entra-only authentication: no SQL logins exist, the administrator is
// an Entra group, and the order identity is added as a database user by the pipeline (see README).

@description('Required. Logical server name (CAF: sql-), globally unique.')
@minLength(1)
@maxLength(63)
param serverName string

@description('Required. Database name (CAF: sqldb-).')
param databaseName string

@description('Required. The Entra administrator (a group).')
param administrator entraAdministrator

@description('Required. Database SKU, e.g. GP_S_Gen5_1 (serverless) or GP_Gen5_2.')
param databaseSkuName string

@description('Optional. Minutes idle before a serverless database pauses; -1 disables auto-pause.')
param autoPauseDelayMinutes int = -1

@description('Required. Log Analytics workspace id for the database\'s diagnostic logs.')
param logAnalyticsWorkspaceId string

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Tags applied to every resource.')
param tags object = {}

@description('The Entra group administering the server.')
type entraAdministrator = {
  @description('Display name of the group.')
  login: string
  @description('Object id of the group.')
  objectId: string
}

resource server 'Microsoft.Sql/servers@2025-01-01' = {
  // checkov:skip=CKV_AZURE_113: reached over its public endpoint from AKS egress and hosted pipeline agents, with Entra-only auth; private endpoints in snet-pep are the planned next step (infra/README.md)
  name: serverName
  location: location
  tags: tags
  properties: {
    minimalTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    restrictOutboundNetworkAccess: 'Enabled'
    administrators: {
      administratorType: 'ActiveDirectory'
      azureADOnlyAuthentication: true
      principalType: 'Group'
      login: administrator.login
      sid: administrator.objectId
      tenantId: tenant().tenantId
    }
  }
}

// 0.0.0.0 is the documented "allow Azure services" rule; AKS egress reaches the server through it.
resource allowAzureServices 'Microsoft.Sql/servers/firewallRules@2025-01-01' = {
  parent: server
  name: 'AllowAllWindowsAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

resource database 'Microsoft.Sql/servers/databases@2025-01-01' = {
  // checkov:skip=CKV_AZURE_229: zone redundancy is a cost decision per environment: the serverless and single General Purpose SKUs here run in one zone with zone-redundant backups
  // checkov:skip=CKV_AZURE_26: alerts are set on the server (securityAlertPolicies, emailAccountAdmins), which covers every database
  // checkov:skip=CKV_AZURE_27: alerts are set on the server (securityAlertPolicies, emailAccountAdmins), which covers every database
  parent: server
  name: databaseName
  location: location
  tags: tags
  sku: {
    name: databaseSkuName
  }
  properties: {
    // Auto-pause exists only for serverless SKUs (GP_S_...); provisioned databases omit it.
    autoPauseDelay: contains(databaseSkuName, '_S_') ? autoPauseDelayMinutes : null
    zoneRedundant: false
    requestedBackupStorageRedundancy: 'Zone'
  }
}

// Server audit events go to Log Analytics through the master database's diagnostic setting.
resource auditing 'Microsoft.Sql/servers/auditingSettings@2025-01-01' = {
  parent: server
  name: 'default'
  properties: {
    state: 'Enabled'
    isAzureMonitorTargetEnabled: true
    auditActionsAndGroups: [
      'SUCCESSFUL_DATABASE_AUTHENTICATION_GROUP'
      'FAILED_DATABASE_AUTHENTICATION_GROUP'
      'BATCH_COMPLETED_GROUP'
    ]
  }
}

resource threatDetection 'Microsoft.Sql/servers/securityAlertPolicies@2025-01-01' = {
  parent: server
  name: 'Default'
  properties: {
    state: 'Enabled'
    emailAccountAdmins: true
  }
}

resource masterDatabase 'Microsoft.Sql/servers/databases@2025-01-01' existing = {
  parent: server
  name: 'master'
}

resource auditDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: masterDatabase
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'SQLSecurityAuditEvents'
        enabled: true
      }
    ]
  }
  dependsOn: [
    auditing
  ]
}

resource databaseDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: database
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
        category: 'Basic'
        enabled: true
      }
    ]
  }
}

@description('Server host name (ORDER_MSSQL_SERVER).')
output serverFqdn string = server.properties.fullyQualifiedDomainName

@description('Database name (ORDER_MSSQL_DATABASE).')
output databaseName string = database.name
