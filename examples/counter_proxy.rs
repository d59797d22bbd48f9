//! Pykka's `counter.py` with typed proxies: a Bookkeeper counts to 10 by calling an Adder's
//! `add_one` through the Adder's proxy, blocking on each reply inside its own method. On a pool
//! this must not deadlock; here it runs on a single worker thread. (`examples/counter.rs` is the
//! same program with messages.)
//!
//! Run: `cargo run --example counter_proxy`

use pykka::{Actor, Context, Runtime};

#[pykka::proxy]
struct Adder;

#[pykka::proxy]
impl Adder {
    /// `ctx` is filled in by the actor: the caller writes `adder.add_one(i)`.
    pub(crate) fn add_one(&self, i: u32, ctx: &mut Context<Self>) -> u32 {
        println!("{} is increasing {i}", ctx.actor_ref());
        i + 1
    }
}

impl Actor for Adder {}

#[pykka::proxy]
struct Bookkeeper {
    /// Private: the Bookkeeper's proxy gets no accessor for it.
    adder: AdderProxy,
}

#[pykka::proxy]
impl Bookkeeper {
    pub(crate) fn count_to(&mut self, target: u32, ctx: &mut Context<Self>) {
        let mut i = 0;
        while i < target {
            // A blocking get inside an actor: the Adder still runs on the one worker thread.
            i = self.adder.add_one(i).get().expect("the adder is alive");
            println!("{} got {i} back", ctx.actor_ref());
        }
    }
}

impl Actor for Bookkeeper {}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // One worker thread: the Bookkeeper blocks in get() while the Adder must still run.
    let runtime = Runtime::builder().threads(1).build()?;
    let adder: AdderProxy = Adder.start_in(&runtime).typed_proxy()?;
    let bookkeeper: BookkeeperProxy = Bookkeeper { adder }.start_in(&runtime).typed_proxy()?;
    bookkeeper.count_to(10).get()?;
    runtime.stop_all();
    Ok(())
}
