//! Issue C targets: a proxy call + `get` against a plain `ask` + `get` of the same work, in one
//! criterion group on a one-thread runtime (the bench thread asks, the worker answers).
//!
//! - `ask_get`: the baseline, `Counter` from `benches/common` (adds, answers the total);
//! - `call_get`: `ActorProxy::call(|c| c.add(1))`;
//! - `typed_get`: the `#[pykka::proxy]` method `add(1)`;
//! - `nested_get`: a method of a traversable field, through a nested proxy kept across calls.
//!
//! The target: typed ≤ 1.2 × ask. A proxy call allocates nothing for the proxy itself (the
//! closure travels in the same one box as an asked message), which `tests/alloc_count.rs` checks.

mod common;

use common::{config, Counter};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pykka::{Actor, Runtime};

#[pykka::proxy]
struct Tally {
    pub(crate) total: u64,
    #[proxy(traversable)]
    pub(crate) inner: Inner,
}

#[pykka::proxy]
impl Tally {
    pub(crate) fn add(&mut self, n: u64) -> u64 {
        self.total = self.total.wrapping_add(n);
        self.total
    }
}

impl Actor for Tally {}

#[pykka::proxy(traversable)]
struct Inner {
    pub(crate) total: u64,
}

#[pykka::proxy]
impl Inner {
    pub(crate) fn add(&mut self, n: u64) -> u64 {
        self.total = self.total.wrapping_add(n);
        self.total
    }
}

fn proxy_call(c: &mut Criterion) {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let mut g = c.benchmark_group("proxy_call");
    g.throughput(Throughput::Elements(1));

    let counter = Counter(0).start_in(&rt);
    g.bench_function(BenchmarkId::from_parameter("ask_get"), |b| {
        b.iter(|| counter.ask(1).get().unwrap())
    });
    counter.stop();

    let tally = Tally {
        total: 0,
        inner: Inner { total: 0 },
    }
    .start_in(&rt);
    let proxy = tally.proxy().unwrap();
    g.bench_function(BenchmarkId::from_parameter("call_get"), |b| {
        b.iter(|| proxy.call(|t| t.add(1)).get().unwrap())
    });
    let typed = tally.typed_proxy().unwrap();
    g.bench_function(BenchmarkId::from_parameter("typed_get"), |b| {
        b.iter(|| typed.add(1).get().unwrap())
    });
    let nested = typed.inner();
    g.bench_function(BenchmarkId::from_parameter("nested_get"), |b| {
        b.iter(|| nested.add(1).get().unwrap())
    });
    tally.stop();
    g.finish();
}

criterion_group! { name = benches; config = config(); targets = proxy_call }
criterion_main!(benches);
