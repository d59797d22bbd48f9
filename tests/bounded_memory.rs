//! [mailboxes] item 1: a producer that outruns a bounded consumer keeps memory flat. A global
//! allocator (this test binary only) tracks the bytes live in the process and their peak.
//!
//! A `GlobalAlloc` cannot be written without `unsafe`. The library itself denies `unsafe_code`
//! but for one module (`actor::envelope::inline`, docs/design.md "Inline envelopes").
#![allow(unsafe_code)]

use pykka::{Actor, Context, Receive, Runtime};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

struct Tracking;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    // ORDERING: Relaxed: counters only, read after the threads that change them are joined.
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: forwards to the system allocator unchanged; only counts bytes.
unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        grew(new_size);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Tracking = Tracking;

/// Slower than a producer that only tells: each message costs a little work.
struct Slow {
    handled: Arc<AtomicUsize>,
}
impl Actor for Slow {
    const MAILBOX_CAPACITY: Option<usize> = Some(1024);
}
impl Receive for Slow {
    type Message = u64;
    type Reply = ();
    fn on_receive(&mut self, m: u64, _: &mut Context<Self>) {
        let mut x = m;
        for _ in 0..20 {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
        std::hint::black_box(x);
        self.handled.fetch_add(1, Ordering::Relaxed);
    }
}

const MESSAGES: u64 = 10_000_000;

#[test]
fn ten_million_tells_to_a_slower_bounded_consumer_keep_memory_flat() {
    let rt = Runtime::builder().threads(2).build().unwrap();
    let handled = Arc::new(AtomicUsize::new(0));
    let consumer = Slow {
        handled: handled.clone(),
    }
    .start_in(&rt);
    // Warm up (the consumer's first buffer, the runtime's threads), then measure from here.
    consumer.ask(0).get().unwrap();
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    for m in 1..=MESSAGES {
        consumer.tell(m).unwrap();
    }
    consumer.ask(0).get().unwrap();
    let peak = PEAK.load(Ordering::Relaxed);
    assert_eq!(handled.load(Ordering::Relaxed) as u64, MESSAGES + 2);
    // 1 024 envelopes of 56 bytes queued, as many in the batch being run, a buffer's growth:
    // well under a megabyte. Unbounded, the queue grows by the producer's lead (hundreds of
    // megabytes at this count).
    let grown = peak.saturating_sub(base);
    assert!(
        grown < 1 << 20,
        "the peak grew by {grown} bytes over {MESSAGES} messages"
    );
    consumer.stop();
}
