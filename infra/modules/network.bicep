// The virtual network: AKS nodes (pods get overlay addresses, not subnet addresses), the Application
// Gateway subnet AGIC programs, and a subnet for private endpoints. One NSG per subnet.

@description('Required. Virtual network name (CAF: vnet-).')
param vnetName string

@description('Required. Address space of the virtual network, e.g. 10.40.0.0/16.')
param addressPrefix string

@description('Required. Subnet prefixes.')
param subnets subnetPrefixes

@description('Required. Log Analytics workspace id for the NSG diagnostic logs.')
param logAnalyticsWorkspaceId string

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Tags applied to every resource.')
param tags object = {}

@description('Address prefixes of the three subnets.')
type subnetPrefixes = {
  @description('AKS node pools.')
  aksNodes: string
  @description('Application Gateway (a dedicated subnet, /24 recommended).')
  appGateway: string
  @description('Private endpoints of the data services.')
  privateEndpoints: string
}

resource aksNodesNsg 'Microsoft.Network/networkSecurityGroups@2025-09-01' = {
  name: 'nsg-${vnetName}-aks'
  location: location
  tags: tags
  properties: {
    securityRules: []
  }
}

// Application Gateway v2 needs the GatewayManager range and the load balancer probe open.
resource appGatewayNsg 'Microsoft.Network/networkSecurityGroups@2025-09-01' = {
  name: 'nsg-${vnetName}-agw'
  location: location
  tags: tags
  properties: {
    securityRules: [
      {
        name: 'allow-gateway-manager'
        properties: {
          priority: 100
          direction: 'Inbound'
          access: 'Allow'
          protocol: 'Tcp'
          sourceAddressPrefix: 'GatewayManager'
          sourcePortRange: '*'
          destinationAddressPrefix: '*'
          destinationPortRange: '65200-65535'
        }
      }
      {
        name: 'allow-https-in'
        properties: {
          priority: 110
          direction: 'Inbound'
          access: 'Allow'
          protocol: 'Tcp'
          sourceAddressPrefix: 'Internet'
          sourcePortRange: '*'
          destinationAddressPrefix: '*'
          destinationPortRanges: [
            '80'
            '443'
          ]
        }
      }
      {
        name: 'allow-load-balancer'
        properties: {
          priority: 120
          direction: 'Inbound'
          access: 'Allow'
          protocol: '*'
          sourceAddressPrefix: 'AzureLoadBalancer'
          sourcePortRange: '*'
          destinationAddressPrefix: '*'
          destinationPortRange: '*'
        }
      }
    ]
  }
}

resource privateEndpointsNsg 'Microsoft.Network/networkSecurityGroups@2025-09-01' = {
  name: 'nsg-${vnetName}-pep'
  location: location
  tags: tags
  properties: {
    securityRules: []
  }
}

resource vnet 'Microsoft.Network/virtualNetworks@2025-09-01' = {
  name: vnetName
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    subnets: [
      {
        name: 'snet-aks-nodes'
        properties: {
          addressPrefix: subnets.aksNodes
          networkSecurityGroup: {
            id: aksNodesNsg.id
          }
        }
      }
      {
        name: 'snet-agw'
        properties: {
          addressPrefix: subnets.appGateway
          networkSecurityGroup: {
            id: appGatewayNsg.id
          }
        }
      }
      {
        name: 'snet-pep'
        properties: {
          addressPrefix: subnets.privateEndpoints
          privateEndpointNetworkPolicies: 'Enabled'
          networkSecurityGroup: {
            id: privateEndpointsNsg.id
          }
        }
      }
    ]
  }
}

resource vnetDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: vnet
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

resource aksNodesNsgDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: aksNodesNsg
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

resource appGatewayNsgDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: appGatewayNsg
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

resource privateEndpointsNsgDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: privateEndpointsNsg
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

@description('Resource id of the AKS node subnet.')
output aksNodesSubnetId string = vnet.properties.subnets[0].id

@description('Resource id of the Application Gateway subnet.')
output appGatewaySubnetId string = vnet.properties.subnets[1].id

@description('Resource id of the private endpoint subnet.')
output privateEndpointsSubnetId string = vnet.properties.subnets[2].id
