//! Issue D: the registry at scale.
//!
//! - `spawn_registry`: start + first message + stop on one worker, with and without the registry
//!   (`Builder::register_actors(false)`), same group: registration must cost < 10 %.
//! - `lookup_by_urn`: `Runtime::get_by_urn` with 1 000 and with 1 000 000 registered actors:
//!   O(1) means the two are about equal.
//! - `registry_structure`: the choice of structure, register + unregister from 2 threads at once:
//!   one `Mutex<HashMap>` against 64 shards (what the library uses), same key and value shapes.

mod common;

use common::Counter;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pykka::{Actor, Future, Runtime};
use std::collections::HashMap;
use std::sync::{Arc, Barrier, Mutex};
use std::time::Instant;

fn spawn_registry(c: &mut Criterion) {
    let mut g = c.benchmark_group("spawn_registry");
    g.throughput(Throughput::Elements(1));
    for register in [true, false] {
        let rt = Runtime::builder()
            .threads(1)
            .register_actors(register)
            .build()
            .unwrap();
        let name = if register {
            "registered"
        } else {
            "not_registered"
        };
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter_custom(|iters| {
                let t = Instant::now();
                let stops: Vec<Future<bool>> = (0..iters)
                    .map(|i| {
                        let a = Counter(0).start_in(&rt);
                        a.tell(i).unwrap();
                        a.request_stop()
                    })
                    .collect();
                for s in stops {
                    assert!(s.get().unwrap());
                }
                t.elapsed()
            })
        });
    }
    g.finish();
}

struct Idle;
impl Actor for Idle {}

fn lookup_by_urn(c: &mut Criterion) {
    let mut g = c.benchmark_group("lookup_by_urn");
    g.throughput(Throughput::Elements(1));
    for n in [1_000usize, 1_000_000] {
        let rt = Runtime::builder().threads(1).build().unwrap();
        let urns: Vec<String> = (0..n)
            .map(|_| Idle.start_in(&rt).actor_urn().to_owned())
            .collect();
        g.bench_function(BenchmarkId::from_parameter(n), |b| {
            let mut i = 0usize;
            b.iter(|| {
                i = (i + 7919) % n;
                rt.get_by_urn(&urns[i]).is_some()
            })
        });
        drop(urns);
        rt.shutdown().unwrap();
    }
    g.finish();
}

/// The candidates, with the library's shapes: a 16-byte key and a fat pointer value.
trait Candidate: Sync {
    fn insert(&self, id: u128, v: Arc<dyn Send + Sync>);
    fn remove(&self, id: u128);
}

struct OneMutex(Mutex<HashMap<u128, Arc<dyn Send + Sync>>>);
impl Candidate for OneMutex {
    fn insert(&self, id: u128, v: Arc<dyn Send + Sync>) {
        self.0.lock().unwrap().insert(id, v);
    }
    fn remove(&self, id: u128) {
        self.0.lock().unwrap().remove(&id);
    }
}

struct Sharded(Vec<Mutex<HashMap<u128, Arc<dyn Send + Sync>>>>);
impl Candidate for Sharded {
    fn insert(&self, id: u128, v: Arc<dyn Send + Sync>) {
        self.0[(id >> 122) as usize % 64]
            .lock()
            .unwrap()
            .insert(id, v);
    }
    fn remove(&self, id: u128) {
        self.0[(id >> 122) as usize % 64]
            .lock()
            .unwrap()
            .remove(&id);
    }
}

fn registry_structure(c: &mut Criterion) {
    let mut g = c.benchmark_group("registry_structure");
    g.throughput(Throughput::Elements(2));
    let candidates: Vec<(&str, Arc<dyn Candidate + Send>)> = vec![
        ("one_mutex", Arc::new(OneMutex(Mutex::new(HashMap::new())))),
        (
            "sharded_64",
            Arc::new(Sharded(
                (0..64).map(|_| Mutex::new(HashMap::new())).collect(),
            )),
        ),
    ];
    for (name, cand) in candidates {
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter_custom(|iters| {
                let barrier = Arc::new(Barrier::new(2));
                let other = {
                    let (cand, barrier) = (Arc::clone(&cand), Arc::clone(&barrier));
                    std::thread::spawn(move || {
                        barrier.wait();
                        for i in 0..iters {
                            let id = u128::from(i)
                                .wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835)
                                | 1;
                            cand.insert(id, Arc::new(()));
                            cand.remove(id);
                        }
                    })
                };
                barrier.wait();
                let t = Instant::now();
                for i in 0..iters {
                    let id =
                        u128::from(i).wrapping_mul(0xD1B5_4A32_D192_ED03_9E37_79B9_7F4A_7C15) & !1;
                    cand.insert(id, Arc::new(()));
                    cand.remove(id);
                }
                other.join().unwrap();
                t.elapsed()
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = spawn_registry, lookup_by_urn, registry_structure
}
criterion_main!(benches);
