#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The integration tests: one binary (link time is slow), the real handler against real
//! Azurite, SMTP and OpenID components.

mod support;

mod account;
mod binary;
mod capacity;
mod claims;
mod company_rule;
mod completion;
mod crash;
mod delivery;
mod event_delivery;
mod export;
mod faults;
mod funnel;
mod hardening;
mod hardening_identity;
mod hardening_storage;
mod health;
mod hostile;
mod identity_shapes;
mod integrity;
mod invite;
mod journey;
mod lifecycle;
mod links;
mod listing;
mod organisations;
mod organisations_pages;
mod pages;
mod passkeys;
mod platform;
mod privacy;
mod problem_languages;
mod programs;
mod races;
mod reminders;
mod security;
mod staff_office;
mod staff_pages;
mod staff_tokens;
mod stats;
mod walk;
