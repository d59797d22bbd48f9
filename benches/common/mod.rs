//! Shared by the criterion benches (`mod common;`): one configuration, one counting actor.
#![allow(dead_code)] // each bench uses what it needs

use criterion::Criterion;
use pykka::{Actor, ActorRef, Context, Receive};
use std::time::Duration;

/// Small samples: the machines are shared and have 2 cores; ratios come from one group.
pub(crate) fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
}

/// Adds what it is told; answers the running total.
pub(crate) struct Counter(pub(crate) u64);
impl Actor for Counter {}
impl Receive for Counter {
    type Message = u64;
    type Reply = u64;
    fn on_receive(&mut self, m: u64, _: &mut Context<Self>) -> u64 {
        self.0 = self.0.wrapping_add(m);
        self.0
    }
}

/// Asked `n`, asks its target `n` times, blocking on each reply (inside its handler).
pub(crate) struct Asker {
    pub(crate) target: ActorRef<Counter>,
}
impl Actor for Asker {}
impl Receive for Asker {
    type Message = u64;
    type Reply = u64;
    fn on_receive(&mut self, n: u64, _: &mut Context<Self>) -> u64 {
        let mut last = 0;
        for i in 0..n {
            last = self.target.ask(i).get().unwrap();
        }
        last
    }
}
