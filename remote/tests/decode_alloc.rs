//! What bytes from the wire can make a node allocate: nothing larger than what the frame
//! really holds (a length prefix that lies reserves nothing), and no nesting deep enough to
//! overflow the stack. One test only: the largest allocation is tracked process-wide.
#![allow(unsafe_code)] // a GlobalAlloc cannot be written without it

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use pykka_remote::wire::{decode_request_for_tests, request_frame_for_tests};
use serde::{Deserialize, Serialize};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Tracking;

/// The largest single allocation since the last reset.
static LARGEST: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only records sizes.
unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // ORDERING: Relaxed; read on this thread after the decode returns.
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Tracking = Tracking;

#[derive(Debug, Serialize, Deserialize)]
enum Msg {
    Text(String),
    Lists(Vec<Vec<u64>>),
    Node { x: u64, next: Option<Box<Msg>> },
    Map(std::collections::BTreeMap<u32, Vec<u8>>),
}

/// Decodes `frame` and returns the largest allocation made meanwhile.
fn largest_during(frame: &[u8]) -> (usize, bool) {
    LARGEST.store(0, Ordering::Relaxed);
    let ok = decode_request_for_tests::<Msg, ()>(frame, 1 << 20).is_ok();
    (LARGEST.load(Ordering::Relaxed), ok)
}

fn varint(mut n: u64, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

#[test]
fn wire_bytes_never_make_decoding_allocate_more_than_the_frame_holds_or_nest_past_the_limit() {
    let header = request_frame_for_tests::<Msg, ()>(&Msg::Text(String::new()))[..11].to_vec();

    // 1. Lying length prefixes, nested: `Lists` claiming 2^40 lists, the first claiming 2^40
    //    numbers, then the bytes run out. Before the limit wrapper, serde's cautious hint
    //    reserved up to 1 MiB at each level.
    let mut frame = header.clone();
    varint(1, &mut frame); // variant `Lists`
    varint(1 << 40, &mut frame);
    varint(1 << 40, &mut frame);
    frame.extend_from_slice(&[1, 2, 3]);
    let (largest, ok) = largest_during(&frame);
    assert!(!ok);
    assert!(largest <= 4096, "a lying length reserved {largest} bytes");

    // 2. A map claiming 2^40 entries.
    let mut frame = header.clone();
    varint(3, &mut frame);
    varint(1 << 40, &mut frame);
    let (largest, ok) = largest_during(&frame);
    assert!(!ok);
    assert!(
        largest <= 4096,
        "a lying map length reserved {largest} bytes"
    );

    // 3. Nesting 300 000 deep (`Node { x: 0, next: Some(..) }` repeated): refused at the
    //    nesting limit, not a stack overflow (which would abort this process).
    let mut frame = header.clone();
    for _ in 0..300_000 {
        frame.extend_from_slice(&[2, 0, 1]);
    }
    frame.extend_from_slice(&[2, 0, 0]);
    let e = decode_request_for_tests::<Msg, ()>(&frame, 1 << 20).unwrap_err();
    assert!(e.to_string().contains("nested more than"), "{e}");

    // ...while a message nested 100 deep decodes.
    let mut m = Msg::Node { x: 1, next: None };
    for _ in 0..100 {
        m = Msg::Node {
            x: 1,
            next: Some(Box::new(m)),
        };
    }
    let frame = request_frame_for_tests::<Msg, ()>(&m);
    assert!(decode_request_for_tests::<Msg, ()>(&frame, 1 << 20).is_ok());

    // 4. Arbitrary tails after a valid header: never a panic, and no allocation out of
    //    proportion to the frame. A value may be larger than its bytes (an empty `Vec<u64>` is
    //    one byte on the wire and 24 in memory, and a growing vector doubles), so the bound is
    //    a factor of the frame's length: 64 bytes per byte, never the 2^40 a prefix can claim.
    let mut runner = TestRunner::new(Config::with_cases(3000));
    runner
        .run(&proptest::collection::vec(any::<u8>(), 0..2048), |tail| {
            let mut frame = header.clone();
            frame.extend_from_slice(&tail);
            let (largest, _) = largest_during(&frame);
            prop_assert!(
                largest <= 64 * frame.len() + 4096,
                "{} for {} bytes",
                largest,
                frame.len()
            );
            Ok(())
        })
        .unwrap();
}
