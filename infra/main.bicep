// The invitation service in Azure: a resource group with everything it needs (see
// resources.bicep). `azd up` reads the parameters from main.parameters.json, which takes them
// from the azd environment (`azd env set NAME value`); docs/deploy.md lists them.
//
// Nothing here has been deployed from this repository's CI: it is checked by checkov only
// (scripts/test), not compiled by the Bicep CLI nor run against Azure.

targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; the resource group and the resource names derive from it.')
param environmentName string

@minLength(1)
@description('Azure region of every resource. For Flex Consumption it must be one that offers the plan: az functionapp list-flexconsumption-locations.')
param location string

@description('Resource group to create; empty: rg-{environmentName}.')
param resourceGroupName string = ''

@allowed([
  'FlexConsumption'
  'Consumption'
])
@description('FlexConsumption (default, deployed by azd) or Consumption (Linux Consumption, package fetched from blob storage; see docs/deploy.md).')
param hostingPlan string = 'FlexConsumption'

@description('The address customers see (PUBLIC_BASE_URL); empty: https:// + the Function App\'s default host name.')
param publicBaseUrl string = ''

@maxLength(40)
@description('TABLE_PREFIX: prefix of the table names, letters and digits only (table names must be alphanumeric). Empty: none.')
param tablePrefix string = ''

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGRS'
  'Standard_RAGZRS'
])
@description('Replication of the storage account that holds the service\'s tables.')
param dataStorageSku string = 'Standard_LRS'

@description('Existing Azure AD B2C tenants only: the tenant name, the part before .onmicrosoft.com (contoso for contoso.onmicrosoft.com). Ignored when b2cMetadataUrl is given.')
param b2cTenantName string = ''

@description('The sign-up and sign-in user flow (policy) name.')
param b2cUserFlow string = 'B2C_1_signupsignin'

@description('B2C_METADATA_URL, the customer identity provider\'s OpenID metadata. Entra External ID (the default path, docs/deploy.md section 1): https://{subdomain}.ciamlogin.com/{subdomain}.onmicrosoft.com/v2.0/.well-known/openid-configuration. Empty: the B2C user flow\'s, built from b2cTenantName and b2cUserFlow.')
param b2cMetadataUrl string = ''

@description('B2C_ISSUER: expected iss when it differs from the metadata\'s issuer; usually empty.')
param b2cIssuer string = ''

@minLength(1)
@description('B2C_CLIENT_ID: the application (client) id of the customer-facing app registration.')
param b2cClientId string

@secure()
@minLength(1)
@description('B2C_CLIENT_SECRET: a client secret of that app registration (stored in Key Vault).')
param b2cClientSecret string

@description('Directory (tenant) id of the staff directory (Entra ID); empty: the tenant of this subscription.')
param staffTenantId string = ''

@description('STAFF_METADATA_URL when it is not https://login.microsoftonline.com/{staffTenantId}/v2.0/.well-known/openid-configuration.')
param staffMetadataUrl string = ''

@minLength(1)
@description('STAFF_AUDIENCE: the aud of staff access tokens (for v2.0 tokens: the staff API app registration\'s client id).')
param staffAudience string

@description('STAFF_ROLE: the app role a staff token must carry.')
param staffRole string = 'Invitations.Send'

@description('STAFF_PRIVACY_ROLE: the app role the personal-data calls (export, erasure) need.')
param staffPrivacyRole string = 'Invitations.Privacy'

@description('STAFF_READ_ROLE: the app role of programs that only read (every GET of the staff API but the export).')
param staffReadRole string = 'Invitations.Read'

@description('CLAIMS_AUDIENCE: the aud of the tokens Entra\'s authentication events service sends to POST /api/TokenIssuanceStart (the custom claims provider\'s app registration, docs/deploy.md section 7); empty: the claims provider is off.')
param claimsAudience string = ''

@description('CLAIMS_ISSUER: an iss accepted beside the customer provider\'s for those tokens (e.g. https://{tenant id}.ciamlogin.com/{tenant id}/v2.0); empty: only the provider\'s.')
param claimsIssuer string = ''

@description('PRODUCT_URL: where customers go on after onboarding ("Continue to PRODUCT_NAME" on Home); empty: no link.')
param productUrl string = ''

@description('RETENTION_DAYS: days (1 to 3650) an expired or revoked invitation is kept before PurgeEnded erases it.')
param retentionDays string = '90'

@description('REMINDER_AFTER_DAYS: days (0 to 30; 0 off) after which an invitation never opened gets its one reminder (SendReminders) and is listed under "needs a nudge".')
param reminderAfterDays string = '3'

@description('STAFF_CLIENT_ID: client id of the staff pages\' app registration; empty: the staff pages are off.')
param staffClientId string = ''

@secure()
@description('STAFF_CLIENT_SECRET: a client secret of that app registration (stored in Key Vault); empty when staffClientId is.')
param staffClientSecret string = ''

@secure()
@minLength(1)
@description('SMTP_URL, e.g. smtps://user:password@smtp.example.com:465 (stored in Key Vault: it holds the password).')
param smtpUrl string

@description('MAIL_FROM: sender address; empty: no-reply@ the public host.')
param mailFrom string = ''

@secure()
@minLength(88)
@description('COOKIE_KEY: base64 of at least 64 random bytes (openssl rand -base64 64 | tr -d \'\\n\'), stored in Key Vault.')
param cookieKey string

@description('PRODUCT_NAME shown in emails and pages; empty: the handler\'s default.')
param productName string = ''

// Flex Consumption accepts 40 to 1000 (https://learn.microsoft.com/azure/azure-functions/flex-consumption-how-to#set-instance-count-limits).
@minValue(40)
@maxValue(1000)
@description('Flex Consumption: most instances the app scales out to (40 to 1000; ignored on Consumption).')
param flexMaximumInstanceCount int = 40

// The instance sizes Flex Consumption offers (https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan#instance-memory);
// Microsoft.Web/sites@2024-04-01 types functionAppConfig.scaleAndConcurrency.instanceMemoryMB
// as a plain int (https://learn.microsoft.com/azure/templates/microsoft.web/2024-04-01/sites?pivots=deployment-language-bicep).
@allowed([
  512
  2048
  4096
])
@description('Flex Consumption: memory of each instance, in MB (ignored on Consumption).')
param flexInstanceMemoryMB int = 2048

@description('Object id of the person or pipeline running azd (azd passes AZURE_PRINCIPAL_ID). With hostingPlan Consumption it may upload the package blob; empty: no such role.')
param deployerPrincipalId string = ''

@description('true: an Event Grid topic for the service\'s events, published to with the app\'s managed identity (docs/events.md). Webhooks need no infrastructure: set EVENTS_WEBHOOK_URLS and EVENTS_WEBHOOK_SECRET (a Key Vault reference) as app settings.')
param eventGridTopic bool = false

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
// The usual forms of the two providers' OpenID metadata addresses.
var b2cUserFlowMetadataUrl = 'https://${b2cTenantName}.b2clogin.com/${b2cTenantName}.onmicrosoft.com/${b2cUserFlow}/v2.0/.well-known/openid-configuration'
var staffTenant = empty(staffTenantId) ? subscription().tenantId : staffTenantId
var entraMetadataUrl = 'https://login.microsoftonline.com/${staffTenant}/v2.0/.well-known/openid-configuration'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  location: location
  tags: tags
}

module resources 'resources.bicep' = {
  name: 'invitations-${resourceToken}'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    hostingPlan: hostingPlan
    publicBaseUrl: publicBaseUrl
    tablePrefix: tablePrefix
    dataStorageSku: dataStorageSku
    b2cMetadataUrl: empty(b2cMetadataUrl) ? b2cUserFlowMetadataUrl : b2cMetadataUrl
    b2cIssuer: b2cIssuer
    b2cClientId: b2cClientId
    b2cClientSecret: b2cClientSecret
    staffMetadataUrl: empty(staffMetadataUrl) ? entraMetadataUrl : staffMetadataUrl
    staffAudience: staffAudience
    staffRole: staffRole
    staffPrivacyRole: staffPrivacyRole
    staffReadRole: staffReadRole
    claimsAudience: claimsAudience
    claimsIssuer: claimsIssuer
    productUrl: productUrl
    retentionDays: retentionDays
    reminderAfterDays: reminderAfterDays
    staffClientId: staffClientId
    staffClientSecret: staffClientSecret
    smtpUrl: smtpUrl
    mailFrom: mailFrom
    cookieKey: cookieKey
    productName: productName
    flexMaximumInstanceCount: flexMaximumInstanceCount
    flexInstanceMemoryMB: flexInstanceMemoryMB
    deployerPrincipalId: deployerPrincipalId
    eventGridTopic: eventGridTopic
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output FUNCTION_APP_NAME string = resources.outputs.functionAppName
output PUBLIC_BASE_URL string = resources.outputs.publicBaseUrl
output B2C_REDIRECT_URIS string = resources.outputs.b2cRedirectUris
output STAFF_REDIRECT_URI string = resources.outputs.staffRedirectUri
output PACKAGE_CONTAINER_URL string = resources.outputs.packageContainerUrl
output TABLE_SERVICE_URI string = resources.outputs.tableServiceUri
output KEY_VAULT_NAME string = resources.outputs.keyVaultName
