// Managed Prometheus bound to the cluster: the association of the Azure Monitor workspace's default data
// collection rule and endpoint. Container Insights (its data collection rule and association) belongs to
// monitoring/azure/container-insights.bicep, which main.bicep deploys through monitoring/azure/monitoring.bicep.

@description('Required. AKS cluster name.')
param clusterName string

@description('Required. Default data collection rule of the Azure Monitor workspace.')
param prometheusDataCollectionRuleId string

@description('Required. Default data collection endpoint of the Azure Monitor workspace.')
param prometheusDataCollectionEndpointId string

resource cluster 'Microsoft.ContainerService/managedClusters@2026-05-01' existing = {
  name: clusterName
}

resource prometheusAssociation 'Microsoft.Insights/dataCollectionRuleAssociations@2024-03-11' = {
  name: 'managed-prometheus'
  scope: cluster
  properties: {
    dataCollectionRuleId: prometheusDataCollectionRuleId
  }
}

// The metrics add-on reads its scrape configuration through this endpoint association (fixed name).
resource prometheusEndpointAssociation 'Microsoft.Insights/dataCollectionRuleAssociations@2024-03-11' = {
  name: 'configurationAccessEndpoint'
  scope: cluster
  properties: {
    dataCollectionEndpointId: prometheusDataCollectionEndpointId
  }
}
