//! Attacks on the blocking promise (crate docs, "Blocking inside handlers"): "Any program that
//! completes with one thread per actor completes on a pool of any size, one thread included", with
//! programs larger than the other stress tests: combinators and proxy calls read inside handlers,
//! dedicated and pooled actors alternating, promises set by actors queued behind the waiter, each
//! at 1, 2 and 8 workers.
//!
//! Every payload whose fate matters counts its own drops. No sleep synchronises anything: the tests
//! use replies, channels, counters and barriers; timeouts and watchdogs are hang guards. The hang
//! guard, the worker counts and the spin are in `tests/common/stress_graphs.rs`.

mod common;

use common::stress_graphs::{runtime, HANG, WORKERS};
use common::watchdog;
use pykka::{get_all, promise, Actor, ActorProxy, ActorRef, Context, Future, Promise, Receive};
use std::thread;

// =============================================================================================
// 1. Combinators and proxy calls read inside handlers.
/// Used only through proxies: no `Receive`.
struct Store {
    base: u64,
    reads: u64,
}
impl Store {
    fn value(&mut self, k: u64) -> u64 {
        self.reads += 1;
        self.base + k
    }
}
impl Actor for Store {}

struct Square;
impl Actor for Square {}
impl Receive for Square {
    type Message = u64;
    type Reply = u64;
    fn on_receive(&mut self, k: u64, _: &mut Context<Self>) -> u64 {
        k * k
    }
}

/// Reads every kind of combinator over proxy calls and asks, blocking, inside its handler.
struct Mixer {
    stores: Vec<ActorProxy<Store>>,
    square: ActorRef<Square>,
}
impl Actor for Mixer {}
impl Receive for Mixer {
    type Message = u64;
    type Reply = u64;
    fn on_receive(&mut self, k: u64, _: &mut Context<Self>) -> u64 {
        let st = &self.stores;
        // join + reduce over proxy calls to four actors.
        let sum = st[0]
            .call(move |s| s.value(k))
            .join(st[1..].iter().map(|p| p.call(move |s| s.value(k))))
            .reduce(|a, b| a + b, 0)
            .get()
            .expect("join");
        // map.
        let doubled = st[0]
            .call(move |s| s.value(k))
            .map(|v| v * 2)
            .get()
            .expect("map");
        // filter (keeps the values above the store's base).
        let filtered: u64 = st[1]
            .call(move |s| {
                let base = s.base;
                (vec![s.value(k), s.value(0)], base)
            })
            .map(|(v, base)| v.into_iter().filter(|x| *x > base).sum())
            .get()
            .expect("filter");
        // lazy: a hook that blocks on an ask when read.
        let square = self.square.clone();
        let lazy = Future::lazy(move |_left| square.ask(k).get())
            .get()
            .expect("lazy");
        // get_all over proxy calls.
        let all: u64 = get_all(st.iter().map(|p| p.call(move |s| s.value(k))))
            .expect("get_all")
            .into_iter()
            .sum();
        // A proxy call whose closure itself blocks on an ask, inside the store.
        let square = self.square.clone();
        let nested = st[2]
            .call(move |s| s.base + square.ask(k).get().expect("square inside the store"))
            .get()
            .expect("nested");
        sum + doubled + filtered + lazy + all + nested
    }
}

/// Asks two mixers and joins their replies.
struct Top {
    mixers: [ActorRef<Mixer>; 2],
}
impl Actor for Top {}
impl Receive for Top {
    type Message = u64;
    type Reply = u64;
    fn on_receive(&mut self, k: u64, _: &mut Context<Self>) -> u64 {
        self.mixers[0]
            .ask(k)
            .join([self.mixers[1].ask(k + 1)])
            .reduce(|a, b| a + b, 0)
            .map(|v| v + 1)
            .get()
            .expect("both mixers answer")
    }
}

const BASES: [u64; 4] = [1_000, 2_000, 3_000, 4_000];

fn mixer_value(k: u64) -> u64 {
    let sum: u64 = BASES.iter().map(|b| b + k).sum();
    let doubled = 2 * (BASES[0] + k);
    let filtered = if k > 0 { BASES[1] + k } else { 0 };
    sum + doubled + filtered + k * k + sum + BASES[2] + k * k
}

/// Attacks the crate docs' "Futures compose as in Pykka, lazily" together with "A handler may
/// call `get()` on another actor's reply ... that never starves or deadlocks the pool": `join`,
/// `reduce`, `map`, `filter`, `lazy`, `get_all` and proxy calls (one whose closure blocks on an
/// ask inside the called actor) are read inside handlers nested two deep, from three threads,
/// and every store counts exactly the reads made.
#[test]
fn combinators_and_proxy_calls_read_inside_nested_handlers_complete_exactly_at_1_2_and_8_workers() {
    let _dog = watchdog("combinators inside handlers", 120);
    for workers in WORKERS {
        let rt = runtime(workers);
        let stores: Vec<ActorRef<Store>> = BASES
            .iter()
            .map(|&base| Store { base, reads: 0 }.start_in(&rt))
            .collect();
        let square = Square.start_in(&rt);
        let mixer = || {
            Mixer {
                stores: stores.iter().map(|s| s.proxy().unwrap()).collect(),
                square: square.clone(),
            }
            .start_in(&rt)
        };
        let top = Top {
            mixers: [mixer(), mixer()],
        }
        .start_in(&rt);
        let per_thread = 6u64;
        thread::scope(|s| {
            for t in 0..3u64 {
                let top = &top;
                s.spawn(move || {
                    for j in 0..per_thread {
                        let k = t * 100 + j;
                        let got = top.ask(k).get_timeout(HANG);
                        let got = got.unwrap_or_else(|e| panic!("{workers} workers: {e}"));
                        assert_eq!(got, mixer_value(k) + mixer_value(k + 1) + 1);
                    }
                });
            }
        });
        // Each mixer run reads store 0 three times, store 1 four, stores 2 and 3 twice.
        let runs = 2 * 3 * per_thread;
        let reads: Vec<u64> = stores
            .iter()
            .map(|s| {
                s.proxy()
                    .unwrap()
                    .call(|s| s.reads)
                    .get_timeout(HANG)
                    .unwrap()
            })
            .collect();
        assert_eq!(
            reads,
            [3 * runs, 4 * runs, 2 * runs, 2 * runs],
            "{workers} workers: reads"
        );
    }
}

// =============================================================================================
// 2. A chain alternating dedicated and pooled actors.
struct Alt {
    next: Option<ActorRef<Alt>>,
}
impl Actor for Alt {}
impl Receive for Alt {
    type Message = u32;
    type Reply = u32;
    fn on_receive(&mut self, depth: u32, _: &mut Context<Self>) -> u32 {
        match &self.next {
            Some(next) if depth % 3 == 2 => next.ask(depth + 1).get_timeout(HANG),
            Some(next) => next.ask(depth + 1).get(),
            None => Ok(depth),
        }
        .expect("the next link answers")
    }
}

/// Attacks "Any program that completes with one thread per actor completes on a pool of any
/// size, one thread included" and the manual's dedicated actors ("Pykka's thread-per-actor
/// model") in one program: a chain of 24 links alternating dedicated threads and pooled
/// actors, each blocking on the next, asked from three threads at once.
#[test]
fn a_chain_alternating_dedicated_and_pooled_actors_completes_at_1_2_and_8_workers() {
    let _dog = watchdog("dedicated/pooled chain", 120);
    let len = 24;
    for workers in WORKERS {
        let rt = runtime(workers);
        let mut links = Vec::new();
        let mut next = None;
        for i in (0..len).rev() {
            let link = Alt { next };
            let link = if i % 2 == 1 {
                link.start_dedicated()
            } else {
                link.start_in(&rt)
            };
            links.push(link.clone());
            next = Some(link);
        }
        let head = next.unwrap();
        thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    for _ in 0..3 {
                        let got = head.ask(0).get_timeout(HANG);
                        assert_eq!(got.unwrap(), len - 1, "{workers} workers: the chain's end");
                    }
                });
            }
        });
        for link in links {
            link.stop();
        }
    }
}

// =============================================================================================
// 3. Handlers blocked on promises that an actor queued behind them sets.
struct Helper;
impl Actor for Helper {}
impl Receive for Helper {
    type Message = u64;
    type Reply = u64;
    fn on_receive(&mut self, v: u64, _: &mut Context<Self>) -> u64 {
        v * 10
    }
}

/// Sets the promises it is told, after a blocking ask of its own.
struct Setter {
    helper: ActorRef<Helper>,
}
impl Actor for Setter {}
impl Receive for Setter {
    type Message = (Promise<u64>, u64);
    type Reply = ();
    fn on_receive(&mut self, (p, v): (Promise<u64>, u64), _: &mut Context<Self>) {
        p.set(self.helper.ask(v).get().expect("the helper answers"));
    }
}

/// Creates a promise, tells the setter (whose token lands in this worker's own run queue,
/// behind this handler), blocks on the promise, then blocks on the next waiter.
struct Waiter {
    setter: ActorRef<Setter>,
    next: Option<ActorRef<Waiter>>,
}
impl Actor for Waiter {}
impl Receive for Waiter {
    type Message = u64;
    type Reply = u64;
    fn on_receive(&mut self, level: u64, _: &mut Context<Self>) -> u64 {
        let (p, f) = promise();
        self.setter.tell((p, level)).unwrap();
        let mine = match level % 3 {
            0 => f.get(),
            1 => f.map(|v| v).get(),
            _ => f.get_timeout(HANG),
        }
        .expect("the setter sets the promise");
        let below = match &self.next {
            Some(next) => next.ask(level + 1).get().expect("the next waiter answers"),
            None => 0,
        };
        mine + below
    }
}

/// Attacks the manual's "A handler may block in `get()` ... even on a pool of one thread" for
/// futures no actor's reply backs (a plain promise): a chain of 30 waiters, each blocked on a
/// promise that only an actor queued behind it on the same worker sets (and that actor blocks
/// on an ask of its own first), nested 30 deep, asked from two threads.
#[test]
fn handlers_blocked_on_promises_set_by_actors_queued_behind_them_complete_at_1_2_and_8_workers() {
    let _dog = watchdog("promises set from behind", 120);
    let len = 30u64;
    for workers in WORKERS {
        let rt = runtime(workers);
        let helper = Helper.start_in(&rt);
        let setter = Setter { helper }.start_in(&rt);
        let mut next = None;
        for _ in 0..len {
            next = Some(
                Waiter {
                    setter: setter.clone(),
                    next,
                }
                .start_in(&rt),
            );
        }
        let head = next.unwrap();
        let want: u64 = (0..len).map(|l| l * 10).sum();
        thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| {
                    for _ in 0..3 {
                        let got = head.ask(0).get_timeout(HANG);
                        assert_eq!(got.unwrap(), want, "{workers} workers");
                    }
                });
            }
        });
    }
}
