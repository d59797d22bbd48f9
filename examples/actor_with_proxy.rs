//! Pykka's `actor_with_proxy.py`: use an actor through a typed proxy as if it were a plain
//! object. Every call returns at once with a future; the work runs inside the actor, in mailbox
//! order, on a pool worker thread (each line is prefixed with the thread that printed it).
//!
//! Shown: a method without a return value (as a call and deferred), a method with a return
//! value, a field read, a field write, and calls on a nested object marked traversable.
//!
//! Run: `cargo run --example actor_with_proxy`

use pykka::Actor;
use std::thread;
use std::time::Duration;

/// Prints `msg` prefixed with the current thread's name, like the Python example's `log`.
fn log(msg: impl std::fmt::Display) {
    let current = thread::current();
    println!("{}: {msg}", current.name().unwrap_or("<unnamed>"));
}

#[pykka::proxy]
struct AnActor {
    /// Public fields get a getter (`field()`) and a setter (`set_field(..)`) on the proxy.
    pub(crate) field: String,
    /// A traversable field gets a nested proxy: `inner()` runs its calls inside the actor.
    #[proxy(traversable)]
    pub(crate) inner: AnInnerObject,
}

#[pykka::proxy]
impl AnActor {
    /// A method with a side effect and no return value.
    pub(crate) fn proc(&self) {
        log("this was printed by AnActor.proc()");
    }

    /// A method with a return value, which takes a while.
    pub(crate) fn func(&self) -> String {
        thread::sleep(Duration::from_millis(200)); // block a bit to make it realistic
        "this was returned by AnActor.func() after a delay".to_owned()
    }
}

impl Actor for AnActor {}

/// An object living inside the actor, reached through `proxy.inner()`.
#[pykka::proxy(traversable)]
struct AnInnerObject {
    pub(crate) calls: u32,
}

#[pykka::proxy]
impl AnInnerObject {
    pub(crate) fn func(&mut self) -> String {
        self.calls += 1;
        log("this was printed by AnInnerObject.func()");
        format!(
            "this was returned by AnInnerObject.func() (call {})",
            self.calls
        )
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let actor = AnActor {
        field: "this is the value of AnActor.field".to_owned(),
        inner: AnInnerObject { calls: 0 },
    }
    .start()
    .typed_proxy()?;

    // Method with a side effect: the call returns a future of `()` at once.
    log("calling AnActor.proc() ...");
    let done = actor.proc();
    done.get()?; // wait for it, so that the output below is in order

    // The same, deferred (Pykka's `actor.proc.defer()`): nothing comes back.
    log("calling AnActor.proc_defer() ...");
    actor.proc_defer()?;

    // Method with a return value: does not block, returns a future.
    log("calling AnActor.func() ...");
    let result = actor.func();
    log("printing result ... (blocking)");
    log(result.get()?); // blocks until ready

    // Field reading: a future of a clone of the field.
    log("reading AnActor.field ...");
    let result = actor.field();
    log("printing result ... (blocking)");
    log(result.get()?);

    // Field writing: does not block either; the read after it runs after it (mailbox order).
    log("writing AnActor.field ...");
    drop(actor.set_field("new value".to_owned())); // dropping the future cancels nothing
    let result = actor.field();
    log("printing new field value ... (blocking)");
    log(result.get()?);

    // A nested (traversable) object: its calls and field reads also run inside the actor.
    log("calling AnActor.inner.func() twice ...");
    actor.inner().func_defer()?;
    let result = actor.inner().func();
    log("printing result ... (blocking)");
    log(result.get()?);

    // Its fields are read and written as the actor's own are.
    let calls = actor.inner().calls().get()?;
    log(format_args!("AnActor.inner.calls is {calls}"));
    log("writing AnActor.inner.calls ...");
    drop(actor.inner().set_calls(0));
    let calls = actor.inner().calls().get()?;
    log(format_args!("AnActor.inner.calls is {calls}"));
    log(format_args!("the nested proxy: {:?}", actor.inner()));

    // Stop the actor; the future resolves once it has stopped.
    let stopped = actor.stop().get()?;
    log(format_args!("stopped: {stopped}"));
    Ok(())
}
