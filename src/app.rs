//! `Application::build(settings)`: the whole service wired together, used by `main` and by
//! the tests alike.

use crate::clock::{Clock, SystemClock};
use crate::http::AppState;
use crate::http::cookies::CookieCodec;
use crate::identity::bearer::AccessTokens;
use crate::identity::customer::CustomerSignIn;
use crate::identity::events_caller::EventsCaller;
use crate::identity::provider::OidcProvider;
use crate::identity::staff::{StaffAuthenticator, StaffReader};
use crate::identity::staff_sign_in::StaffSignIn;
use crate::mail::Mailer;
use crate::mail::drop_dir::DropDirMailer;
use crate::mail::smtp::SmtpMailer;
use crate::service::{Services, delivery, privacy, reminders};
use crate::settings::Settings;
use crate::storage::gate::{TABLES_WAIT, TableGate};
use crate::storage::{
    AccountStore, InvitationStore, LimitStore, PrivacyStore, TableAccountStore,
    TableInvitationStore, TableLimitStore, TablePrivacyStore, connection,
};
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

pub struct Application {
    port: u16,
    listener: TcpListener,
    state: AppState,
    settings: Settings,
    tables: TableGate,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Listen { port: u16, source: std::io::Error },
    #[error("{0}")]
    Setup(String),
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartError> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// Binds the port and wires the services. Touches no network beyond the listener:
    /// tables, metadata and keys are reached later, in the background or on first use.
    pub async fn build_with_clock(
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartError> {
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, settings.port));
        let listener = TcpListener::bind(address)
            .await
            .map_err(|source| StartError::Listen {
                port: settings.port,
                source,
            })?;
        let port = listener
            .local_addr()
            .map_err(|e| StartError::Setup(e.to_string()))?
            .port();
        let (state, tables) = wire(&settings, clock)?;
        Ok(Self {
            port,
            listener,
            state,
            settings,
            tables,
        })
    }

    /// One pass of the `RetryDeliveries` work, for running by hand
    /// (`handler retry-deliveries`): no listener, the same settings.
    pub async fn retry_deliveries_once(
        settings: Settings,
    ) -> Result<delivery::RetryReport, String> {
        let services = services_once(&settings).await?;
        delivery::retry_due(&services)
            .await
            .map_err(|e| e.to_string())
    }

    /// One pass of the `PurgeEnded` work, for running by hand (`handler purge-ended`).
    pub async fn purge_ended_once(settings: Settings) -> Result<privacy::PurgeReport, String> {
        let services = services_once(&settings).await?;
        privacy::purge_ended(&services)
            .await
            .map_err(|e| e.to_string())
    }

    /// One run of the `SendReminders` work, for running by hand (`handler send-reminders`).
    pub async fn send_reminders_once(
        settings: Settings,
    ) -> Result<reminders::ReminderReport, String> {
        let services = services_once(&settings).await?;
        reminders::send_due(&services)
            .await
            .map_err(|e| e.to_string())
    }

    /// Puts every company into the companies list and its pending colleague invitations
    /// into its partition (`handler index-companies`): how many of each.
    pub async fn index_companies_once(settings: Settings) -> Result<(usize, usize), String> {
        let services = services_once(&settings).await?;
        crate::service::members::index_companies(&services)
            .await
            .map_err(|e| e.to_string())
    }

    /// The operator's step that merges accounts sharing an address into one
    /// (`handler merge-accounts`, see docs/privacy.md).
    pub async fn merge_accounts_once(
        settings: Settings,
    ) -> Result<crate::service::person::MergeReport, String> {
        let services = services_once(&settings).await?;
        crate::service::person::merge_duplicates(&services)
            .await
            .map_err(|e| e.to_string())
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The services the handler's requests use (tests call operations through them).
    pub fn services(&self) -> crate::service::Services {
        self.state.services.clone()
    }

    /// Serves until `shutdown` completes, then finishes the requests under way.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) {
        let Self {
            listener,
            state,
            settings,
            tables,
            ..
        } = self;
        tokio::spawn(ensure_tables(state.services.clone(), tables));
        tokio::spawn(retry_deliveries_periodically(
            state.services.clone(),
            settings.tuning.delivery_poll_interval,
        ));
        crate::http::routing::serve(state, listener, shutdown).await;
    }
}

/// Creates the tables that are missing.
async fn create_tables(services: &Services) -> Result<(), crate::storage::StoreError> {
    services.store.ensure_tables().await?;
    services.accounts.ensure_tables().await?;
    services.limit_store.ensure_table().await?;
    services.privacy.ensure_table().await?;
    services.events.ensure_table().await
}

/// Creates missing tables, retrying with backoff until storage answers, then opens the
/// gate the requests wait at. Storage that answers but refuses to create them (a SAS or
/// role without that right) opens the gate too: tables an operator made are used as
/// they are, and a missing one is a 503 for the requests that need it.
async fn ensure_tables(services: Services, tables: TableGate) {
    let mut wait = Duration::from_millis(250);
    loop {
        match create_tables(&services).await {
            Ok(()) => {
                tables.open();
                tracing::info!("tables ready");
                return;
            }
            Err(e) => {
                // Requests wait for the tables only while storage cannot be reached; once
                // the gate is open the next tries are rarer.
                let refused = !matches!(e, crate::storage::StoreError::Unavailable(_));
                if refused {
                    tables.open();
                }
                tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "tables not ready");
                tokio::time::sleep(wait).await;
                let ceiling = if refused {
                    Duration::from_secs(300)
                } else {
                    TABLES_WAIT
                };
                wait = (wait * 2).min(ceiling);
            }
        }
    }
}

async fn retry_deliveries_periodically(services: Services, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await; // the first tick is immediate: give start-up a moment
    loop {
        ticker.tick().await;
        match delivery::retry_due(&services).await {
            Ok(report) if report != delivery::RetryReport::default() => {
                tracing::info!(?report, "queued email retried")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "queued email retry failed"),
        }
    }
}

/// The services and state the handler serves with, from its settings. Touches no
/// network: tables, metadata and keys are reached later.
fn wire(settings: &Settings, clock: Arc<dyn Clock>) -> Result<(AppState, TableGate), StartError> {
    let timeout = settings.tuning.outgoing_timeout;
    let tables = TableGate::new(TABLES_WAIT);
    let service = connection::service_client(&settings.storage, timeout, &tables)
        .map_err(StartError::Setup)?;
    let store: Arc<dyn InvitationStore> =
        Arc::new(TableInvitationStore::new(&service, &settings.table_prefix));
    // TOTP secrets are sealed under a key derived from COOKIE_KEY; without one (a random
    // per-process key would lose them at the next start) MFA cannot be turned on.
    let previous: Vec<&[u8]> = settings
        .cookie_key_previous
        .iter()
        .map(|key| key.expose().as_slice())
        .collect();
    let sealer = match &settings.cookie_key {
        Some(key) => Some(
            crate::storage::Sealer::with_previous(key.expose(), &previous)
                .ok_or_else(|| StartError::Setup("COOKIE_KEY: no key can be derived".into()))?,
        ),
        None => None,
    };
    let accounts: Arc<dyn AccountStore> = Arc::new(TableAccountStore::new(
        &service,
        &settings.table_prefix,
        sealer,
    ));
    let limit_store: Arc<dyn LimitStore> =
        Arc::new(TableLimitStore::new(&service, &settings.table_prefix));
    let privacy: Arc<dyn PrivacyStore> =
        Arc::new(TablePrivacyStore::new(&service, &settings.table_prefix));
    let members: Arc<dyn crate::storage::MemberStore> = Arc::new(
        crate::storage::TableMemberStore::new(&service, &settings.table_prefix),
    );
    let people: Arc<dyn crate::storage::PersonStore> = Arc::new(
        crate::storage::TablePersonStore::new(&service, &settings.table_prefix),
    );
    let mailer: Arc<dyn Mailer> = match &settings.smtp_url {
        Some(url) => Arc::new(
            SmtpMailer::new(
                url.expose(),
                settings.mail_from.clone(),
                settings.product_name.clone(),
                timeout,
            )
            .map_err(StartError::Setup)?,
        ),
        None => Arc::new(DropDirMailer::new(
            settings.mail_drop_dir.clone(),
            settings.mail_from.clone(),
            settings.product_name.clone(),
        )),
    };
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(3).min(timeout))
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| StartError::Setup(e.to_string()))?;
    let b2c_provider = Arc::new(
        OidcProvider::new(
            settings.b2c.metadata_url.clone(),
            settings.b2c_issuer.clone(),
            http.clone(),
            settings.tuning.key_refresh_min_interval,
            settings.tuning.key_cache_ttl,
        )
        .with_clock(clock.clone()),
    );
    let customer = CustomerSignIn::new(
        b2c_provider.clone(),
        settings.b2c.client_id.clone(),
        settings.b2c.client_secret.clone(),
        http.clone(),
    );
    let cookie_key = match &settings.cookie_key {
        Some(key) => key.expose().clone(),
        None => {
            tracing::warn!(
                "COOKIE_KEY is not set: sessions use a random key and end when this process does"
            );
            let mut key = vec![0u8; 64];
            rand::TryRngCore::try_fill_bytes(&mut rand::rngs::OsRng, &mut key)
                .map_err(|_| StartError::Setup("the random source failed".into()))?;
            key
        }
    };
    let cookies = CookieCodec::new(&cookie_key, settings.public_base_url.scheme() == "https")
        .and_then(|codec| codec.with_previous(&previous))
        .ok_or_else(|| {
            StartError::Setup("COOKIE_KEY or COOKIE_KEY_PREVIOUS is too short".into())
        })?;
    // One staff directory, one cache of its metadata and keys: the API's bearer checks
    // and the back office's sign-in (only with its app registration, STAFF_CLIENT_ID).
    let staff_provider = Arc::new(
        OidcProvider::new(
            settings.staff_metadata_url.clone(),
            None,
            http.clone(),
            settings.tuning.key_refresh_min_interval,
            settings.tuning.key_cache_ttl,
        )
        .with_clock(clock.clone()),
    );
    let staff_sign_in = settings.staff_client.as_ref().map(|(id, secret)| {
        Arc::new(StaffSignIn::new(
            CustomerSignIn::new(
                staff_provider.clone(),
                id.clone(),
                secret.clone(),
                http.clone(),
            ),
            settings.staff_role.clone(),
        ))
    });
    // One check of the staff directory's access tokens; what each caller must carry
    // besides (a role, an email) is its guard's.
    let staff_tokens = Arc::new(AccessTokens::new(
        staff_provider,
        settings.staff_audience.clone(),
        None,
    ));
    let staff = StaffAuthenticator::new(staff_tokens.clone(), settings.staff_role.clone());
    // The personal-data calls need a role of their own: erasing is not for every sales
    // person.
    let privacy_staff =
        StaffAuthenticator::new(staff_tokens.clone(), settings.privacy_role.clone());
    // Programs that only read (STAFF_READ_ROLE), and staff with the role, read alike.
    let readers = StaffReader::new(
        staff_tokens,
        settings.read_role.clone(),
        settings.staff_role.clone(),
    );
    // The claims provider's caller: Entra's events service, by the customer tenant's keys.
    let events_caller = settings.claims.as_ref().map(|claims| {
        Arc::new(EventsCaller::new(AccessTokens::new(
            b2c_provider.clone(),
            claims.audience.clone(),
            claims.issuer.clone(),
        )))
    });
    let services = Services {
        store,
        accounts,
        limit_store,
        privacy,
        members,
        people,
        passkeys: Arc::new(crate::storage::TablePasskeyStore::new(
            &service,
            &settings.table_prefix,
        )),
        relying_party: Arc::new(crate::service::passkeys::RelyingParty::new(
            &settings.public_base_url,
        )),
        limits: settings.limits,
        retention_days: settings.retention_days,
        reminder_after_days: settings.reminder_after_days,
        mailer,
        clock,
        public_base_url: settings.public_base_url.clone(),
        product_name: settings.product_name.clone(),
        product_url: settings.product_url.clone(),
        mail_timeout: timeout,
        events: Arc::new(crate::storage::TableEventStore::new(
            &service,
            &settings.table_prefix,
        )),
        destinations: destinations(settings, http.clone()),
        views: crate::http::api::event_views(),
    };
    let state = AppState {
        services,
        staff: Arc::new(staff),
        privacy_staff: Arc::new(privacy_staff),
        readers: Arc::new(readers),
        events_caller,
        customer: Arc::new(customer),
        staff_sign_in,
        cookies,
    };
    Ok((state, tables))
}

/// Where events go, from the `EVENTS_*` settings (no network: an Event Grid token is
/// fetched on the first publish).
fn destinations(settings: &Settings, http: reqwest::Client) -> crate::events::send::Destinations {
    use crate::events::send::{Destinations, GridAuth};
    let events = &settings.events;
    let grid = events.event_grid.as_ref().map(|(endpoint, key)| {
        let auth = match key {
            Some(key) => GridAuth::Key(key.expose().clone()),
            None => GridAuth::ManagedIdentity,
        };
        (endpoint.clone(), auth)
    });
    Destinations::new(
        http,
        events.webhook_urls.clone(),
        events.webhook_secrets.clone(),
        grid,
        // `source`: the public address as configured (the URL type adds a slash to a bare host).
        settings
            .public_base_url
            .as_str()
            .trim_end_matches('/')
            .to_owned(),
        settings.tuning.events_right_away,
    )
}

/// The services of a one-off command (no listener): the tables made and open.
async fn services_once(settings: &Settings) -> Result<Services, String> {
    let (state, tables) = wire(settings, Arc::new(SystemClock)).map_err(|e| e.to_string())?;
    create_tables(&state.services)
        .await
        .map_err(|e| e.to_string())?;
    tables.open();
    Ok(state.services)
}
