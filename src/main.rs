//! `handler`: reads its settings, listens on 127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT and
//! serves until SIGTERM or Ctrl-C. `handler retry-deliveries`, `handler purge-ended` and
//! `handler send-reminders` run one pass of the `RetryDeliveries`, `PurgeEnded` or
//! `SendReminders` timer's work by hand and exit;
//! `handler merge-accounts` merges accounts that share an address (a one-off migration);
//! `handler index-companies` puts the companies made before the companies list into it
//! (once, on upgrading; see docs/performance.md) and exits.

use invitations::app::Application;
use invitations::settings::Settings;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    invitations::logging::init();

    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("handler cannot start: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(command) = std::env::args().nth(1) {
        return one_off(&command, settings).await;
    }
    let app = match Application::build(settings).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("handler cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    tracing::info!(port = app.port(), "handler listening on 127.0.0.1");
    app.run_until(shutdown_signal()).await;
    tracing::info!("handler stopped");
    ExitCode::SUCCESS
}

/// A one-off command: its one pass, its one line on stdout, and its exit code.
async fn one_off(command: &str, settings: Settings) -> ExitCode {
    let done = match command {
        "retry-deliveries" => Application::retry_deliveries_once(settings)
            .await
            .map(|report| {
                format!(
                    "{} sent, {} queued again, {} failed, {} abandoned, {} not due yet",
                    report.sent, report.requeued, report.failed, report.abandoned, report.waiting
                )
            }),
        "purge-ended" => Application::purge_ended_once(settings)
            .await
            .map(|report| invitations::http::api::timer::purge_line(&report)),
        "send-reminders" => Application::send_reminders_once(settings)
            .await
            .map(|report| invitations::http::api::timer::reminders_line(&report)),
        "merge-accounts" => Application::merge_accounts_once(settings)
            .await
            .map(|report| invitations::service::person::merge_line(&report)),
        "index-companies" => {
            Application::index_companies_once(settings)
                .await
                .map(|(listed, rows)| {
                    format!("{listed} companies listed, {rows} pending invitations written")
                })
        }
        other => {
            eprintln!(
                "unknown command {other:?}; usage: handler [retry-deliveries | purge-ended | send-reminders | merge-accounts | index-companies]"
            );
            return ExitCode::from(2);
        }
    };
    match done {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{command} failed: {e}");
            ExitCode::from(1)
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {},
                    _ = term.recv() => {},
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
