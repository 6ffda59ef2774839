// Contoso Shop, prod. Group object ids come from the pipeline's variable group (SHOP_* variables).
using '../main.bicep'

param environmentName = 'prod'
param location = 'westeurope'
param tags = {
  env: 'prod'
  owner: 'platform-team@contoso.example'
  costCenter: 'CC-4711'
  workload: 'contoso-shop'
}
param names = {
  resourceGroup: 'rg-contoso-shop-prod'
  virtualNetwork: 'vnet-contoso-shop-prod'
  logAnalytics: 'log-contoso-shop-prod'
  appInsights: 'appi-contoso-shop-prod'
  monitorWorkspace: 'amw-contoso-shop-prod'
  grafana: 'amg-shop-prod'
  actionGroup: 'ag-contoso-shop-prod'
  containerRegistry: 'crcontososhopprod'
  keyVault: 'kv-contoso-shop-prod'
  cosmos: 'cosmos-contoso-shop-prod'
  sqlServer: 'sql-contoso-shop-prod'
  sqlDatabase: 'sqldb-orders-prod'
  serviceBus: 'sbns-contoso-shop-prod'
  eventHubs: 'evhns-contoso-shop-prod'
  storage: 'stcontososhopprod'
  aks: 'aks-contoso-shop-prod'
  appGateway: 'agw-contoso-shop-prod'
  identityPrefix: 'id-contoso-shop-prod'
}
param network = {
  addressPrefix: '10.42.0.0/16'
  aksNodes: '10.42.0.0/20'
  appGateway: '10.42.16.0/24'
  privateEndpoints: '10.42.17.0/24'
}
param kubernetesVersion = '1.33'
param aksTier = 'Standard'
param nodePools = {
  vmSize: 'Standard_D4ds_v5'
  systemCount: 3
  userMinCount: 3
  userMaxCount: 10
  spotMaxCount: 0
}
param clusterAdminGroupObjectIds = [
  readEnvironmentVariable('SHOP_AKS_ADMIN_GROUP_ID')
]
param grafanaAdminGroupObjectId = readEnvironmentVariable('SHOP_GRAFANA_ADMIN_GROUP_ID', '')
param logRetentionInDays = 180
param logDailyQuotaGb = -1
param registrySku = 'Premium'
param cosmosCapacityMode = 'autoscale'
param cosmosAutoscaleMaxThroughput = 4000
param sqlAdministrator = {
  login: 'sg-contoso-shop-sql-admins'
  objectId: readEnvironmentVariable('SHOP_SQL_ADMIN_GROUP_ID')
}
param sqlDatabaseSkuName = 'GP_Gen5_2'
param sqlAutoPauseDelayMinutes = -1
param serviceBusSku = 'Premium'
param eventHubsSku = 'Standard'
param eventHubsCapacity = 2
param storageSku = 'Standard_GZRS'
param storageDeleteRetentionDays = 30
param keyVaultSoftDeleteRetentionInDays = 90
param appGatewayAutoscale = {
  minCapacity: 2
  maxCapacity: 10
}
param wafMode = 'Prevention'
param shopHostname = 'shop.contoso.example'
// The incident flow's trigger URL carries its signature: from the pipeline's secret variables, never the repo.
param incidentFlowWebhookUrl = readEnvironmentVariable('SHOP_INCIDENT_FLOW_WEBHOOK_URL')
param onCallEmail = 'shop-oncall@contoso.example'
