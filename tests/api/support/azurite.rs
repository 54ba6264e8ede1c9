//! An Azurite of one test's own, which the test can stop and start again on the same
//! port with the same data (kept in a temporary `--location` folder: the shared
//! Azurite's `--inMemoryPersistence` would lose it on a restart).

use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Azurite {
    pub port: u16,
    location: PathBuf,
    child: Option<Child>,
}

impl Azurite {
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let location = std::env::temp_dir().join(crate::support::unique("azurite-"));
        std::fs::create_dir_all(&location).unwrap();
        let mut azurite = Self {
            port,
            location,
            child: None,
        };
        azurite.start_again().await;
        azurite
    }

    pub fn connection_string(&self) -> String {
        format!(
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={};TableEndpoint=http://127.0.0.1:{}/devstoreaccount1",
            azure_storage::EMULATOR_ACCOUNT_KEY,
            self.port
        )
    }

    /// Starts Azurite on its port with its data; returns once it answers.
    pub async fn start_again(&mut self) {
        assert!(self.child.is_none(), "Azurite is already running");
        let main = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/node_modules/azurite/dist/src/table/main.js"
        );
        let mut command = Command::new("node");
        command
            .arg(main)
            .args(["--tableHost", "127.0.0.1", "--tablePort"])
            .arg(self.port.to_string())
            .arg("--location")
            .arg(&self.location)
            .args([
                "--disableTelemetry",
                "--skipApiVersionCheck",
                "--loose",
                "--silent",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        // SAFETY: prctl is async-signal-safe and touches no memory of the parent. Azurite
        // then dies with the thread that started it (the test's), however the test ends.
        unsafe {
            command.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        self.child = Some(command.spawn().expect("node starts Azurite (run `npm ci`)"));
        let deadline = Instant::now() + Duration::from_secs(30);
        let url = format!("http://127.0.0.1:{}/devstoreaccount1/Tables", self.port);
        while reqwest::get(&url).await.is_err() {
            assert!(Instant::now() < deadline, "Azurite did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops Azurite as an operator would (SIGINT: it closes its port and saves its data),
    /// and returns once it has exited.
    pub async fn stop(&mut self) {
        let mut child = self.child.take().expect("Azurite is running");
        let pid = i32::try_from(child.id()).unwrap();
        // SAFETY: kill(2) on our own child, which has not been reaped yet.
        unsafe {
            libc::kill(pid, libc::SIGINT);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                // Closing waits for requests in flight; do not wait for ever.
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Azurite {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.location);
    }
}

/// The table endpoint of the shared Azurite (the stack's).
pub fn shared_table_endpoint() -> String {
    crate::support::stack()
        .storage_connection_string
        .split(';')
        .find_map(|part| part.strip_prefix("TableEndpoint="))
        .unwrap()
        .to_owned()
}

/// A connection string for the shared Azurite with an account SAS of `permissions`
/// (`racwdlup`: all of them; without `c` no table can be created), signed with the
/// emulator's published key as `az storage account generate-sas` would; also the SAS's
/// signature.
pub fn sas_connection_string(permissions: &str) -> (String, String) {
    let (expiry, version) = ("2099-01-01T00:00:00Z", "2018-11-09");
    let to_sign = format!("devstoreaccount1\n{permissions}\nt\nsco\n\n{expiry}\n\n\n{version}\n");
    let key = azure_core::auth::Secret::new(azure_storage::EMULATOR_ACCOUNT_KEY);
    let sig = azure_core::hmac::hmac_sha256(&to_sign, &key).unwrap();
    let sas = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("sv", version)
        .append_pair("ss", "t")
        .append_pair("srt", "sco")
        .append_pair("sp", permissions)
        .append_pair("se", expiry)
        .append_pair("sig", &sig)
        .finish();
    let endpoint = shared_table_endpoint();
    (
        format!(
            "AccountName=devstoreaccount1;TableEndpoint={endpoint};SharedAccessSignature={sas}"
        ),
        sig,
    )
}
