//! The bare baseline: one `std::thread` per actor and a `std::sync::mpsc` channel as its
//! mailbox, nothing else (no registry, no failure handling, no futures).

use super::{Ask, Run, System};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::thread::{self, JoinHandle};

pub struct StdThreads;

enum NodeMsg {
    Token(u64, Sender<()>),
    /// Tears the ring down: each thread passes it on, then ends.
    Stop,
}

enum CountMsg {
    Add(u64),
    /// Adds, then answers the total on its own reply channel (an ask).
    Total(u64, Sender<u64>),
}

fn counter(rx: Receiver<CountMsg>) {
    let mut total = 0u64;
    for m in rx {
        match m {
            CountMsg::Add(x) => total = total.wrapping_add(x),
            CountMsg::Total(x, reply) => {
                total = total.wrapping_add(x);
                let _ = reply.send(total);
            }
        }
    }
}

/// Ends its thread(s) when dropped.
struct Threads<M> {
    entry: Option<Sender<M>>,
    stop: Option<M>,
    joins: Vec<JoinHandle<()>>,
}
impl<M> Drop for Threads<M> {
    fn drop(&mut self) {
        // Send the stop message if there is one, and drop the last outside sender either way.
        if let Some(tx) = self.entry.take() {
            if let Some(stop) = self.stop.take() {
                let _ = tx.send(stop);
            }
        }
        for j in self.joins.drain(..) {
            let _ = j.join();
        }
    }
}

impl System for StdThreads {
    fn name(&self) -> &'static str {
        "std_thread_mpsc"
    }

    fn ring(&self, actors: usize) -> Run<'_> {
        let (txs, rxs): (Vec<Sender<NodeMsg>>, Vec<Receiver<NodeMsg>>) =
            (0..actors).map(|_| channel()).unzip();
        let joins = rxs
            .into_iter()
            .enumerate()
            .map(|(i, rx)| {
                let next = txs[(i + 1) % actors].clone();
                thread::spawn(move || {
                    for m in rx {
                        match m {
                            NodeMsg::Token(0, done) => {
                                let _ = done.send(());
                            }
                            NodeMsg::Token(n, done) => {
                                let _ = next.send(NodeMsg::Token(n - 1, done));
                            }
                            NodeMsg::Stop => {
                                let _ = next.send(NodeMsg::Stop);
                                return;
                            }
                        }
                    }
                })
            })
            .collect();
        let ring = Threads {
            entry: Some(txs[0].clone()),
            stop: Some(NodeMsg::Stop),
            joins,
        };
        drop(txs);
        Box::new(move |hops| {
            let (done, wait) = channel();
            ring.entry
                .as_ref()
                .unwrap()
                .send(NodeMsg::Token(hops, done))
                .unwrap();
            wait.recv().unwrap();
        })
    }

    fn counting(&self) -> Run<'_> {
        let (tx, rx) = channel();
        let t = Threads::<CountMsg> {
            entry: Some(tx),
            stop: None,
            joins: vec![thread::spawn(move || counter(rx))],
        };
        Box::new(move |n| {
            let tx = t.entry.as_ref().unwrap();
            for i in 0..n {
                tx.send(CountMsg::Add(i)).unwrap();
            }
            let (reply, wait) = channel();
            tx.send(CountMsg::Total(0, reply)).unwrap();
            wait.recv().unwrap();
        })
    }

    fn asker(&self) -> Ask<'_> {
        let (tx, rx) = channel();
        let t = Threads::<CountMsg> {
            entry: Some(tx),
            stop: None,
            joins: vec![thread::spawn(move || counter(rx))],
        };
        Box::new(move |i| {
            let (reply, wait) = channel();
            t.entry
                .as_ref()
                .unwrap()
                .send(CountMsg::Total(i, reply))
                .unwrap();
            wait.recv().unwrap()
        })
    }

    fn spawn(&self) -> Run<'_> {
        Box::new(|n| {
            // Start the thread, then "stop" it: dropping its only sender ends its loop.
            let joins: Vec<JoinHandle<()>> = (0..n)
                .map(|_| {
                    let (tx, rx) = channel::<CountMsg>();
                    let j = thread::spawn(move || counter(rx));
                    drop(tx);
                    j
                })
                .collect();
            for j in joins {
                j.join().unwrap();
            }
        })
    }
}
