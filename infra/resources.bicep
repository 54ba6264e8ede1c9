// Everything the invitation service runs on, in one resource group:
//
// - dataStorage: the service's tables ({TABLE_PREFIX}Invitations, InvitationIndex,
//   Companies, Accounts, Limits, PrivacyRequests). The app's managed identity holds exactly one role on it, Storage
//   Table Data Contributor, and reaches it through INVITATIONS_STORAGE__tableServiceUri.
// - hostStorage: what the Functions host itself needs (AzureWebJobsStorage: its keys, the
//   timer's locks and schedule status, the deployment package). A separate account, so
//   the broader roles the host needs there grant nothing on the service's data.
// - the Function App (Flex Consumption, or Linux Consumption) with a system-assigned
//   managed identity, a Key Vault for the secrets, Application Insights.
//
// No storage account key is used anywhere: shared key access is off on both accounts.

@description('Region of every resource.')
param location string

@description('Tags of every resource.')
param tags object

@description('Short unique token the resource names derive from.')
param resourceToken string

@allowed([
  'FlexConsumption'
  'Consumption'
])
param hostingPlan string

param publicBaseUrl string
param tablePrefix string

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGRS'
  'Standard_RAGZRS'
])
param dataStorageSku string
param b2cMetadataUrl string
param b2cIssuer string
param b2cClientId string

@secure()
param b2cClientSecret string

param staffMetadataUrl string
param staffAudience string
param staffRole string
param staffPrivacyRole string
param staffReadRole string
param claimsAudience string
param claimsIssuer string
param productUrl string
param retentionDays string
param reminderAfterDays string
param staffClientId string

@secure()
param staffClientSecret string

@secure()
param smtpUrl string

param mailFrom string

@secure()
param cookieKey string

param productName string
param flexMaximumInstanceCount int
param flexInstanceMemoryMB int
param deployerPrincipalId string

@description('Make an Event Grid topic (CloudEvents v1.0 input) that the service publishes its events to with its managed identity (docs/events.md).')
param eventGridTopic bool

var isFlex = hostingPlan == 'FlexConsumption'
var functionAppName = 'func-invitations-${resourceToken}'
// The tables the handler uses; it also creates them at start when missing, but creating
// them here means a fresh deployment never depends on that.
// tests/api/platform.rs compares this list with the tables the handler creates.
var tableNames = [
  'Invitations'
  'InvitationIndex'
  'Companies'
  'Accounts'
  'Limits'
  'PrivacyRequests'
  'Events'
]
// The deployment package: Flex Consumption's deployment container, or the blob the Linux
// Consumption app runs from (WEBSITE_RUN_FROM_PACKAGE).
var packageContainerName = 'app-package'
var packageBlobName = 'functionapp.zip'

// Built-in role definitions (their ids are the same in every tenant).
var roles = {
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  eventGridDataSender: 'd5a91429-5739-47e2-a06b-3470a27159e7'
}

// ---------------------------------------------------------------------------------------
// Monitoring

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${resourceToken}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${resourceToken}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    // Telemetry is accepted only from Entra-authenticated senders: the app's identity,
    // through APPLICATIONINSIGHTS_AUTHENTICATION_STRING and Monitoring Metrics Publisher.
    DisableLocalAuth: true
  }
}

// ---------------------------------------------------------------------------------------
// The service's data: Table Storage

resource dataStorage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  // checkov:skip=CKV_AZURE_35:The app reaches this account over its public endpoint: these Consumption plans run without a virtual network and without fixed outbound addresses a firewall rule could list, so the default action stays Allow. Every request needs an Entra token with a data role (shared keys are off).
  // checkov:skip=CKV_AZURE_59:Same reason as CKV_AZURE_35: the public endpoint stays reachable; shared key access is off and only the app's identity holds a data role.
  // checkov:skip=CKV_AZURE_43:False positive: checkov cannot evaluate the interpolated name; 'stdata' plus the 13-character lower-case uniqueString token is 19 lower-case letters and digits, within the naming rules.
  // checkov:skip=CKV_AZURE_206:Replication is the dataStorageSku parameter, LRS by default to keep a small service cheap; choose ZRS or GZRS where the tables need zone or geo redundancy.
  name: 'stdata${resourceToken}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: dataStorageSku
  }
  properties: {
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
    isLocalUserEnabled: false
    isSftpEnabled: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    encryption: {
      keySource: 'Microsoft.Storage'
      requireInfrastructureEncryption: true
      services: {
        blob: {
          enabled: true
        }
        file: {
          enabled: true
        }
        table: {
          enabled: true
          keyType: 'Account'
        }
        queue: {
          enabled: true
          keyType: 'Account'
        }
      }
    }
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: dataStorage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [
  for table in tableNames: {
    parent: tableService
    name: '${tablePrefix}${table}'
  }
]

// ---------------------------------------------------------------------------------------
// The Functions host's own storage (AzureWebJobsStorage__accountName: identity-based)

resource hostStorage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  // checkov:skip=CKV_AZURE_35:The Functions host reaches its storage over the public endpoint: these Consumption plans run without a virtual network and without fixed outbound addresses. Every request needs an Entra token (shared keys are off).
  // checkov:skip=CKV_AZURE_59:Same reason as CKV_AZURE_35.
  // checkov:skip=CKV_AZURE_43:False positive: checkov cannot evaluate the interpolated name; 'sthost' plus the 13-character lower-case uniqueString token is 19 lower-case letters and digits, within the naming rules.
  // checkov:skip=CKV_AZURE_206:Holds only what a redeploy recreates (the host's keys and timer locks, the deployment package), none of the service's data; LRS is enough.
  name: 'sthost${resourceToken}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
    isLocalUserEnabled: false
    isSftpEnabled: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    encryption: {
      keySource: 'Microsoft.Storage'
      requireInfrastructureEncryption: true
      services: {
        blob: {
          enabled: true
        }
        file: {
          enabled: true
        }
      }
    }
  }
}

resource hostBlobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: hostStorage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource packageContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: hostBlobService
  name: packageContainerName
  properties: {
    publicAccess: 'None'
  }
}

// ---------------------------------------------------------------------------------------
// Secrets

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  // checkov:skip=CKV_AZURE_109:The Function App resolves its Key Vault references from outbound addresses that are not fixed on Consumption plans, so a firewall with default Deny would lock the app out; access is by Entra RBAC only (Key Vault Secrets User for the app's identity, nothing else).
  // checkov:skip=CKV_AZURE_189:Same reason as CKV_AZURE_109: the public endpoint stays reachable, RBAC decides who reads.
  name: 'kv-${resourceToken}'
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource vaultAudit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit'
  scope: vault
  properties: {
    workspaceId: logs.id
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

resource b2cClientSecretSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  // checkov:skip=CKV_AZURE_41:An expiry would make the app's Key Vault reference fail on that date and stop customer sign-in; the secret is rotated with its app registration's client secret (docs/deploy.md).
  parent: vault
  name: 'b2c-client-secret'
  properties: {
    value: b2cClientSecret
    contentType: 'text/plain'
  }
}

resource cookieKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  // checkov:skip=CKV_AZURE_41:An expiry would make the app's Key Vault reference fail on that date and end every session; rotate by setting a new value (docs/deploy.md).
  parent: vault
  name: 'cookie-key'
  properties: {
    value: cookieKey
    contentType: 'text/plain'
  }
}

resource smtpUrlSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  // checkov:skip=CKV_AZURE_41:An expiry would make the app's Key Vault reference fail on that date and stop all email; rotated with the SMTP password.
  parent: vault
  name: 'smtp-url'
  properties: {
    value: smtpUrl
    contentType: 'text/plain'
  }
}

resource staffClientSecretSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(staffClientSecret)) {
  // checkov:skip=CKV_AZURE_41:An expiry would make the app's Key Vault reference fail on that date and stop staff sign-in; rotated with its app registration's client secret.
  // checkov:skip=CKV_AZURE_114:False positive: contentType is set below; checkov does not read the properties of a resource declared with if (the same secret without if passes this check).
  parent: vault
  name: 'staff-client-secret'
  properties: {
    value: staffClientSecret
    contentType: 'text/plain'
  }
}

// ---------------------------------------------------------------------------------------
// The Function App

var flexConsumptionSku = {
  name: 'FC1'
  tier: 'FlexConsumption'
}
var linuxConsumptionSku = {
  name: 'Y1'
  tier: 'Dynamic'
}
// Flex Consumption: the runtime and the package location live in the site's
// functionAppConfig, not in app settings (runtime.name = custom takes the place of
// FUNCTIONS_WORKER_RUNTIME=custom, which Flex Consumption does not accept).
var flexFunctionAppConfig = {
  deployment: {
    storage: {
      type: 'blobContainer'
      value: '${hostStorage.properties.primaryEndpoints.blob}${packageContainerName}'
      authentication: {
        type: 'SystemAssignedIdentity'
      }
    }
  }
  scaleAndConcurrency: {
    maximumInstanceCount: flexMaximumInstanceCount
    instanceMemoryMB: flexInstanceMemoryMB
  }
  runtime: {
    name: 'custom'
    version: '1.0'
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  // checkov:skip=CKV_AZURE_225:Zone redundancy of a Consumption plan depends on the region; the app keeps no state in its instances (everything is in Table Storage), so it is left to the operator where the region offers it.
  name: 'plan-${resourceToken}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: isFlex ? flexConsumptionSku : linuxConsumptionSku
  properties: {
    // Linux.
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  // checkov:skip=CKV_AZURE_222:Customers open their invitation links and sign up from the internet: public network access is the point of this app.
  // checkov:skip=CKV_AZURE_17:Client certificates: customers' browsers and staff tools present none; callers are authenticated by OpenID Connect (customers, staff pages) and bearer tokens (staff API).
  // checkov:skip=CKV_AZURE_212:Consumption plans scale out from zero on demand; instances kept always ready cost per hour, and the app keeps no state in its instances.
  // checkov:skip=CKV_AZURE_78:Flex Consumption rejects ftpsState, so it is not set here but in linuxConsumptionWebConfig below (Linux Consumption only); on both plans the ftp publishing-credentials policy (ftpBasicAuth) allows no FTP login.
  // checkov:skip=CKV_AZURE_213:A health check path must be a route of the app, and the contract defines none; the Functions host itself waits for the handler's GET / before sending it requests.
  name: functionAppName
  location: location
  // azd deploys the service named "handler" in azure.yaml to the site carrying this tag.
  tags: union(tags, {
    'azd-service-name': 'handler'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    publicNetworkAccess: 'Enabled'
    keyVaultReferenceIdentity: 'SystemAssigned'
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      http20Enabled: true
    }
    functionAppConfig: isFlex ? flexFunctionAppConfig : null
  }
}

// Linux Consumption only: FTPS off. Flex Consumption rejects the ftpsState property
// altogether (it is in the list of site settings Flex does not support:
// https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations
// and https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan#considerations).
resource linuxConsumptionWebConfig 'Microsoft.Web/sites/config@2024-04-01' = if (!isFlex) {
  // The same web-server checks as on appSettings below, for the same reasons (see there):
  // checkov:skip=CKV_AZURE_13:Customers and staff are signed in by the service itself (OpenID Connect, bearer tokens); Easy Auth in front would break that.
  // checkov:skip=CKV_AZURE_63:HTTP logs are a web server feature; the Functions host logs requests to Application Insights.
  // checkov:skip=CKV_AZURE_65:Detailed error pages are a web server feature; errors are logged and answered as problem details.
  // checkov:skip=CKV_AZURE_66:Failed request tracing is a web server feature; see CKV_AZURE_63.
  // checkov:skip=CKV_AZURE_80:No .NET Framework: the app is a Rust custom handler.
  // checkov:skip=CKV_AZURE_88:The app mounts no Azure Files share.
  // checkov:skip=CKV_AZURE_222:Not a network setting; the site's public access is intended (see the site's skip of the same check).
  parent: functionApp
  name: 'web'
  properties: {
    ftpsState: 'Disabled'
    minTlsVersion: '1.2'
    scmMinTlsVersion: '1.2'
    http20Enabled: true
  }
}

// Deployments go through Entra-authenticated APIs only: no FTP or SCM basic-auth publishing
// credentials.
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

// ---------------------------------------------------------------------------------------
// What the app's identity may do

// The service's only right on its data: read, write and create tables (it creates missing
// tables at start). Nothing on blobs, queues or files of this account.
resource appTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage.id, functionApp.id, roles.storageTableDataContributor)
  scope: dataStorage
  properties: {
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
  }
}

// The Functions host, not the service, needs this one, on its own account: with
// AzureWebJobsStorage__accountName it uses the app's identity to keep its keys
// (azure-webjobs-secrets), to take the blob leases that make the RetryDeliveries timer
// run once per schedule across instances and record its schedule status
// (azure-webjobs-hosts), and to read the deployment package from the app-package
// container (Flex Consumption's deployment storage, or Linux Consumption's
// WEBSITE_RUN_FROM_PACKAGE blob). These need blob read, write and container creation:
// Storage Blob Data Owner. No queue role: a timer and HTTP functions use no host queues (a blob
// trigger, if one is ever added, would need Storage Queue Data Contributor here too).
resource hostBlobs 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hostStorage.id, functionApp.id, roles.storageBlobDataOwner)
  scope: hostStorage
  properties: {
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
  }
}

// The host also writes its diagnostic events to tables in AzureWebJobsStorage; this role is
// on the host's account, which holds none of the service's tables.
resource hostTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hostStorage.id, functionApp.id, roles.storageTableDataContributor)
  scope: hostStorage
  properties: {
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
  }
}

// Reading the secrets behind the @Microsoft.KeyVault(...) app settings.
resource appSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, functionApp.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

// Sending telemetry to Application Insights, which accepts Entra-authenticated senders only.
resource appTelemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, functionApp.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

// Linux Consumption only: whoever runs the deployment uploads the package blob the app runs
// from (docs/deploy.md); limited to that one container.
resource deployerPackage 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!isFlex && !empty(deployerPrincipalId)) {
  name: guid(packageContainer.id, deployerPrincipalId, roles.storageBlobDataContributor)
  scope: packageContainer
  properties: {
    principalId: deployerPrincipalId
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
  }
}

// ---------------------------------------------------------------------------------------
// App settings: the contract's names

// ---------------------------------------------------------------------------------------
// Events (optional): a topic the service publishes to with its managed identity. Consumers
// subscribe to it with the CloudEvents delivery schema (docs/events.md).

resource eventTopic 'Microsoft.EventGrid/topics@2022-06-15' = if (eventGridTopic) {
  // checkov:skip=CKV_AZURE_193:The service publishes from a consumption-plan Function App, which has no fixed outbound address or private endpoint; publishing needs an Entra token of the app's identity (local keys are off).
  // checkov:skip=CKV_AZURE_192:False positive: disableLocalAuth is true below; checkov does not read the properties of a resource declared with if.
  // checkov:skip=CKV_AZURE_191:False positive: the topic has a system-assigned identity below (for subscriptions that deliver with it); checkov does not read the properties of a resource declared with if.
  name: 'evgt-invitations-${resourceToken}'
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    inputSchema: 'CloudEventSchemaV1_0'
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

// The app's identity may publish to the topic, and only that.
resource appEvents 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (eventGridTopic) {
  name: guid(resourceGroup().id, functionAppName, roles.eventGridDataSender)
  scope: eventTopic
  properties: {
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventGridDataSender)
  }
}

var baseUrl = empty(publicBaseUrl) ? 'https://${functionApp.properties.defaultHostName}' : publicBaseUrl
var keyVaultReference = 'SecretUri=${vault.properties.vaultUri}secrets'

var serviceSettings = {
  PUBLIC_BASE_URL: baseUrl
  INVITATIONS_STORAGE__tableServiceUri: dataStorage.properties.primaryEndpoints.table
  TABLE_PREFIX: tablePrefix
  B2C_METADATA_URL: b2cMetadataUrl
  B2C_CLIENT_ID: b2cClientId
  B2C_CLIENT_SECRET: '@Microsoft.KeyVault(${keyVaultReference}/${b2cClientSecretSecret.name}/)'
  STAFF_METADATA_URL: staffMetadataUrl
  STAFF_AUDIENCE: staffAudience
  STAFF_ROLE: staffRole
  STAFF_PRIVACY_ROLE: staffPrivacyRole
  STAFF_READ_ROLE: staffReadRole
  RETENTION_DAYS: retentionDays
  REMINDER_AFTER_DAYS: reminderAfterDays
  SMTP_URL: '@Microsoft.KeyVault(${keyVaultReference}/${smtpUrlSecret.name}/)'
  COOKIE_KEY: '@Microsoft.KeyVault(${keyVaultReference}/${cookieKeySecret.name}/)'
}

// Optional settings are left out when empty, so the handler's defaults apply.
var optionalSettings = union(
  empty(b2cIssuer) ? {} : { B2C_ISSUER: b2cIssuer },
  empty(staffClientId) ? {} : { STAFF_CLIENT_ID: staffClientId },
  empty(staffClientSecret) ? {} : { STAFF_CLIENT_SECRET: '@Microsoft.KeyVault(${keyVaultReference}/staff-client-secret/)' },
  empty(mailFrom) ? {} : { MAIL_FROM: mailFrom },
  empty(productName) ? {} : { PRODUCT_NAME: productName },
  eventGridTopic ? { EVENTS_EVENTGRID_ENDPOINT: eventTopic.properties.endpoint } : {},
  empty(claimsAudience) ? {} : { CLAIMS_AUDIENCE: claimsAudience },
  empty(claimsIssuer) ? {} : { CLAIMS_ISSUER: claimsIssuer },
  empty(productUrl) ? {} : { PRODUCT_URL: productUrl }
)

var hostSettings = {
  // Identity-based host storage: the host uses the app's managed identity, no key.
  AzureWebJobsStorage__accountName: hostStorage.name
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
}

// Linux Consumption takes the runtime from app settings and runs the package from the
// blob, fetched with the app's identity (no SAS). Flex Consumption rejects these settings:
// its runtime (custom) and package location are in functionAppConfig above.
var linuxConsumptionSettings = {
  FUNCTIONS_EXTENSION_VERSION: '~4'
  FUNCTIONS_WORKER_RUNTIME: 'custom'
  WEBSITE_RUN_FROM_PACKAGE: '${hostStorage.properties.primaryEndpoints.blob}${packageContainerName}/${packageBlobName}'
  WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID: 'SystemAssigned'
}
var planSettings = isFlex ? {} : linuxConsumptionSettings

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  // The 'appsettings' configuration (environment variables). checkov applies its checks of
  // the 'web' configuration (siteConfig) to every sites/config resource, hence these:
  // checkov:skip=CKV_AZURE_13:App Service Authentication is not used: the service signs customers and staff in itself (OpenID Connect with PKCE, bearer tokens checked against the providers' keys), which Easy Auth in front would break.
  // checkov:skip=CKV_AZURE_63:App Service web server (HTTP) logs are not how a function app logs: the Functions host sends requests and the handler's output to Application Insights.
  // checkov:skip=CKV_AZURE_65:Detailed error pages are a web server feature, not a function app's; errors are logged to Application Insights and answered as problem details.
  // checkov:skip=CKV_AZURE_66:Failed request tracing is a web server feature, not a function app's; see CKV_AZURE_63.
  // checkov:skip=CKV_AZURE_80:No .NET Framework: the app is a Rust custom handler.
  // checkov:skip=CKV_AZURE_88:The app mounts no Azure Files share: its state is in Table Storage and its code comes from the deployment package.
  // checkov:skip=CKV_AZURE_222:Not a network setting; the site's public access is intended (see the site's skip of the same check).
  parent: functionApp
  name: 'appsettings'
  properties: union(hostSettings, planSettings, serviceSettings, optionalSettings)
  // The references resolve only once the identity may read the secrets and storage.
  dependsOn: [
    appTables
    hostBlobs
    hostTables
    appSecrets
    appTelemetry
    appEvents
    tables
    staffClientSecretSecret
  ]
}

output functionAppName string = functionApp.name
output publicBaseUrl string = baseUrl
output b2cRedirectUris string = '${baseUrl}/api/AcceptInvite ${baseUrl}/api/AuthCallback ${baseUrl}/api/SignedOut'
output staffRedirectUri string = '${baseUrl}/api/StaffCallback'
output packageContainerUrl string = '${hostStorage.properties.primaryEndpoints.blob}${packageContainerName}'
output tableServiceUri string = dataStorage.properties.primaryEndpoints.table
output keyVaultName string = vault.name
