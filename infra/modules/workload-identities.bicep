// One user-assigned identity per service, federated with the AKS OIDC issuer for the service's Kubernetes
// service account (named like the component in harness/platform.yaml) in the environment's namespace.

@description('Required. Components that get an identity (harness/platform.yaml names).')
param components string[]

@description('Required. Prefix of the identity names (CAF: id-); the component name is appended.')
param namePrefix string

@description('Required. Kubernetes namespace of the environment, e.g. contoso-shop-dev.')
param kubernetesNamespace string

@description('Required. OIDC issuer URL of the AKS cluster.')
param oidcIssuerUrl string

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Tags applied to every resource.')
param tags object = {}

resource identities 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = [for component in components: {
  name: '${namePrefix}-${component}'
  location: location
  tags: tags
}]

// Federated credentials on one identity cannot be written concurrently; there is one per identity here.
resource federations 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2024-11-30' = [for (component, i) in components: {
  parent: identities[i]
  name: 'aks-${component}'
  properties: {
    issuer: oidcIssuerUrl
    subject: 'system:serviceaccount:${kubernetesNamespace}:${component}'
    audiences: [
      'api://AzureADTokenExchange'
    ]
  }
}]

@description('Per component: client id (the service account annotation) and principal id (role assignments).')
output identities workloadIdentity[] = [for (component, i) in components: {
  component: component
  clientId: identities[i].properties.clientId
  principalId: identities[i].properties.principalId
}]

@description('What the k8s overlays and the role assignments need of an identity.')
type workloadIdentity = {
  component: string
  clientId: string
  principalId: string
}
