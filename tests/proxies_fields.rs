//! Section 5 of `pykka-behaviors.md`, proxies: attribute read and write (b5_5).
//!
//! Synchronisation is by futures, channels, barriers and mailbox FIFO order only; every timeout
//! below is a hang guard, never a way to wait for another thread. The actors and helpers are in
//! `tests/common/proxies.rs`.

mod common;

use common::gate;
use common::proxies::{pet, runtime, Hooks, Pet, PetProxy, HANG};
use pykka::{Actor, Future};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

// =============================================================================================
// b5_5: attribute read and write

#[test]
fn b5_5_field_can_be_read_through_call() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p = a.proxy().unwrap();
    let cat: Future<String> = p.call(|p| p.cat.clone());
    assert_eq!(cat.get_timeout(HANG).unwrap(), "dog");
    assert!(a.stop());
}

#[test]
fn b5_5_field_can_be_written_through_call_then_read() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p = a.proxy().unwrap();
    p.call(|p| p.cat = "eagle".into())
        .get_timeout(HANG)
        .unwrap();
    assert_eq!(
        p.call(|p| p.cat.clone()).get_timeout(HANG).unwrap(),
        "eagle"
    );
    // Written through defer: visible to the next read, in mailbox order.
    p.defer(|p| p.cat = "owl".into()).unwrap();
    assert_eq!(p.call(|p| p.cat.clone()).get_timeout(HANG).unwrap(), "owl");
    assert!(a.stop());
}

#[test]
fn b5_5_typed_field_getter_and_setter() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p: PetProxy = a.typed_proxy().unwrap();
    let cat: Future<String> = p.cat();
    assert_eq!(cat.get_timeout(HANG).unwrap(), "dog");
    let set: Future<()> = p.set_cat("eagle".into());
    set.get_timeout(HANG).unwrap();
    assert_eq!(p.cat().get_timeout(HANG).unwrap(), "eagle");
    assert_eq!(
        p.call(|p| p.cat.clone()).get_timeout(HANG).unwrap(),
        "eagle",
        "the setter did not write the actor's field"
    );
    assert!(a.stop());
}

#[test]
fn b5_5_reads_and_writes_are_in_mailbox_order_with_other_calls() {
    let rt = runtime(1);
    let hooks = Arc::new(Hooks::default());
    let (ctl, g) = gate();
    let a = Pet::new(&hooks).with_gate(g).start_in(&rt);
    let p = a.proxy().unwrap();
    let typed: PetProxy = a.typed_proxy().unwrap();
    p.defer(|p| p.block()).unwrap();
    ctl.wait_entered();

    let read1 = typed.cat();
    let write1 = p.call(|p| p.cat = "eagle".into());
    let read2 = p.call(|p| p.cat.clone());
    typed.change_cat_defer("owl".into()).unwrap();
    let read3 = typed.cat();
    let write2 = typed.set_cat("cow".into());
    a.tell("moo".into()).unwrap();
    let read4 = p.call(|p| (p.cat.clone(), p.log.clone()));
    assert!(!read1.is_ready(), "a read ran while the actor was busy");
    ctl.open();

    assert_eq!(read1.get_timeout(HANG).unwrap(), "dog");
    write1.get_timeout(HANG).unwrap();
    assert_eq!(read2.get_timeout(HANG).unwrap(), "eagle");
    assert_eq!(read3.get_timeout(HANG).unwrap(), "owl");
    write2.get_timeout(HANG).unwrap();
    assert_eq!(
        read4.get_timeout(HANG).unwrap(),
        ("cow".to_owned(), vec!["msg:moo".to_owned()])
    );
    assert!(a.stop());
}

#[test]
fn b5_5_a_read_returns_a_copy_not_the_actors_field() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let typed: PetProxy = a.typed_proxy().unwrap();
    typed.record("kept".into()).get_timeout(HANG).unwrap();
    let mut log = typed.log().get_timeout(HANG).unwrap();
    log.push("local only".into());
    log[0] = "changed".into();
    assert_eq!(typed.log().get_timeout(HANG).unwrap(), ["kept"]);
    let mut cat = a
        .proxy()
        .unwrap()
        .call(|p| p.cat.clone())
        .get_timeout(HANG)
        .unwrap();
    cat.push_str("gy");
    assert_eq!(typed.cat().get_timeout(HANG).unwrap(), "dog");
    assert!(a.stop());
}

/// Counts its clones: shows when (and how often) a field is read.
struct Tally {
    clones: Arc<AtomicUsize>,
    value: u32,
}

impl Clone for Tally {
    fn clone(&self) -> Self {
        self.clones.fetch_add(1, Ordering::SeqCst);
        Tally {
            clones: Arc::clone(&self.clones),
            value: self.value,
        }
    }
}

#[pykka::proxy]
struct Ledger {
    pub(crate) tally: Tally,
}

impl Actor for Ledger {}

#[test]
fn b5_5_creating_a_proxy_reads_no_field_and_a_read_reads_it_once() {
    let rt = runtime(1);
    let clones = Arc::new(AtomicUsize::new(0));
    let l = Ledger {
        tally: Tally {
            clones: Arc::clone(&clones),
            value: 7,
        },
    }
    .start_in(&rt);
    let plain = l.proxy().unwrap();
    let typed: LedgerProxy = l.typed_proxy().unwrap();
    let _copies = (plain.clone(), typed.clone());
    // FIFO fence: anything the proxies could have queued has run.
    typed.call(|_| ()).get_timeout(HANG).unwrap();
    assert_eq!(
        clones.load(Ordering::SeqCst),
        0,
        "making a proxy read a field"
    );
    assert_eq!(typed.tally().get_timeout(HANG).unwrap().value, 7);
    assert_eq!(clones.load(Ordering::SeqCst), 1, "one read, one clone");
    assert!(l.stop());
}
