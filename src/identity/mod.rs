//! Identities from outside: OpenID providers' metadata and keys, bearer tokens (staff,
//! Entra's authentication events service).

pub mod bearer;
pub mod customer;
pub mod events_caller;
pub mod provider;
pub mod staff;
pub mod staff_sign_in;
