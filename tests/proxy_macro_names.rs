//! `#[pykka::proxy]` is hygienic and takes generic actors: actors named `A`, `T`, `F`, `H`,
//! `Proxy` and `Context`, method parameters named like the generated code's own variables
//! (`t`, `ctx`, `value`, `proxy`, `state`), and generic actors such as the producer of Pykka's
//! testing guide with a generic consumer. Each compiles and works. Timeouts are hang guards.

use std::time::Duration;

const GUARD: Duration = Duration::from_secs(30);

/// Defines an actor named `$name` in its own module, with a public field, a method whose
/// parameters are named like the macro's variables, and a method taking the context.
macro_rules! named_actor {
    ($module:ident, $name:ident) => {
        mod $module {
            #[pykka::proxy]
            pub(crate) struct $name {
                pub(crate) value: u32,
            }

            #[pykka::proxy]
            impl $name {
                pub(crate) fn add(
                    &mut self,
                    t: u32,
                    ctx: u32,
                    value: u32,
                    proxy: u32,
                    state: u32,
                ) -> u32 {
                    self.value += t + ctx + value + proxy + state;
                    self.value
                }

                pub(crate) fn urn(&self, ctx: &mut pykka::Context<Self>) -> String {
                    ctx.actor_urn().to_owned()
                }
            }

            impl pykka::Actor for $name {}
        }
    };
}

named_actor!(named_a, A);
named_actor!(named_t, T);
named_actor!(named_f, F);
named_actor!(named_h, H);
named_actor!(named_proxy, Proxy);
named_actor!(named_context, Context);

macro_rules! exercise {
    ($module:ident, $name:ident, $proxy:ident) => {{
        use pykka::Actor;
        let actor = $module::$name { value: 1 }.start();
        let proxy: $module::$proxy = actor.typed_proxy().unwrap();
        assert_eq!(proxy.add(1, 2, 3, 4, 5).get_timeout(GUARD).unwrap(), 16);
        proxy.set_value(7).get_timeout(GUARD).unwrap();
        assert_eq!(proxy.value().get_timeout(GUARD).unwrap(), 7);
        assert_eq!(
            proxy.urn().get_timeout(GUARD).unwrap(),
            actor.actor_urn().to_owned()
        );
        proxy.add_defer(0, 0, 0, 0, 1).unwrap();
        assert_eq!(proxy.value().get_timeout(GUARD).unwrap(), 8);
        actor.stop();
    }};
}

#[test]
fn actors_named_like_the_macros_own_names_compile_and_work() {
    exercise!(named_a, A, AProxy);
    exercise!(named_t, T, TProxy);
    exercise!(named_f, F, FProxy);
    exercise!(named_h, H, HProxy);
    exercise!(named_proxy, Proxy, ProxyProxy);
    exercise!(named_context, Context, ContextProxy);
}

// -- Generic actors: Pykka's testing guide, with a generic consumer -------------------------------

use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, PartialEq)]
struct Item {
    item: u32,
    new: bool,
}

trait Consumer: Send + 'static {
    fn consume(&mut self, item: Item);
}

#[pykka::proxy]
struct ProducerActor<C: Consumer> {
    consumer: C,
    pub(crate) produced: u32,
}

#[pykka::proxy]
impl<C: Consumer> ProducerActor<C> {
    pub(crate) fn produce(&mut self) {
        let new_item = Item { item: 1, new: true };
        self.consumer.consume(new_item);
        self.produced += 1;
    }

    pub(crate) fn produced_by(&self, ctx: &mut pykka::Context<Self>) -> String {
        ctx.actor_urn().to_owned()
    }
}

impl<C: Consumer> pykka::Actor for ProducerActor<C> {}

#[derive(Clone, Default)]
struct MockConsumer {
    consume_calls: Arc<Mutex<Vec<Item>>>,
}

impl Consumer for MockConsumer {
    fn consume(&mut self, item: Item) {
        self.consume_calls.lock().unwrap().push(item);
    }
}

/// A generic value with a generic traversable field.
#[pykka::proxy(traversable)]
struct Slot<V: Clone + Send + 'static> {
    pub(crate) value: V,
}

#[pykka::proxy]
impl<V: Clone + Send + 'static> Slot<V> {
    pub(crate) fn replace(&mut self, value: V) -> V {
        std::mem::replace(&mut self.value, value)
    }
}

#[pykka::proxy]
struct Holder<V>
where
    V: Clone + Send + 'static,
{
    #[proxy(traversable)]
    pub(crate) slot: Slot<V>,
}

impl<V: Clone + Send + 'static> pykka::Actor for Holder<V> {}

#[test]
fn a_generic_actor_gets_a_generic_typed_proxy() {
    use pykka::Actor;
    let consumer = MockConsumer::default();
    let producer = ProducerActor {
        consumer: consumer.clone(),
        produced: 0,
    }
    .start();
    let proxy: ProducerActorProxy<MockConsumer> = producer.typed_proxy().unwrap();
    proxy.produce().get_timeout(GUARD).unwrap();
    proxy.produce_defer().unwrap();
    assert_eq!(proxy.produced().get_timeout(GUARD).unwrap(), 2);
    assert_eq!(
        proxy.produced_by().get_timeout(GUARD).unwrap(),
        producer.actor_urn()
    );
    assert_eq!(
        *consumer.consume_calls.lock().unwrap(),
        [Item { item: 1, new: true }, Item { item: 1, new: true }]
    );
    proxy.stop().get_timeout(GUARD).unwrap();

    let holder = Holder {
        slot: Slot {
            value: String::from("a"),
        },
    }
    .start();
    let proxy: HolderProxy<String> = holder.typed_proxy().unwrap();
    assert_eq!(
        proxy.slot().replace("b".into()).get_timeout(GUARD).unwrap(),
        "a"
    );
    assert_eq!(proxy.slot().value().get_timeout(GUARD).unwrap(), "b");
    holder.stop();
}

// -- More shapes (found by review) ------------------------------------------------------------

#[pykka::proxy]
struct Buf<const N: usize> {
    pub(crate) data: [u8; N],
}

#[pykka::proxy]
impl<const N: usize> Buf<N> {
    pub(crate) fn size(&self) -> usize {
        N
    }
}

impl<const N: usize> pykka::Actor for Buf<N> {}

#[pykka::proxy]
struct Store<V> {
    v: V,
}

#[pykka::proxy]
impl<V: Send + 'static> Store<V> {
    pub(crate) fn put(&mut self, v: V) {
        self.v = v;
    }

    /// Its own where clause: proxied with it.
    pub(crate) fn read(&self) -> V
    where
        V: Clone,
    {
        self.v.clone()
    }
}

impl<V: Send + 'static> pykka::Actor for Store<V> {}

#[derive(Clone)]
#[pykka::proxy]
struct Node {
    pub(crate) label: u32,
    /// `Self` in a field's type is the actor's type.
    pub(crate) next: Option<Box<Self>>,
}

impl pykka::Actor for Node {}

#[pykka::proxy(traversable)]
struct Counter<V: Clone + Send + 'static = u32> {
    pub(crate) value: V,
}

#[pykka::proxy]
struct Owner {
    #[proxy(traversable)]
    pub(crate) counter: Counter,
}

impl pykka::Actor for Owner {}

#[test]
fn const_generics_method_where_clauses_self_in_fields_and_defaults_compile_and_work() {
    use pykka::Actor;
    let b = Buf::<4> { data: [1; 4] }.start();
    let p: BufProxy<4> = b.typed_proxy().unwrap();
    assert_eq!(p.size().get_timeout(GUARD).unwrap(), 4);
    assert_eq!(p.data().get_timeout(GUARD).unwrap(), [1; 4]);
    b.stop();

    let s = Store { v: 1u32 }.start();
    let p: StoreProxy<u32> = s.typed_proxy().unwrap();
    p.put(3).get_timeout(GUARD).unwrap();
    assert_eq!(p.read().get_timeout(GUARD).unwrap(), 3);
    s.stop();

    let n = Node {
        label: 1,
        next: Some(Box::new(Node {
            label: 2,
            next: None,
        })),
    }
    .start();
    let p: NodeProxy = n.typed_proxy().unwrap();
    assert_eq!(
        p.next().get_timeout(GUARD).unwrap().map(|n| n.label),
        Some(2)
    );
    assert_eq!(p.label().get_timeout(GUARD).unwrap(), 1);
    n.stop();

    let o = Owner {
        counter: Counter { value: 3 },
    }
    .start();
    let p: OwnerProxy = o.typed_proxy().unwrap();
    assert_eq!(p.counter().value().get_timeout(GUARD).unwrap(), 3);
    o.stop();
}
