//! Deadlines from user durations that never panic: `Instant + Duration` overflows for large
//! durations (`Duration::MAX`), so every deadline the library computes from a user's duration
//! goes through here.

use std::time::{Duration, Instant};

/// How far ahead a saturated deadline lies: about a century, which every platform's `Instant`
/// holds.
pub(crate) const FAR: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// `now + d`, or, if that cannot be represented, `now + FAR` (and `now` should even that fail).
pub(crate) fn saturating_deadline(now: Instant, d: Duration) -> Instant {
    now.checked_add(d)
        .or_else(|| now.checked_add(FAR.min(d)))
        .unwrap_or(now)
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn duration_max_saturates_instead_of_panicking() {
        let now = Instant::now();
        assert!(saturating_deadline(now, Duration::MAX) >= now + Duration::from_secs(3600));
        assert_eq!(saturating_deadline(now, Duration::ZERO), now);
        let d = Duration::from_millis(5);
        assert_eq!(saturating_deadline(now, d), now + d);
    }
}
