// Container Insights on the AKS cluster: a data collection rule sending container logs, Kubernetes
// inventory and performance counters to the Log Analytics workspace, associated with the cluster. The
// cluster's monitoring add-on (omsagent / ama-logs, enabled by infra/modules/aks.bicep) collects by this
// rule. The one Container Insights rule of the deployment: infra/ binds only managed Prometheus to the cluster.
metadata description = 'Container Insights data collection rule and its association with the AKS cluster.'

@description('Required. Name of the AKS cluster.')
param clusterName string

@description('Required. Resource ID of the Log Analytics workspace.')
param logAnalyticsWorkspaceId string

@description('Required. Namespaces whose container logs are collected (the shop\'s, kube-system); every namespace when empty.')
param namespaces array

@description('Optional. Location of the rule (the cluster\'s).')
param location string = resourceGroup().location

@description('Optional. Tags of the rule.')
param tags object?

resource aks 'Microsoft.ContainerService/managedClusters@2026-05-01' existing = {
  name: clusterName
}

resource rule 'Microsoft.Insights/dataCollectionRules@2024-03-11' = {
  name: 'MSCI-${location}-${clusterName}'
  location: location
  tags: tags
  kind: 'Linux'
  properties: {
    description: 'Container Insights of ${clusterName}'
    dataSources: {
      extensions: [
        {
          name: 'ContainerInsightsExtension'
          extensionName: 'ContainerInsights'
          streams: [
            'Microsoft-ContainerLogV2'
            'Microsoft-KubeEvents'
            'Microsoft-KubePodInventory'
            'Microsoft-KubeNodeInventory'
            'Microsoft-KubeServices'
            'Microsoft-ContainerInventory'
            'Microsoft-Perf'
            'Microsoft-InsightsMetrics'
          ]
          extensionSettings: {
            dataCollectionSettings: {
              interval: '1m'
              namespaceFilteringMode: empty(namespaces) ? 'Off' : 'Include'
              namespaces: namespaces
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
          'Microsoft-ContainerLogV2'
          'Microsoft-KubeEvents'
          'Microsoft-KubePodInventory'
          'Microsoft-KubeNodeInventory'
          'Microsoft-KubeServices'
          'Microsoft-ContainerInventory'
          'Microsoft-Perf'
          'Microsoft-InsightsMetrics'
        ]
        destinations: [
          'workspace'
        ]
      }
    ]
  }
}

resource association 'Microsoft.Insights/dataCollectionRuleAssociations@2024-03-11' = {
  name: 'ContainerInsightsExtension'
  scope: aks
  properties: {
    description: 'Container Insights of ${clusterName}'
    dataCollectionRuleId: rule.id
  }
}

@description('The resource ID of the data collection rule.')
output dataCollectionRuleId string = rule.id
