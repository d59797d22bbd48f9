//! Pykka's `plain_actor.py`: an actor that stores what it is told and returns it when asked.
//!
//! Run: `cargo run --example plain_actor`

use pykka::{Actor, Context, Receive};
use std::collections::BTreeMap;

enum Message {
    Store(BTreeMap<String, String>),
    GetMessages,
}

#[derive(Default)]
struct PlainActor {
    stored_messages: Vec<BTreeMap<String, String>>,
}

impl Actor for PlainActor {}

impl Receive for PlainActor {
    type Message = Message;
    type Reply = Option<Vec<BTreeMap<String, String>>>;

    fn on_receive(&mut self, message: Message, _ctx: &mut Context<Self>) -> Self::Reply {
        match message {
            Message::Store(m) => {
                self.stored_messages.push(m);
                None
            }
            Message::GetMessages => Some(self.stored_messages.clone()),
        }
    }
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn main() -> Result<(), pykka::Error> {
    let actor = PlainActor::default().start();
    actor.tell(Message::Store(map(&[("no", "Norway"), ("se", "Sweden")])))?;
    actor.tell(Message::Store(map(&[("a", "3"), ("b", "4"), ("c", "5")])))?;
    println!(
        "{:?}",
        actor.ask(Message::GetMessages).get()?.unwrap_or_default()
    );
    actor.stop();
    Ok(())
}
