//! With no `SMTP_URL`, each email is written as an `.eml` file to `MAIL_DROP_DIR`: a local
//! stand-in an operator can open in any mail client.

use super::{MailError, Mailer, OutgoingEmail, build_message};
use async_trait::async_trait;
use std::path::PathBuf;

pub struct DropDirMailer {
    dir: PathBuf,
    from: lettre::Address,
    from_name: String,
}

impl DropDirMailer {
    pub fn new(dir: PathBuf, from: lettre::Address, from_name: String) -> Self {
        Self {
            dir,
            from,
            from_name,
        }
    }
}

#[async_trait]
impl Mailer for DropDirMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        let message = build_message(&self.from, &self.from_name, email)?;
        tokio::fs::create_dir_all(&self.dir).await.map_err(|e| {
            MailError::Transient(format!("cannot create {}: {e}", self.dir.display()))
        })?;
        let name = format!(
            "{}-{}.eml",
            time::OffsetDateTime::now_utc().unix_timestamp_nanos(),
            uuid::Uuid::new_v4().simple()
        );
        let path = self.dir.join(name);
        tokio::fs::write(&path, message.formatted())
            .await
            .map_err(|e| MailError::Transient(format!("cannot write {}: {e}", path.display())))
    }
}
