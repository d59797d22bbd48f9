//! Nothing here: the tests are in `tests/`. This package exists to keep tokio out of the
//! `pykka` crate's own dev-dependencies.
