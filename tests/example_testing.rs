//! Pykka's `examples/testing.py`: test an actor by starting it with a mock collaborator and
//! checking, after its work is done, what the mock was asked to do.
//!
//! The test waits only on futures (`produce().get()`, then `stop().get()`), never sleeps: a
//! proxy call's future resolves after the method has returned inside the actor, so everything
//! the method did is visible to the test.

use pykka::Actor;
use std::sync::{Arc, Mutex};

/// What the producer hands over: Python's `{"item": 1, "new": True}`.
#[derive(Debug, Clone, PartialEq)]
struct Item {
    item: u32,
    new: bool,
}

/// The producer's collaborator.
trait Consumer: Send {
    fn consume(&mut self, item: Item);
}

#[pykka::proxy]
struct ProducerActor {
    consumer: Box<dyn Consumer>,
}

#[pykka::proxy]
impl ProducerActor {
    pub(crate) fn produce(&mut self) {
        let new_item = Item { item: 1, new: true };
        self.consumer.consume(new_item);
    }
}

impl Actor for ProducerActor {}

/// Python's `mocker.Mock()`: records the calls made on it, where the test can read them.
#[derive(Clone, Default)]
struct MockConsumer {
    consume_calls: Arc<Mutex<Vec<Item>>>,
}

impl Consumer for MockConsumer {
    fn consume(&mut self, item: Item) {
        self.consume_calls.lock().unwrap().push(item);
    }
}

#[test]
fn test_producer_actor() {
    let consumer = MockConsumer::default();
    let producer = ProducerActor {
        consumer: Box::new(consumer.clone()),
    }
    .start()
    .typed_proxy()
    .unwrap();

    producer.produce().get().unwrap();

    assert!(producer.stop().get().unwrap());

    // consumer.consume.assert_called_once_with({"item": 1, "new": True})
    assert_eq!(
        *consumer.consume_calls.lock().unwrap(),
        [Item { item: 1, new: true }]
    );
}

/// The same with the mock as an actor: the producer tells it (deferred call), and the test asks
/// it for its calls. The ask is queued after the producer's tell, so it sees it.
#[pykka::proxy]
struct MockConsumerActor {
    calls: Vec<Item>,
}

#[pykka::proxy]
impl MockConsumerActor {
    pub(crate) fn consume(&mut self, item: Item) {
        self.calls.push(item);
    }

    /// The items `consume` was called with, in order.
    pub(crate) fn consume_calls(&self) -> Vec<Item> {
        self.calls.clone()
    }
}

impl Actor for MockConsumerActor {}

/// The producer sees the mock actor as any consumer: through its proxy, without waiting.
impl Consumer for MockConsumerActorProxy {
    fn consume(&mut self, item: Item) {
        self.consume_defer(item).expect("the consumer is alive");
    }
}

#[test]
fn test_producer_actor_with_consumer_actor() {
    let consumer: MockConsumerActorProxy = MockConsumerActor { calls: Vec::new() }
        .start()
        .typed_proxy()
        .unwrap();
    let producer = ProducerActor {
        consumer: Box::new(consumer.clone()),
    }
    .start()
    .typed_proxy()
    .unwrap();

    producer.produce().get().unwrap();

    assert!(producer.stop().get().unwrap());

    let calls = consumer.consume_calls().get().unwrap();
    assert_eq!(calls, [Item { item: 1, new: true }]);
    assert!(consumer.stop().get().unwrap());
}
