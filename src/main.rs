//! `handler`: reads its settings, listens on 127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT and
//! serves until SIGTERM or Ctrl-C. `handler retry-deliveries` and `handler purge-ended`
//! run one pass of the `RetryDeliveries` or `PurgeEnded` timer's work by hand and exit;
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
    match std::env::args().nth(1).as_deref() {
        None => {}
        Some("retry-deliveries") => {
            return match Application::retry_deliveries_once(settings).await {
                Ok(report) => {
                    println!(
                        "{} sent, {} queued again, {} failed, {} abandoned, {} not due yet",
                        report.sent,
                        report.requeued,
                        report.failed,
                        report.abandoned,
                        report.waiting
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("retry-deliveries failed: {e}");
                    ExitCode::from(1)
                }
            };
        }
        Some("purge-ended") => {
            return match Application::purge_ended_once(settings).await {
                Ok(report) => {
                    println!("{}", invitations::http::api::timer::purge_line(&report));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("purge-ended failed: {e}");
                    ExitCode::from(1)
                }
            };
        }
        Some("merge-accounts") => {
            return match Application::merge_accounts_once(settings).await {
                Ok(report) => {
                    println!("{}", invitations::service::person::merge_line(&report));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("merge-accounts failed: {e}");
                    ExitCode::from(1)
                }
            };
        }
        Some("index-companies") => {
            return match Application::index_companies_once(settings).await {
                Ok(listed) => {
                    println!("{listed} companies listed");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("index-companies failed: {e}");
                    ExitCode::from(1)
                }
            };
        }
        Some(other) => {
            eprintln!(
                "unknown command {other:?}; usage: handler [retry-deliveries | purge-ended | merge-accounts | index-companies]"
            );
            return ExitCode::from(2);
        }
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
