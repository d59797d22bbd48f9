//! [mailboxes] item 6, the `tracing` feature: a span per handled message (actor class, URN,
//! message type), entered while the handler runs, child of the span the message was sent
//! from. Run with `cargo test --features tracing --test tracing` (CI does); without the
//! feature this file is empty.
#![cfg(feature = "tracing")]

use pykka::{Actor, ActorRef, AsyncReceive, Context, Receive};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, Once};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use tracing_core::span::Current;

/// What a span was made with.
#[derive(Debug, Clone)]
struct SpanRec {
    meta: &'static Metadata<'static>,
    parent: Option<u64>,
    fields: HashMap<&'static str, String>,
}

static NEXT: AtomicU64 = AtomicU64::new(0);
static SPANS: Mutex<Option<HashMap<u64, SpanRec>>> = Mutex::new(None);

thread_local! {
    /// This thread's entered spans, innermost last (what `Span::current()` reads).
    static STACK: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

/// Records every span and keeps each thread's stack of entered spans.
struct Recorder;

struct Fields<'a>(&'a mut HashMap<&'static str, String>);
impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name(), value.to_owned());
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let id = NEXT.fetch_add(1, Ordering::Relaxed) + 1;
        let parent = if attrs.is_root() {
            None
        } else if let Some(p) = attrs.parent() {
            Some(p.into_u64())
        } else {
            STACK.with(|s| s.borrow().last().copied())
        };
        let mut fields = HashMap::new();
        attrs.record(&mut Fields(&mut fields));
        SPANS
            .lock()
            .unwrap()
            .get_or_insert_with(HashMap::new)
            .insert(
                id,
                SpanRec {
                    meta: attrs.metadata(),
                    parent,
                    fields,
                },
            );
        Id::from_u64(id)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, span: &Id) {
        STACK.with(|s| s.borrow_mut().push(span.into_u64()));
    }
    fn exit(&self, span: &Id) {
        STACK.with(|s| {
            let mut s = s.borrow_mut();
            if let Some(i) = s.iter().rposition(|x| *x == span.into_u64()) {
                s.remove(i);
            }
        });
    }
    fn current_span(&self) -> Current {
        match STACK.with(|s| s.borrow().last().copied()) {
            Some(id) => match span(id) {
                Some(rec) => Current::new(Id::from_u64(id), rec.meta),
                None => Current::none(),
            },
            None => Current::none(),
        }
    }
}

fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| tracing::subscriber::set_global_default(Recorder).unwrap());
}

fn span(id: u64) -> Option<SpanRec> {
    SPANS.lock().unwrap().as_ref()?.get(&id).cloned()
}

/// The id of the span current in this thread, if any.
fn current() -> Option<u64> {
    STACK.with(|s| s.borrow().last().copied())
}

/// Replies with the id of the span its handler runs in.
struct Probe;
impl Actor for Probe {}
impl Receive for Probe {
    type Message = u32;
    type Reply = Option<u64>;
    fn on_receive(&mut self, _: u32, _: &mut Context<Self>) -> Option<u64> {
        current()
    }
}

/// Asks its probe from inside its own handler: the probe's span is a child of this one's.
struct Relay(ActorRef<Probe>);
impl Actor for Relay {}
impl Receive for Relay {
    type Message = ();
    type Reply = (Option<u64>, Option<u64>);
    fn on_receive(&mut self, _: (), _: &mut Context<Self>) -> (Option<u64>, Option<u64>) {
        (current(), self.0.ask(7).get().unwrap())
    }
}

/// An async handler: its span is entered on every poll.
struct AsyncProbe;
impl Actor for AsyncProbe {}
impl AsyncReceive for AsyncProbe {
    type Message = u32;
    type Reply = Option<u64>;
    async fn on_receive(&mut self, _: u32, ctx: &mut Context<Self>) -> Option<u64> {
        ctx.sleep(std::time::Duration::from_millis(1))
            .await
            .unwrap();
        current()
    }
}

#[test]
fn a_handled_message_runs_in_a_span_child_of_the_senders() {
    install();
    let probe = Probe.start();
    let request = tracing::info_span!("request");
    let request_id = request.id().unwrap().into_u64();
    let reply = request.in_scope(|| probe.ask(1));
    let inside = reply.get().unwrap().expect("the handler ran in a span");
    let rec = span(inside).unwrap();
    assert_eq!(rec.meta.name(), "pykka.message");
    assert_eq!(rec.parent, Some(request_id), "child of the sender's span");
    assert_eq!(rec.fields["actor"], "Probe");
    assert_eq!(rec.fields["urn"], probe.actor_urn());
    assert_eq!(rec.fields["message"], "u32");
    // Sent from no span: a root span.
    let root = span(probe.ask(2).get().unwrap().unwrap()).unwrap();
    assert_eq!(root.parent, None);
    probe.stop();
}

#[test]
fn a_message_sent_from_a_handler_is_a_child_of_that_handlers_span() {
    install();
    let probe = Probe.start();
    let relay = Relay(probe.clone()).start();
    let (outer, inner) = relay.ask(()).get().unwrap();
    let (outer, inner) = (outer.unwrap(), inner.unwrap());
    assert_eq!(span(inner).unwrap().parent, Some(outer));
    assert_eq!(span(outer).unwrap().fields["actor"], "Relay");
    relay.stop();
    probe.stop();
}

#[test]
fn an_async_handler_runs_in_its_span_across_awaits() {
    install();
    let a = AsyncProbe.start();
    let request = tracing::info_span!("async request");
    let request_id = request.id().unwrap().into_u64();
    let reply = request.in_scope(|| a.ask(1));
    let inside = reply.get().unwrap().expect("polled in a span");
    let rec = span(inside).unwrap();
    assert_eq!(rec.fields["actor"], "AsyncProbe");
    assert_eq!(rec.parent, Some(request_id));
    a.stop();
}
