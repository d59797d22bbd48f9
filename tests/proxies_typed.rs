//! Section 5 of `pykka-behaviors.md`, proxies: typed proxies (b5_8, Pykka's `test_typed_proxy.py`).
//!
//! Synchronisation is by futures, channels, barriers and mailbox FIFO order only; every timeout
//! below is a hang guard, never a way to wait for another thread. The actors and helpers are in
//! `tests/common/proxies.rs`.

mod common;

use common::proxies::{
    circle, expect_actor_dead, pet, runtime, Circle, CircleProxy, ConstantsProxy, HANG, PYKKA_PI,
};
use pykka::{ActorDeadError, ActorProxy, Future};
use std::sync::atomic::Ordering;
use std::thread;

// =============================================================================================
// b5_8: typed proxies (Pykka's test_typed_proxy.py)

#[test]
fn b5_8_typed_proxy_reads_a_field() {
    let rt = runtime(1);
    let (c, _) = circle(&rt);
    let proxy: CircleProxy = c.typed_proxy().unwrap();
    let text: Future<String> = proxy.text();
    assert_eq!(text.get_timeout(HANG).unwrap(), "The cake is a lie");
    assert!(c.stop());
}

#[test]
fn b5_8_typed_proxy_reads_a_field_of_a_traversable_object() {
    let rt = runtime(1);
    let (c, _) = circle(&rt);
    let proxy: CircleProxy = c.typed_proxy().unwrap();
    let constants: ConstantsProxy<Circle> = proxy.constants();
    let pi: Future<f64> = constants.pi();
    assert_eq!(pi.get_timeout(HANG).unwrap(), PYKKA_PI);
    assert!(c.stop());
}

#[test]
fn b5_8_typed_proxy_method_returns_a_future_of_its_value() {
    let rt = runtime(1);
    let (c, _) = circle(&rt);
    let proxy: CircleProxy = c.typed_proxy().unwrap();
    let area: Future<f64> = proxy.area(2.0);
    let area = area.get_timeout(HANG).unwrap();
    assert!((area - 12.56).abs() < 1e-9, "area(2.0) = {area}");
    // The method reads the value written through the nested proxy.
    proxy.constants().set_pi(3.0).get_timeout(HANG).unwrap();
    assert_eq!(proxy.area(2.0).get_timeout(HANG).unwrap(), 12.0);
    assert!(c.stop());
}

#[test]
fn b5_8_typed_proxy_deferred_method_and_setter() {
    let rt = runtime(1);
    let (c, _) = circle(&rt);
    let proxy: CircleProxy = c.typed_proxy().unwrap();
    let told: Result<(), ActorDeadError> = proxy.shout_defer();
    assert_eq!(told, Ok(()));
    assert_eq!(
        proxy.text().get_timeout(HANG).unwrap(),
        "The cake is a lie!"
    );
    proxy
        .set_text("Still alive".into())
        .get_timeout(HANG)
        .unwrap();
    let _shouted = proxy.shout();
    assert_eq!(proxy.text().get_timeout(HANG).unwrap(), "Still alive!");
    assert!(c.stop());
}

#[test]
fn b5_8_typed_proxy_can_stop_the_actor() {
    let rt = runtime(1);
    let (c, stops) = circle(&rt);
    let proxy: CircleProxy = c.typed_proxy().unwrap();
    let stopped: Future<bool> = proxy.stop();
    assert!(stopped.get_timeout(HANG).unwrap());
    assert_eq!(
        stops.load(Ordering::SeqCst),
        1,
        "proxy.stop() resolved before on_stop returned"
    );
    assert!(!c.is_alive());
    assert!(!proxy.actor_ref().is_alive());
    assert!(!proxy.stop().get_timeout(HANG).unwrap());
    assert!(c.typed_proxy().is_err());
    expect_actor_dead(proxy.text().get_timeout(HANG));
    assert!(proxy.shout_defer().is_err());
}

#[test]
fn b5_8_plain_proxy_can_stop_the_actor() {
    let rt = runtime(1);
    let (a, hooks) = pet(&rt);
    let p = a.proxy().unwrap();
    assert!(p.stop().get_timeout(HANG).unwrap());
    assert_eq!(hooks.stops(), 1);
    assert!(!a.is_alive());
}

#[test]
fn b5_8_typed_proxy_derefs_to_its_actor_proxy() {
    let rt = runtime(1);
    let (c, _) = circle(&rt);
    let proxy: CircleProxy = c.typed_proxy().unwrap();
    let plain: &ActorProxy<Circle> = &proxy;
    assert_eq!(*plain, c.proxy().unwrap());
    assert!(proxy.attr_path().is_empty());
    assert_eq!(proxy.actor_ref(), &c);
    assert_eq!(
        proxy.call(|c| c.area(1.0)).get_timeout(HANG).unwrap(),
        PYKKA_PI
    );
    proxy.defer(|c| c.text.clear()).unwrap();
    assert_eq!(proxy.text().get_timeout(HANG).unwrap(), "");
    assert_eq!(
        proxy
            .constants()
            .call(|k| k.pi * 2.0)
            .get_timeout(HANG)
            .unwrap(),
        PYKKA_PI * 2.0
    );
    assert!(c.stop());
}

#[test]
fn b5_8_typed_proxy_works_from_another_thread() {
    let rt = runtime(2);
    let (c, _) = circle(&rt);
    let proxy: CircleProxy = c.typed_proxy().unwrap();
    let sent = proxy.clone();
    let area = thread::spawn(move || sent.area(1.0).get_timeout(HANG).unwrap())
        .join()
        .unwrap();
    assert_eq!(area, PYKKA_PI);
    assert!(c.stop());
}
