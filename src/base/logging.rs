//! Log records through the `log` crate, with the logger's panics caught.
//!
//! A logger is user code, and the library logs on its own threads (pool workers, spare threads,
//! the timer thread, dedicated threads): a logger that panics must not take one of them down.
//! Every record the library writes goes through these macros, which call the `log` macro of the
//! same name under `catch_unwind` and drop a caught payload safely. A record that panicked is
//! lost; nothing else is.
//!
//! The level check happens inside the `log` macro, before anything is formatted, so a disabled
//! record costs what it costs without the wrapper. [`enabled`], for the rare caller that must
//! know before it builds a record, asks the logger under `catch_unwind` too. This is one part of
//! the rule that no user code runs uncaught on the library's threads: see `base::panic`.

/// `log::error!`, with the logger's panics caught.
macro_rules! error {
    ($($arg:tt)+) => { $crate::base::logging::caught(|| ::log::error!($($arg)+)) };
}

/// `log::warn!`, with the logger's panics caught (`warn` is the name of a built-in attribute,
/// which a macro cannot share).
macro_rules! warning {
    ($($arg:tt)+) => { $crate::base::logging::caught(|| ::log::warn!($($arg)+)) };
}

/// `log::info!`, with the logger's panics caught.
macro_rules! info {
    ($($arg:tt)+) => { $crate::base::logging::caught(|| ::log::info!($($arg)+)) };
}

/// `log::debug!`, with the logger's panics caught.
macro_rules! debug {
    ($($arg:tt)+) => { $crate::base::logging::caught(|| ::log::debug!($($arg)+)) };
}

pub(crate) use {debug, error, info, warning};

/// Runs a logging call, catching a panic of the logger.
#[inline]
pub(crate) fn caught(log: impl FnOnce()) {
    if let Err(p) = crate::base::panic::catch(log) {
        crate::base::panic::drop_payload(p);
    }
}

/// Whether records of `level` on target `pykka` are wanted (asks the logger: caught too).
pub(crate) fn enabled(level: log::Level) -> bool {
    match crate::base::panic::catch(|| log::log_enabled!(target: "pykka", level)) {
        Ok(enabled) => enabled,
        Err(p) => {
            crate::base::panic::drop_payload(p);
            false
        }
    }
}
