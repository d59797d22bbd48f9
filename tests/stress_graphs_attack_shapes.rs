//! Attacks on the blocking promise (crate docs, "Blocking inside handlers"): "Any program that
//! completes with one thread per actor completes on a pool of any size, one thread included", with
//! programs larger than the other stress tests: deep and wide blocking graphs (a tree, a lattice of
//! diamonds, a fan-out of 1 000), each at 1, 2 and 8 workers.
//!
//! Every payload whose fate matters counts its own drops. No sleep synchronises anything: the tests
//! use replies, channels, counters and barriers; timeouts and watchdogs are hang guards. The hang
//! guard, the worker counts and the spin are in `tests/common/stress_graphs.rs`.

mod common;

use common::stress_graphs::{runtime, HANG, WORKERS};
use common::{watchdog, Rng};
use pykka::{get_all, Actor, ActorRef, Context, Future, Receive};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

// =============================================================================================
// 1. A binary tree of depth 10 (2 047 actors), built by blocking asks in `on_start`.
const TREE_DEPTH: u32 = 10;

/// `(urn, [children's urns])` in the order `on_stop` ran.
type StopLog = Arc<Mutex<Vec<(String, Vec<String>)>>>;

/// A node starts its two children in `on_start` and blocks there on their leaf counts; asked,
/// it asks both children and blocks on both (the second with a timeout at odd depths, which
/// never runs inline).
struct TreeNode {
    depth: u32,
    kids: Vec<ActorRef<TreeNode>>,
    leaves_at_start: u64,
    stops: StopLog,
}

enum TreeAsk {
    Leaves,
    LeavesAtStart,
}

impl TreeNode {
    fn count(&self) -> u64 {
        if self.kids.is_empty() {
            return 1;
        }
        let a = self.kids[0].ask(TreeAsk::Leaves);
        let b = self.kids[1].ask(TreeAsk::Leaves);
        let a = a.get().expect("the left subtree answers");
        let b = if self.depth % 2 == 1 {
            b.get_timeout(HANG)
        } else {
            b.get()
        }
        .expect("the right subtree answers");
        a + b
    }
}

impl Actor for TreeNode {
    fn on_start(&mut self, ctx: &mut Context<Self>) {
        if self.depth < TREE_DEPTH {
            for _ in 0..2 {
                self.kids.push(ctx.start_child(TreeNode {
                    depth: self.depth + 1,
                    kids: Vec::new(),
                    leaves_at_start: 0,
                    stops: self.stops.clone(),
                }));
            }
        }
        self.leaves_at_start = self.count();
    }

    fn on_stop(&mut self, ctx: &mut Context<Self>) {
        let kids = self.kids.iter().map(|k| k.actor_urn().to_owned()).collect();
        self.stops
            .lock()
            .unwrap()
            .push((ctx.actor_urn().to_owned(), kids));
    }
}

impl Receive for TreeNode {
    type Message = TreeAsk;
    type Reply = u64;
    fn on_receive(&mut self, m: TreeAsk, _: &mut Context<Self>) -> u64 {
        match m {
            TreeAsk::Leaves => self.count(),
            TreeAsk::LeavesAtStart => self.leaves_at_start,
        }
    }
}

/// Attacks the crate docs' "Any program that completes with one thread per actor completes on
/// a pool of any size, one thread included" with a binary tree of depth 10 whose nodes block in
/// `on_start` and in handlers on both children, asked from four threads at once; and the
/// manual's "A stopping parent stops its children first, last started first" on the same tree
/// (a stop cascade 10 levels deep through blocking stops).
#[test]
fn a_binary_tree_of_depth_10_of_blocking_asks_completes_and_stops_children_first_at_1_2_and_8_workers(
) {
    let _dog = watchdog("binary tree of depth 10", 120);
    let leaves = 1u64 << TREE_DEPTH;
    for workers in WORKERS {
        let rt = runtime(workers);
        let stops = StopLog::default();
        let root = TreeNode {
            depth: 0,
            kids: Vec::new(),
            leaves_at_start: 0,
            stops: stops.clone(),
        }
        .start_in(&rt);
        thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..2 {
                        let n = root.ask(TreeAsk::Leaves).get_timeout(HANG);
                        assert_eq!(n.unwrap(), leaves, "{workers} workers: leaves");
                    }
                });
            }
        });
        let at_start = root.ask(TreeAsk::LeavesAtStart).get_timeout(HANG);
        assert_eq!(
            at_start.unwrap(),
            leaves,
            "{workers} workers: counted in on_start"
        );
        assert_eq!(rt.registered().len(), 2 * leaves as usize - 1);

        assert!(root.stop(), "{workers} workers: the root was alive");
        let stops = stops.lock().unwrap().clone();
        assert_eq!(
            stops.len(),
            2 * leaves as usize - 1,
            "{workers} workers: every on_stop"
        );
        let at: HashMap<&str, usize> = stops
            .iter()
            .enumerate()
            .map(|(i, (urn, _))| (urn.as_str(), i))
            .collect();
        for (i, (urn, kids)) in stops.iter().enumerate() {
            for k in kids {
                assert!(
                    at[k.as_str()] < i,
                    "{workers} workers: {urn} stopped before its child"
                );
            }
            if let [first, second] = &kids[..] {
                assert!(
                    at[second.as_str()] < at[first.as_str()],
                    "{workers} workers: children stop last started first"
                );
            }
        }
        rt.join().unwrap();
        assert!(rt.registered().is_empty());
    }
}

// =============================================================================================
// 2. A lattice of diamonds: node (l, i) asks (l + 1, i) and (l + 1, i + 1).
const LATTICE_DEPTH: usize = 11;

struct LatticeNode {
    next: Vec<ActorRef<LatticeNode>>,
    /// Read the right branch first (half of the nodes), so waits on shared nodes interleave.
    right_first: bool,
    visits: Arc<AtomicU64>,
}
impl Actor for LatticeNode {}
impl Receive for LatticeNode {
    type Message = ();
    /// The number of paths from this node to the bottom.
    type Reply = u64;
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) -> u64 {
        self.visits.fetch_add(1, Ordering::Relaxed);
        if self.next.is_empty() {
            return 1;
        }
        let a = self.next[0].ask(());
        let b = self.next[1].ask(());
        let (first, second) = if self.right_first { (b, a) } else { (a, b) };
        let x = first.get().expect("a branch answers");
        x + second.get().expect("the other branch answers")
    }
}

/// Attacks "Any program that completes with one thread per actor completes on a pool of any
/// size, one thread included" with diamonds: every inner node of an 11-level lattice is asked
/// by two parents, whose handlers block on it at the same time from different threads (at 2
/// and 8 workers) or nested on one thread (at 1). Exact accounting: every node handles exactly
/// as many asks as there are paths to it from the nodes asked from outside.
#[test]
fn a_lattice_of_diamonds_blocking_on_shared_nodes_completes_with_exact_visit_counts_at_1_2_and_8_workers(
) {
    let _dog = watchdog("lattice of diamonds", 120);
    for workers in WORKERS {
        let rt = runtime(workers);
        // levels[l][i], built from the bottom.
        let mut levels: Vec<Vec<(ActorRef<LatticeNode>, Arc<AtomicU64>)>> = Vec::new();
        for l in (0..=LATTICE_DEPTH).rev() {
            let row = (0..=l)
                .map(|i| {
                    let visits = Arc::new(AtomicU64::new(0));
                    let next = match levels.last() {
                        Some(below) if l < LATTICE_DEPTH => {
                            vec![below[i].0.clone(), below[i + 1].0.clone()]
                        }
                        _ => Vec::new(),
                    };
                    let node = LatticeNode {
                        next,
                        right_first: (l + i) % 2 == 1,
                        visits: visits.clone(),
                    }
                    .start_in(&rt);
                    (node, visits)
                })
                .collect();
            levels.push(row);
        }
        levels.reverse();
        let levels = &levels;
        // What each outside thread asks: (level, index).
        let plan: Vec<Vec<(usize, usize)>> = (0..4u64)
            .map(|t| {
                let mut rng = Rng(t + 10 * workers as u64);
                let mut asks = vec![(0, 0)];
                for _ in 0..2 {
                    let l = rng.below(4);
                    asks.push((l, rng.below(l + 1)));
                }
                asks
            })
            .collect();
        thread::scope(|s| {
            for asks in &plan {
                s.spawn(move || {
                    for &(l, i) in asks {
                        let paths = levels[l][i].0.ask(()).get_timeout(HANG);
                        assert_eq!(
                            paths.unwrap(),
                            1 << (LATTICE_DEPTH - l),
                            "{workers} workers: paths from ({l}, {i})"
                        );
                    }
                });
            }
        });
        // Expected visits: for each outside ask, the number of paths from it to each node.
        let mut expected = vec![vec![0u64; LATTICE_DEPTH + 1]; LATTICE_DEPTH + 1];
        for &(l0, i0) in plan.iter().flatten() {
            let mut row = vec![0u64; LATTICE_DEPTH + 2];
            row[i0] = 1;
            for (l, level) in expected.iter_mut().enumerate().skip(l0) {
                for i in 0..=l {
                    level[i] += row[i];
                }
                let mut next = vec![0u64; LATTICE_DEPTH + 2];
                for i in 0..=l {
                    next[i] += row[i];
                    next[i + 1] += row[i];
                }
                row = next;
            }
        }
        for (l, row) in levels.iter().enumerate() {
            for (i, (_, visits)) in row.iter().enumerate() {
                assert_eq!(
                    visits.load(Ordering::Relaxed),
                    expected[l][i],
                    "{workers} workers: asks handled by ({l}, {i})"
                );
            }
        }
    }
}

// =============================================================================================
// 3. A wide fan-out: a hub blocks on 1 000 spokes, each blocking on one shared actor.
struct Tally {
    count: u64,
}
impl Actor for Tally {}
impl Receive for Tally {
    type Message = ();
    type Reply = u64;
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) -> u64 {
        self.count += 1;
        self.count
    }
}

struct Spoke {
    tally: ActorRef<Tally>,
}
impl Actor for Spoke {}
impl Receive for Spoke {
    type Message = ();
    type Reply = u64;
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) -> u64 {
        self.tally.ask(()).get().expect("the tally answers")
    }
}

struct Hub {
    spokes: Arc<Vec<ActorRef<Spoke>>>,
}
impl Actor for Hub {}
impl Receive for Hub {
    type Message = ();
    type Reply = Vec<u64>;
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) -> Vec<u64> {
        let replies: Vec<Future<u64>> = self.spokes.iter().map(|s| s.ask(())).collect();
        get_all(replies).expect("every spoke answers")
    }
}

/// Attacks "Any program that completes with one thread per actor completes on a pool of any
/// size, one thread included" (and the sharing rule of `src/blocking.rs`: "a handler that keeps
/// being served by inline runs ... gives its slot to a spare thread") with a wide fan-out: two
/// hubs each ask the same 1 000 spokes and block on every reply (`get_all`), while every spoke
/// blocks on one shared tally. Every tally value 1..=4 000 is handed out exactly once.
#[test]
fn two_hubs_blocking_on_1000_spokes_that_block_on_one_shared_actor_complete_at_1_2_and_8_workers() {
    let _dog = watchdog("wide fan-out", 120);
    let spokes = 1_000;
    for workers in WORKERS {
        let rt = runtime(workers);
        let tally = Tally { count: 0 }.start_in(&rt);
        let ring: Arc<Vec<_>> = Arc::new(
            (0..spokes)
                .map(|_| {
                    Spoke {
                        tally: tally.clone(),
                    }
                    .start_in(&rt)
                })
                .collect(),
        );
        let hubs: Vec<_> = (0..2)
            .map(|_| {
                Hub {
                    spokes: ring.clone(),
                }
                .start_in(&rt)
            })
            .collect();
        let mut seen: Vec<u64> = thread::scope(|s| {
            let handles: Vec<_> = hubs
                .iter()
                .map(|hub| {
                    s.spawn(move || {
                        let mut mine = Vec::new();
                        for _ in 0..2 {
                            let r = hub.ask(()).get_timeout(HANG);
                            let r = r.unwrap_or_else(|e| panic!("{workers} workers: {e}"));
                            assert_eq!(r.len(), spokes);
                            mine.extend(r);
                        }
                        mine
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        seen.sort_unstable();
        let want: Vec<u64> = (1..=4 * spokes as u64).collect();
        assert!(seen == want, "{workers} workers: each tally value once");
        assert_eq!(
            tally.ask(()).get_timeout(HANG).unwrap(),
            4 * spokes as u64 + 1
        );
    }
}
