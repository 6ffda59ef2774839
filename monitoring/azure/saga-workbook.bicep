// The saga workbook (Azure Monitor Workbooks): the order saga step by step from the services' JSON logs in
// Container Insights. Its content is saga-workbook.json, so it can be edited in the portal and exported back.
metadata description = 'Azure Monitor workbook of the Contoso Shop order saga.'

@description('Required. Resource ID of the Log Analytics workspace the workbook queries (Container Insights).')
param logAnalyticsWorkspaceId string

@description('Optional. Display name of the workbook.')
param displayName string = 'Contoso Shop - order saga'

@description('Optional. Location of the workbook.')
param location string = resourceGroup().location

@description('Optional. Tags of the workbook.')
param tags object?

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name is a GUID; this one is stable per resource group and display name (redeployable).
  name: guid(resourceGroup().id, 'contoso-shop-saga-workbook', displayName)
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    serializedData: loadTextContent('saga-workbook.json')
    sourceId: logAnalyticsWorkspaceId
    version: 'Notebook/1.0'
  }
}

@description('The resource ID of the workbook.')
output id string = workbook.id
