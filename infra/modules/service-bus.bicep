// Service Bus namespace with exactly the queues, topics, subscriptions and rules of the local emulator
// (emulators/servicebus/config/platform.json); the drift check in infra/tools compares them.

@description('Required. Namespace name (CAF: sbns-), 6 to 50 characters, globally unique.')
@minLength(6)
@maxLength(50)
param namespaceName string

@description('Required. Standard is enough for queues and topics; Premium adds isolation and zones.')
@allowed([
  'Standard'
  'Premium'
])
param sku string

@description('Required. The queues.')
param queues serviceBusQueue[]

@description('Required. The topics.')
param topics serviceBusTopic[]

@description('Required. The topic subscriptions.')
param subscriptions topicSubscription[]

@description('Optional. Subscription rules (SQL filters); a subscription without rules receives everything.')
param rules subscriptionRule[] = []

@description('Required. Log Analytics workspace id for the namespace\'s diagnostic logs.')
param logAnalyticsWorkspaceId string

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Tags applied to every resource.')
param tags object = {}

@description('A queue and the settings the services rely on (lock, delivery count, duplicate detection).')
type serviceBusQueue = {
  name: string
  lockDuration: string
  maxDeliveryCount: int
  requiresDuplicateDetection: bool
  duplicateDetectionHistoryTimeWindow: string
  defaultMessageTimeToLive: string
  deadLetteringOnMessageExpiration: bool
  requiresSession: bool
}

@description('A topic.')
type serviceBusTopic = {
  name: string
  defaultMessageTimeToLive: string
  requiresDuplicateDetection: bool
  duplicateDetectionHistoryTimeWindow: string
}

@description('A subscription of a topic.')
type topicSubscription = {
  topic: string
  name: string
  lockDuration: string
  maxDeliveryCount: int
  defaultMessageTimeToLive: string
  deadLetteringOnMessageExpiration: bool
  requiresSession: bool
}

@description('A subscription rule with a SQL filter.')
type subscriptionRule = {
  topic: string
  subscription: string
  name: string
  sqlExpression: string
}

resource namespace 'Microsoft.ServiceBus/namespaces@2026-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    name: sku
    tier: sku
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource queueResources 'Microsoft.ServiceBus/namespaces/queues@2026-01-01' = [for q in queues: {
  parent: namespace
  name: q.name
  properties: {
    lockDuration: q.lockDuration
    maxDeliveryCount: q.maxDeliveryCount
    requiresDuplicateDetection: q.requiresDuplicateDetection
    duplicateDetectionHistoryTimeWindow: q.duplicateDetectionHistoryTimeWindow
    defaultMessageTimeToLive: q.defaultMessageTimeToLive
    deadLetteringOnMessageExpiration: q.deadLetteringOnMessageExpiration
    requiresSession: q.requiresSession
  }
}]

resource topicResources 'Microsoft.ServiceBus/namespaces/topics@2026-01-01' = [for t in topics: {
  parent: namespace
  name: t.name
  properties: {
    defaultMessageTimeToLive: t.defaultMessageTimeToLive
    requiresDuplicateDetection: t.requiresDuplicateDetection
    duplicateDetectionHistoryTimeWindow: t.duplicateDetectionHistoryTimeWindow
  }
}]

resource subscriptionResources 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2026-01-01' = [for s in subscriptions: {
  name: '${namespace.name}/${s.topic}/${s.name}'
  properties: {
    lockDuration: s.lockDuration
    maxDeliveryCount: s.maxDeliveryCount
    defaultMessageTimeToLive: s.defaultMessageTimeToLive
    deadLetteringOnMessageExpiration: s.deadLetteringOnMessageExpiration
    requiresSession: s.requiresSession
  }
  dependsOn: [
    topicResources
  ]
}]

resource ruleResources 'Microsoft.ServiceBus/namespaces/topics/subscriptions/rules@2026-01-01' = [for r in rules: {
  name: '${namespace.name}/${r.topic}/${r.subscription}/${r.name}'
  properties: {
    filterType: 'SqlFilter'
    sqlFilter: {
      sqlExpression: r.sqlExpression
    }
  }
  dependsOn: [
    subscriptionResources
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

@description('Fully qualified namespace (ORDER_SERVICEBUS_NAMESPACE, PAYMENT_SERVICEBUS_NAMESPACE).')
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'

@description('Namespace name.')
output namespaceName string = namespace.name
