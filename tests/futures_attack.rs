//! Attacks on the reply slot: reads with a timeout racing the set.

use pykka::{Error, Promise};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn spin(n: u64) {
    for i in 0..n {
        std::hint::black_box(i);
    }
}

/// `get_timeout` racing the `set` of its promise gives the value or `Timeout`, never
/// `BrokenPromise` (which says the promise was dropped unset). A read decided "empty, and the
/// flag says completed" in two looks, and a set between them read as "taken already".
#[test]
fn get_timeout_racing_a_set_never_reports_a_broken_promise() {
    let _guard = common::watchdog("get_timeout vs set", 120);
    const ITERS: u64 = 150_000;
    let slot: Arc<Mutex<Option<Promise<u32>>>> = Arc::new(Mutex::new(None));
    let go = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let setter = {
        let (slot, go, done) = (Arc::clone(&slot), Arc::clone(&go), Arc::clone(&done));
        std::thread::spawn(move || {
            let mut seen = 0;
            loop {
                let g = loop {
                    // ORDERING: Acquire pairs with the Release store of the generation.
                    let g = go.load(Ordering::Acquire);
                    if g != seen {
                        break g;
                    }
                    std::hint::spin_loop();
                };
                seen = g;
                if g == u64::MAX {
                    return;
                }
                let p = slot.lock().unwrap().take().unwrap();
                spin(g % 400);
                p.set(1);
                // ORDERING: Release; the reader waits for it before the next round.
                done.store(g, Ordering::Release);
            }
        })
    };
    let (mut values, mut timeouts) = (0u64, 0u64);
    for gen in 1..=ITERS {
        let (p, f) = pykka::promise::<u32>();
        *slot.lock().unwrap() = Some(p);
        // ORDERING: Release publishes the promise (also under the mutex).
        go.store(gen, Ordering::Release);
        spin((gen * 7919) % 300);
        match f.get_timeout(Duration::ZERO) {
            Ok(_) => values += 1,
            Err(Error::Timeout(_)) => timeouts += 1,
            Err(e) => panic!("round {gen}: {e:?} for a promise that was set"),
        }
        // ORDERING: Acquire pairs with the setter's Release.
        while done.load(Ordering::Acquire) != gen {
            std::hint::spin_loop();
        }
    }
    go.store(u64::MAX, Ordering::Release);
    setter.join().unwrap();
    assert_eq!(values + timeouts, ITERS);
}

mod common;
