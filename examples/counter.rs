//! Pykka's `counter.py`: a Bookkeeper counts to 10 by asking an Adder, blocking on each reply
//! inside its handler. On a pool this must not deadlock; here it runs on a single worker thread.
//!
//! Run: `cargo run --example counter`

use pykka::{Actor, ActorRef, Context, Receive, Runtime};

struct Adder;

impl Actor for Adder {}

impl Receive for Adder {
    type Message = u32;
    type Reply = u32;

    fn on_receive(&mut self, i: u32, ctx: &mut Context<Self>) -> u32 {
        println!("{} is increasing {i}", ctx.actor_ref());
        i + 1
    }
}

struct Bookkeeper {
    adder: ActorRef<Adder>,
}

impl Actor for Bookkeeper {}

impl Receive for Bookkeeper {
    /// Count to this target.
    type Message = u32;
    type Reply = ();

    fn on_receive(&mut self, target: u32, ctx: &mut Context<Self>) {
        let mut i = 0;
        while i < target {
            i = self.adder.ask(i).get().expect("the adder is alive");
            println!("{} got {i} back", ctx.actor_ref());
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // One worker thread: the Bookkeeper blocks in get() while the Adder must still run.
    let runtime = Runtime::builder().threads(1).build()?;
    let adder = Adder.start_in(&runtime);
    let bookkeeper = Bookkeeper { adder }.start_in(&runtime);
    bookkeeper.ask(10).get()?;
    runtime.stop_all();
    Ok(())
}
