//! Section 5 of `pykka-behaviors.md`, proxies: traversable attributes (b5_7).
//!
//! Synchronisation is by futures, channels, barriers and mailbox FIFO order only; every timeout
//! below is a hang guard, never a way to wait for another thread. The actors and helpers are in
//! `tests/common/proxies.rs`.

mod common;

use common::gate;
use common::proxies::{
    annex_of, hash_of, kitchen_of, knob_of, player, runtime, spare_stove_of, stove_of,
    ChannelProxy, House, Kitchen, Mixer, MixerProxy, Player, PlayerProxy, Speaker, Stove, HANG,
};
use pykka::{Actor, ActorProxy, Future, Runtime};
use std::collections::HashSet;
use std::thread;

// =============================================================================================
// b5_7: traversable attributes

#[test]
fn b5_7_traverse_reaches_a_nested_object_two_levels_down() {
    let rt = runtime(1);
    let h = House::new().start_in(&rt);
    let root = h.proxy().unwrap();
    let kitchen: ActorProxy<House, Kitchen> = root.traverse("kitchen", kitchen_of);
    let stove: ActorProxy<House, Stove> = kitchen.traverse("stove", stove_of);
    assert_eq!(stove.attr_path(), ["kitchen", "stove"]);
    assert_eq!(kitchen.attr_path(), ["kitchen"]);
    assert_eq!(stove.call(|s| s.heat(5)).get_timeout(HANG).unwrap(), 25);
    stove.defer(|s| s.temp += 1).unwrap();
    assert_eq!(
        root.call(|h| h.kitchen.stove.temp)
            .get_timeout(HANG)
            .unwrap(),
        26,
        "the nested call did not change the actor's own object"
    );
    assert_eq!(
        kitchen
            .call(|k| k.spare_stove.temp)
            .get_timeout(HANG)
            .unwrap(),
        0
    );
    assert!(h.stop());
}

#[test]
fn b5_7_traverse_reaches_any_depth() {
    let rt = runtime(1);
    let h = House::new().start_in(&rt);
    let knob = h
        .proxy()
        .unwrap()
        .traverse("kitchen", kitchen_of)
        .traverse("stove", stove_of)
        .traverse("knob", knob_of);
    assert_eq!(knob.attr_path(), ["kitchen", "stove", "knob"]);
    knob.defer(|k| k.position = 3).unwrap();
    assert_eq!(
        h.proxy()
            .unwrap()
            .call(|h| h.kitchen.stove.knob.position)
            .get_timeout(HANG)
            .unwrap(),
        3
    );
    assert!(h.stop());

    // Ten houses deep, each an annex of the one before.
    const DEPTH: usize = 10;
    let mut house = House::new();
    for _ in 0..DEPTH {
        let mut outer = House::new();
        outer.annex = Some(Box::new(house));
        house = outer;
    }
    let h = house.start_in(&rt);
    let mut deepest = h.proxy().unwrap();
    for _ in 0..DEPTH {
        deepest = deepest.traverse("annex", annex_of);
    }
    assert_eq!(deepest.attr_path(), ["annex"; DEPTH]);
    deepest.defer(|h| h.kitchen.stove.temp = 99).unwrap();
    let temps = h
        .proxy()
        .unwrap()
        .call(|h| {
            let mut temps = vec![h.kitchen.stove.temp];
            let mut cur = h.annex.as_deref();
            while let Some(a) = cur {
                temps.push(a.kitchen.stove.temp);
                cur = a.annex.as_deref();
            }
            temps
        })
        .get_timeout(HANG)
        .unwrap();
    let mut expected = vec![20; DEPTH];
    expected.push(99);
    assert_eq!(temps, expected, "only the deepest house changed");
    assert!(h.stop());
}

#[test]
fn b5_7_traverse_reaches_a_trait_object() {
    let rt = runtime(1);
    let h = House::new().start_in(&rt);
    let speaker: ActorProxy<House, dyn Speaker + Send> = h
        .proxy()
        .unwrap()
        .traverse("speaker", |h| h.speaker.as_mut());
    assert_eq!(
        speaker.call(|s| s.speak()).get_timeout(HANG).unwrap(),
        "polly #1"
    );
    assert_eq!(
        speaker.call(|s| s.speak()).get_timeout(HANG).unwrap(),
        "polly #2"
    );
    assert!(h.stop());
}

#[test]
fn b5_7_nested_calls_run_inside_the_actor_in_mailbox_order() {
    let rt = Runtime::builder()
        .threads(1)
        .thread_name("b5-7-pool")
        .build()
        .unwrap();
    let (ctl, g) = gate();
    let mut house = House::new();
    house.gate = Some(g);
    let h = house.start_in(&rt);
    let root = h.proxy().unwrap();
    let stove = root
        .traverse("kitchen", kitchen_of)
        .traverse("stove", stove_of);
    root.defer(|h| h.gate.as_ref().unwrap().pass()).unwrap();
    ctl.wait_entered();

    let first = stove.call(|s| s.heat(1));
    root.defer(|h| h.kitchen.stove.temp *= 10).unwrap();
    let second = stove.call_with_context(|s, ctx| {
        (
            s.heat(1),
            ctx.actor_urn().to_owned(),
            thread::current().name().map(str::to_owned),
        )
    });
    assert!(
        !first.is_ready(),
        "a nested call ran while the actor was busy: not inside the actor"
    );
    ctl.open();
    assert_eq!(first.get_timeout(HANG).unwrap(), 21);
    let (temp, urn, thread_name) = second.get_timeout(HANG).unwrap();
    assert_eq!(temp, 211);
    assert_eq!(urn, h.actor_urn());
    assert!(
        thread_name
            .as_deref()
            .is_some_and(|n| n.starts_with("b5-7-pool")),
        "the nested call ran on {thread_name:?}"
    );
    assert!(h.stop());
}

#[test]
// The key's hash and equality are its actor and path, which never change.
#[allow(clippy::mutable_key_type)]
fn b5_7_nested_proxy_is_not_equal_to_the_root_proxy() {
    let rt = runtime(1);
    let mut house = House::new();
    house.annex = Some(Box::new(House::new()));
    let h = house.start_in(&rt);
    let root: ActorProxy<House, House> = h.proxy().unwrap();
    let annex: ActorProxy<House, House> = root.traverse("annex", annex_of);
    assert_ne!(root, annex);
    assert_eq!(annex.actor_ref(), root.actor_ref());
    assert_eq!(annex, root.traverse("annex", annex_of));
    let set: HashSet<_> = [root.clone(), annex.clone(), root.clone(), annex.clone()]
        .into_iter()
        .collect();
    assert_eq!(set.len(), 2);

    // Siblings of one type, different paths.
    let kitchen = root.traverse("kitchen", kitchen_of);
    let stove = kitchen.traverse("stove", stove_of);
    let spare = kitchen.traverse("spare_stove", spare_stove_of);
    assert_ne!(stove, spare);
    let dbg = format!("{annex:?}");
    assert!(dbg.contains("annex"), "{dbg}");
    assert!(format!("{spare:?}").contains("spare_stove"));
    assert!(!format!("{root:?}").contains("annex"));
    assert!(h.stop());
}

#[test]
fn b5_7_typed_traversal_reaches_two_levels_down() {
    let rt = runtime(1);
    let p = player(&rt);
    let proxy: PlayerProxy = p.typed_proxy().unwrap();
    let mixer: MixerProxy<Player> = proxy.mixer();
    let channel: ChannelProxy<Player> = mixer.channel();
    assert_eq!(channel.attr_path(), ["mixer", "channel"]);
    assert_eq!(channel.boost(3).get_timeout(HANG).unwrap(), 4);
    channel.boost_defer(2).unwrap();
    channel.set_name("right".into()).get_timeout(HANG).unwrap();
    mixer.mute_defer().unwrap();
    assert_eq!(channel.level().get_timeout(HANG).unwrap(), 6);
    assert_eq!(
        proxy
            .call(|p| (
                p.mixer.gain,
                p.mixer.channel.level,
                p.mixer.channel.name.clone()
            ))
            .get_timeout(HANG)
            .unwrap(),
        (0, 6, "right".to_owned()),
        "the nested calls did not change the actor's own objects"
    );
    assert_eq!(
        proxy.spare().get_timeout(HANG).unwrap().channel.level,
        1,
        "the unmarked field was changed"
    );
    assert!(p.stop());
}

#[test]
fn b5_7_typed_nested_method_with_context_runs_in_the_actor() {
    let rt = runtime(1);
    let p = player(&rt);
    let channel = p.typed_proxy().unwrap().mixer().channel();
    assert_eq!(
        channel.owner_urn().get_timeout(HANG).unwrap(),
        p.actor_urn()
    );
    assert!(p.stop());
}

#[test]
fn b5_7_unmarked_struct_field_gives_a_clone_not_a_proxy() {
    let rt = runtime(1);
    let p = player(&rt);
    let proxy: PlayerProxy = p.typed_proxy().unwrap();
    let original = proxy.spare().get_timeout(HANG).unwrap();
    let spare: Future<Mixer> = proxy.spare();
    let mut spare: Mixer = spare.get_timeout(HANG).unwrap();
    assert_eq!(spare, original);
    spare.gain = 99;
    spare.channel.level = 99;
    spare.channel.name = "changed".into();
    assert_eq!(
        proxy.spare().get_timeout(HANG).unwrap(),
        original,
        "changing the read value changed the actor"
    );
    // The marked field of the same type is a proxy: its writes reach the actor.
    proxy.mixer().set_gain(99).get_timeout(HANG).unwrap();
    assert_eq!(proxy.mixer().gain().get_timeout(HANG).unwrap(), 99);
    assert!(p.stop());
}

#[test]
fn b5_7_a_method_returning_a_traversable_object_gives_a_value_not_a_proxy() {
    let rt = runtime(1);
    let p = player(&rt);
    let proxy: PlayerProxy = p.typed_proxy().unwrap();
    let snapshot: Future<Mixer> = proxy.mixer_snapshot();
    let mut snapshot = snapshot.get_timeout(HANG).unwrap();
    assert_eq!(snapshot.channel.name, "left");
    snapshot.channel.level = 50;
    assert_eq!(
        proxy.mixer().channel().level().get_timeout(HANG).unwrap(),
        1
    );
    assert!(p.stop());
}

#[test]
fn b5_7_typed_nested_proxies_compare_by_path_and_name_their_field() {
    let rt = runtime(1);
    let p = player(&rt);
    let proxy: PlayerProxy = p.typed_proxy().unwrap();
    assert_eq!(proxy.mixer(), proxy.mixer());
    assert_eq!(proxy.mixer().channel(), proxy.mixer().channel());
    assert_eq!(hash_of(&proxy.mixer()), hash_of(&proxy.mixer()));
    let mixer = format!("{:?}", proxy.mixer());
    assert!(mixer.contains("mixer"), "{mixer}");
    let channel = format!("{:?}", proxy.mixer().channel());
    assert!(
        channel.contains("mixer") && channel.contains("channel"),
        "{channel}"
    );
    assert!(!format!("{proxy:?}").contains("mixer"));
    assert!(p.stop());
}
