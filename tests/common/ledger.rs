//! Payloads that count their own drops, by id: "every message is dropped exactly once".

use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;

/// Per-id drop counts for every `Tok` made.
pub(crate) struct Ledger {
    next: AtomicUsize,
    drops: Box<[AtomicU8]>,
}

impl Ledger {
    pub(crate) fn new(capacity: usize) -> Arc<Ledger> {
        Arc::new(Ledger {
            next: AtomicUsize::new(0),
            drops: (0..capacity).map(|_| AtomicU8::new(0)).collect(),
        })
    }

    pub(crate) fn tok(self: &Arc<Self>) -> Tok {
        let id = self.next.fetch_add(1, Ordering::SeqCst);
        assert!(id < self.drops.len(), "ledger too small");
        Tok {
            id,
            ledger: Arc::clone(self),
        }
    }

    pub(crate) fn made(&self) -> usize {
        self.next.load(Ordering::SeqCst)
    }

    pub(crate) fn dropped(&self) -> usize {
        self.drops[..self.made()]
            .iter()
            .map(|d| d.load(Ordering::SeqCst) as usize)
            .sum()
    }

    /// Every token made so far was dropped exactly once (`what` names the scenario).
    #[track_caller]
    pub(crate) fn assert_each_dropped_once(&self, what: &str) {
        let made = self.made();
        let mut leaked = Vec::new();
        let mut twice = Vec::new();
        for (id, d) in self.drops[..made].iter().enumerate() {
            match d.load(Ordering::SeqCst) {
                1 => {}
                0 => leaked.push(id),
                _ => twice.push(id),
            }
        }
        assert!(
            leaked.is_empty() && twice.is_empty(),
            "{what}: {made} payloads made: {} never dropped (first: {:?}), {} dropped more than \
             once (first: {:?})",
            leaked.len(),
            leaked.iter().take(8).collect::<Vec<_>>(),
            twice.len(),
            twice.iter().take(8).collect::<Vec<_>>(),
        );
    }
}

/// A payload that counts its drop under its id.
pub(crate) struct Tok {
    pub(crate) id: usize,
    ledger: Arc<Ledger>,
}

impl std::fmt::Debug for Tok {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tok({})", self.id)
    }
}

impl Drop for Tok {
    fn drop(&mut self) {
        // Never panics (a panic here would be caught and logged by the library, hiding it).
        self.ledger.drops[self.id].fetch_add(1, Ordering::SeqCst);
    }
}
