// Contoso Shop, dev. Group object ids come from the pipeline's variable group (SHOP_* variables).
using '../main.bicep'

param environmentName = 'dev'
param location = 'westeurope'
param tags = {
  env: 'dev'
  owner: 'platform-team@contoso.example'
  costCenter: 'CC-4711'
  workload: 'contoso-shop'
}
param names = {
  resourceGroup: 'rg-contoso-shop-dev'
  virtualNetwork: 'vnet-contoso-shop-dev'
  logAnalytics: 'log-contoso-shop-dev'
  appInsights: 'appi-contoso-shop-dev'
  monitorWorkspace: 'amw-contoso-shop-dev'
  grafana: 'amg-shop-dev'
  actionGroup: 'ag-contoso-shop-dev'
  containerRegistry: 'crcontososhopdev'
  keyVault: 'kv-contoso-shop-dev'
  cosmos: 'cosmos-contoso-shop-dev'
  sqlServer: 'sql-contoso-shop-dev'
  sqlDatabase: 'sqldb-orders-dev'
  serviceBus: 'sbns-contoso-shop-dev'
  eventHubs: 'evhns-contoso-shop-dev'
  storage: 'stcontososhopdev'
  aks: 'aks-contoso-shop-dev'
  appGateway: 'agw-contoso-shop-dev'
  identityPrefix: 'id-contoso-shop-dev'
}
param network = {
  addressPrefix: '10.40.0.0/16'
  aksNodes: '10.40.0.0/20'
  appGateway: '10.40.16.0/24'
  privateEndpoints: '10.40.17.0/24'
}
param kubernetesVersion = '1.33'
param aksTier = 'Free'
param nodePools = {
  vmSize: 'Standard_D4ds_v5'
  systemCount: 1
  userMinCount: 1
  userMaxCount: 3
  spotMaxCount: 3
}
param clusterAdminGroupObjectIds = [
  readEnvironmentVariable('SHOP_AKS_ADMIN_GROUP_ID')
]
param grafanaAdminGroupObjectId = readEnvironmentVariable('SHOP_GRAFANA_ADMIN_GROUP_ID', '')
param logRetentionInDays = 30
param logDailyQuotaGb = 5
param registrySku = 'Standard'
param cosmosCapacityMode = 'serverless'
param cosmosAutoscaleMaxThroughput = 1000
param sqlAdministrator = {
  login: 'sg-contoso-shop-sql-admins'
  objectId: readEnvironmentVariable('SHOP_SQL_ADMIN_GROUP_ID')
}
param sqlDatabaseSkuName = 'GP_S_Gen5_1'
param sqlAutoPauseDelayMinutes = 60
param serviceBusSku = 'Standard'
param eventHubsSku = 'Standard'
param eventHubsCapacity = 1
param storageSku = 'Standard_LRS'
param storageDeleteRetentionDays = 7
param keyVaultSoftDeleteRetentionInDays = 7
param appGatewayAutoscale = {
  minCapacity: 0
  maxCapacity: 2
}
param wafMode = 'Detection'
param shopHostname = 'shop-dev.contoso.example'
// The incident flow's trigger URL carries its signature: from the pipeline's secret variables, never the repo.
param incidentFlowWebhookUrl = readEnvironmentVariable('SHOP_INCIDENT_FLOW_WEBHOOK_URL')
param onCallEmail = ''
