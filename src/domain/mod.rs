//! The rules of the service: no web framework, no Azure, no clock calls. Time is always
//! an argument.

pub mod account;
pub mod company;
pub mod country;
pub mod email;
pub mod event;
pub mod fields;
pub mod ids;
pub mod invitation;
pub mod locale;
pub mod membership;
pub mod mfa;
pub mod passkey;
pub mod reminder;
pub mod secret;
pub mod stats;
pub mod totp;

#[cfg(test)]
mod properties;

pub use fields::{FieldError, FieldErrors};
