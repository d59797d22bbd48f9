//! A handler that stashes and then panics: the panic is the message's outcome, the stash it made
//! is discarded (found by review: the ask was failed with `Panicked` and its message was still
//! replayed later, as a tell).
mod common;

use pykka::{Actor, AfterPanic, Context, Error, Failure, Receive, Runtime};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug)]
enum Msg {
    Charge(u32),
    Open,
}

struct Bank {
    open: bool,
    charged: Arc<Mutex<Vec<u32>>>,
}
impl Actor for Bank {
    fn after_panic(&mut self, _: &Failure, _: &mut Context<Self>) -> AfterPanic {
        AfterPanic::CarryOn
    }
}
impl Receive for Bank {
    type Message = Msg;
    type Reply = ();
    fn on_receive(&mut self, m: Msg, ctx: &mut Context<Self>) {
        match m {
            Msg::Charge(n) if !self.open => {
                ctx.stash(Msg::Charge(n));
                panic!("validation failed after stashing");
            }
            Msg::Charge(n) => self.charged.lock().unwrap().push(n),
            Msg::Open => {
                self.open = true;
                ctx.unstash_all();
            }
        }
    }
}

#[test]
fn an_ask_that_stashed_then_panicked_is_not_both_failed_and_handled() {
    let _w = common::watchdog("stash then panic", 30);
    let rt = Runtime::builder().threads(1).build().unwrap();
    let charged = Arc::new(Mutex::new(Vec::new()));
    let bank = Bank {
        open: false,
        charged: charged.clone(),
    }
    .start_in(&rt);
    let r = bank.ask(Msg::Charge(7)).get_timeout(Duration::from_secs(5));
    assert!(matches!(r, Err(Error::Panicked(_))), "{r:?}");
    bank.ask(Msg::Open)
        .get_timeout(Duration::from_secs(5))
        .unwrap();
    // The asker was told the charge failed: it must not have happened.
    assert_eq!(
        *charged.lock().unwrap(),
        Vec::<u32>::new(),
        "a failed ask's message ran later"
    );
    rt.shutdown().unwrap();
}
