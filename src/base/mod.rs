//! The base layer: what every other layer may use, and which uses nothing of theirs.
//!
//! - `sync`: the std-or-loom switch for the primitives the loom models check;
//! - `panic`: catching user code at the boundary (`catch`, `Failure`);
//! - `logging`: log records with the logger's panics caught;
//! - `time`: deadlines from user durations that saturate instead of overflowing;
//! - `urn`: actor ids and their `urn:uuid:` text;
//! - `config`: a runtime's settings;
//! - `error`: the library's public error types;
//! - `type_name`: short type names.

pub(crate) mod config;
pub(crate) mod error;
pub(crate) mod logging;
pub(crate) mod panic;
pub(crate) mod sync;
pub(crate) mod time;
#[cfg(feature = "tracing")]
pub(crate) mod tracing;
pub(crate) mod type_name;
pub(crate) mod urn;
