// Example: an AKS cluster, in one file.
// Demonstrates: Container Insights (a data collection rule into Log Analytics) and managed Prometheus (an
// Azure Monitor workspace), OIDC issuer + workload identity, Entra ID with Azure RBAC and no local accounts,
// an autoscaled user pool beside a small system pool, a spot pool outside production, and ACR pull by the
// kubelet's managed identity (AcrPull; no admin user, no image pull secret).
// The full version, split into modules with the network, Application Gateway and Key Vault, lives in
// infra/main.bicep with infra/modules/aks.bicep, cluster-monitoring.bicep (managed Prometheus),
// monitoring.bicep, log-analytics.bicep and container-registry.bicep; Container Insights' data collection
// rule is monitoring/azure/container-insights.bicep. examples/tests keep the API versions and the cluster
// settings here equal to those files.
// Check: .venv/bin/pytest examples/tests/test_bicep.py

@description('Required. Environment the cluster serves; production gets no spot pool.')
@allowed([
  'dev'
  'staging'
  'prod'
])
param environment string

@description('Required. Entra group ids with cluster admin through Azure RBAC.')
param adminGroupObjectIds string[]

@description('Optional. Kubernetes minor version.')
param kubernetesVersion string = '1.33'

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Registry name: 5 to 50 alphanumerics, globally unique.')
@minLength(5)
@maxLength(50)
param registryName string = 'crcontososhop${environment}'

var clusterName = 'aks-contoso-shop-${environment}'
var tags = {
  application: 'contoso-shop'
  environment: environment
}
// Built-in role id of AcrPull (the same in every tenant).
var acrPull = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

// --- monitoring: Log Analytics for Container Insights, an Azure Monitor workspace for Prometheus metrics ---
resource logs 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: 'log-contoso-shop-${environment}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: environment == 'prod' ? 90 : 30
    features: {
      // Ingestion by Entra identity only (the omsagent add-on below sets useAADAuth).
      disableLocalAuth: true
    }
  }
}

resource prometheus 'Microsoft.Monitor/accounts@2025-10-03' = {
  name: 'amw-contoso-shop-${environment}'
  location: location
  tags: tags
  properties: {
    publicNetworkAccess: 'Enabled'
  }
}

// --- the cluster ---------------------------------------------------------------------------------------
resource cluster 'Microsoft.ContainerService/managedClusters@2026-05-01' = {
  // checkov:skip=CKV_AZURE_8: the kube-dashboard add-on no longer exists on supported Kubernetes versions; there is nothing to disable
  // checkov:skip=CKV_AZURE_6: deploys run from hosted agents with changing IPs; the API server accepts only Entra tokens (Azure RBAC, local accounts off)
  // checkov:skip=CKV_AZURE_172: enableSecretRotation is 'true' below; ARM add-on config values are strings and the check expects a boolean
  name: clusterName
  location: location
  tags: tags
  sku: {
    name: 'Base'
    // Uptime SLA where it matters; the free control plane elsewhere.
    tier: environment == 'prod' ? 'Standard' : 'Free'
  }
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    kubernetesVersion: kubernetesVersion
    dnsPrefix: clusterName
    enableRBAC: true
    // Only Entra identities reach the API server: no static admin kubeconfig.
    disableLocalAccounts: true
    aadProfile: {
      managed: true
      enableAzureRBAC: true
      adminGroupObjectIDs: adminGroupObjectIds
      tenantID: tenant().tenantId
    }
    // Workload identity: pods exchange their service account token (issued by this OIDC issuer) for an
    // Entra token of a managed identity, so the services hold no secrets for Azure.
    oidcIssuerProfile: {
      enabled: true
    }
    securityProfile: {
      workloadIdentity: {
        enabled: true
      }
    }
    networkProfile: {
      // Azure CNI overlay: pods get addresses from podCidr, not from the virtual network.
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
    // The system pool runs only cluster add-ons (the taint keeps the shop's pods off it).
    agentPoolProfiles: [
      {
        name: 'system'
        mode: 'System'
        count: 2
        vmSize: 'Standard_D4ds_v5'
        osDiskType: 'Ephemeral'
        osDiskSizeGB: 64
        maxPods: 110
        enableEncryptionAtHost: true
        osType: 'Linux'
        osSKU: 'AzureLinux'
        type: 'VirtualMachineScaleSets'
        enableAutoScaling: false
        nodeTaints: [
          'CriticalAddonsOnly=true:NoSchedule'
        ]
      }
    ]
    addonProfiles: {
      // Container Insights agent; what it collects is set by the data collection rule below.
      omsagent: {
        enabled: true
        config: {
          logAnalyticsWorkspaceResourceID: logs.id
          useAADAuth: 'true'
        }
      }
      // Key Vault secrets as mounted files (Secrets Store CSI driver), re-read when they rotate.
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
    // Managed Prometheus: the metrics add-on scrapes the cluster into the Azure Monitor workspace.
    azureMonitorProfile: {
      metrics: {
        enabled: true
      }
    }
  }
}

// The shop's pods run here: the cluster autoscaler keeps between 2 and 5 nodes.
resource userPool 'Microsoft.ContainerService/managedClusters/agentPools@2026-05-01' = {
  parent: cluster
  name: 'user'
  properties: {
    mode: 'User'
    vmSize: 'Standard_D4ds_v5'
    osDiskType: 'Ephemeral'
    osDiskSizeGB: 64
    maxPods: 110
    enableEncryptionAtHost: true
    osType: 'Linux'
    osSKU: 'AzureLinux'
    type: 'VirtualMachineScaleSets'
    enableAutoScaling: true
    count: 2
    minCount: 2
    maxCount: 5
    scaleSetPriority: 'Regular'
  }
}

// Spot capacity outside production, scaled from zero. AKS taints spot nodes
// (kubernetes.azure.com/scalesetpriority=spot:NoSchedule): only pods that tolerate eviction land here.
resource spotPool 'Microsoft.ContainerService/managedClusters/agentPools@2026-05-01' = if (environment != 'prod') {
  // checkov:skip=CKV_AZURE_168: maxPods is 110 below; the check does not read properties of a conditional (if) resource
  // checkov:skip=CKV_AZURE_227: enableEncryptionAtHost is true below; the check does not read properties of a conditional (if) resource
  parent: cluster
  name: 'spot'
  properties: {
    mode: 'User'
    vmSize: 'Standard_D4ds_v5'
    osDiskType: 'Ephemeral'
    osDiskSizeGB: 64
    maxPods: 110
    enableEncryptionAtHost: true
    osType: 'Linux'
    osSKU: 'AzureLinux'
    type: 'VirtualMachineScaleSets'
    enableAutoScaling: true
    count: 0
    minCount: 0
    maxCount: 3
    scaleSetPriority: 'Spot'
    // Evicted nodes are deleted, not deallocated, so they cost nothing while Azure wants the capacity back.
    scaleSetEvictionPolicy: 'Delete'
    // -1: pay up to the on-demand price, never evicted for price alone.
    spotMaxPrice: -1
  }
  dependsOn: [
    userPool
  ]
}

// --- what the monitoring add-ons collect ------------------------------------------------------------------
resource containerInsightsRule 'Microsoft.Insights/dataCollectionRules@2024-03-11' = {
  name: 'MSCI-${location}-${clusterName}'
  location: location
  tags: tags
  kind: 'Linux'
  properties: {
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
          workspaceResourceId: logs.id
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

// The Azure Monitor workspace brings its own default rule for Prometheus metrics; binding it to the cluster
// sends the metrics add-on's scrapes there.
resource prometheusAssociation 'Microsoft.Insights/dataCollectionRuleAssociations@2024-03-11' = {
  name: 'managed-prometheus'
  scope: cluster
  properties: {
    dataCollectionRuleId: prometheus.properties.defaultIngestionSettings.dataCollectionRuleResourceId
  }
}

// --- the registry the kubelet pulls from by managed identity ------------------------------------------------
resource registry 'Microsoft.ContainerRegistry/registries@2025-11-01' = {
  // checkov:skip=CKV_AZURE_139: reached over its public endpoint with Entra-only auth; the full version's README plans private endpoints
  // checkov:skip=CKV_AZURE_166: image scanning is Defender for Containers, enabled per subscription outside this template
  // checkov:skip=CKV_AZURE_163: image scanning is Defender for Containers, enabled per subscription outside this template
  // checkov:skip=CKV_AZURE_233: zone redundancy is a Premium feature; the example stays on Standard
  name: registryName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
  }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
    publicNetworkAccess: 'Enabled'
  }
}

resource kubeletPulls 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  // guid() of stable inputs: the same name on every deployment, so redeploying is a no-op.
  name: guid(registry.id, clusterName, acrPull)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPull)
    principalId: cluster.properties.identityProfile.kubeletidentity.objectId
    principalType: 'ServicePrincipal'
  }
}

@description('OIDC issuer URL the workload identities federate with.')
output oidcIssuerUrl string = cluster.properties.oidcIssuerProfile.issuerURL

@description('Login server the images are pushed to and pulled from.')
output registryLoginServer string = registry.properties.loginServer
