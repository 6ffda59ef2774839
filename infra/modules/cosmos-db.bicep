// Cosmos DB (NoSQL) for the product service: serverless where traffic is occasional, provisioned autoscale
// where it is steady. Keys are disabled; the product identity gets the built-in data contributor role.

@description('Required. Account name (CAF: cosmos-), 3 to 44 lower-case characters, globally unique.')
@minLength(3)
@maxLength(44)
param accountName string

@description('Required. Serverless (pay per request) or provisioned throughput with autoscale.')
@allowed([
  'serverless'
  'autoscale'
])
param capacityMode string

@description('Optional. Maximum RU/s per container when capacityMode is autoscale.')
@minValue(1000)
param autoscaleMaxThroughput int = 1000

@description('Required. Principal ids granted Cosmos DB Built-in Data Contributor on the account.')
param dataContributorPrincipalIds string[]

@description('Required. Log Analytics workspace id for the account\'s diagnostic logs.')
param logAnalyticsWorkspaceId string

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Tags applied to every resource.')
param tags object = {}

// The product service's database and containers (services/product adapters/clients.py); it cannot create
// them itself because data-plane RBAC does not cover control-plane operations.
var databaseName = 'product'
var containerNames = [
  'products'
  'reservations'
]
var builtInDataContributor = '00000000-0000-0000-0000-000000000002'

resource account 'Microsoft.DocumentDB/databaseAccounts@2026-03-15' = {
  // checkov:skip=CKV_AZURE_101: reached over its public endpoint from AKS egress and hosted pipeline agents, with Entra-only auth; private endpoints in snet-pep are the planned next step (infra/README.md)
  // checkov:skip=CKV_AZURE_99: reached over its public endpoint from AKS egress and hosted pipeline agents, with Entra-only auth; private endpoints in snet-pep are the planned next step (infra/README.md)
  name: accountName
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    capabilities: capacityMode == 'serverless' ? [
      {
        name: 'EnableServerless'
      }
    ] : []
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
    backupPolicy: {
      type: 'Continuous'
      continuousModeProperties: {
        tier: 'Continuous7Days'
      }
    }
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2026-03-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
  }
}

resource containers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2026-03-15' = [for name in containerNames: {
  parent: database
  name: name
  properties: {
    resource: {
      id: name
      partitionKey: {
        paths: [
          '/id'
        ]
        kind: 'Hash'
      }
    }
    options: capacityMode == 'autoscale' ? {
      autoscaleSettings: {
        maxThroughput: autoscaleMaxThroughput
      }
    } : {}
  }
}]

resource dataContributors 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2026-03-15' = [for principalId in dataContributorPrincipalIds: {
  parent: account
  name: guid(account.id, principalId, builtInDataContributor)
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${builtInDataContributor}'
    principalId: principalId
    scope: account.id
  }
}]

resource accountDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: account
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logAnalyticsDestinationType: 'Dedicated'
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'Requests'
        enabled: true
      }
    ]
  }
}

@description('Account endpoint (PRODUCT_COSMOS_ENDPOINT).')
output endpoint string = account.properties.documentEndpoint
