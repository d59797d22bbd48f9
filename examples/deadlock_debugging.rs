//! Pykka's deadlock-debugging example: actor A's `foo` asks B's `bar` and blocks, and `bar`
//! asks A's `foo` and blocks. In Pykka both threads hang for ever. Here the wait that would
//! close the cycle fails at once with `Error::Deadlock`, which names the cycle, whether the two
//! handlers run on one thread or on two (here they are forced onto two: dedicated threads).
//!
//! Run: `cargo run --example deadlock_debugging`

use pykka::{Actor, ActorRef, Context, Error, Receive};

enum AMsg {
    Foo(ActorRef<DeadlockB>),
}

struct DeadlockA;
impl Actor for DeadlockA {}
impl Receive for DeadlockA {
    type Message = AMsg;
    type Reply = Result<u32, Error>;
    fn on_receive(&mut self, AMsg::Foo(b): AMsg, ctx: &mut Context<Self>) -> Result<u32, Error> {
        println!("This is foo calling bar");
        b.ask(ctx.actor_ref()).get()?
    }
}

struct DeadlockB;
impl Actor for DeadlockB {}
impl Receive for DeadlockB {
    type Message = ActorRef<DeadlockA>;
    type Reply = Result<u32, Error>;
    fn on_receive(
        &mut self,
        a: ActorRef<DeadlockA>,
        ctx: &mut Context<Self>,
    ) -> Result<u32, Error> {
        println!("This is bar calling foo; BOOM!");
        a.ask(AMsg::Foo(ctx.actor_ref())).get()?
    }
}

fn main() {
    // A thread each, as in Pykka: the cycle spans two threads.
    let a = DeadlockA.start_dedicated();
    let b = DeadlockB.start_dedicated();
    match a.ask(AMsg::Foo(b.clone())).get() {
        Ok(Err(Error::Deadlock(d))) => {
            println!("Refused instead of hanging: {d}");
            for (i, actor) in d.cycle().iter().enumerate() {
                println!("  {i}: {actor}");
            }
        }
        other => println!("unexpected: {other:?}"),
    }
    // Both actors live on.
    a.stop();
    b.stop();
}
