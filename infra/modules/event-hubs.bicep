// Event Hubs namespace with exactly the hubs and consumer groups of the local emulator
// (emulators/eventhubs/config/platform.json); the drift check in infra/tools compares them.

@description('Required. Namespace name (CAF: evhns-), 6 to 50 characters, globally unique.')
@minLength(6)
@maxLength(50)
param namespaceName string

@description('Required. Tier; Standard allows consumer groups beyond $Default and 7 days of retention.')
@allowed([
  'Standard'
  'Premium'
])
param sku string

@description('Required. Throughput units (Standard) or processing units (Premium).')
@minValue(1)
@maxValue(20)
param capacity int

@description('Required. The event hubs.')
param eventHubs eventHub[]

@description('Required. Consumer groups besides $Default, which always exists.')
param consumerGroups consumerGroup[]

@description('Required. Log Analytics workspace id for the namespace\'s diagnostic logs.')
param logAnalyticsWorkspaceId string

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Tags applied to every resource.')
param tags object = {}

@description('An event hub.')
type eventHub = {
  name: string
  partitionCount: int
  retentionInHours: int
}

@description('A consumer group of an event hub.')
type consumerGroup = {
  hub: string
  name: string
}

resource namespace 'Microsoft.EventHub/namespaces@2026-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    name: sku
    tier: sku
    capacity: capacity
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    isAutoInflateEnabled: false
  }
}

resource hubResources 'Microsoft.EventHub/namespaces/eventhubs@2026-01-01' = [for h in eventHubs: {
  parent: namespace
  name: h.name
  properties: {
    partitionCount: h.partitionCount
    retentionDescription: {
      cleanupPolicy: 'Delete'
      retentionTimeInHours: h.retentionInHours
    }
  }
}]

resource consumerGroupResources 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2026-01-01' = [for g in consumerGroups: {
  name: '${namespace.name}/${g.hub}/${g.name}'
  properties: {}
  dependsOn: [
    hubResources
  ]
}]

resource namespaceDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: namespace
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

@description('Fully qualified namespace (ORDER_EVENTHUBS_NAMESPACE, NOTIFICATION_EVENTHUB_NAMESPACE).')
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'

@description('Namespace name.')
output namespaceName string = namespace.name
