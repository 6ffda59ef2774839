// Contoso Shop, staging. Group object ids come from the pipeline's variable group (SHOP_* variables).
using '../main.bicep'

param environmentName = 'staging'
param location = 'westeurope'
param tags = {
  env: 'staging'
  owner: 'platform-team@contoso.example'
  costCenter: 'CC-4711'
  workload: 'contoso-shop'
}
param names = {
  resourceGroup: 'rg-contoso-shop-staging'
  virtualNetwork: 'vnet-contoso-shop-staging'
  logAnalytics: 'log-contoso-shop-staging'
  appInsights: 'appi-contoso-shop-staging'
  monitorWorkspace: 'amw-contoso-shop-staging'
  grafana: 'amg-shop-staging'
  actionGroup: 'ag-contoso-shop-staging'
  containerRegistry: 'crcontososhopstaging'
  keyVault: 'kv-contoso-shop-staging'
  cosmos: 'cosmos-contoso-shop-staging'
  sqlServer: 'sql-contoso-shop-staging'
  sqlDatabase: 'sqldb-orders-staging'
  serviceBus: 'sbns-contoso-shop-staging'
  eventHubs: 'evhns-contoso-shop-staging'
  storage: 'stcontososhopstaging'
  aks: 'aks-contoso-shop-staging'
  appGateway: 'agw-contoso-shop-staging'
  identityPrefix: 'id-contoso-shop-staging'
}
param network = {
  addressPrefix: '10.41.0.0/16'
  aksNodes: '10.41.0.0/20'
  appGateway: '10.41.16.0/24'
  privateEndpoints: '10.41.17.0/24'
}
param kubernetesVersion = '1.33'
param aksTier = 'Standard'
param nodePools = {
  vmSize: 'Standard_D4ds_v5'
  systemCount: 2
  userMinCount: 2
  userMaxCount: 5
  spotMaxCount: 5
}
param clusterAdminGroupObjectIds = [
  readEnvironmentVariable('SHOP_AKS_ADMIN_GROUP_ID')
]
param grafanaAdminGroupObjectId = readEnvironmentVariable('SHOP_GRAFANA_ADMIN_GROUP_ID', '')
param logRetentionInDays = 60
param logDailyQuotaGb = 10
param registrySku = 'Standard'
param cosmosCapacityMode = 'serverless'
param cosmosAutoscaleMaxThroughput = 1000
param sqlAdministrator = {
  login: 'sg-contoso-shop-sql-admins'
  objectId: readEnvironmentVariable('SHOP_SQL_ADMIN_GROUP_ID')
}
param sqlDatabaseSkuName = 'GP_S_Gen5_2'
param sqlAutoPauseDelayMinutes = 60
param serviceBusSku = 'Standard'
param eventHubsSku = 'Standard'
param eventHubsCapacity = 1
param storageSku = 'Standard_ZRS'
param storageDeleteRetentionDays = 14
param keyVaultSoftDeleteRetentionInDays = 30
param appGatewayAutoscale = {
  minCapacity: 1
  maxCapacity: 4
}
param wafMode = 'Prevention'
param shopHostname = 'shop-staging.contoso.example'
// The incident flow's trigger URL carries its signature: from the pipeline's secret variables, never the repo.
param incidentFlowWebhookUrl = readEnvironmentVariable('SHOP_INCIDENT_FLOW_WEBHOOK_URL')
param onCallEmail = 'shop-oncall@contoso.example'
