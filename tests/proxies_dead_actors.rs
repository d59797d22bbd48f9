//! Section 5 of `pykka-behaviors.md`, proxies: proxies and dead actors (b5_2).
//!
//! Synchronisation is by futures, channels, barriers and mailbox FIFO order only; every timeout
//! below is a hang guard, never a way to wait for another thread. The actors and helpers are in
//! `tests/common/proxies.rs`.

mod common;

use common::gate;
use common::proxies::{
    circle, expect_actor_dead, kitchen_of, not_found, pet, runtime, stopped_before_handling,
    stove_of, wait_dropped, Hooks, House, Pet, PetProxy, HANG,
};
use pykka::Actor;
use std::sync::Arc;

// =============================================================================================
// b5_2: proxies and dead actors

#[test]
fn b5_2_proxy_of_a_dead_actor_fails_with_actor_dead_error() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    assert!(a.stop());
    let err = a.proxy().unwrap_err();
    assert_eq!(err.to_string(), not_found("Pet", a.actor_urn()));
    assert_eq!(err.to_string(), format!("{a} not found"));
    assert_eq!(err.message(), err.to_string());
}

#[test]
fn b5_2_typed_proxy_of_a_dead_actor_fails_with_actor_dead_error() {
    let rt = runtime(1);
    let (c, _) = circle(&rt);
    assert!(c.stop());
    match c.typed_proxy() {
        Err(e) => assert_eq!(e.to_string(), not_found("Circle", c.actor_urn())),
        Ok(p) => panic!("got a typed proxy of a dead actor: {p:?}"),
    }
}

#[test]
fn b5_2_proxy_of_an_actor_killed_by_a_failure_fails_with_actor_dead_error() {
    let rt = runtime(1);
    let hooks = Arc::new(Hooks::default());
    let (p, dropped) = Pet::new(&hooks).with_drop_signal();
    let a = p.start_in(&rt);
    a.proxy()
        .unwrap()
        .defer(|p| {
            p.raise_exception();
        })
        .unwrap();
    wait_dropped(&dropped);
    let err = a.proxy().unwrap_err();
    assert_eq!(err.to_string(), not_found("Pet", a.actor_urn()));
}

#[test]
fn b5_2_proxy_actor_ref_stays_usable_after_death_and_reports_not_alive() {
    let rt = runtime(1);
    let h = House::new().start_in(&rt);
    let root = h.proxy().unwrap();
    let stove = root
        .traverse("kitchen", kitchen_of)
        .traverse("stove", stove_of);
    assert!(root.actor_ref().is_alive());
    assert!(h.stop());

    for r in [root.actor_ref(), stove.actor_ref()] {
        assert!(!r.is_alive());
        assert_eq!(r, &h);
        assert_eq!(r.actor_urn(), h.actor_urn());
        assert_eq!(r.actor_class(), "House");
        assert!(!r.stop(), "stop of a dead actor reported true");
        assert!(r.proxy().is_err());
    }
}

#[test]
fn b5_2_call_through_a_proxy_whose_actor_died_fails_with_actor_dead() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p = a.proxy().unwrap();
    let typed: PetProxy = a.typed_proxy().unwrap();
    assert!(a.stop());
    let expected = not_found("Pet", a.actor_urn());

    let call = p.call(|p| p.cat.clone());
    assert!(
        call.is_ready(),
        "the future of a call to a dead actor is not failed at once"
    );
    assert_eq!(
        expect_actor_dead(call.get_timeout(HANG)).to_string(),
        expected
    );

    let with_ctx = p.call_with_context(|_, ctx| ctx.actor_urn().to_owned());
    assert_eq!(
        expect_actor_dead(with_ctx.get_timeout(HANG)).to_string(),
        expected
    );

    let method = typed.functional_hello("world".into());
    assert_eq!(
        expect_actor_dead(method.get_timeout(HANG)).to_string(),
        expected
    );
    let read = typed.cat();
    assert_eq!(
        expect_actor_dead(read.get_timeout(HANG)).to_string(),
        expected
    );
    let write = typed.set_cat("eagle".into());
    assert_eq!(
        expect_actor_dead(write.get_timeout(HANG)).to_string(),
        expected
    );
}

#[test]
fn b5_2_nested_call_through_a_proxy_whose_actor_died_fails_with_actor_dead() {
    let rt = runtime(1);
    let h = House::new().start_in(&rt);
    let stove = h
        .proxy()
        .unwrap()
        .traverse("kitchen", kitchen_of)
        .traverse("stove", stove_of);
    assert!(h.stop());
    let err = expect_actor_dead(stove.call(|s| s.heat(1)).get_timeout(HANG));
    assert_eq!(err.to_string(), not_found("House", h.actor_urn()));
}

#[test]
fn b5_2_defer_through_a_proxy_whose_actor_died_is_err() {
    let rt = runtime(1);
    let (a, _) = pet(&rt);
    let p = a.proxy().unwrap();
    let typed: PetProxy = a.typed_proxy().unwrap();
    assert!(a.stop());
    let expected = not_found("Pet", a.actor_urn());

    let err = p.defer(|p| p.cat = "eagle".into()).unwrap_err();
    assert_eq!(err.to_string(), expected);
    let err = p
        .defer_with_context(|_, ctx| assert!(ctx.stop()))
        .unwrap_err();
    assert_eq!(err.to_string(), expected);
    let err = typed.change_cat_defer("eagle".into()).unwrap_err();
    assert_eq!(err.to_string(), expected);

    let h = House::new().start_in(&rt);
    let stove = h
        .proxy()
        .unwrap()
        .traverse("kitchen", kitchen_of)
        .traverse("stove", stove_of);
    assert!(h.stop());
    let err = stove.defer(|s| s.temp = 0).unwrap_err();
    assert_eq!(err.to_string(), not_found("House", h.actor_urn()));
}

#[test]
fn b5_2_proxy_stop_of_a_dead_actor_resolves_false() {
    let rt = runtime(1);
    let (a, hooks) = pet(&rt);
    let p = a.proxy().unwrap();
    assert!(p.stop().get_timeout(HANG).unwrap());
    assert!(!p.stop().get_timeout(HANG).unwrap());
    assert_eq!(hooks.stops(), 1);
}

#[test]
fn b5_2_calls_queued_behind_a_proxy_stop_fail_with_actor_dead() {
    let rt = runtime(1);
    let hooks = Arc::new(Hooks::default());
    let (ctl, g) = gate();
    let a = Pet::new(&hooks).with_gate(g).start_in(&rt);
    let p = a.proxy().unwrap();
    p.defer(|p| p.block()).unwrap();
    ctl.wait_entered();
    let before = p.call(|p| p.functional_hello("before".into()));
    let stop = p.stop();
    let after = p.call(|p| p.functional_hello("after".into()));
    ctl.open();
    assert_eq!(before.get_timeout(HANG).unwrap(), "Hello, before!");
    assert!(stop.get_timeout(HANG).unwrap());
    let err = expect_actor_dead(after.get_timeout(HANG));
    assert_eq!(
        err.to_string(),
        stopped_before_handling("Pet", a.actor_urn())
    );
    assert!(!p.actor_ref().is_alive());
}
