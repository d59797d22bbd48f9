//! A message stashed by `on_start` is kept as a tell before any message runs (found by review:
//! it stayed in the activation's `Context`, and the next ask's job took it, handing that ask's
//! promise to the hook's message).
mod common;

use pykka::{Actor, Context, Receive, Runtime};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

/// Holds the only worker inside a handler (a channel wait: no spare is made).
struct Blocker(Sender<()>, Receiver<()>);
impl Actor for Blocker {}
impl Receive for Blocker {
    type Message = ();
    type Reply = ();
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) {
        self.0.send(()).unwrap();
        self.1.recv().unwrap();
    }
}

#[derive(Debug)]
enum Msg {
    Deferred,
    Ping,
    Open,
}

/// `on_start` stashes a message (documented: "kept as a plain tell").
struct Hooked;
impl Actor for Hooked {
    fn on_start(&mut self, ctx: &mut Context<Self>) {
        ctx.stash(Msg::Deferred);
    }
}
impl Receive for Hooked {
    type Message = Msg;
    type Reply = &'static str;
    fn on_receive(&mut self, m: Msg, ctx: &mut Context<Self>) -> &'static str {
        match m {
            Msg::Deferred => "deferred",
            Msg::Ping => "ping",
            Msg::Open => {
                ctx.unstash_all();
                "open"
            }
        }
    }
}

#[test]
fn a_stash_from_on_start_does_not_take_the_first_asks_reply() {
    let _w = common::watchdog("on_start stash leak", 30);
    let rt = Runtime::builder().threads(1).build().unwrap();
    let (entered_tx, entered) = mpsc::channel();
    let (open, open_rx) = mpsc::channel();
    let blocker = Blocker(entered_tx, open_rx).start_in(&rt);
    blocker.tell(()).unwrap();
    entered.recv().unwrap();
    // The only worker is held: `on_start` runs in the same activation as the queued ask.
    let hooked = Hooked.start_in(&rt);
    let ping = hooked.ask(Msg::Ping);
    open.send(()).unwrap();
    // Unstash (what on_start stashed runs again), so that nothing is left waiting.
    let opened = hooked.ask(Msg::Open).get_timeout(Duration::from_secs(5));
    assert_eq!(opened.unwrap(), "open");
    // Ping's handler did not stash: its asker must get "ping".
    let got = ping.get_timeout(Duration::from_secs(5));
    assert_eq!(got.unwrap(), "ping", "the ask got another message's reply");
    rt.shutdown().unwrap();
}
