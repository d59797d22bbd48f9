//! Scheduled messages and dead letters (issue G).
//!
//! A `Ticker` schedules itself a tick every 20 ms (`schedule_tell_periodic`) and keeps the
//! `Scheduled` handle; `main` adds a one-shot message (`schedule_tell`). After five ticks, and
//! once the one-shot has come, the ticker cancels its periodic timer and stops itself. `main`
//! waits for that with `Runtime::join`, then schedules one more tick to the dead ticker: a dead
//! letter, which a subscription sees.
//!
//! Run: `cargo run --example ticker`

use pykka::{
    schedule_tell, schedule_tell_periodic, Actor, Context, DeadLetter, Receive, Runtime, Scheduled,
};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

const TICKS: u32 = 5;
const PERIOD: Duration = Duration::from_millis(20);

#[derive(Clone, Debug)]
enum Msg {
    Tick,
    Say(&'static str),
}

struct Ticker {
    started: Instant,
    ticks: u32,
    said: bool,
    timer: Option<Scheduled>,
}

impl Ticker {
    fn elapsed_ms(&self) -> u128 {
        self.started.elapsed().as_millis()
    }
}

impl Actor for Ticker {
    fn on_start(&mut self, ctx: &mut Context<Self>) {
        let timer = schedule_tell_periodic(&ctx.actor_ref(), Msg::Tick, PERIOD, PERIOD)
            .expect("the runtime is running");
        self.timer = Some(timer);
    }

    fn on_stop(&mut self, _ctx: &mut Context<Self>) {
        println!("ticker: stopped after {} ticks", self.ticks);
    }
}

impl Receive for Ticker {
    type Message = Msg;
    type Reply = ();

    fn on_receive(&mut self, msg: Msg, ctx: &mut Context<Self>) {
        match msg {
            Msg::Tick if self.timer.is_none() => {
                // Only a tick already on its way when the timer was cancelled can land here.
                println!("ticker: a late tick, ignored");
            }
            Msg::Tick => {
                self.ticks += 1;
                println!("ticker: tick {} at ~{} ms", self.ticks, self.elapsed_ms());
            }
            Msg::Say(text) => {
                self.said = true;
                println!("ticker: one-shot {text:?} at ~{} ms", self.elapsed_ms());
            }
        }
        if self.ticks >= TICKS && self.said {
            if let Some(timer) = self.timer.take() {
                let cancelled = timer.cancel();
                println!(
                    "ticker: cancelled the periodic timer: {cancelled}, still pending: {}",
                    timer.is_pending()
                );
                ctx.stop();
            }
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rt = Runtime::builder().threads(2).build()?;
    let ticker = Ticker {
        started: Instant::now(),
        ticks: 0,
        said: false,
        timer: None,
    }
    .start_in(&rt);
    let one_shot = schedule_tell(&ticker, Msg::Say("hello"), Duration::from_millis(50))?;
    // A one-shot cancelled before it is due is never sent.
    let never = schedule_tell(&ticker, Msg::Say("never sent"), Duration::from_secs(60))?;
    println!("main: cancel the 60 s one-shot: {}", never.cancel());

    // Returns once the ticker (the only actor) has stopped itself.
    rt.join()?;
    println!(
        "main: ticker alive: {}; hello still pending: {}; timers pending: {}",
        ticker.is_alive(),
        one_shot.is_pending(),
        rt.pending_timers()
    );

    let (tx, dead) = channel::<DeadLetter>();
    let subscription = rt.subscribe_dead_letters(move |letter| {
        let _ = tx.send(letter.clone());
    });
    schedule_tell(&ticker, Msg::Tick, Duration::from_millis(10))?;
    let letter = dead.recv_timeout(Duration::from_secs(5))?;
    println!("main: {letter}");
    println!(
        "main: reason {:?}; dead letters on this runtime: {}",
        letter.reason(),
        rt.dead_letter_count()
    );
    drop(subscription);

    let stopped = rt.stopped();
    rt.shutdown()?;
    stopped.get()?;
    println!("main: runtime stopped");
    Ok(())
}
