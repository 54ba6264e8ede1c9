//! Reaching Table Storage: a connection string (including `UseDevelopmentStorage=true`,
//! which the Azure crate parses but gives no credentials for) or a table endpoint reached
//! with the app's managed identity.

use super::gate::TableGate;
use azure_core::{ClientOptions, ExponentialRetryOptions, RetryOptions, TransportOptions};
use azure_data_tables::clients::TableServiceClientBuilder;
use azure_data_tables::prelude::TableServiceClient;
use azure_storage::{CloudLocation, ConnectionString, StorageCredentials};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

const DEV_STORAGE: &str = "UseDevelopmentStorage=true";

/// What a connection string names, checked. Messages never repeat the string (it may hold
/// a key).
struct Parsed {
    location: CloudLocation,
    credentials: StorageCredentials,
}

fn parse(conn: &str) -> Result<Parsed, String> {
    let trimmed = conn.trim().trim_end_matches(';');
    if trimmed.eq_ignore_ascii_case(DEV_STORAGE) {
        return Ok(Parsed {
            location: CloudLocation::Emulator {
                address: "127.0.0.1".into(),
                port: 10002,
            },
            credentials: StorageCredentials::emulator(),
        });
    }
    let parsed = ConnectionString::new(trimmed).map_err(|_| {
        "is not a storage connection string (Key=Value pairs separated by ';')".to_owned()
    })?;
    let credentials = parsed.storage_credentials().map_err(|_| {
        "has neither AccountName with AccountKey nor SharedAccessSignature".to_owned()
    })?;
    let location = match (parsed.table_endpoint, parsed.account_name) {
        (Some(endpoint), account) => {
            let url = url::Url::parse(endpoint)
                .map_err(|_| "has a TableEndpoint that is not a URL".to_owned())?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err("has a TableEndpoint that is not http(s)".into());
            }
            let account = account
                .map(str::to_owned)
                .or_else(|| {
                    url.host_str()
                        .and_then(|h| h.split('.').next())
                        .map(str::to_owned)
                })
                .unwrap_or_default();
            CloudLocation::Custom {
                account,
                uri: endpoint.trim_end_matches('/').to_owned(),
            }
        }
        (None, Some(account)) => {
            let suffix = parsed.endpoint_suffix.unwrap_or("core.windows.net");
            let scheme = match parsed.default_endpoints_protocol {
                Some(azure_storage::EndpointProtocol::Http) => "http",
                _ => "https",
            };
            CloudLocation::Custom {
                account: account.to_owned(),
                uri: format!("{scheme}://{account}.table.{suffix}"),
            }
        }
        (None, None) => return Err("names neither AccountName nor TableEndpoint".into()),
    };
    Ok(Parsed {
        location,
        credentials,
    })
}

/// Checks a connection string at start, so a bad one stops the handler.
pub fn validate(conn: &str) -> Result<(), String> {
    parse(conn).map(|_| ())
}

/// Where the tables are: what the settings name (`INVITATIONS_STORAGE` or
/// `INVITATIONS_STORAGE__tableServiceUri`), seen from here.
pub enum Target<'a> {
    ConnectionString(&'a str),
    ManagedIdentity(&'a Url),
}

/// The table service client; each of its calls first passes `gate` (table readiness).
pub fn service_client<'a>(
    target: impl Into<Target<'a>>,
    timeout: Duration,
    gate: &TableGate,
) -> Result<TableServiceClient, String> {
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(3).min(timeout))
        .timeout(timeout)
        .pool_idle_timeout(Duration::from_secs(50))
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
    let Parsed {
        location,
        credentials,
    } = match target.into() {
        Target::ConnectionString(conn) => parse(conn)?,
        Target::ManagedIdentity(table_service_uri) => {
            let account = table_service_uri
                .host_str()
                .and_then(|h| h.split('.').next())
                .unwrap_or_default()
                .to_owned();
            // The managed identity's token requests go through the same client, so they
            // have the same timeouts as every storage call.
            let client: Arc<dyn azure_core::HttpClient> = Arc::new(http.clone());
            let credential = azure_identity::DefaultAzureCredentialBuilder::new()
                .with_options(client)
                .build()
                .map_err(|e| format!("no managed identity is available: {e}"))?;
            Parsed {
                location: CloudLocation::Custom {
                    account,
                    uri: table_service_uri.as_str().trim_end_matches('/').to_owned(),
                },
                credentials: StorageCredentials::token_credential(Arc::new(credential)),
            }
        }
    };
    let retry = ExponentialRetryOptions::default()
        .initial_delay(Duration::from_millis(100))
        .max_retries(2u32)
        .max_total_elapsed(Duration::from_secs(3));
    let mut options = ClientOptions::new(TransportOptions::new(Arc::new(http)))
        .retry(RetryOptions::exponential(retry));
    options.per_call_policies_mut().push(Arc::new(gate.clone()));
    Ok(
        TableServiceClientBuilder::with_location(location, credentials)
            .client_options(options)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn development_storage_means_azurite_on_its_default_port() {
        let parsed = parse("UseDevelopmentStorage=true").unwrap();
        assert!(matches!(
            parsed.location,
            CloudLocation::Emulator { port: 10002, .. }
        ));
    }

    #[test]
    fn an_explicit_table_endpoint_is_used_as_is() {
        let conn = format!(
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={};TableEndpoint=http://127.0.0.1:41234/devstoreaccount1;",
            azure_storage::EMULATOR_ACCOUNT_KEY
        );
        let parsed = parse(&conn).unwrap();
        match parsed.location {
            CloudLocation::Custom { account, uri } => {
                assert_eq!(account, "devstoreaccount1");
                assert_eq!(uri, "http://127.0.0.1:41234/devstoreaccount1");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn an_account_connection_string_points_at_the_public_cloud() {
        let parsed = parse("DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=a2V5;EndpointSuffix=core.windows.net").unwrap();
        assert!(
            matches!(parsed.location, CloudLocation::Custom { ref uri, .. } if uri == "https://acme.table.core.windows.net")
        );
    }

    #[test]
    fn errors_never_repeat_the_key() {
        for bad in [
            "AccountKey=c2VjcmV0",
            "AccountName=a;AccountKey=c2VjcmV0;Bogus=1",
            "nonsense",
        ] {
            let err = parse(bad).err().unwrap();
            assert!(!err.contains("c2VjcmV0"), "{err}");
        }
    }
}
