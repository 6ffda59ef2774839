// Contoso Shop in one subscription-scope deployment: the environment's resource group and every module.
// Deployed as a Deployment Stack from a Template Spec (infra/scripts); parameters per environment in env/.
targetScope = 'subscription'

@description('Required. The environment this deployment is.')
@allowed([
  'dev'
  'staging'
  'prod'
])
param environmentName string

@description('Required. Azure region of every resource.')
param location string

@description('Required. Tags on the resource group and every resource.')
param tags environmentTags

@description('Required. CAF names of the resources; each carries the environment suffix.')
param names resourceNames

@description('Required. Virtual network address space and subnets.')
param network networkLayout

@description('Required. Kubernetes minor version.')
param kubernetesVersion string

@description('Required. AKS control plane tier.')
@allowed([
  'Free'
  'Standard'
])
param aksTier string

@description('Required. AKS node pools (spotMaxCount 0 = no spot pool).')
param nodePools object

@description('Required. Entra groups with cluster admin (Azure RBAC).')
param clusterAdminGroupObjectIds string[]

@description('Optional. Entra group administering Grafana.')
param grafanaAdminGroupObjectId string = ''

@description('Required. Log Analytics and Application Insights retention in days.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int

@description('Required. Log Analytics daily cap in GB; -1 for none.')
param logDailyQuotaGb int

@description('Required. Container registry SKU.')
@allowed([
  'Standard'
  'Premium'
])
param registrySku string

@description('Required. Cosmos DB capacity mode.')
@allowed([
  'serverless'
  'autoscale'
])
param cosmosCapacityMode string

@description('Optional. Autoscale maximum RU/s per container.')
param cosmosAutoscaleMaxThroughput int = 1000

@description('Required. Entra group administering Azure SQL.')
param sqlAdministrator object

@description('Required. Azure SQL database SKU.')
param sqlDatabaseSkuName string

@description('Optional. Serverless auto-pause delay in minutes; -1 never pauses.')
param sqlAutoPauseDelayMinutes int = -1

@description('Required. Service Bus tier.')
@allowed([
  'Standard'
  'Premium'
])
param serviceBusSku string

@description('Required. Event Hubs tier.')
@allowed([
  'Standard'
  'Premium'
])
param eventHubsSku string

@description('Required. Event Hubs throughput units.')
param eventHubsCapacity int

@description('Required. Storage redundancy.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GZRS'
])
param storageSku string

@description('Required. Blob soft delete days.')
param storageDeleteRetentionDays int

@description('Required. Key Vault soft delete days.')
param keyVaultSoftDeleteRetentionInDays int

@description('Required. Application Gateway autoscale bounds.')
param appGatewayAutoscale object

@description('Required. WAF mode.')
@allowed([
  'Detection'
  'Prevention'
])
param wafMode string

@description('Required. Public host name of the shop in this environment (a CNAME to the gateway).')
param shopHostname string

@description('Required. HTTP trigger URL of the Power Automate incident flow, the webhook every alert calls. It carries the flow\'s signature: the parameter files read it from SHOP_INCIDENT_FLOW_WEBHOOK_URL at deploy time, never from the repo.')
@secure()
param incidentFlowWebhookUrl string

@description('Optional. Email address of the on-call rotation the alerts also notify; none when empty.')
param onCallEmail string = ''

@description('Tags every resource carries (CAF).')
type environmentTags = {
  env: 'dev' | 'staging' | 'prod'
  owner: string
  costCenter: string
  workload: string
}

@description('Names of the resources (CAF abbreviations, environment suffix).')
type resourceNames = {
  resourceGroup: string
  virtualNetwork: string
  logAnalytics: string
  appInsights: string
  monitorWorkspace: string
  grafana: string
  actionGroup: string
  containerRegistry: string
  keyVault: string
  cosmos: string
  sqlServer: string
  sqlDatabase: string
  serviceBus: string
  eventHubs: string
  storage: string
  aks: string
  appGateway: string
  identityPrefix: string
}

@description('Address space and subnet prefixes.')
type networkLayout = {
  addressPrefix: string
  aksNodes: string
  appGateway: string
  privateEndpoints: string
}

// Kubernetes namespace of the environment; service accounts are named after the components.
var kubernetesNamespace = 'contoso-shop-${environmentName}'

// The components that call Azure (harness/platform.yaml names); the frontend is static and holds no identity.
var workloadComponents = [
  'product'
  'order'
  'payment'
  'payment-worker'
  'notification'
  'analytics'
]

// Service Bus entities: emulators/servicebus/config/platform.json, kept equal by the drift check.
var serviceBusQueues = [
  {
    name: 'payment-requests'
    lockDuration: 'PT30S'
    maxDeliveryCount: 5
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    defaultMessageTimeToLive: 'P14D'
    deadLetteringOnMessageExpiration: false
    requiresSession: false
  }
]
var serviceBusTopics = [
  {
    name: 'payment-events'
    defaultMessageTimeToLive: 'P14D'
    requiresDuplicateDetection: false
    duplicateDetectionHistoryTimeWindow: 'PT20S'
  }
]
var serviceBusSubscriptions = [
  {
    topic: 'payment-events'
    name: 'order-service'
    lockDuration: 'PT1M'
    maxDeliveryCount: 5
    defaultMessageTimeToLive: 'P14D'
    deadLetteringOnMessageExpiration: false
    requiresSession: false
  }
]
var serviceBusRules = []

// Event Hubs entities: emulators/eventhubs/config/platform.json, kept equal by the drift check.
var eventHubs = [
  {
    name: 'order-events'
    partitionCount: 4
    retentionInHours: 168
  }
]
var eventHubConsumerGroups = [
  {
    hub: 'order-events'
    name: 'notification-service'
  }
  {
    hub: 'order-events'
    name: 'analytics'
  }
]

var blobContainers = [
  'product-images'
  'notification-checkpoints'
  'analytics-checkpoints'
]
var tables = [
  'payments'
  'notifications'
]

// Who uses what (harness/platform.yaml env and services/*): each grant is the least role on one entity.
var dataGrants = [
  {
    component: 'product'
    role: 'Storage Blob Data Contributor'
    scope: 'blobContainer'
    target: 'product-images'
  }
  {
    component: 'order'
    role: 'Azure Service Bus Data Sender'
    scope: 'serviceBusQueue'
    target: 'payment-requests'
  }
  {
    component: 'order'
    role: 'Azure Service Bus Data Receiver'
    scope: 'serviceBusTopic'
    target: 'payment-events'
  }
  {
    component: 'order'
    role: 'Azure Event Hubs Data Sender'
    scope: 'eventHub'
    target: 'order-events'
  }
  {
    component: 'payment'
    role: 'Azure Service Bus Data Sender'
    scope: 'serviceBusTopic'
    target: 'payment-events'
  }
  {
    component: 'payment'
    role: 'Storage Table Data Contributor'
    scope: 'table'
    target: 'payments'
  }
  {
    component: 'payment'
    role: 'Key Vault Secrets User'
    scope: 'keyVault'
    target: names.keyVault
  }
  {
    component: 'payment-worker'
    role: 'Azure Service Bus Data Receiver'
    scope: 'serviceBusQueue'
    target: 'payment-requests'
  }
  {
    component: 'payment-worker'
    role: 'Azure Service Bus Data Sender'
    scope: 'serviceBusTopic'
    target: 'payment-events'
  }
  {
    component: 'payment-worker'
    role: 'Storage Table Data Contributor'
    scope: 'table'
    target: 'payments'
  }
  {
    component: 'payment-worker'
    role: 'Key Vault Secrets User'
    scope: 'keyVault'
    target: names.keyVault
  }
  {
    component: 'notification'
    role: 'Azure Event Hubs Data Receiver'
    scope: 'eventHub'
    target: 'order-events'
  }
  {
    component: 'notification'
    role: 'Storage Blob Data Contributor'
    scope: 'blobContainer'
    target: 'notification-checkpoints'
  }
  {
    component: 'notification'
    role: 'Storage Table Data Contributor'
    scope: 'table'
    target: 'notifications'
  }
  {
    component: 'analytics'
    role: 'Azure Event Hubs Data Receiver'
    scope: 'eventHub'
    target: 'order-events'
  }
  {
    component: 'analytics'
    role: 'Storage Blob Data Contributor'
    scope: 'blobContainer'
    target: 'analytics-checkpoints'
  }
]

// Every service exports its traces to Application Insights as its own identity: the component accepts only
// Entra-authenticated ingestion (local auth is off), by identities with Monitoring Metrics Publisher on it.
var telemetryGrants = [for component in workloadComponents: {
  component: component
  role: 'Monitoring Metrics Publisher'
  scope: 'appInsights'
  target: names.appInsights
}]

resource group 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: names.resourceGroup
  location: location
  tags: tags
}

module logs 'modules/log-analytics.bicep' = {
  name: 'logs'
  scope: group
  params: {
    workspaceName: names.logAnalytics
    appInsightsName: names.appInsights
    retentionInDays: logRetentionInDays
    dailyQuotaGb: logDailyQuotaGb
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: group
  params: {
    monitorWorkspaceName: names.monitorWorkspace
    grafanaName: names.grafana
    grafanaAdminGroupObjectId: grafanaAdminGroupObjectId
    logAnalyticsWorkspaceId: logs.outputs.workspaceId
    location: location
    tags: tags
  }
}

module vnet 'modules/network.bicep' = {
  name: 'network'
  scope: group
  params: {
    vnetName: names.virtualNetwork
    addressPrefix: network.addressPrefix
    subnets: {
      aksNodes: network.aksNodes
      appGateway: network.appGateway
      privateEndpoints: network.privateEndpoints
    }
    logAnalyticsWorkspaceId: logs.outputs.workspaceId
    location: location
    tags: tags
  }
}

module gateway 'modules/app-gateway.bicep' = {
  name: 'app-gateway'
  scope: group
  params: {
    gatewayName: names.appGateway
    subnetId: vnet.outputs.appGatewaySubnetId
    autoscale: appGatewayAutoscale
    wafMode: wafMode
    dnsLabel: names.appGateway
    logAnalyticsWorkspaceId: logs.outputs.workspaceId
    location: location
    tags: tags
  }
}

module aks 'modules/aks.bicep' = {
  name: 'aks'
  scope: group
  params: {
    clusterName: names.aks
    kubernetesVersion: kubernetesVersion
    tier: aksTier
    nodeSubnetId: vnet.outputs.aksNodesSubnetId
    adminGroupObjectIds: clusterAdminGroupObjectIds
    pools: nodePools
    logAnalyticsWorkspaceId: logs.outputs.workspaceId
    applicationGatewayId: gateway.outputs.gatewayId
    location: location
    tags: tags
  }
}

module clusterMonitoring 'modules/cluster-monitoring.bicep' = {
  name: 'cluster-monitoring'
  scope: group
  params: {
    clusterName: aks.outputs.clusterName
    prometheusDataCollectionRuleId: monitoring.outputs.prometheusDataCollectionRuleId
    prometheusDataCollectionEndpointId: monitoring.outputs.prometheusDataCollectionEndpointId
  }
}

// Container Insights, the action group, the SLO alerts and the saga workbook (monitoring/ owns them), on the
// workspaces and the cluster this template owns.
module azureMonitor '../monitoring/azure/monitoring.bicep' = {
  name: 'azure-monitor'
  scope: group
  params: {
    environment: environmentName
    clusterName: aks.outputs.clusterName
    logAnalyticsWorkspaceId: logs.outputs.workspaceId
    azureMonitorWorkspaceId: monitoring.outputs.monitorWorkspaceId
    actionGroupName: names.actionGroup
    incidentFlowWebhookUrl: incidentFlowWebhookUrl
    onCallEmail: onCallEmail
    location: location
    tags: tags
  }
}

module agicAccess 'modules/agic-access.bicep' = {
  name: 'agic-access'
  scope: group
  params: {
    agicPrincipalId: aks.outputs.agicPrincipalId
    gatewayName: names.appGateway
    vnetName: names.virtualNetwork
  }
}

module registry 'modules/container-registry.bicep' = {
  name: 'container-registry'
  scope: group
  params: {
    registryName: names.containerRegistry
    sku: registrySku
    kubeletPrincipalId: aks.outputs.kubeletPrincipalId
    logAnalyticsWorkspaceId: logs.outputs.workspaceId
    location: location
    tags: tags
  }
}

module identities 'modules/workload-identities.bicep' = {
  name: 'workload-identities'
  scope: group
  params: {
    components: workloadComponents
    namePrefix: names.identityPrefix
    kubernetesNamespace: kubernetesNamespace
    oidcIssuerUrl: aks.outputs.oidcIssuerUrl
    location: location
    tags: tags
  }
}

var principalIds = toObject(identities.outputs.identities, i => i.component, i => i.principalId)

module vault 'modules/key-vault.bicep' = {
  name: 'key-vault'
  scope: group
  params: {
    vaultName: names.keyVault
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    logAnalyticsWorkspaceId: logs.outputs.workspaceId
    location: location
    tags: tags
  }
}

module cosmos 'modules/cosmos-db.bicep' = {
  name: 'cosmos-db'
  scope: group
  params: {
    accountName: names.cosmos
    capacityMode: cosmosCapacityMode
    autoscaleMaxThroughput: cosmosAutoscaleMaxThroughput
    dataContributorPrincipalIds: [
      principalIds.product
    ]
    logAnalyticsWorkspaceId: logs.outputs.workspaceId
    location: location
    tags: tags
  }
}

module sql 'modules/sql.bicep' = {
  name: 'sql'
  scope: group
  params: {
    serverName: names.sqlServer
    databaseName: names.sqlDatabase
    administrator: sqlAdministrator
    databaseSkuName: sqlDatabaseSkuName
    autoPauseDelayMinutes: sqlAutoPauseDelayMinutes
    logAnalyticsWorkspaceId: logs.outputs.workspaceId
    location: location
    tags: tags
  }
}

module serviceBus 'modules/service-bus.bicep' = {
  name: 'service-bus'
  scope: group
  params: {
    namespaceName: names.serviceBus
    sku: serviceBusSku
    queues: serviceBusQueues
    topics: serviceBusTopics
    subscriptions: serviceBusSubscriptions
    rules: serviceBusRules
    logAnalyticsWorkspaceId: logs.outputs.workspaceId
    location: location
    tags: tags
  }
}

module eventHubsNamespace 'modules/event-hubs.bicep' = {
  name: 'event-hubs'
  scope: group
  params: {
    namespaceName: names.eventHubs
    sku: eventHubsSku
    capacity: eventHubsCapacity
    eventHubs: eventHubs
    consumerGroups: eventHubConsumerGroups
    logAnalyticsWorkspaceId: logs.outputs.workspaceId
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: group
  params: {
    accountName: names.storage
    skuName: storageSku
    blobContainers: blobContainers
    tables: tables
    deleteRetentionDays: storageDeleteRetentionDays
    logAnalyticsWorkspaceId: logs.outputs.workspaceId
    location: location
    tags: tags
  }
}

module dataAccess 'modules/data-access.bicep' = {
  name: 'data-access'
  scope: group
  params: {
    principalIds: principalIds
    grants: concat(dataGrants, telemetryGrants)
    serviceBusNamespaceName: serviceBus.outputs.namespaceName
    eventHubsNamespaceName: eventHubsNamespace.outputs.namespaceName
    storageAccountName: storage.outputs.accountName
    keyVaultName: vault.outputs.vaultName
  }
  // The Application Insights component is named in telemetryGrants, not read from the logs module's outputs.
  dependsOn: [
    logs
  ]
}

@description('Resource group of the environment.')
output resourceGroupName string = group.name

@description('ACR login server: image prefix of the pipelines and the k8s overlays.')
output acrLoginServer string = registry.outputs.loginServer

@description('AKS cluster name (az aks get-credentials).')
output aksClusterName string = aks.outputs.clusterName

@description('Kubernetes namespace of the environment.')
output kubernetesNamespace string = kubernetesNamespace

@description('Workload identity client id per component: azure.workload.identity/client-id of its service account.')
output identityClientIds object = toObject(identities.outputs.identities, i => i.component, i => i.clientId)

@description('Key Vault URI (PAYMENT_KEY_VAULT_URL) and name (SecretProviderClass keyvaultName).')
output keyVault object = {
  uri: vault.outputs.vaultUri
  name: vault.outputs.vaultName
}

@description('Host names: the public shop host and the gateway name it is a CNAME of.')
output hostnames object = {
  shop: shopHostname
  gateway: gateway.outputs.publicHostName
}

@description('Endpoints the services read instead of connection strings.')
output serviceEndpoints object = {
  cosmosEndpoint: cosmos.outputs.endpoint
  sqlServer: sql.outputs.serverFqdn
  sqlDatabase: sql.outputs.databaseName
  serviceBusNamespace: serviceBus.outputs.fullyQualifiedNamespace
  eventHubsNamespace: eventHubsNamespace.outputs.fullyQualifiedNamespace
  blobEndpoint: storage.outputs.blobEndpoint
  tableEndpoint: storage.outputs.tableEndpoint
}

@description('Application Insights connection string (OpenTelemetry exporters; Entra ingestion).')
output appInsightsConnectionString string = logs.outputs.appInsightsConnectionString

@description('Action group every shop alert notifies (the incident flow webhook, the on-call email).')
output actionGroupId string = azureMonitor.outputs.actionGroupId

@description('Managed Grafana endpoint (monitoring/grafana/azure/import-dashboards.sh imports the dashboards there).')
output grafanaEndpoint string = monitoring.outputs.grafanaEndpoint

@description('Resource id of the saga workbook (Azure Monitor Workbooks).')
output sagaWorkbookId string = azureMonitor.outputs.sagaWorkbookId
