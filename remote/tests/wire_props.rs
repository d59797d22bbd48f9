//! Property tests: any bytes at all, decoded as a request or a reply, give a value or a typed
//! error, never a panic; a frame over the limit is refused by its length.

use proptest::prelude::*;
use pykka_remote::wire::{decode_reply_for_tests, decode_request_for_tests};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
enum Msg {
    A(String),
    B(Vec<Vec<u8>>),
    C { x: u64, y: Option<Box<Msg>> },
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_bytes_as_a_request_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode_request_for_tests::<Msg, u32>(&bytes, 4096);
    }

    #[test]
    fn any_bytes_after_a_valid_header_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut frame = pykka_remote::wire::request_frame_for_tests::<Msg, u32>(&Msg::A(String::new()));
        frame.truncate(11);
        frame.extend_from_slice(&tail);
        let _ = decode_request_for_tests::<Msg, u32>(&frame, 4096);
    }

    #[test]
    fn any_bytes_as_a_reply_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode_reply_for_tests::<Msg>(&bytes, 4096);
    }

    #[test]
    fn a_frame_over_the_limit_is_refused(len in 65usize..2048) {
        let frame = vec![0xA7u8; len];
        let e = decode_request_for_tests::<Msg, u32>(&frame, 64).unwrap_err();
        prop_assert!(matches!(e, pykka_remote::RemoteError::TooLarge { .. }), "{}", e);
    }
}

/// A length prefix that claims 2^60 elements reserves no more than serde's cautious cap: the
/// decode fails on the missing bytes and the process is still here (an allocation of the
/// claimed size would abort).
#[test]
fn a_lying_length_prefix_does_not_allocate_what_it_claims() {
    let mut frame = pykka_remote::wire::request_frame_for_tests::<Msg, u32>(&Msg::B(Vec::new()));
    frame.truncate(12); // header + variant index of `B`
                        // varint of 2^60
    let mut n: u64 = 1 << 60;
    while n >= 0x80 {
        frame.push((n as u8) | 0x80);
        n >>= 7;
    }
    frame.push(n as u8);
    let e = decode_request_for_tests::<Msg, u32>(&frame, 4096).unwrap_err();
    assert!(matches!(e, pykka_remote::RemoteError::Malformed(_)), "{e}");
}

#[test]
fn a_deeply_nested_frame_is_refused_not_a_stack_overflow() {
    let mut frame = pykka_remote::wire::request_frame_for_tests::<Msg, u32>(&Msg::A(String::new()));
    frame.truncate(11);
    for _ in 0..200_000 {
        frame.extend_from_slice(&[2, 0, 1]); // C { x: 0, y: Some(..) }
    }
    frame.extend_from_slice(&[2, 0, 0]);
    let e = decode_request_for_tests::<Msg, u32>(&frame, 1 << 20).unwrap_err();
    assert!(e.to_string().contains("nested more than"), "{e}");
}

/// A `Vec<()>` claiming 2^62 elements (they take no bytes): refused at the element limit, at
/// once, not a loop of 2^62 turns on a zenoh thread.
#[test]
fn a_huge_count_of_zero_sized_elements_is_refused_at_once() {
    let mut frame = pykka_remote::wire::request_frame_for_tests::<Vec<()>, ()>(&Vec::new());
    frame.truncate(11);
    let mut n: u64 = 1 << 62;
    while n >= 0x80 {
        frame.push((n as u8) | 0x80);
        n >>= 7;
    }
    frame.push(n as u8);
    let started = std::time::Instant::now();
    let e = decode_request_for_tests::<Vec<()>, ()>(&frame, 4096).unwrap_err();
    assert!(matches!(e, pykka_remote::RemoteError::Malformed(_)), "{e}");
    // A hang guard, not a timing claim: the refusal comes after 2^20 turns, not 2^62.
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    // A real vector of units still decodes.
    let ok = pykka_remote::wire::request_frame_for_tests::<Vec<()>, ()>(&vec![(); 1000]);
    assert_eq!(
        decode_request_for_tests::<Vec<()>, ()>(&ok, 4096)
            .unwrap()
            .unwrap()
            .len(),
        1000
    );
}

/// A large recursive type, nested to the limit, decodes (or is refused) on a thread with a
/// 2 MiB stack (zenoh's threads have that much) without overflowing it, in this debug build.
#[test]
fn decoding_to_the_nesting_limit_fits_a_2_mib_stack() {
    #[derive(Debug, Serialize, Deserialize)]
    enum Big {
        Leaf([u64; 16]),
        Pair(Box<Big>, Option<Box<Big>>),
        Named {
            tag: String,
            inner: Vec<Big>,
            extra: (u32, u64, Option<String>),
        },
    }
    let mut frame = pykka_remote::wire::request_frame_for_tests::<Big, ()>(&Big::Leaf([0; 16]));
    frame.truncate(11);
    for _ in 0..2000 {
        frame.extend_from_slice(&[2, 0, 1]); // Named { tag: "", inner: [ ...
    }
    let t = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || decode_request_for_tests::<Big, ()>(&frame, 1 << 20).is_err())
        .unwrap();
    assert!(
        t.join().unwrap(),
        "a frame nested past the limit is refused"
    );
}
