//! Identities from outside: OpenID providers' metadata and keys, staff bearer tokens.

pub mod customer;
pub mod provider;
pub mod staff;
pub mod staff_sign_in;
