//! A supervisor and its children (issue G): four workers, each with its own answer to a panic,
//! watched by the supervisor, fed work that sometimes makes them panic.
//!
//! - `restarter`: `Directive::Restart`, at most 2 restarts within 5 s, backing off 10 ms then
//!   20 ms. Its `ActorRef` stays valid across restarts; each restart is a fresh value.
//! - `resumer`: `Directive::Resume`. A panic is logged and the value keeps its state.
//! - `stopper`: `start_child`, i.e. `Directive::Stop` (Pykka's rule). A panic ends it.
//! - `fragile`: `Directive::Restart` with a limit of 1: the second panic ends it.
//!
//! The supervisor reports each child's death (`on_terminated`, with the `StopReason`). At the
//! end, stopping the supervisor stops its living children first, last started first.
//!
//! Everything the actors do is reported on one channel and printed by `main`, which waits on
//! replies and on that channel, never on sleeps.
//!
//! Run: `cargo run --example supervisor_tree`

use pykka::{Actor, ActorRef, Context, Directive, Failure, Receive, Runtime, Terminated};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::Duration;

/// What the actors tell `main`.
type Log = Sender<String>;

enum Job {
    /// Work on `n`; a negative `n` panics.
    Work(i64),
    /// Reply with this value's generation and how many jobs it has done.
    Status,
}

struct Worker {
    name: &'static str,
    /// 1 for the first value, 2 after the first restart, and so on.
    generation: u32,
    done: u32,
    log: Log,
}

impl Worker {
    /// A factory for `ctx.child`: each call makes the next generation.
    fn factory(name: &'static str, log: &Log) -> impl FnMut() -> Worker + Send + 'static {
        let log = log.clone();
        let mut generation = 0;
        move || {
            generation += 1;
            Worker {
                name,
                generation,
                done: 0,
                log: log.clone(),
            }
        }
    }

    fn say(&self, text: impl std::fmt::Display) {
        let _ = self
            .log
            .send(format!("  {}#{}: {text}", self.name, self.generation));
    }
}

impl Actor for Worker {
    fn on_start(&mut self, _ctx: &mut Context<Self>) {
        self.say("started");
    }

    fn on_restart(&mut self, failure: &Failure, _ctx: &mut Context<Self>) {
        self.say(format_args!("restarted after {:?}", failure.message()));
    }

    fn on_failure(&mut self, failure: &Failure, _ctx: &mut Context<Self>) {
        self.say(format_args!("on_failure: {:?}", failure.message()));
    }

    fn on_stop(&mut self, _ctx: &mut Context<Self>) {
        self.say(format_args!("on_stop (had done {} jobs)", self.done));
    }
}

impl Receive for Worker {
    type Message = Job;
    /// (generation, jobs done)
    type Reply = (u32, u32);

    fn on_receive(&mut self, job: Job, _ctx: &mut Context<Self>) -> (u32, u32) {
        if let Job::Work(n) = job {
            if n < 0 {
                panic!("bad input {n}");
            }
            self.done += 1;
        }
        (self.generation, self.done)
    }
}

/// The supervisor's children, as handed to `main`.
#[derive(Clone)]
struct Team {
    restarter: ActorRef<Worker>,
    resumer: ActorRef<Worker>,
    stopper: ActorRef<Worker>,
    fragile: ActorRef<Worker>,
}

impl Team {
    fn name_of(&self, t: &Terminated) -> &'static str {
        [
            (&self.restarter, "restarter"),
            (&self.resumer, "resumer"),
            (&self.stopper, "stopper"),
            (&self.fragile, "fragile"),
        ]
        .into_iter()
        .find(|(a, _)| t.is(a))
        .map_or("?", |(_, name)| name)
    }
}

struct Supervisor {
    log: Log,
    team: Option<Team>,
}

impl Actor for Supervisor {
    fn on_start(&mut self, ctx: &mut Context<Self>) {
        let restarter = ctx
            .child(Worker::factory("restarter", &self.log))
            .on_panic(Directive::Restart)
            .restart_limit(2, Duration::from_secs(5))
            .backoff(Duration::from_millis(10), Duration::from_millis(40))
            .start();
        let resumer = ctx
            .child(Worker::factory("resumer", &self.log))
            .on_panic(Directive::Resume)
            .start();
        // `start_child` takes a value, not a factory: Directive::Stop, Pykka's rule.
        let stopper = ctx.start_child(Worker::factory("stopper", &self.log)());
        let fragile = ctx
            .child(Worker::factory("fragile", &self.log))
            .on_panic(Directive::Restart)
            .restart_limit(1, Duration::from_secs(5))
            .start();
        for child in [&restarter, &resumer, &stopper, &fragile] {
            ctx.watch(child);
        }
        self.team = Some(Team {
            restarter,
            resumer,
            stopper,
            fragile,
        });
    }

    fn on_terminated(&mut self, t: &Terminated, ctx: &mut Context<Self>) {
        let name = self.team.as_ref().map_or("?", |team| team.name_of(t));
        let _ = self.log.send(format!(
            "supervisor: {name} terminated ({}); {} children left",
            t.reason(),
            ctx.children().len()
        ));
    }

    fn on_stop(&mut self, _ctx: &mut Context<Self>) {
        let _ = self
            .log
            .send("supervisor: on_stop (children already stopped)".into());
    }
}

impl Receive for Supervisor {
    type Message = ();
    type Reply = Team;

    fn on_receive(&mut self, _: (), _ctx: &mut Context<Self>) -> Team {
        self.team.clone().expect("made in on_start")
    }
}

/// Prints every line that has arrived so far.
fn drain(log: &Receiver<String>) {
    for line in log.try_iter() {
        println!("{line}");
    }
}

/// Prints lines as they arrive until one starts with `prefix`.
fn print_until(log: &Receiver<String>, prefix: &str) {
    loop {
        let line = log
            .recv_timeout(Duration::from_secs(5))
            .unwrap_or_else(|_| panic!("no line starting with {prefix:?} arrived"));
        println!("{line}");
        if line.starts_with(prefix) {
            return;
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Panics are reported by the actors themselves below; keep Rust's default hook quiet.
    std::panic::set_hook(Box::new(|_| {}));

    let rt = Runtime::builder().threads(2).build()?;
    let (tx, log) = channel();
    let supervisor = Supervisor {
        log: tx,
        team: None,
    }
    .start_in(&rt);
    let team = supervisor.ask(()).get()?;
    // Every child has run `on_start` once it has answered a message.
    for child in [&team.restarter, &team.resumer, &team.stopper, &team.fragile] {
        child.ask(Job::Status).get()?;
    }
    drain(&log);

    println!("\n== restarter: Restart, limit 2 in 5 s, backoff 10 ms doubling ==");
    let urn_before = team.restarter.actor_urn().to_owned();
    team.restarter.tell(Job::Work(1))?;
    team.restarter.tell(Job::Work(-1))?; // panics: restarted after 10 ms
    team.restarter.tell(Job::Work(2))?; // waits in the mailbox, handled by generation 2
    let (generation, done) = team.restarter.ask(Job::Status).get()?;
    drain(&log);
    println!("status via the same ActorRef: generation {generation}, {done} job(s) done");
    team.restarter.tell(Job::Work(-2))?; // panics again: restarted after 20 ms
    let (generation, done) = team.restarter.ask(Job::Status).get()?;
    drain(&log);
    println!("status via the same ActorRef: generation {generation}, {done} job(s) done");
    println!(
        "same URN across restarts: {}; alive: {}",
        team.restarter.actor_urn() == urn_before,
        team.restarter.is_alive()
    );

    println!("\n== resumer: Resume ==");
    team.resumer.tell(Job::Work(1))?;
    team.resumer.tell(Job::Work(-1))?; // panics: logged, state kept
    team.resumer.tell(Job::Work(2))?;
    let (generation, done) = team.resumer.ask(Job::Status).get()?;
    drain(&log);
    println!("status: generation {generation}, {done} job(s) done (the panic lost nothing)");

    println!("\n== stopper: start_child, so Stop ==");
    team.stopper.tell(Job::Work(-1))?; // panics: on_failure, then dead
    print_until(&log, "supervisor: stopper");
    println!(
        "alive: {}; an ask now fails: {}",
        team.stopper.is_alive(),
        team.stopper.ask(Job::Status).get().unwrap_err()
    );

    println!("\n== fragile: Restart, limit 1 ==");
    team.fragile.tell(Job::Work(-1))?; // restarted
    team.fragile.tell(Job::Work(-2))?; // over the limit: stopped
    print_until(&log, "supervisor: fragile");

    println!("\n== stopping the supervisor ==");
    assert!(supervisor.stop()); // returns once its on_stop has run, children first
    drain(&log);
    println!(
        "restarter alive: {}, resumer alive: {}",
        team.restarter.is_alive(),
        team.resumer.is_alive()
    );

    let stopped = rt.stopped();
    rt.shutdown()?;
    stopped.get()?;
    println!("runtime stopped");
    Ok(())
}
