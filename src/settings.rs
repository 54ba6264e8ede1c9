//! Typed settings, read once at start from the environment under the names the contract
//! gives. A bad value stops the handler with a message naming the setting.

use base64::Engine as _;
use std::fmt;
use std::time::Duration;
use url::Url;

/// A value that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, Clone)]
pub enum StorageTarget {
    /// `INVITATIONS_STORAGE`: a connection string (it may hold an account key).
    ConnectionString(Secret<String>),
    /// `INVITATIONS_STORAGE__tableServiceUri`: reached with the app's managed identity.
    ManagedIdentity { table_service_uri: Url },
}

impl<'a> From<&'a StorageTarget> for crate::storage::connection::Target<'a> {
    fn from(target: &'a StorageTarget) -> Self {
        match target {
            StorageTarget::ConnectionString(conn) => Self::ConnectionString(conn.expose()),
            StorageTarget::ManagedIdentity { table_service_uri } => {
                Self::ManagedIdentity(table_service_uri)
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct OidcClient {
    pub metadata_url: Url,
    pub client_id: String,
    pub client_secret: Secret<String>,
}

/// The custom claims provider's app registration, as its caller's tokens name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimsProvider {
    /// `CLAIMS_AUDIENCE`: the `aud` of the events service's tokens.
    pub audience: String,
    /// `CLAIMS_ISSUER`: an `iss` accepted beside the customer provider's.
    pub issuer: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub port: u16,
    pub public_base_url: Url,
    pub storage: StorageTarget,
    pub table_prefix: String,
    pub b2c: OidcClient,
    pub b2c_issuer: Option<String>,
    pub staff_metadata_url: Url,
    pub staff_audience: String,
    pub staff_role: String,
    /// `STAFF_PRIVACY_ROLE`: the role the personal-data calls (erase, export) need.
    pub privacy_role: String,
    /// `STAFF_READ_ROLE`: the role of programs that only read (every `GET` of the staff
    /// API but the export).
    pub read_role: String,
    /// `CLAIMS_AUDIENCE` (and `CLAIMS_ISSUER`): the custom claims provider; `None` turns
    /// `POST /api/TokenIssuanceStart` off (404).
    pub claims: Option<ClaimsProvider>,
    /// `PRODUCT_URL`: where people go on after onboarding; `None`: no link.
    pub product_url: Option<Url>,
    /// `RETENTION_DAYS`: days an ended (expired, revoked) invitation is kept.
    pub retention_days: u32,
    /// `REMINDER_AFTER_DAYS`: days after which an unopened invitation needs a nudge
    /// (0: never).
    pub reminder_after_days: u32,
    pub staff_client: Option<(String, Secret<String>)>,
    pub smtp_url: Option<Secret<String>>,
    pub mail_drop_dir: std::path::PathBuf,
    /// Any address the mail library accepts (`invitations@localhost` is fine locally).
    pub mail_from: lettre::Address,
    pub cookie_key: Option<Secret<Vec<u8>>>,
    /// `COOKIE_KEY_PREVIOUS`: earlier keys, still accepted to open cookies and sealed
    /// secrets after a rotation (nothing new is made with them).
    pub cookie_key_previous: Vec<Secret<Vec<u8>>>,
    pub product_name: String,
    pub limits: Limits,
    pub tuning: Tuning,
    /// `EVENTS_*`: where events go.
    pub events: EventSettings,
}

/// Where events go: webhook URLs with their Standard Webhooks secrets, an Event Grid topic.
#[derive(Debug, Clone, Default)]
pub struct EventSettings {
    /// `EVENTS_WEBHOOK_URLS`: `https`, or `http` to a loopback address.
    pub webhook_urls: Vec<Url>,
    /// `EVENTS_WEBHOOK_SECRET`, then `EVENTS_WEBHOOK_SECRET_PREVIOUS` during a rotation.
    pub webhook_secrets: Vec<crate::events::signing::WebhookSecret>,
    /// `EVENTS_EVENTGRID_ENDPOINT`, and `EVENTS_EVENTGRID_KEY` (else the managed identity).
    pub event_grid: Option<(Url, Option<Secret<String>>)>,
}

/// Abuse limits; they hold across instances (counted in the tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `LIMIT_INVITATIONS_PER_HOUR`: invitations (and resends) one staff member may send.
    pub invitations_per_staff_per_hour: u32,
    /// `LIMIT_EMAILS_PER_ADDRESS_PER_DAY`: invitation emails to one address, whatever route.
    pub emails_per_address_per_day: u32,
    /// `LIMIT_FAILED_LINKS_PER_HOUR`: unknown invitation links one client may try.
    pub failed_links_per_client_per_hour: u32,
    /// `LIMIT_MEMBER_INVITATIONS_PER_COMPANY_PER_DAY`: colleague invitations and resends
    /// one company's administrators may send per day.
    pub member_invitations_per_company_per_day: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            invitations_per_staff_per_hour: 200,
            emails_per_address_per_day: 5,
            failed_links_per_client_per_hour: 30,
            member_invitations_per_company_per_day: 100,
        }
    }
}

/// Internal knobs with production defaults; tests shorten them.
#[derive(Debug, Clone)]
pub struct Tuning {
    /// A metadata/JWKS refresh for an unknown `kid` happens at most this often.
    pub key_refresh_min_interval: Duration,
    /// Metadata and keys are fetched again after this long in any case.
    pub key_cache_ttl: Duration,
    /// How often this instance looks for queued email to retry.
    pub delivery_poll_interval: Duration,
    /// Time allowed for any one outgoing call (storage, identity provider, SMTP).
    pub outgoing_timeout: Duration,
    /// Events are tried right after their request (off: only the `DeliverEvents` timer
    /// sends them; the capacity tests count a request's own calls so).
    pub events_right_away: bool,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            key_refresh_min_interval: Duration::from_secs(60),
            key_cache_ttl: Duration::from_secs(24 * 3600),
            delivery_poll_interval: Duration::from_secs(60),
            outgoing_timeout: Duration::from_secs(10),
            events_right_away: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("setting {name}: {problem}")]
pub struct SettingsError {
    pub name: &'static str,
    pub problem: String,
}

fn bad(name: &'static str, problem: impl Into<String>) -> SettingsError {
    SettingsError {
        name,
        problem: problem.into(),
    }
}

impl Settings {
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (the environment in production, a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let get = |name: &'static str| lookup(name).filter(|v| !v.trim().is_empty());
        let required =
            |name: &'static str| get(name).ok_or_else(|| bad(name, "is required but not set"));

        let port = required("FUNCTIONS_CUSTOMHANDLER_PORT")?
            .trim()
            .parse::<u16>()
            .map_err(|_| {
                bad(
                    "FUNCTIONS_CUSTOMHANDLER_PORT",
                    "must be a port number from 0 to 65535",
                )
            })?;
        let public_base_url = web_url("PUBLIC_BASE_URL", &required("PUBLIC_BASE_URL")?, false)?;

        let storage = match (
            get("INVITATIONS_STORAGE"),
            get("INVITATIONS_STORAGE__tableServiceUri"),
        ) {
            (Some(conn), _) => {
                crate::storage::connection::validate(&conn)
                    .map_err(|problem| bad("INVITATIONS_STORAGE", problem))?;
                StorageTarget::ConnectionString(Secret::new(conn))
            }
            (None, Some(uri)) => StorageTarget::ManagedIdentity {
                table_service_uri: web_url("INVITATIONS_STORAGE__tableServiceUri", &uri, true)?,
            },
            (None, None) => {
                return Err(bad(
                    "INVITATIONS_STORAGE",
                    "is required (or INVITATIONS_STORAGE__tableServiceUri for a managed identity)",
                ));
            }
        };

        let table_prefix = get("TABLE_PREFIX").unwrap_or_default();
        let prefix_ok = table_prefix.is_empty()
            || (table_prefix.len() <= 40
                && table_prefix.starts_with(|c: char| c.is_ascii_alphabetic())
                && table_prefix.chars().all(|c| c.is_ascii_alphanumeric()));
        if !prefix_ok {
            return Err(bad(
                "TABLE_PREFIX",
                "must be letters and digits, start with a letter, at most 40 characters",
            ));
        }

        let b2c = OidcClient {
            metadata_url: web_url("B2C_METADATA_URL", &required("B2C_METADATA_URL")?, true)?,
            client_id: required("B2C_CLIENT_ID")?,
            client_secret: Secret::new(required("B2C_CLIENT_SECRET")?),
        };
        let b2c_issuer = get("B2C_ISSUER");

        let staff_client = match (get("STAFF_CLIENT_ID"), get("STAFF_CLIENT_SECRET")) {
            (Some(id), Some(secret)) => Some((id, Secret::new(secret))),
            (None, None) => None,
            (Some(_), None) => {
                return Err(bad(
                    "STAFF_CLIENT_SECRET",
                    "is required when STAFF_CLIENT_ID is set",
                ));
            }
            (None, Some(_)) => {
                return Err(bad(
                    "STAFF_CLIENT_ID",
                    "is required when STAFF_CLIENT_SECRET is set",
                ));
            }
        };

        let smtp_url = get("SMTP_URL")
            .map(|url| {
                crate::mail::smtp::validate_url(&url)
                    .map_err(|problem| bad("SMTP_URL", problem))?;
                Ok(Secret::new(url))
            })
            .transpose()?;

        let mail_from = match get("MAIL_FROM") {
            Some(from) => from
                .trim()
                .parse::<lettre::Address>()
                .map_err(|_| bad("MAIL_FROM", format!("is not an email address: {from}")))?,
            None => {
                let host = public_base_url.host_str().unwrap_or("localhost");
                format!("no-reply@{host}")
                    .parse::<lettre::Address>()
                    .map_err(|_| {
                        bad(
                            "MAIL_FROM",
                            "is not set and no address can be made from PUBLIC_BASE_URL",
                        )
                    })?
            }
        };

        let cookie_key = get("COOKIE_KEY")
            .map(|key| cookie_key_value("COOKIE_KEY", &key))
            .transpose()?;
        let cookie_key_previous = match get("COOKIE_KEY_PREVIOUS") {
            None => Vec::new(),
            Some(_) if cookie_key.is_none() => {
                return Err(bad(
                    "COOKIE_KEY_PREVIOUS",
                    "is set but COOKIE_KEY is not: set the new key in COOKIE_KEY",
                ));
            }
            Some(list) => list
                .split(',')
                .map(|key| cookie_key_value("COOKIE_KEY_PREVIOUS", key))
                .collect::<Result<_, _>>()?,
        };

        Ok(Self {
            port,
            public_base_url,
            storage,
            table_prefix,
            b2c,
            b2c_issuer,
            staff_metadata_url: web_url(
                "STAFF_METADATA_URL",
                &required("STAFF_METADATA_URL")?,
                true,
            )?,
            staff_audience: required("STAFF_AUDIENCE")?,
            staff_role: get("STAFF_ROLE").unwrap_or_else(|| "Invitations.Send".to_owned()),
            privacy_role: get("STAFF_PRIVACY_ROLE")
                .unwrap_or_else(|| "Invitations.Privacy".to_owned()),
            read_role: get("STAFF_READ_ROLE").unwrap_or_else(|| "Invitations.Read".to_owned()),
            claims: match (get("CLAIMS_AUDIENCE"), get("CLAIMS_ISSUER")) {
                (Some(audience), issuer) => Some(ClaimsProvider { audience, issuer }),
                (None, Some(_)) => {
                    return Err(bad("CLAIMS_ISSUER", "is set but CLAIMS_AUDIENCE is not"));
                }
                (None, None) => None,
            },
            product_url: get("PRODUCT_URL")
                .map(|url| web_url("PRODUCT_URL", &url, true))
                .transpose()?,
            retention_days: retention_days(&get)?,
            reminder_after_days: reminder_after_days(&get)?,
            staff_client,
            smtp_url,
            mail_drop_dir: get("MAIL_DROP_DIR")
                .unwrap_or_else(|| "mail-outbox".to_owned())
                .into(),
            mail_from,
            cookie_key,
            cookie_key_previous,
            product_name: get("PRODUCT_NAME").unwrap_or_else(|| "Customer Portal".to_owned()),
            limits: Limits {
                invitations_per_staff_per_hour: limit(
                    &get,
                    "LIMIT_INVITATIONS_PER_HOUR",
                    Limits::default().invitations_per_staff_per_hour,
                )?,
                emails_per_address_per_day: limit(
                    &get,
                    "LIMIT_EMAILS_PER_ADDRESS_PER_DAY",
                    Limits::default().emails_per_address_per_day,
                )?,
                failed_links_per_client_per_hour: limit(
                    &get,
                    "LIMIT_FAILED_LINKS_PER_HOUR",
                    Limits::default().failed_links_per_client_per_hour,
                )?,
                member_invitations_per_company_per_day: limit(
                    &get,
                    "LIMIT_MEMBER_INVITATIONS_PER_COMPANY_PER_DAY",
                    Limits::default().member_invitations_per_company_per_day,
                )?,
            },
            tuning: Tuning::default(),
            events: event_settings(&get)?,
        })
    }
}

/// `EVENTS_*`: every URL checked, a secret required with webhooks.
fn event_settings(
    get: &dyn Fn(&'static str) -> Option<String>,
) -> Result<EventSettings, SettingsError> {
    use crate::events::signing::WebhookSecret;
    let webhook_urls = get("EVENTS_WEBHOOK_URLS")
        .map(|list| {
            list.split(',')
                .filter(|u| !u.trim().is_empty())
                .map(|u| web_url("EVENTS_WEBHOOK_URLS", u, true))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    let secret = |name: &'static str| {
        get(name)
            .map(|value| WebhookSecret::parse(&value).map_err(|e| bad(name, e.to_string())))
            .transpose()
    };
    let (current, previous) = (
        secret("EVENTS_WEBHOOK_SECRET")?,
        secret("EVENTS_WEBHOOK_SECRET_PREVIOUS")?,
    );
    if current.is_none() && (previous.is_some() || !webhook_urls.is_empty()) {
        return Err(bad(
            "EVENTS_WEBHOOK_SECRET",
            "is required with EVENTS_WEBHOOK_URLS or EVENTS_WEBHOOK_SECRET_PREVIOUS (whsec_ and base64)",
        ));
    }
    let event_grid = match (
        get("EVENTS_EVENTGRID_ENDPOINT"),
        get("EVENTS_EVENTGRID_KEY"),
    ) {
        (Some(endpoint), key) => Some((
            web_url("EVENTS_EVENTGRID_ENDPOINT", &endpoint, true)?,
            key.map(Secret::new),
        )),
        (None, Some(_)) => {
            return Err(bad(
                "EVENTS_EVENTGRID_ENDPOINT",
                "is required when EVENTS_EVENTGRID_KEY is set",
            ));
        }
        (None, None) => None,
    };
    Ok(EventSettings {
        webhook_urls,
        webhook_secrets: current.into_iter().chain(previous).collect(),
        event_grid,
    })
}

/// One base64 key of at least 64 bytes (`COOKIE_KEY`, or one of `COOKIE_KEY_PREVIOUS`).
fn cookie_key_value(name: &'static str, key: &str) -> Result<Secret<Vec<u8>>, SettingsError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(key.trim())
        .map_err(|_| bad(name, "must be base64 (comma-separated for several keys)"))?;
    if bytes.len() < 64 {
        return Err(bad(
            name,
            format!("must decode to at least 64 bytes, not {}", bytes.len()),
        ));
    }
    Ok(Secret::new(bytes))
}

/// A positive whole number, or the default when unset.
fn limit(
    get: &impl Fn(&'static str) -> Option<String>,
    name: &'static str,
    default: u32,
) -> Result<u32, SettingsError> {
    match get(name) {
        None => Ok(default),
        Some(value) => value
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| bad(name, "must be a whole number above 0")),
    }
}

/// `RETENTION_DAYS`: 1 to 3650 days (default 90).
fn retention_days(get: &impl Fn(&'static str) -> Option<String>) -> Result<u32, SettingsError> {
    limit(get, "RETENTION_DAYS", 90).and_then(|days| {
        (days <= 3650)
            .then_some(days)
            .ok_or_else(|| bad("RETENTION_DAYS", "must be a whole number from 1 to 3650"))
    })
}

/// `REMINDER_AFTER_DAYS`: 0 (off) to 30 days, the longest a link lives (default 3).
fn reminder_after_days(
    get: &impl Fn(&'static str) -> Option<String>,
) -> Result<u32, SettingsError> {
    const NAME: &str = "REMINDER_AFTER_DAYS";
    match get(NAME) {
        None => Ok(3),
        Some(value) => value
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|days| *days <= 30)
            .ok_or_else(|| bad(NAME, "must be a whole number from 0 (off) to 30")),
    }
}

/// An absolute http(s) URL. Where tokens or keys travel (`secure_outside_loopback`), plain
/// http is allowed only to this machine.
fn web_url(
    name: &'static str,
    value: &str,
    secure_outside_loopback: bool,
) -> Result<Url, SettingsError> {
    let url = Url::parse(value.trim()).map_err(|e| bad(name, format!("is not a URL ({e})")))?;
    match url.scheme() {
        "https" => {}
        "http" if !secure_outside_loopback || is_loopback(&url) => {}
        "http" => {
            return Err(bad(
                name,
                "must use https (plain http is only allowed to localhost)",
            ));
        }
        other => {
            return Err(bad(
                name,
                format!("must be an http or https URL, not {other}:"),
            ));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad(name, "has no host"));
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn base() -> HashMap<&'static str, String> {
        HashMap::from([
            ("FUNCTIONS_CUSTOMHANDLER_PORT", "7071".to_owned()),
            ("PUBLIC_BASE_URL", "https://portal.example.com".to_owned()),
            ("INVITATIONS_STORAGE", "UseDevelopmentStorage=true".to_owned()),
            ("B2C_METADATA_URL", "https://t.b2clogin.com/t.onmicrosoft.com/B2C_1_susi/v2.0/.well-known/openid-configuration".to_owned()),
            ("B2C_CLIENT_ID", "client".to_owned()),
            ("B2C_CLIENT_SECRET", "hunter2".to_owned()),
            ("STAFF_METADATA_URL", "https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration".to_owned()),
            ("STAFF_AUDIENCE", "api://invitations".to_owned()),
        ])
    }

    fn read(env: &HashMap<&'static str, String>) -> Result<Settings, SettingsError> {
        Settings::from_lookup(|k| env.get(k).cloned())
    }

    #[test]
    fn reads_a_complete_environment_with_defaults() {
        let settings = read(&base()).unwrap();
        assert_eq!(settings.port, 7071);
        assert_eq!(settings.staff_role, "Invitations.Send");
        assert_eq!(settings.privacy_role, "Invitations.Privacy");
        assert_eq!(settings.read_role, "Invitations.Read");
        assert_eq!((settings.claims, settings.product_url), (None, None));
        assert_eq!(settings.retention_days, 90);
        assert_eq!(settings.reminder_after_days, 3);
        assert_eq!(
            settings.mail_from.to_string(),
            "no-reply@portal.example.com"
        );
        assert!(settings.smtp_url.is_none() && settings.cookie_key.is_none());
    }

    #[test]
    fn each_bad_value_is_named() {
        let cases = [
            ("FUNCTIONS_CUSTOMHANDLER_PORT", "seventy"),
            ("PUBLIC_BASE_URL", "not a url"),
            ("INVITATIONS_STORAGE", "AccountName=x;Nonsense=1"),
            ("B2C_METADATA_URL", "http://evil.example.com/meta"),
            ("STAFF_METADATA_URL", "ftp://x.example.com/"),
            ("TABLE_PREFIX", "1bad-prefix"),
            ("SMTP_URL", "http://mail.example.com"),
            ("MAIL_FROM", "nobody"),
            ("COOKIE_KEY", "c2hvcnQ="),
            ("LIMIT_INVITATIONS_PER_HOUR", "0"),
            ("LIMIT_EMAILS_PER_ADDRESS_PER_DAY", "many"),
            ("LIMIT_MEMBER_INVITATIONS_PER_COMPANY_PER_DAY", "0"),
            ("COOKIE_KEY_PREVIOUS", "not base64!"),
            ("RETENTION_DAYS", "0"),
            ("RETENTION_DAYS", "3651"),
            ("RETENTION_DAYS", "ninety"),
            ("REMINDER_AFTER_DAYS", "31"),
            ("REMINDER_AFTER_DAYS", "-1"),
            ("REMINDER_AFTER_DAYS", "three"),
            ("PRODUCT_URL", "http://product.example.com/"),
            ("PRODUCT_URL", "/relative"),
            ("PRODUCT_URL", "javascript:alert(1)"),
            ("CLAIMS_ISSUER", "https://issuer.example/"),
        ];
        for (name, value) in cases {
            let mut env = base();
            env.insert(name, value.to_owned());
            let err = read(&env).unwrap_err();
            assert_eq!(err.name, name, "{value}");
        }
        let mut env = base();
        env.remove("STAFF_AUDIENCE");
        assert_eq!(read(&env).unwrap_err().name, "STAFF_AUDIENCE");
        let mut env = base();
        env.insert("PRODUCT_URL", "http://127.0.0.1:7075/product".to_owned());
        env.insert("CLAIMS_AUDIENCE", "api://claims".to_owned());
        let settings = read(&env).unwrap();
        assert_eq!(
            settings.product_url.map(String::from).as_deref(),
            Some("http://127.0.0.1:7075/product"),
            "plain http on loopback only"
        );
        assert_eq!(
            settings.claims.map(|c| c.audience).as_deref(),
            Some("api://claims")
        );
    }

    #[test]
    fn previous_cookie_keys_are_a_checked_comma_separated_list() {
        let key = |byte: u8| base64::engine::general_purpose::STANDARD.encode([byte; 64]);
        let mut env = base();
        env.insert("COOKIE_KEY", key(1));
        env.insert("COOKIE_KEY_PREVIOUS", format!("{}, {}", key(2), key(3)));
        let settings = read(&env).unwrap();
        let previous: Vec<_> = settings
            .cookie_key_previous
            .iter()
            .map(|k| k.expose()[0])
            .collect();
        assert_eq!(previous, [2, 3]);
        for bad_list in [
            format!("{},", key(2)),
            format!("{},c2hvcnQ=", key(2)),
            "%%%".to_owned(),
        ] {
            env.insert("COOKIE_KEY_PREVIOUS", bad_list.clone());
            assert_eq!(
                read(&env).unwrap_err().name,
                "COOKIE_KEY_PREVIOUS",
                "{bad_list}"
            );
        }
        env.remove("COOKIE_KEY");
        env.insert("COOKIE_KEY_PREVIOUS", key(2));
        let err = read(&env).unwrap_err();
        assert_eq!(err.name, "COOKIE_KEY_PREVIOUS");
        assert!(err.problem.contains("COOKIE_KEY is not"), "{err}");
    }

    #[test]
    fn secrets_do_not_print() {
        let mut env = base();
        env.insert(
            "SMTP_URL",
            "smtp://user:pa55word@mail.example.com:587?tls=required".to_owned(),
        );
        let settings = read(&env).unwrap();
        let printed = format!("{settings:?}");
        assert!(
            !printed.contains("hunter2") && !printed.contains("pa55word"),
            "{printed}"
        );
    }
    #[test]
    fn event_settings_are_checked_and_a_bad_one_names_itself() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let with = |pairs: &[(&'static str, &str)]| {
            let mut env = base();
            env.extend(pairs.iter().map(|(k, v)| (*k, (*v).to_owned())));
            read(&env)
        };
        let good = with(&[
            (
                "EVENTS_WEBHOOK_URLS",
                "https://hooks.example/in, http://127.0.0.1:9/local",
            ),
            ("EVENTS_WEBHOOK_SECRET", secret),
            ("EVENTS_WEBHOOK_SECRET_PREVIOUS", secret),
            (
                "EVENTS_EVENTGRID_ENDPOINT",
                "https://t.westeurope-1.eventgrid.azure.net/api/events",
            ),
        ])
        .unwrap()
        .events;
        assert_eq!(good.webhook_urls.len(), 2);
        assert_eq!(good.webhook_secrets.len(), 2);
        assert!(good.event_grid.is_some_and(|(_, key)| key.is_none()));
        assert!(with(&[]).unwrap().events.webhook_urls.is_empty());
        for (pairs, name) in [
            (
                vec![
                    ("EVENTS_WEBHOOK_URLS", "http://hooks.example/in"),
                    ("EVENTS_WEBHOOK_SECRET", secret),
                ],
                "EVENTS_WEBHOOK_URLS",
            ),
            (
                vec![
                    ("EVENTS_WEBHOOK_URLS", "ftp://hooks.example/in"),
                    ("EVENTS_WEBHOOK_SECRET", secret),
                ],
                "EVENTS_WEBHOOK_URLS",
            ),
            (
                vec![("EVENTS_WEBHOOK_URLS", "https://hooks.example/in")],
                "EVENTS_WEBHOOK_SECRET",
            ),
            (
                vec![("EVENTS_WEBHOOK_SECRET", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")],
                "EVENTS_WEBHOOK_SECRET",
            ),
            (
                vec![("EVENTS_WEBHOOK_SECRET_PREVIOUS", secret)],
                "EVENTS_WEBHOOK_SECRET",
            ),
            (
                vec![
                    ("EVENTS_WEBHOOK_SECRET", secret),
                    ("EVENTS_WEBHOOK_SECRET_PREVIOUS", "whsec_***"),
                ],
                "EVENTS_WEBHOOK_SECRET_PREVIOUS",
            ),
            (
                vec![("EVENTS_EVENTGRID_KEY", "k")],
                "EVENTS_EVENTGRID_ENDPOINT",
            ),
            (
                vec![(
                    "EVENTS_EVENTGRID_ENDPOINT",
                    "http://grid.example/api/events",
                )],
                "EVENTS_EVENTGRID_ENDPOINT",
            ),
        ] {
            let error = with(&pairs).unwrap_err();
            assert_eq!(error.name, name, "{pairs:?}: {error}");
            assert!(!error.to_string().contains("MfKQ"), "{error}");
        }
    }
}
