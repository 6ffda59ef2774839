// The AKS cluster: Azure CNI overlay with network policy, OIDC issuer and workload identity, Entra ID with
// Azure RBAC and no local accounts, Container Insights, managed Prometheus, Key Vault CSI and AGIC.

@description('Required. Cluster name (CAF: aks-).')
@minLength(1)
@maxLength(63)
param clusterName string

@description('Required. Kubernetes minor version, e.g. 1.33.')
param kubernetesVersion string

@description('Required. Control plane tier: Free for dev, Standard (uptime SLA) elsewhere.')
@allowed([
  'Free'
  'Standard'
])
param tier string

@description('Required. Node subnet id (pods use overlay addresses).')
param nodeSubnetId string

@description('Required. Entra group ids with cluster admin through Azure RBAC.')
param adminGroupObjectIds string[]

@description('Required. The system pool and the autoscaled user pools.')
param pools nodePools

@description('Required. Log Analytics workspace id (Container Insights and control plane logs).')
param logAnalyticsWorkspaceId string

@description('Required. Application Gateway id that AGIC programs.')
param applicationGatewayId string

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Tags applied to every resource.')
param tags object = {}

@description('Node pool sizing; spot is a separate autoscaled pool, absent where spotMaxCount is 0.')
type nodePools = {
  @description('VM size of all pools.')
  vmSize: string
  systemCount: int
  userMinCount: int
  userMaxCount: int
  @description('0 means no spot pool (prod).')
  spotMaxCount: int
}

var controlPlaneLogs = [
  'kube-apiserver'
  'kube-audit-admin'
  'kube-controller-manager'
  'kube-scheduler'
  'cluster-autoscaler'
  'guard'
]

resource cluster 'Microsoft.ContainerService/managedClusters@2026-05-01' = {
  // checkov:skip=CKV_AZURE_8: the kube-dashboard add-on no longer exists on supported Kubernetes versions; there is nothing to disable
  // checkov:skip=CKV_AZURE_6: deploys run from hosted agents with changing IPs; the API server accepts only Entra tokens (Azure RBAC, local accounts off)
  // checkov:skip=CKV_AZURE_172: enableSecretRotation is 'true' below; ARM add-on config values are strings and the check expects a boolean
  name: clusterName
  location: location
  tags: tags
  sku: {
    name: 'Base'
    tier: tier
  }
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    kubernetesVersion: kubernetesVersion
    dnsPrefix: clusterName
    enableRBAC: true
    disableLocalAccounts: true
    nodeResourceGroup: 'MC_${resourceGroup().name}_${clusterName}'
    aadProfile: {
      managed: true
      enableAzureRBAC: true
      adminGroupObjectIDs: adminGroupObjectIds
      tenantID: tenant().tenantId
    }
    oidcIssuerProfile: {
      enabled: true
    }
    securityProfile: {
      workloadIdentity: {
        enabled: true
      }
      imageCleaner: {
        enabled: true
        intervalHours: 48
      }
    }
    networkProfile: {
      networkPlugin: 'azure'
      networkPluginMode: 'overlay'
      networkPolicy: 'azure'
      podCidr: '192.168.0.0/16'
      serviceCidr: '172.16.0.0/16'
      dnsServiceIP: '172.16.0.10'
      loadBalancerSku: 'standard'
      outboundType: 'loadBalancer'
    }
    autoUpgradeProfile: {
      upgradeChannel: 'patch'
      nodeOSUpgradeChannel: 'NodeImage'
    }
    agentPoolProfiles: [
      {
        name: 'system'
        mode: 'System'
        count: pools.systemCount
        vmSize: pools.vmSize
        osDiskType: 'Ephemeral'
        osDiskSizeGB: 64
        maxPods: 110
        enableEncryptionAtHost: true
        osType: 'Linux'
        osSKU: 'AzureLinux'
        type: 'VirtualMachineScaleSets'
        vnetSubnetID: nodeSubnetId
        enableAutoScaling: false
        nodeTaints: [
          'CriticalAddonsOnly=true:NoSchedule'
        ]
      }
    ]
    addonProfiles: {
      omsagent: {
        enabled: true
        config: {
          logAnalyticsWorkspaceResourceID: logAnalyticsWorkspaceId
          useAADAuth: 'true'
        }
      }
      ingressApplicationGateway: {
        enabled: true
        config: {
          applicationGatewayId: applicationGatewayId
        }
      }
      azureKeyvaultSecretsProvider: {
        enabled: true
        config: {
          // pragma: allowlist nextline secret (a setting name, not a secret)
          enableSecretRotation: 'true'
        }
      }
      azurepolicy: {
        enabled: true
      }
    }
    azureMonitorProfile: {
      metrics: {
        enabled: true
      }
    }
  }
}

resource userPool 'Microsoft.ContainerService/managedClusters/agentPools@2026-05-01' = {
  parent: cluster
  name: 'user'
  properties: {
    mode: 'User'
    vmSize: pools.vmSize
    osDiskType: 'Ephemeral'
    osDiskSizeGB: 64
    maxPods: 110
    enableEncryptionAtHost: true
    osType: 'Linux'
    osSKU: 'AzureLinux'
    type: 'VirtualMachineScaleSets'
    vnetSubnetID: nodeSubnetId
    enableAutoScaling: true
    count: pools.userMinCount
    minCount: pools.userMinCount
    maxCount: pools.userMaxCount
    scaleSetPriority: 'Regular'
  }
}

// Spot capacity for the non-production environments; AKS taints these nodes
// (kubernetes.azure.com/scalesetpriority=spot:NoSchedule), so only workloads that tolerate eviction land here.
resource spotPool 'Microsoft.ContainerService/managedClusters/agentPools@2026-05-01' = if (pools.spotMaxCount > 0) {
  // checkov:skip=CKV_AZURE_168: maxPods is 110 below; the check does not read properties of a conditional (if) resource
  // checkov:skip=CKV_AZURE_227: enableEncryptionAtHost is true below; the check does not read properties of a conditional (if) resource
  parent: cluster
  name: 'spot'
  properties: {
    mode: 'User'
    vmSize: pools.vmSize
    osDiskType: 'Ephemeral'
    osDiskSizeGB: 64
    maxPods: 110
    enableEncryptionAtHost: true
    osType: 'Linux'
    osSKU: 'AzureLinux'
    type: 'VirtualMachineScaleSets'
    vnetSubnetID: nodeSubnetId
    enableAutoScaling: true
    count: 0
    minCount: 0
    maxCount: pools.spotMaxCount
    scaleSetPriority: 'Spot'
    scaleSetEvictionPolicy: 'Delete'
    spotMaxPrice: -1
  }
  dependsOn: [
    userPool
  ]
}

resource clusterDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: cluster
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logAnalyticsDestinationType: 'Dedicated'
    logs: [for category in controlPlaneLogs: {
      category: category
      enabled: true
    }]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

@description('OIDC issuer URL the workload identities federate with.')
output oidcIssuerUrl string = cluster.properties.oidcIssuerProfile.issuerURL

@description('Object id of the kubelet identity (AcrPull).')
output kubeletPrincipalId string = cluster.properties.identityProfile.kubeletidentity.objectId

@description('Object id of the AGIC add-on identity (needs rights on the gateway).')
output agicPrincipalId string = cluster.properties.addonProfiles.ingressApplicationGateway.identity.objectId

@description('Resource id of the cluster.')
output clusterId string = cluster.id

@description('Cluster name.')
output clusterName string = cluster.name
