//! The invitation service: an Azure Functions custom handler.
//!
//! Layers: [`http`] (where requests enter) over [`service`] (what each operation does)
//! over [`domain`] (the rules), with [`storage`], [`mail`] and [`identity`] reaching the
//! outside world. [`app`] wires them; [`settings`] reads the environment once.

pub mod app;
pub mod clock;
pub mod domain;
pub mod events;
pub mod http;
pub mod i18n;
pub mod identity;
#[cfg(test)]
mod import_loops;
pub mod logging;
pub mod mail;
pub mod page;
pub mod service;
pub mod settings;
pub mod storage;
