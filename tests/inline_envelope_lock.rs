//! A job too large for an envelope's inline space is boxed by the sender before the mailbox's
//! lock is taken, never under it (no allocation, and no allocator lock, inside the mailbox's
//! critical section). Found by review of the inline envelopes, which first boxed it in `make`,
//! under the lock.
//!
//! Probe: while the sending thread allocates the job's box, a second thread tells the same
//! actor; if it cannot get through while the allocation is in progress, the lock is held. The
//! 5-second wait is a hang guard: the second thread gets through at once when the lock is free.
#![allow(unsafe_code)] // a GlobalAlloc cannot be written without it

use pykka::{Actor, Context, Receive, Runtime};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::{Duration, Instant};

struct Probe;
thread_local! {
    static IS_SENDER: Cell<bool> = const { Cell::new(false) };
}
static ARMED: AtomicBool = AtomicBool::new(false);
static GO: AtomicBool = AtomicBool::new(false);
static DONE: AtomicBool = AtomicBool::new(false);
/// 0: not probed; 1: the other sender got through (lock free); 2: it was blocked (lock held).
static RESULT: AtomicU8 = AtomicU8::new(0);

const BIG: usize = 64; // words: a 512-byte message

fn probe(size: usize) {
    if size < BIG * 8 || !IS_SENDER.try_with(Cell::get).unwrap_or(false) {
        return;
    }
    if !ARMED.swap(false, Ordering::SeqCst) {
        return;
    }
    GO.store(true, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !DONE.load(Ordering::SeqCst) && Instant::now() < deadline {
        std::hint::spin_loop();
    }
    RESULT.store(
        if DONE.load(Ordering::SeqCst) { 1 } else { 2 },
        Ordering::SeqCst,
    );
}

// SAFETY: forwards to the system allocator unchanged; the probe only waits and reads atomics.
unsafe impl GlobalAlloc for Probe {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        probe(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Probe = Probe;

struct Sink;
impl Actor for Sink {}
impl Receive for Sink {
    type Message = [u64; BIG];
    type Reply = ();
    fn on_receive(&mut self, m: [u64; BIG], _: &mut Context<Self>) {
        std::hint::black_box(m);
    }
}

#[test]
fn a_large_message_is_not_boxed_under_the_mailbox_lock() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let sink = Sink.start_in(&rt);
    sink.ask([0; BIG]).get().unwrap();
    let other = sink.clone();
    let prober = std::thread::spawn(move || {
        while !GO.load(Ordering::SeqCst) {
            std::thread::yield_now();
        }
        other.tell([2; BIG]).unwrap();
        DONE.store(true, Ordering::SeqCst);
    });
    IS_SENDER.with(|s| s.set(true));
    ARMED.store(true, Ordering::SeqCst);
    sink.tell([1; BIG]).unwrap();
    IS_SENDER.with(|s| s.set(false));
    prober.join().unwrap();
    let r = RESULT.load(Ordering::SeqCst);
    assert_ne!(
        r, 0,
        "the probe never fired (no allocation of the job on the sender)"
    );
    assert_eq!(
        r, 1,
        "another sender was blocked while this one allocated its message's box: \
         the mailbox lock is held across the allocation"
    );
    sink.stop();
}
