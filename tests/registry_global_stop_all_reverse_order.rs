//! b4_3 (second part): a blocking `stop_all` stops the last started actor first, strictly in
//! reverse start order: each actor has finished stopping before the next one starts to.
//!
//! Its own file, and its own process: it uses the global registry (Pykka's
//! `test_stop_all_stops_last_started_actor_first_if_blocking`).

use pykka::{Actor, ActorRegistry, Context};
use std::collections::BTreeSet;
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// Hang guard only.
const HANG: Duration = Duration::from_secs(10);

fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || tx.send(f()).unwrap());
    rx.recv_timeout(HANG)
        .unwrap_or_else(|_| panic!("hang guard: {what} did not return"))
}

/// Reports, from `on_stop`, its start index and which actors had already finished stopping.
struct Numbered {
    index: usize,
    finished: Arc<Mutex<BTreeSet<usize>>>,
    report: Sender<(usize, BTreeSet<usize>)>,
}

impl Actor for Numbered {
    fn on_stop(&mut self, _: &mut Context<Self>) {
        let done_before = self.finished.lock().unwrap().clone();
        self.report.send((self.index, done_before)).unwrap();
        self.finished.lock().unwrap().insert(self.index);
    }
}

#[test]
fn b4_3_stop_all_stops_last_started_actor_first_if_blocking() {
    const N: usize = 6;
    let finished = Arc::new(Mutex::new(BTreeSet::new()));
    let (tx, rx) = mpsc::channel();
    let refs: Vec<_> = (0..N)
        .map(|index| {
            Numbered {
                index,
                finished: Arc::clone(&finished),
                report: tx.clone(),
            }
            .start()
        })
        .collect();
    drop(tx);

    let stopped = within("stop_all", ActorRegistry::stop_all);
    assert_eq!(stopped, vec![true; N]);

    // Blocking: every on_stop has run by the time stop_all returns (no waiting here).
    let reports: Vec<_> = rx.try_iter().collect();
    let order: Vec<usize> = reports.iter().map(|(i, _)| *i).collect();
    assert_eq!(
        order,
        (0..N).rev().collect::<Vec<_>>(),
        "last started, first stopped"
    );

    // Strictly: when actor i began stopping, exactly the actors started after it had stopped.
    for (i, done_before) in &reports {
        let expected: BTreeSet<usize> = (i + 1..N).collect();
        assert_eq!(
            done_before, &expected,
            "actor {i} stopped before a later one had finished"
        );
    }
    assert!(refs.iter().all(|r| !r.is_alive()));
}
