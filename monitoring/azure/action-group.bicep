// The action group every shop alert notifies: the Power Automate incident flow (its HTTP trigger URL, a
// webhook with the common alert schema) and, optionally, the on-call mailbox.
metadata description = 'Action group of Contoso Shop alerts: the Power Automate incident flow webhook.'

@description('Required. Name of the action group (CAF: ag-<workload>-<environment>).')
param name string

@description('Required. Short name shown in SMS and email (at most 12 characters).')
@maxLength(12)
param shortName string

@description('Required. HTTP trigger URL of the Power Automate incident flow; it carries its signature, so it is secret.')
@secure()
param incidentFlowWebhookUrl string

@description('Optional. Email address of the on-call rotation; none when empty.')
param onCallEmail string = ''

@description('Optional. Tags of the action group.')
param tags object?

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: name
  location: 'global'
  tags: tags
  properties: {
    groupShortName: shortName
    enabled: true
    webhookReceivers: [
      {
        name: 'incident-flow'
        serviceUri: incidentFlowWebhookUrl
        useCommonAlertSchema: true
        useAadAuth: false
      }
    ]
    emailReceivers: empty(onCallEmail) ? [] : [
      {
        name: 'on-call'
        emailAddress: onCallEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

@description('The resource ID of the action group.')
output id string = actionGroup.id
