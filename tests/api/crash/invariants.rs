//! What must hold after any operation, however it was cut short, once the person did
//! what they would do next and the timers ran. Written once for every operation; each
//! broken rule comes back as a sentence naming the rows at fault.

use super::Case;
use super::tables::{Snapshot, snapshot};
use crate::support::mailbox::{link_in, sent_to};
use crate::support::stack;
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// The state of one case's tables, read once.
struct State {
    /// Every row, without the sales figures (in `figures`).
    rows: Snapshot,
    /// The rows of sales figures, kept in Invitations beside the invitations.
    figures: Vec<Value>,
    now: time::OffsetDateTime,
}

/// Whether a row of Invitations holds sales figures rather than an invitation.
pub fn is_figures(row: &Value) -> bool {
    text(row, "RowKey").starts_with('~')
}

fn text<'a>(row: &'a Value, key: &str) -> &'a str {
    row[key].as_str().unwrap_or("")
}

/// The company a colleague invitation joins (`None` for a company invitation).
fn joins(invitation: &Value) -> Option<&str> {
    invitation.get("MemberRole")?;
    invitation["CompanyId"].as_str()
}

pub fn email_partition(email: &str) -> String {
    let digest = Sha256::digest(email.to_ascii_lowercase().as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("email-{hex}")
}

impl State {
    fn table(&self, name: &str) -> &[Value] {
        &self.rows[name]
    }

    fn find(&self, table: &str, pk: &str, rk: &str) -> Option<&Value> {
        self.table(table)
            .iter()
            .find(|r| text(r, "PartitionKey") == pk && text(r, "RowKey") == rk)
    }

    fn invitation(&self, id: &str) -> Option<&Value> {
        self.table("Invitations")
            .iter()
            .find(|r| text(r, "RowKey") == id)
    }

    /// The row of the email's lock an invitation takes: `active`, or `active-{company}`
    /// for a colleague invitation (locked per company).
    fn lock_row(invitation: &Value) -> String {
        match joins(invitation) {
            Some(company) => format!("active-{company}"),
            None => "active".to_owned(),
        }
    }

    /// The colleague invitations, each with the company it joins.
    fn colleague_invitations(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.table("Invitations")
            .iter()
            .filter_map(|invitation| Some((joins(invitation)?, invitation)))
    }

    fn companies(&self) -> impl Iterator<Item = &Value> {
        self.table("Companies")
            .iter()
            .filter(|r| text(r, "RowKey") == "company")
    }

    /// Pending or accepted, and not expired.
    fn active(&self, invitation: &Value) -> bool {
        let expires = time::OffsetDateTime::parse(
            text(invitation, "ExpiresAt"),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        match text(invitation, "Status") {
            "pending" => expires > self.now,
            "accepted" => true,
            _ => false,
        }
    }

    /// The account a login of an invitation opens, if any.
    fn bound_account(&self, invitation: &Value) -> Option<String> {
        let login = invitations::domain::invitation::LoginId {
            issuer: invitation["BoundIssuer"].as_str()?.to_owned(),
            subject: invitation["BoundSubject"].as_str()?.to_owned(),
        };
        let key = invitations::domain::account::login_key(&login);
        self.find("Accounts", &format!("login-{key}"), "login")
            .map(|row| text(row, "AccountId").to_owned())
    }
}

/// Every rule that does not hold in the case's tables, in words.
pub async fn broken(case: &Case) -> Vec<String> {
    let mut rows = snapshot(&case.prefix).await;
    let invitations = rows.get_mut("Invitations").unwrap();
    let figures = invitations
        .iter()
        .filter(|r| is_figures(r))
        .cloned()
        .collect();
    invitations.retain(|r| !is_figures(r));
    let state = State {
        rows,
        figures,
        now: time::OffsetDateTime::now_utc(),
    };
    let mut broken = Vec::new();
    one_company_per_invitation(&state, &mut broken);
    let rosters = rosters(case, &state, &mut broken).await;
    memberships_agree(&state, &rosters, &mut broken);
    companies_listed(&state, &rosters, &mut broken);
    no_row_without_its_invitation(&state, &mut broken);
    withdrawn_with_their_inviter(&state, &mut broken);
    pending_rows_agree(&state, &mut broken);
    one_account_per_address(&state, &mut broken);
    emails_sent(case, &state, &mut broken).await;
    nothing_erased_left(case, &state, &mut broken);
    sessions_stay_ended(case, &mut broken).await;
    figures_agree(case, &state, &mut broken);
    super::reminder::reminded(case, &mut broken).await;
    broken
}

/// Per inviter: sent, opened, accepted, completed, revoked.
type Steps = BTreeMap<String, [u64; 5]>;

/// The sales figures equal a recount of the invitations: an invitation's row and its
/// figures are written in one transaction, so no cut neither loses nor doubles a count.
/// Per inviter, `sent` counts every invitation (those erased or purged since the case
/// began too: the figures keep them); the other steps are compared when none went.
fn figures_agree(case: &Case, state: &State, broken: &mut Vec<String>) {
    let mut counted = Steps::new();
    for row in &state.figures {
        let tallies: BTreeMap<String, Value> = serde_json::from_str(text(row, "Tallies")).unwrap();
        for (inviter, tally) in tallies {
            let steps = counted.entry(inviter).or_default();
            for (n, key) in ["s", "o", "a", "c", "r"].into_iter().enumerate() {
                steps[n] += tally[key].as_u64().unwrap_or(0);
            }
        }
    }
    let gone: Vec<&Value> = case.before_rows["Invitations"]
        .iter()
        .filter(|b| !is_figures(b) && state.invitation(text(b, "RowKey")).is_none())
        .collect();
    let mut recount = Steps::new();
    let in_figures = |row: &&Value| row["InFigures"] == true;
    let rows = state
        .table("Invitations")
        .iter()
        .chain(gone.iter().copied());
    for row in rows.filter(in_figures) {
        let history = text(row, "History");
        let has = |event: &str| u64::from(history.contains(&format!("\"event\":\"{event}\"")));
        let status = text(row, "Status");
        let steps = recount
            .entry(text(row, "InvitedByEmail").to_lowercase())
            .or_default();
        for (n, add) in [
            1,
            has("opened"),
            has("accepted"),
            u64::from(status == "completed"),
            u64::from(status == "revoked"),
        ]
        .into_iter()
        .enumerate()
        {
            steps[n] += add;
        }
    }
    if !gone.is_empty() {
        let sent = |steps: &Steps| -> BTreeMap<String, u64> {
            steps.iter().map(|(k, s)| (k.clone(), s[0])).collect()
        };
        if sent(&counted) != sent(&recount) {
            broken.push(format!(
                "the figures count {:?} sent, the invitations {:?}",
                sent(&counted),
                sent(&recount)
            ));
        }
    } else if counted != recount {
        broken.push(format!(
            "the figures count {counted:?}, a recount of the invitations {recount:?}"
        ));
    }
}

fn one_company_per_invitation(state: &State, broken: &mut Vec<String>) {
    for company in state.companies() {
        let id = text(company, "PartitionKey");
        let from = text(company, "InvitationId");
        match state.invitation(from) {
            Some(invitation)
                if text(invitation, "Status") == "completed"
                    && invitation["CompanyId"].as_str() == Some(id)
                    && id == format!("c{from}") => {}
            Some(invitation) => broken.push(format!(
                "company {id} exists while its invitation is {} (company {:?})",
                text(invitation, "Status"),
                invitation["CompanyId"]
            )),
            None => broken.push(format!("company {id} has no invitation {from}")),
        }
    }
    for invitation in state.table("Invitations") {
        let id = text(invitation, "RowKey");
        let company = format!("c{id}");
        let exists = state.find("Companies", &company, "company").is_some();
        let member = invitation.get("MemberRole").is_some();
        let completed = text(invitation, "Status") == "completed";
        if !member && completed != exists {
            broken.push(format!(
                "company invitation {id} is {} and its company {}",
                text(invitation, "Status"),
                if exists { "exists" } else { "does not" }
            ));
        }
        let left_behind = state
            .table("Accounts")
            .iter()
            .any(|r| text(r, "RowKey") == format!("company-{company}"));
        if !member && !exists && left_behind {
            broken.push(format!(
                "a membership of company {company}, which does not exist"
            ));
        }
    }
}

/// Each company's members as staff see them (`GET /api/companies/{id}`): email → role.
type Rosters = BTreeMap<String, BTreeMap<String, String>>;

async fn rosters(case: &Case, state: &State, broken: &mut Vec<String>) -> Rosters {
    let mut rosters = Rosters::new();
    for company in state.companies() {
        let id = text(company, "PartitionKey");
        let answer = reqwest::Client::new()
            .get(case.url(&format!("/api/companies/{id}")))
            .bearer_auth(case.staff())
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "GET /api/companies/{id}");
        let view: Value = answer.json().await.unwrap();
        let members: BTreeMap<String, String> = view["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (text(m, "email").to_lowercase(), text(m, "role").to_owned()))
            .collect();
        if !members.values().any(|role| role == "administrator") {
            broken.push(format!("company {id} has no administrator: {members:?}"));
        }
        rosters.insert(id.to_owned(), members);
    }
    rosters
}

/// Every company is on the companies list with its member count, and the list names no
/// company that does not exist.
fn companies_listed(state: &State, rosters: &Rosters, broken: &mut Vec<String>) {
    for row in state.table("Companies") {
        if text(row, "PartitionKey") != "companies" {
            continue;
        }
        let id = text(row, "RowKey");
        match rosters.get(id) {
            None => broken.push(format!(
                "the companies list names {id}, which does not exist"
            )),
            Some(members) if row["Members"].as_u64() != Some(members.len() as u64) => {
                broken.push(format!(
                    "the companies list gives {id} {} members, its roster {}",
                    row["Members"],
                    members.len()
                ))
            }
            Some(_) => {}
        }
    }
    for id in rosters.keys() {
        if state.find("Companies", "companies", id).is_none() {
            broken.push(format!("company {id} is not on the companies list"));
        }
    }
}

/// The roster and the account-side rows say the same; an invitation's status agrees with
/// the memberships it makes.
fn memberships_agree(state: &State, rosters: &Rosters, broken: &mut Vec<String>) {
    let account_email = |account: &str| {
        state
            .find("Accounts", &format!("acct-{account}"), "profile")
            .map(|p| text(p, "Email").to_lowercase())
    };
    let mut listed = BTreeSet::new();
    for row in state.table("Accounts") {
        let Some(company) = text(row, "RowKey").strip_prefix("company-") else {
            continue;
        };
        let account = text(row, "PartitionKey").trim_start_matches("acct-");
        let email = account_email(account).unwrap_or_default();
        let in_roster = rosters.get(company).and_then(|r| r.get(&email));
        if in_roster.map(String::as_str) != Some(text(row, "Role")) {
            broken.push(format!(
                "account {account} says {} of {company}; the roster says {in_roster:?}",
                text(row, "Role")
            ));
        }
        listed.insert((company.to_owned(), email));
    }
    for (company, members) in rosters {
        for email in members.keys() {
            if !listed.contains(&(company.clone(), email.clone())) {
                broken.push(format!(
                    "{email} is on the roster of {company} without its account's row"
                ));
            }
        }
    }
    for (company, invitation) in state.colleague_invitations() {
        let id = text(invitation, "RowKey");
        let email = text(invitation, "Email").to_lowercase();
        let member = rosters.get(company).is_some_and(|r| r.contains_key(&email));
        let joined = state.table("Companies").iter().any(|r| {
            text(r, "PartitionKey") == company
                && text(r, "Event") == "joined"
                && text(r, "InvitationId") == id
        });
        match text(invitation, "Status") {
            "completed" if !joined => {
                broken.push(format!("invitation {id} is completed, nobody joined"))
            }
            "accepted" | "revoked" if member && state.bound_account(invitation).is_some() => {
                let through_another = state.table("Invitations").iter().any(|other| {
                    text(other, "Email").eq_ignore_ascii_case(&email)
                        && other["CompanyId"].as_str() == Some(company)
                        && text(other, "Status") == "completed"
                });
                if !through_another {
                    broken.push(format!(
                        "{email} is a member of {company} through invitation {id}, which is {}",
                        text(invitation, "Status")
                    ));
                }
            }
            _ => {}
        }
    }
}

/// After the timers: every lock, listing, link and queue row leads to its invitation;
/// every invitation is listed under its email, and an active one holds the email's lock.
fn no_row_without_its_invitation(state: &State, broken: &mut Vec<String>) {
    for row in state.table("InvitationIndex") {
        let (pk, rk) = (text(row, "PartitionKey"), text(row, "RowKey"));
        let leads_to = if rk == "active" || rk.starts_with("active-") || rk == "link" {
            text(row, "InvitationId")
        } else {
            rk
        };
        let invitation = state.invitation(leads_to);
        let fits = match invitation {
            None => false,
            Some(invitation) if pk.starts_with("email-") => {
                email_partition(text(invitation, "Email")) == pk
            }
            Some(invitation) if pk.starts_with("mailq") => {
                text(invitation, "EmailDelivery") == "queued"
            }
            Some(_) => true,
        };
        if !fits {
            broken.push(format!(
                "index row {pk}/{rk} without its invitation {leads_to} ({})",
                invitation.map_or("none".into(), |i| text(i, "EmailDelivery").to_owned())
            ));
        }
    }
    for invitation in state.table("Invitations") {
        let id = text(invitation, "RowKey");
        let partition = email_partition(text(invitation, "Email"));
        if state.find("InvitationIndex", &partition, id).is_none() {
            broken.push(format!("invitation {id} is not listed under its email"));
        }
        let lock = state.find("InvitationIndex", &partition, &State::lock_row(invitation));
        if state.active(invitation) && lock.is_none_or(|l| text(l, "InvitationId") != id) {
            broken.push(format!(
                "invitation {id} is {} without its email's lock",
                text(invitation, "Status")
            ));
        }
    }
}

/// A colleague invitation an administrator sent is withdrawn once they are removed from
/// (or leave) the company as its administrator: none stays active after the history's
/// entry of that removal.
fn withdrawn_with_their_inviter(state: &State, broken: &mut Vec<String>) {
    for (company, invitation) in state.colleague_invitations() {
        let inviter = text(invitation, "InvitedByEmail");
        let removed = state.table("Companies").iter().any(|r| {
            text(r, "PartitionKey") == company
                && matches!(text(r, "Event"), "removed" | "left")
                && text(r, "Role") == "administrator"
                && text(r, "Subject").eq_ignore_ascii_case(inviter)
        });
        if removed && state.active(invitation) {
            broken.push(format!(
                "invitation {} is {} though its inviter is no longer an administrator of {company}",
                text(invitation, "RowKey"),
                text(invitation, "Status")
            ));
        }
    }
}

/// A company's pending rows (`invited-{id}`, what its page lists) are exactly its
/// colleague invitations that are pending or accepted (expired ones too, until purged:
/// the reader decides), with their status and expiry.
fn pending_rows_agree(state: &State, broken: &mut Vec<String>) {
    let mut rows: BTreeMap<(&str, &str), (&str, &str)> = BTreeMap::new();
    for row in state.table("Companies") {
        if let Some(id) = text(row, "RowKey").strip_prefix("invited-") {
            let shows = (text(row, "Status"), text(row, "ExpiresAt"));
            rows.insert((text(row, "PartitionKey"), id), shows);
        }
    }
    for (company, invitation) in state.colleague_invitations() {
        let id = text(invitation, "RowKey");
        let status = text(invitation, "Status");
        let expected = matches!(status, "pending" | "accepted")
            .then(|| (status, text(invitation, "ExpiresAt")));
        let row = rows.remove(&(company, id));
        if row != expected {
            broken.push(format!(
                "invitation {id} of {company} is {status}; its pending row shows {row:?}"
            ));
        }
    }
    for ((company, id), row) in rows {
        broken.push(format!(
            "company {company} lists invitation {id} as {row:?}, no such colleague invitation"
        ));
    }
}

/// One person, one account: no two account profiles name the same address.
fn one_account_per_address(state: &State, broken: &mut Vec<String>) {
    let mut accounts: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for profile in state.table("Accounts") {
        if text(profile, "RowKey") == "profile" {
            accounts
                .entry(text(profile, "Email").to_lowercase())
                .or_default()
                .push(text(profile, "PartitionKey"));
        }
    }
    for (email, accounts) in accounts.into_iter().filter(|(_, a)| a.len() > 1) {
        broken.push(format!(
            "{email} has {} accounts: {accounts:?}",
            accounts.len()
        ));
    }
}

/// A session its person signed out of opens nothing, even a copy of its cookie (the
/// setup's, as a stolen one would be).
async fn sessions_stay_ended(case: &Case, broken: &mut Vec<String>) {
    let signed_out = case.notes().signed_out.clone();
    for name in signed_out {
        let copy = case.world.people[name].browser.copy("127.0.0.1");
        let profile = copy
            .client
            .get(case.url("/api/Profile"))
            .send()
            .await
            .unwrap();
        if profile.status().is_success() {
            broken.push(format!(
                "{name}'s session opens the profile after signing out"
            ));
        }
    }
}

/// Every invitation that was answered (a 201, a resend's 200, a bulk row, a page's
/// notice) exists; every pending invitation this case made or sent again has had its
/// email since the case began, and the newest link opens.
async fn emails_sent(case: &Case, state: &State, broken: &mut Vec<String>) {
    let (ids, named, recipients) = {
        let notes = case.notes();
        let n = &*notes;
        (
            n.answered_ids.clone(),
            n.named_ids.clone(),
            n.answered_to.clone(),
        )
    };
    for id in &ids {
        if state.invitation(id).is_none() {
            broken.push(format!("invitation {id} was answered and does not exist"));
        }
    }
    for id in &named {
        if state.invitation(id).is_none() {
            broken.push(format!("a 409 named invitation {id}, which does not exist"));
        }
    }
    for email in &recipients {
        let found = state
            .table("Invitations")
            .iter()
            .any(|i| text(i, "Email").eq_ignore_ascii_case(email));
        if !found {
            broken.push(format!(
                "an invitation to {email} was answered, none exists"
            ));
        }
    }
    for invitation in state.table("Invitations") {
        let id = text(invitation, "RowKey");
        let unchanged = case.before_rows["Invitations"].iter().any(|before| {
            text(before, "RowKey") == id && text(before, "LinkHash") == text(invitation, "LinkHash")
        });
        if unchanged || text(invitation, "Status") != "pending" || !state.active(invitation) {
            continue;
        }
        let email = text(invitation, "Email");
        if text(invitation, "EmailDelivery") != "sent" {
            broken.push(format!(
                "invitation {id} is still {} after the retry",
                text(invitation, "EmailDelivery")
            ));
        }
        let mails: Vec<_> = sent_to(&stack().maildev_url, email)
            .await
            .into_iter()
            .filter(|m| !case.mails_before.contains(&m.id))
            .map(|m| link_in(&m))
            .filter(|link| link.contains(&format!("invitationId={id}.")))
            .collect();
        let Some(newest) = mails.last() else {
            broken.push(format!("invitation {id} never had its email"));
            continue;
        };
        let opened = case
            .browser("nobody")
            .get(case.rebase(newest))
            .send()
            .await
            .unwrap();
        if opened.status() != 302 {
            broken.push(format!(
                "the newest email of invitation {id} leads to a {}",
                opened.status()
            ));
        }
    }
}

fn nothing_erased_left(case: &Case, state: &State, broken: &mut Vec<String>) {
    let erased = case.notes().erased.clone();
    for email in &erased {
        let email = email.to_lowercase();
        for (table, rows) in &state.rows {
            for row in rows {
                if row.to_string().to_lowercase().contains(&email) {
                    broken.push(format!(
                        "{table} {}/{} still names the erased {email}",
                        text(row, "PartitionKey"),
                        text(row, "RowKey")
                    ));
                }
            }
        }
    }
}
