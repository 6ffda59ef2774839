// What the AGIC add-on identity needs to program the gateway: Contributor on the gateway, Reader on its
// resource group (AGIC reads the gateway's state) and Network Contributor on the gateway subnet's VNet.

@description('Required. Object id of the AGIC add-on identity.')
param agicPrincipalId string

@description('Required. Application Gateway name.')
param gatewayName string

@description('Required. Virtual network name holding the gateway subnet.')
param vnetName string

var contributor = 'b24988ac-6180-42a0-ab88-20f7382dd24c'
var reader = 'acdd72a7-3385-48ef-bd42-f606fba81ae7'
var networkContributor = '4d97b98b-1d4f-4787-a291-c67834d212e7'

resource gateway 'Microsoft.Network/applicationGateways@2025-09-01' existing = {
  name: gatewayName
}

resource vnet 'Microsoft.Network/virtualNetworks@2025-09-01' existing = {
  name: vnetName
}

resource gatewayContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(gateway.id, agicPrincipalId, contributor)
  scope: gateway
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', contributor)
    principalId: agicPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource groupReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, agicPrincipalId, reader)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', reader)
    principalId: agicPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource vnetNetworkContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vnet.id, agicPrincipalId, networkContributor)
  scope: vnet
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', networkContributor)
    principalId: agicPrincipalId
    principalType: 'ServicePrincipal'
  }
}
