// Collection rules bound to the cluster: Container Insights into Log Analytics and managed Prometheus into
// the Azure Monitor workspace (through the workspace's default rule).

@description('Required. AKS cluster name.')
param clusterName string

@description('Required. Log Analytics workspace id.')
param logAnalyticsWorkspaceId string

@description('Required. Default data collection rule of the Azure Monitor workspace.')
param prometheusDataCollectionRuleId string

@description('Required. Default data collection endpoint of the Azure Monitor workspace.')
param prometheusDataCollectionEndpointId string

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Tags applied to every resource.')
param tags object = {}

resource cluster 'Microsoft.ContainerService/managedClusters@2026-05-01' existing = {
  name: clusterName
}

resource containerInsightsRule 'Microsoft.Insights/dataCollectionRules@2024-03-11' = {
  name: 'MSCI-${location}-${clusterName}'
  location: location
  tags: tags
  kind: 'Linux'
  properties: {
    description: 'Container Insights for ${clusterName}'
    dataSources: {
      extensions: [
        {
          name: 'ContainerInsightsExtension'
          extensionName: 'ContainerInsights'
          streams: [
            'Microsoft-ContainerInsights-Group-Default'
          ]
          extensionSettings: {
            dataCollectionSettings: {
              interval: '1m'
              namespaceFilteringMode: 'Off'
              enableContainerLogV2: true
            }
          }
        }
      ]
    }
    destinations: {
      logAnalytics: [
        {
          name: 'workspace'
          workspaceResourceId: logAnalyticsWorkspaceId
        }
      ]
    }
    dataFlows: [
      {
        streams: [
          'Microsoft-ContainerInsights-Group-Default'
        ]
        destinations: [
          'workspace'
        ]
      }
    ]
  }
}

resource containerInsightsAssociation 'Microsoft.Insights/dataCollectionRuleAssociations@2024-03-11' = {
  name: 'ContainerInsightsExtension'
  scope: cluster
  properties: {
    dataCollectionRuleId: containerInsightsRule.id
  }
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
