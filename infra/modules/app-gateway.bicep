// Application Gateway WAF v2 as the cluster's ingress, programmed by the AGIC add-on. The gateway starts
// with one placeholder listener and pool because ARM requires them; AGIC replaces them from the Ingresses.

@description('Required. Gateway name (CAF: agw-).')
param gatewayName string

@description('Required. Dedicated subnet of the gateway.')
param subnetId string

@description('Required. Autoscale bounds (capacity units).')
param autoscale gatewayAutoscale

@description('Required. WAF mode: Detection while tuning (dev), Prevention elsewhere.')
@allowed([
  'Detection'
  'Prevention'
])
param wafMode string

@description('Required. DNS label of the public IP (the environment hostname\'s CNAME target).')
param dnsLabel string

@description('Required. Log Analytics workspace id for access and firewall logs.')
param logAnalyticsWorkspaceId string

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Tags applied to every resource.')
param tags object = {}

@description('Gateway autoscale bounds.')
type gatewayAutoscale = {
  @minValue(0)
  minCapacity: int
  @minValue(2)
  maxCapacity: int
}

var gatewayId = resourceId('Microsoft.Network/applicationGateways', gatewayName)

resource publicIp 'Microsoft.Network/publicIPAddresses@2025-09-01' = {
  name: 'pip-${gatewayName}'
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Regional'
  }
  properties: {
    publicIPAllocationMethod: 'Static'
    publicIPAddressVersion: 'IPv4'
    dnsSettings: {
      domainNameLabel: dnsLabel
    }
  }
}

resource wafPolicy 'Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies@2025-09-01' = {
  // checkov:skip=CKV_AZURE_135: Microsoft_DefaultRuleSet 2.1 contains the Log4Shell rules; the check only recognises the OWASP rule sets
  name: 'waf-${gatewayName}'
  location: location
  tags: tags
  properties: {
    policySettings: {
      state: 'Enabled'
      mode: wafMode
      requestBodyCheck: true
      maxRequestBodySizeInKb: 128
      fileUploadLimitInMb: 4
    }
    managedRules: {
      managedRuleSets: [
        {
          ruleSetType: 'Microsoft_DefaultRuleSet'
          ruleSetVersion: '2.1'
        }
        {
          ruleSetType: 'Microsoft_BotManagerRuleSet'
          ruleSetVersion: '1.1'
        }
      ]
    }
  }
}

resource gateway 'Microsoft.Network/applicationGateways@2025-09-01' = {
  name: gatewayName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'WAF_v2'
      tier: 'WAF_v2'
    }
    autoscaleConfiguration: {
      minCapacity: autoscale.minCapacity
      maxCapacity: autoscale.maxCapacity
    }
    firewallPolicy: {
      id: wafPolicy.id
    }
    sslPolicy: {
      policyType: 'CustomV2'
      minProtocolVersion: 'TLSv1_2'
      cipherSuites: [
        'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'
        'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'
      ]
    }
    gatewayIPConfigurations: [
      {
        name: 'gateway-ip'
        properties: {
          subnet: {
            id: subnetId
          }
        }
      }
    ]
    frontendIPConfigurations: [
      {
        name: 'public'
        properties: {
          publicIPAddress: {
            id: publicIp.id
          }
        }
      }
    ]
    frontendPorts: [
      {
        name: 'http'
        properties: {
          port: 80
        }
      }
    ]
    backendAddressPools: [
      {
        name: 'placeholder'
        properties: {}
      }
    ]
    backendHttpSettingsCollection: [
      {
        name: 'placeholder'
        properties: {
          port: 80
          protocol: 'Http'
          cookieBasedAffinity: 'Disabled'
          requestTimeout: 30
        }
      }
    ]
    httpListeners: [
      {
        name: 'placeholder'
        properties: {
          frontendIPConfiguration: {
            id: '${gatewayId}/frontendIPConfigurations/public'
          }
          frontendPort: {
            id: '${gatewayId}/frontendPorts/http'
          }
          protocol: 'Http'
        }
      }
    ]
    requestRoutingRules: [
      {
        name: 'placeholder'
        properties: {
          ruleType: 'Basic'
          priority: 1000
          httpListener: {
            id: '${gatewayId}/httpListeners/placeholder'
          }
          backendAddressPool: {
            id: '${gatewayId}/backendAddressPools/placeholder'
          }
          backendHttpSettings: {
            id: '${gatewayId}/backendHttpSettingsCollection/placeholder'
          }
        }
      }
    ]
  }
}

resource gatewayDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: gateway
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logAnalyticsDestinationType: 'Dedicated'
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

resource publicIpDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: publicIp
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

@description('Resource id of the gateway (AGIC add-on config).')
output gatewayId string = gateway.id

@description('Public host name of the gateway; the environment hostnames are CNAMEs to it.')
output publicHostName string = publicIp.properties.dnsSettings.fqdn
