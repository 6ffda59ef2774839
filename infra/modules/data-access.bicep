// The data-plane role assignments of the workload identities, each scoped to the one entity a service
// uses (a queue, a topic, an event hub, a blob container, a table, the Application Insights component its
// traces go to) rather than the namespace or account.

@description('Required. Principal id of each component\'s workload identity, by component name.')
param principalIds object

@description('Required. Who may do what on which entity.')
param grants grant[]

@description('Required. Service Bus namespace name.')
param serviceBusNamespaceName string

@description('Required. Event Hubs namespace name.')
param eventHubsNamespaceName string

@description('Required. Storage account name.')
param storageAccountName string

@description('Required. Key Vault name.')
param keyVaultName string

@description('One role on one entity for one component.')
type grant = {
  @description('Component name (harness/platform.yaml).')
  component: string
  role: dataRole
  scope: 'serviceBusQueue' | 'serviceBusTopic' | 'eventHub' | 'blobContainer' | 'table' | 'keyVault' | 'appInsights'
  @description('Entity name within the scope kind; the vault name for keyVault, the component name for appInsights.')
  target: string
}

@description('The built-in data-plane roles the services need.')
type dataRole = 'Azure Service Bus Data Sender' | 'Azure Service Bus Data Receiver' | 'Azure Event Hubs Data Sender' | 'Azure Event Hubs Data Receiver' | 'Storage Blob Data Contributor' | 'Storage Table Data Contributor' | 'Key Vault Secrets User' | 'Monitoring Metrics Publisher'

var roleIds = {
  'Azure Service Bus Data Sender': '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  'Azure Service Bus Data Receiver': '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  'Azure Event Hubs Data Sender': '2b629674-e913-4c01-ae53-ef4638d8f975'
  'Azure Event Hubs Data Receiver': 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde'
  'Storage Blob Data Contributor': 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6'
  // Despite its name, the role Application Insights requires for any Entra-authenticated ingestion.
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb'
}
var queueGrants = filter(grants, g => g.scope == 'serviceBusQueue')
var topicGrants = filter(grants, g => g.scope == 'serviceBusTopic')
var eventHubGrants = filter(grants, g => g.scope == 'eventHub')
var containerGrants = filter(grants, g => g.scope == 'blobContainer')
var tableGrants = filter(grants, g => g.scope == 'table')
var vaultGrants = filter(grants, g => g.scope == 'keyVault')
var appInsightsGrants = filter(grants, g => g.scope == 'appInsights')

resource serviceBus 'Microsoft.ServiceBus/namespaces@2026-01-01' existing = {
  name: serviceBusNamespaceName
}

resource eventHubs 'Microsoft.EventHub/namespaces@2026-01-01' existing = {
  name: eventHubsNamespaceName
}

resource storage 'Microsoft.Storage/storageAccounts@2026-04-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2026-04-01' existing = {
  parent: storage
  name: 'default'
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2026-04-01' existing = {
  parent: storage
  name: 'default'
}

resource vault 'Microsoft.KeyVault/vaults@2026-02-01' existing = {
  name: keyVaultName
}

resource queues 'Microsoft.ServiceBus/namespaces/queues@2026-01-01' existing = [for g in queueGrants: {
  parent: serviceBus
  name: g.target
}]

resource queueRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (g, i) in queueGrants: {
  name: guid(queues[i].id, principalIds[g.component], roleIds[g.role])
  scope: queues[i]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds[g.role])
    principalId: principalIds[g.component]
    principalType: 'ServicePrincipal'
  }
}]

resource topics 'Microsoft.ServiceBus/namespaces/topics@2026-01-01' existing = [for g in topicGrants: {
  parent: serviceBus
  name: g.target
}]

resource topicRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (g, i) in topicGrants: {
  name: guid(topics[i].id, principalIds[g.component], roleIds[g.role])
  scope: topics[i]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds[g.role])
    principalId: principalIds[g.component]
    principalType: 'ServicePrincipal'
  }
}]

resource hubs 'Microsoft.EventHub/namespaces/eventhubs@2026-01-01' existing = [for g in eventHubGrants: {
  parent: eventHubs
  name: g.target
}]

resource hubRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (g, i) in eventHubGrants: {
  name: guid(hubs[i].id, principalIds[g.component], roleIds[g.role])
  scope: hubs[i]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds[g.role])
    principalId: principalIds[g.component]
    principalType: 'ServicePrincipal'
  }
}]

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-04-01' existing = [for g in containerGrants: {
  parent: blobService
  name: g.target
}]

resource containerRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (g, i) in containerGrants: {
  name: guid(containers[i].id, principalIds[g.component], roleIds[g.role])
  scope: containers[i]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds[g.role])
    principalId: principalIds[g.component]
    principalType: 'ServicePrincipal'
  }
}]

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-04-01' existing = [for g in tableGrants: {
  parent: tableService
  name: g.target
}]

resource tableRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (g, i) in tableGrants: {
  name: guid(tables[i].id, principalIds[g.component], roleIds[g.role])
  scope: tables[i]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds[g.role])
    principalId: principalIds[g.component]
    principalType: 'ServicePrincipal'
  }
}]

resource vaultRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for g in vaultGrants: {
  name: guid(vault.id, principalIds[g.component], roleIds[g.role])
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds[g.role])
    principalId: principalIds[g.component]
    principalType: 'ServicePrincipal'
  }
}]

resource appInsightsComponents 'Microsoft.Insights/components@2020-02-02' existing = [for g in appInsightsGrants: {
  name: g.target
}]

resource appInsightsRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (g, i) in appInsightsGrants: {
  name: guid(appInsightsComponents[i].id, principalIds[g.component], roleIds[g.role])
  scope: appInsightsComponents[i]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds[g.role])
    principalId: principalIds[g.component]
    principalType: 'ServicePrincipal'
  }
}]
