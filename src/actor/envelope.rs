//! What a mailbox holds: envelopes, and the jobs inside them (a told or asked message, a proxy
//! call or deferred call), with how each runs inside its actor.
//!
//! # Jobs are stored inline
//!
//! A job is type-erased (the closure of a proxy call has a type nobody can name, and an
//! [`Actor`] without [`Receive`] has no message type), so the mailbox holds it behind a trait
//! object. The object lives *inside the envelope* when it fits in five machine words (a message
//! of up to three words with its promise or sender, or a closure capturing up to three words
//! deferred through a root proxy), in a [`SmallBox`]: a tell or a deferred call allocates nothing, and an ask only its reply slot.
//! Larger or over-aligned jobs go to the heap, once, as before. docs/design.md ("Inline
//! envelopes") gives the measurements behind this, and why it is the crate's one `unsafe`.
//!
//! Each job's by-value trait ([`TellOnce`], [`AskOnce`], `AsyncOnce`) is what its type
//! implements; the mailbox calls it through an object-safe twin ([`TellJob`], [`AskJob`],
//! `AsyncJob`) implemented by [`Once`], which moves the job out on its one call. An envelope
//! holds one trait object, [`AnyJob`], whose [`open`](Envelope::open) says which kind it is:
//! one pointer and no tag beside the inline space.

use crate::actor::actor_ref::AnyActorRef;
use crate::actor::asynchronous::{AsyncJob, AsyncOnce};
use crate::actor::{Actor, Context, Receive};
use crate::base::error::Error;
use crate::base::panic::{catch, drop_payload, Failure};
use crate::future::Promise;
use smallbox::SmallBox;

/// The inline space of a job: five machine words. What the issue requires inline, with what the
/// library wraps around it: a three-word message with its promise (an ask) or its sender (a
/// `Context::tell`), 40 bytes with the job's spent flag; a three-word closure deferred through a
/// root proxy, with the proxy's accessor (32). With the trait object's pointer an envelope is
/// 56 bytes, so that a new mailbox's first buffer (two envelopes, 112 bytes) stays in the
/// allocator's smallest size classes (docs/design.md, "Inline envelopes").
pub(crate) type Space = [usize; 5];

/// A job in its envelope: inline up to [`Space`] (aligned to a word at most), else boxed.
type Job<T> = SmallBox<T, Space>;

/// A fire-and-forget job, by value: a told message, or a deferred proxy call.
pub(crate) trait TellOnce<A: Actor>: Send + Sized + 'static {
    /// Sent with `tell_urgent`: it passes the ordinary messages still queued.
    const URGENT: bool = false;
    fn run(self, actor: &mut A, ctx: &mut Context<A>);
    /// What a dead letter calls it; `None` for the library's own notifications, which are not
    /// dead letters.
    fn message_type(&self) -> Option<&'static str>;
    /// A message told from inside an actor (`Context::tell`) that will never be handled: its
    /// sender and the message, to hand back. `None` for the others (the job is dropped).
    fn into_returned(self) -> Option<Returned> {
        None
    }
}

/// A job with a reply, by value: an asked message, or a proxy call.
pub(crate) trait AskOnce<A: Actor>: Send + Sized + 'static {
    /// Sent with `ask_urgent` (see [`TellOnce::URGENT`]).
    const URGENT: bool = false;
    /// Runs the job and resolves its promise; a panic fails the promise with
    /// `Error::Panicked` and is returned for logging.
    fn run(self, actor: &mut A, ctx: &mut Context<A>) -> Option<Failure>;
    /// Answers the job without running it.
    fn fail(self, error: Error);
}

/// [`TellOnce`] as the mailbox calls it, through `&mut` (see [`Once`]).
pub(crate) trait TellJob<A: Actor>: Send {
    fn run(&mut self, actor: &mut A, ctx: &mut Context<A>);
    fn message_type(&self) -> Option<&'static str>;
    /// Takes the job out: a message to hand back, or `None` (the job is dropped here, so a
    /// caller that catches panics around this call catches its drop glue too).
    fn take_returned(&mut self) -> Option<Returned>;
}

/// [`AskOnce`] as the mailbox calls it, through `&mut` (see [`Once`]).
pub(crate) trait AskJob<A: Actor>: Send {
    fn run(&mut self, actor: &mut A, ctx: &mut Context<A>) -> Option<Failure>;
    fn fail(&mut self, error: Error);
}

/// What an envelope holds, opened: the job, by kind.
pub(crate) enum Opened<'a, A: Actor> {
    Tell(&'a mut dyn TellJob<A>),
    Ask(&'a mut dyn AskJob<A>),
    /// A message to an async handler, told or asked (`actor::asynchronous`).
    Async(&'a mut dyn AsyncJob<A>),
    /// A stop request, and the promise of a blocking stop (taken when answered).
    Stop(&'a mut Option<Promise<bool>>),
}

/// Any job, type-erased in an envelope.
pub(crate) trait AnyJob<A: Actor>: Send {
    fn open(&mut self) -> Opened<'_, A>;
    fn is_stop(&self) -> bool {
        false
    }
    /// Sent urgent (`ActorRef::tell_urgent`): queued ahead of the ordinary messages.
    fn is_urgent(&self) -> bool {
        false
    }
    /// Takes the job out as the value it was made from, type-erased: a send refused because
    /// the actor is dead hands its message back ([`Envelope::into_job`]; the one allocation is
    /// on that path only).
    fn take_any(&mut self) -> Option<Box<dyn std::any::Any + Send>>;
}

/// A job that its one call moves out: the object-safe traits take `&mut self` (a trait object
/// stored inline cannot be moved out by value), and the job inside runs by value. A second call
/// finds nothing and does nothing; the library never makes one. `K` says which kind of job
/// (`TellKind`, `AskKind`, `AsyncKind`), so that each kind has its own [`AnyJob`] impl.
pub(crate) struct Once<J, K>(pub(crate) Option<J>, std::marker::PhantomData<K>);

impl<J, K> Once<J, K> {
    fn new(job: J) -> Self {
        Once(Some(job), std::marker::PhantomData)
    }
}

/// The kinds of [`Once`].
pub(crate) struct TellKind;
pub(crate) struct AskKind;
pub(crate) struct AsyncKind;

impl<A: Actor, J: TellOnce<A>> TellJob<A> for Once<J, TellKind> {
    fn run(&mut self, actor: &mut A, ctx: &mut Context<A>) {
        if let Some(job) = self.0.take() {
            job.run(actor, ctx);
        }
    }

    fn message_type(&self) -> Option<&'static str> {
        self.0.as_ref()?.message_type()
    }

    fn take_returned(&mut self) -> Option<Returned> {
        self.0.take()?.into_returned()
    }
}

impl<A: Actor, J: TellOnce<A>> AnyJob<A> for Once<J, TellKind> {
    fn open(&mut self) -> Opened<'_, A> {
        Opened::Tell(self)
    }

    fn is_urgent(&self) -> bool {
        J::URGENT
    }

    fn take_any(&mut self) -> Option<Box<dyn std::any::Any + Send>> {
        Some(Box::new(self.0.take()?))
    }
}

impl<A: Actor, J: AskOnce<A>> AskJob<A> for Once<J, AskKind> {
    fn run(&mut self, actor: &mut A, ctx: &mut Context<A>) -> Option<Failure> {
        self.0.take()?.run(actor, ctx)
    }

    fn fail(&mut self, error: Error) {
        if let Some(job) = self.0.take() {
            job.fail(error);
        }
    }
}

impl<A: Actor, J: AskOnce<A>> AnyJob<A> for Once<J, AskKind> {
    fn open(&mut self) -> Opened<'_, A> {
        Opened::Ask(self)
    }

    fn is_urgent(&self) -> bool {
        J::URGENT
    }

    fn take_any(&mut self) -> Option<Box<dyn std::any::Any + Send>> {
        Some(Box::new(self.0.take()?))
    }
}

impl<A: Actor, J: AsyncOnce<A>> AnyJob<A> for Once<J, AsyncKind> {
    fn open(&mut self) -> Opened<'_, A> {
        Opened::Async(self)
    }

    fn is_urgent(&self) -> bool {
        J::URGENT
    }

    fn take_any(&mut self) -> Option<Box<dyn std::any::Any + Send>> {
        Some(Box::new(self.0.take()?))
    }
}

/// A stop request in the mailbox.
struct StopJob(Option<Promise<bool>>);

impl<A: Actor> AnyJob<A> for StopJob {
    fn open(&mut self) -> Opened<'_, A> {
        Opened::Stop(&mut self.0)
    }

    fn is_stop(&self) -> bool {
        true
    }

    fn take_any(&mut self) -> Option<Box<dyn std::any::Any + Send>> {
        Some(Box::new(self.0.take()))
    }
}

/// The one place the crate writes `unsafe`: putting a job in its [`SmallBox`] as a trait object.
///
/// On stable Rust a `SmallBox<dyn Trait>` is made by `SmallBox::new_unchecked(value, ptr)`
/// (what the crate's `smallbox!` macro expands to), where `ptr` must point at `value` and carry
/// the metadata of the trait object wanted. [`erase`](inline::erase) passes `&raw const job`,
/// coerced by the compiler to `*const dyn AnyJob<A>`: its address is `job`'s and its metadata
/// is `job`'s vtable, which is that contract. `SmallBox` then moves `job` in (inline when it
/// fits its space and alignment, else into one allocation) and drops it exactly once.
#[allow(unsafe_code)]
mod inline {
    use super::{AnyJob, Job};
    use crate::actor::Actor;
    use smallbox::SmallBox;

    pub(super) fn erase<A: Actor, J: AnyJob<A> + 'static>(job: J) -> Job<dyn AnyJob<A>> {
        let ptr: *const dyn AnyJob<A> = &raw const job;
        // SAFETY: `ptr` points at `job` and carries `job`'s vtable for `dyn AnyJob<A>` (module
        // docs); `job` is moved in right after, and `ptr` is not used again.
        unsafe { SmallBox::new_unchecked(job, ptr) }
    }
}

/// A told message handed back to its sender: the sender, and the message, type-erased.
pub(crate) type Returned = (AnyActorRef, Box<dyn std::any::Any + Send>);

/// One message in a mailbox: a job of any kind, type-erased, stored inline when small.
pub(crate) struct Envelope<A: Actor>(Job<dyn AnyJob<A>>);

impl<A: Actor> crate::mailbox::Urgency for Envelope<A> {
    fn is_urgent(&self) -> bool {
        self.0.is_urgent()
    }

    fn is_stop(&self) -> bool {
        self.0.is_stop()
    }
}

impl<A: Actor> Envelope<A> {
    pub(crate) fn tell(job: impl TellOnce<A>) -> Self {
        Envelope(inline::erase(Once::<_, TellKind>::new(job)))
    }

    pub(crate) fn ask(job: impl AskOnce<A>) -> Self {
        Envelope(inline::erase(Once::<_, AskKind>::new(job)))
    }

    pub(crate) fn run_async(job: impl AsyncOnce<A>) -> Self {
        Envelope(inline::erase(Once::<_, AsyncKind>::new(job)))
    }

    pub(crate) fn stop(reply: Option<Promise<bool>>) -> Self {
        Envelope(inline::erase(StopJob(reply)))
    }

    /// The job, by kind.
    #[inline]
    pub(crate) fn open(&mut self) -> Opened<'_, A> {
        self.0.open()
    }

    pub(crate) fn is_stop(&self) -> bool {
        self.0.is_stop()
    }

    /// The job back as the value it was made from (`J`, the type given to
    /// [`tell`](Self::tell), [`ask`](Self::ask), [`run_async`](Self::run_async) or
    /// [`stop`](Self::stop)); `None` if `J` is another type.
    pub(crate) fn into_job<J: 'static>(mut self) -> Option<J> {
        self.0.take_any()?.downcast::<J>().ok().map(|job| *job)
    }

    /// Whether the job is stored inline (for tests: the allocation it did not make).
    #[cfg(all(test, not(loom)))]
    pub(crate) fn is_inline(&self) -> bool {
        !self.0.is_heap()
    }
}

/// A told message (public only for `Receive`'s hidden methods).
#[derive(Debug)]
pub struct TellMsg<M, S = NoSender>(pub(crate) M, pub(crate) S);

/// Where a message keeps its sender: nowhere ([`NoSender`], zero bytes: a plain tell or ask
/// costs what it did before senders existed) or an [`AnyActorRef`] (sent with `Context::tell`
/// or `Context::ask`). Public only for `Receive`'s hidden methods.
pub trait SenderSlot: Send + 'static {
    /// Sent urgent ([`Urgent`]): the message passes the ordinary ones still queued.
    const URGENT: bool = false;
    /// The sender, if there is one.
    fn into_sender(self) -> Option<AnyActorRef>;
    /// The span current where the message was sent (`tracing` feature).
    #[cfg(feature = "tracing")]
    fn span(&self) -> Option<&tracing::Span> {
        None
    }
}

/// The sender slot of a message sent urgent (`ActorRef::tell_urgent`, `ask_urgent`): the
/// urgency travels with the slot, so the envelope's job knows it with no field of its own.
#[derive(Debug, Clone, Copy)]
pub struct Urgent<S>(pub(crate) S);

impl<S: SenderSlot> SenderSlot for Urgent<S> {
    const URGENT: bool = true;
    fn into_sender(self) -> Option<AnyActorRef> {
        self.0.into_sender()
    }

    #[cfg(feature = "tracing")]
    fn span(&self) -> Option<&tracing::Span> {
        self.0.span()
    }
}

#[cfg(feature = "tracing")]
impl<S: SenderSlot> SenderSlot for crate::base::tracing::Traced<S> {
    const URGENT: bool = S::URGENT;
    fn into_sender(self) -> Option<AnyActorRef> {
        self.inner.into_sender()
    }

    fn span(&self) -> Option<&tracing::Span> {
        Some(&self.span)
    }
}

/// The slot every message is sent with: with the `tracing` feature, the sender's slot and the
/// span current where the message was sent (the parent of the span its handler runs in);
/// without it, the sender's slot itself (nothing more is stored or done).
#[cfg(feature = "tracing")]
pub(crate) type Slot<S> = crate::base::tracing::Traced<S>;
/// See the `tracing` variant.
#[cfg(not(feature = "tracing"))]
pub(crate) type Slot<S> = S;

/// `sender` as it is sent: [`Slot`].
#[inline(always)]
pub(crate) fn slot<S: SenderSlot>(sender: S) -> Slot<S> {
    #[cfg(feature = "tracing")]
    return crate::base::tracing::Traced::capture(sender);
    #[cfg(not(feature = "tracing"))]
    sender
}

/// No sender (see [`SenderSlot`]).
#[derive(Debug, Clone, Copy)]
pub struct NoSender;

impl SenderSlot for NoSender {
    fn into_sender(self) -> Option<AnyActorRef> {
        None
    }
}

impl SenderSlot for AnyActorRef {
    fn into_sender(self) -> Option<AnyActorRef> {
        Some(self)
    }
}

impl<A: Receive, S: SenderSlot> TellOnce<A> for TellMsg<A::Message, S> {
    const URGENT: bool = S::URGENT;
    fn run(self, actor: &mut A, ctx: &mut Context<A>) {
        let TellMsg(message, sender) = self;
        #[cfg(feature = "tracing")]
        let _span =
            crate::base::tracing::message_span::<A, A::Message>(sender.span(), ctx.actor_urn())
                .entered();
        match sender.into_sender() {
            // A plain tell (`NoSender`): no sender to set, and nothing more than before.
            None => {
                let _ = actor.on_receive(message, ctx);
            }
            // Cleared after the handler; a panic leaves it set for `after_panic`, and the
            // caller clears it then.
            Some(s) => {
                ctx.sender = Some(s);
                let _ = actor.on_receive(message, ctx);
                ctx.sender = None;
            }
        }
    }

    fn message_type(&self) -> Option<&'static str> {
        Some(std::any::type_name::<A::Message>())
    }

    fn into_returned(self) -> Option<Returned> {
        let TellMsg(message, sender) = self;
        Some((sender.into_sender()?, Box::new(message)))
    }
}

/// An asked message and its promise (public only for `Receive`'s hidden methods).
#[derive(Debug)]
pub struct AskMsg<M, R, S = NoSender> {
    pub(crate) message: M,
    pub(crate) promise: Promise<R>,
    pub(crate) sender: S,
}

impl<A: Receive, S: SenderSlot> AskOnce<A> for AskMsg<A::Message, A::Reply, S> {
    const URGENT: bool = S::URGENT;
    fn run(self, actor: &mut A, ctx: &mut Context<A>) -> Option<Failure> {
        let AskMsg {
            message,
            promise,
            sender,
        } = self;
        #[cfg(feature = "tracing")]
        let _span =
            crate::base::tracing::message_span::<A, A::Message>(sender.span(), ctx.actor_urn())
                .entered();
        let restash = |stashed: crate::actor::stash::Stashed<A>, promise| stashed.into_ask(promise);
        match sender.into_sender() {
            None => answer_or_stash(promise, ctx, |ctx| actor.on_receive(message, ctx), restash),
            Some(s) => {
                ctx.sender = Some(s);
                let failure =
                    answer_or_stash(promise, ctx, |ctx| actor.on_receive(message, ctx), restash);
                ctx.sender = None;
                failure
            }
        }
    }

    fn fail(self, error: Error) {
        self.promise.fail(error);
    }
}

/// A proxy `call`: a closure run inside the actor, its result returned through a future.
pub(crate) struct CallFn<F, R> {
    pub(crate) f: F,
    pub(crate) promise: Promise<R>,
}

impl<A, R, F> AskOnce<A> for CallFn<F, R>
where
    A: Actor,
    R: Send + 'static,
    F: FnOnce(&mut A, &mut Context<A>) -> R + Send + 'static,
{
    fn run(self, actor: &mut A, ctx: &mut Context<A>) -> Option<Failure> {
        let CallFn { f, promise } = self;
        answer(promise, ctx, |ctx| f(actor, ctx))
    }

    fn fail(self, error: Error) {
        self.promise.fail(error);
    }
}

/// A proxy `defer`: a closure run inside the actor with tell semantics.
pub(crate) struct DeferFn<F>(pub(crate) F);

impl<A, F> TellOnce<A> for DeferFn<F>
where
    A: Actor,
    F: FnOnce(&mut A, &mut Context<A>) + Send + 'static,
{
    fn run(self, actor: &mut A, ctx: &mut Context<A>) {
        (self.0)(actor, ctx)
    }

    fn message_type(&self) -> Option<&'static str> {
        Some("deferred call")
    }
}

/// The library's own message to an actor (a `Terminated` notification, an escalated failure):
/// tell semantics, never a dead letter.
pub(crate) struct SystemFn<F>(pub(crate) F);

impl<A, F> TellOnce<A> for SystemFn<F>
where
    A: Actor,
    F: FnOnce(&mut A, &mut Context<A>) + Send + 'static,
{
    fn run(self, actor: &mut A, ctx: &mut Context<A>) {
        (self.0)(actor, ctx)
    }

    fn message_type(&self) -> Option<&'static str> {
        None
    }
}

/// Runs `handler` and resolves `promise` with what it returns, both under one `catch`: the
/// reply goes from the handler's return slot straight into the promise, and no frame beneath the
/// handler holds a copy of it (a large reply would otherwise be copied through several frames
/// at every level of nested inline runs). A panic before the promise was taken is the
/// handler's: the future fails with `Error::Panicked` and the failure is returned for logging.
/// A panic after it is the reply's drop glue (nobody waits for it): logged, never unwound.
pub(crate) fn answer<A: Actor, R>(
    promise: Promise<R>,
    ctx: &mut Context<A>,
    handler: impl FnOnce(&mut Context<A>) -> R,
) -> Option<Failure> {
    answer_with(promise, ctx, handler, |_, reply, p| p.set(reply))
}

/// [`answer`] for a message's own handler, which may stash the message (`Context::stash`):
/// then `restash` makes the envelope that takes the promise along (the asker is answered when
/// the message is handled again) and the handler's reply is dropped.
pub(crate) fn answer_or_stash<A: Receive, R>(
    promise: Promise<R>,
    ctx: &mut Context<A>,
    handler: impl FnOnce(&mut Context<A>) -> R,
    restash: impl FnOnce(crate::actor::stash::Stashed<A>, Promise<R>) -> Envelope<A>,
) -> Option<Failure> {
    answer_with(promise, ctx, handler, |ctx, reply, p| {
        let Some(stashed) = ctx.stash_now.take() else {
            return p.set(reply);
        };
        drop(reply);
        match stashed
            .into_any()
            .downcast::<crate::actor::stash::Stashed<A>>()
        {
            Ok(stashed) => ctx.cell.stash_push(restash(*stashed, p)),
            Err(_) => unreachable!("a Context<A> stashes a Stashed<A>"),
        }
    })
}

fn answer_with<A: Actor, R>(
    promise: Promise<R>,
    ctx: &mut Context<A>,
    handler: impl FnOnce(&mut Context<A>) -> R,
    deliver: impl FnOnce(&mut Context<A>, R, Promise<R>),
) -> Option<Failure> {
    let mut promise = Some(promise);
    let outcome = catch(|| {
        let reply = handler(ctx);
        if let Some(p) = promise.take() {
            deliver(ctx, reply, p);
        }
    });
    let payload = outcome.err()?;
    // A stash made before the panic is discarded: the asker is answered with the panic.
    ctx.discard_stashed();
    match promise {
        Some(p) => {
            let failure = ctx.cell.failure(&*payload);
            drop_payload(payload);
            p.fail(Error::Panicked(failure.clone()));
            Some(failure)
        }
        None => {
            ctx.cell.log_drop_panic(payload);
            None
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    //! The inline storage's own checks: what is inline, what is boxed, and that every job is
    //! dropped exactly once whichever way it leaves its envelope (the checks Miri would make
    //! on the `unsafe` in `inline`, as far as a test on stable can).
    use super::*;
    use std::collections::VecDeque;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    struct Sink;
    impl Actor for Sink {}
    impl Receive for Sink {
        type Message = Counted;
        type Reply = u64;
        fn on_receive(&mut self, _: Counted, _: &mut Context<Self>) -> u64 {
            0
        }
    }

    /// Three words: a drop counter and two payload words.
    struct Counted(Arc<AtomicUsize>, #[allow(dead_code)] [u64; 2]);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn counted() -> (Counted, Arc<AtomicUsize>) {
        let drops = Arc::new(AtomicUsize::new(0));
        (Counted(drops.clone(), [1, 2]), drops)
    }

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn an_envelope_is_56_bytes_and_two_fit_the_smallest_size_classes() {
        assert_eq!(std::mem::size_of::<Envelope<Sink>>(), 56);
        assert_eq!(std::mem::size_of::<Space>(), 40);
    }

    #[test]
    fn what_the_issue_requires_inline_is_inline() {
        let (m, _) = counted();
        assert!(
            Envelope::<Sink>::tell(TellMsg(m, NoSender)).is_inline(),
            "3-word tell"
        );
        let (m, _) = counted();
        let (promise, _future) = crate::future::promise::<u64>();
        let ask = AskMsg {
            message: m,
            promise,
            sender: NoSender,
        };
        assert!(
            Envelope::<Sink>::ask(ask).is_inline(),
            "3-word ask with its promise"
        );
        let words = [1u64, 2, 3];
        let defer = DeferFn(move |_: &mut Sink, _: &mut Context<Sink>| {
            std::hint::black_box(words);
        });
        assert!(Envelope::<Sink>::tell(defer).is_inline(), "3-word closure");
        assert!(Envelope::<Sink>::stop(None).is_inline());
        // A `Context::tell`: the message and its sender, 40 bytes with the spent flag.
        assert!(
            std::mem::size_of::<Once<TellMsg<Counted, AnyActorRef>, TellKind>>()
                <= std::mem::size_of::<Space>()
        );
    }

    #[test]
    fn larger_or_over_aligned_jobs_are_boxed_and_still_run() {
        let big = [7u64; 8];
        let e = Envelope::<Sink>::tell(DeferFn(move |_: &mut Sink, _: &mut Context<Sink>| {
            std::hint::black_box(big);
        }));
        assert!(!e.is_inline());
        #[repr(align(64))]
        struct Aligned(u8);
        let a = Aligned(3);
        let mut e = Envelope::<Sink>::tell(DeferFn(move |_: &mut Sink, _: &mut Context<Sink>| {
            // The whole value, not only its field (a closure captures fields precisely).
            let a = a;
            assert_eq!(a.0, 3);
        }));
        assert!(!e.is_inline(), "over-aligned: boxed");
        match e.open() {
            Opened::Tell(job) => assert_eq!(job.message_type(), Some("deferred call")),
            _ => panic!("a tell opens as a tell"),
        }
    }

    #[test]
    fn a_job_is_dropped_exactly_once_whichever_way_it_leaves() {
        // Dropped unopened (a mailbox dropped with its queue), inline.
        let (m, drops) = counted();
        drop(Envelope::<Sink>::tell(TellMsg(m, NoSender)));
        assert_eq!(drops.load(Ordering::Relaxed), 1);
        // Taken out by `into_returned` (no sender: dropped there), then the envelope dropped.
        let (m, drops) = counted();
        let mut e = Envelope::<Sink>::tell(TellMsg(m, NoSender));
        match e.open() {
            Opened::Tell(job) => {
                assert!(job.take_returned().is_none());
                assert_eq!(drops.load(Ordering::Relaxed), 1, "dropped when taken out");
                assert!(job.take_returned().is_none(), "a spent job gives nothing");
            }
            _ => panic!("a tell opens as a tell"),
        }
        drop(e);
        assert_eq!(
            drops.load(Ordering::Relaxed),
            1,
            "not again with the envelope"
        );
        // An ask failed: the message goes with the failure, once; the future sees the error.
        let (m, drops) = counted();
        let (promise, future) = crate::future::promise::<u64>();
        let mut e = Envelope::<Sink>::ask(AskMsg {
            message: m,
            promise,
            sender: NoSender,
        });
        match e.open() {
            Opened::Ask(job) => {
                job.fail(Error::BrokenPromise);
                job.fail(Error::BrokenPromise);
            }
            _ => panic!("an ask opens as an ask"),
        }
        drop(e);
        assert_eq!(drops.load(Ordering::Relaxed), 1);
        assert!(matches!(future.get(), Err(Error::BrokenPromise)));
        // Boxed (too large), dropped unopened.
        let (m, drops) = counted();
        let big = (m, [0u64; 8]);
        drop(Envelope::<Sink>::tell(DeferFn(
            move |_: &mut Sink, _: &mut Context<Sink>| drop(big),
        )));
        assert_eq!(drops.load(Ordering::Relaxed), 1);
    }

    // Envelopes moved through a `VecDeque` (growth, rotation, `partition`, `drain`) with
    // inline, boxed, 16- and 64-aligned and zero-sized payloads, each checking its own bytes and
    // alignment when dropped, wherever that happens. Written by the review of this change, which
    // also ran it under Miri (nightly; Stacked and Tree Borrows): clean.
    /// A payload that checks, when dropped, that its bytes are intact and it is aligned.
    #[derive(Clone)]
    struct Checked<P: Copy + PartialEq + Send + 'static> {
        drops: Arc<AtomicUsize>,
        payload: P,
        expect: P,
    }
    impl<P: Copy + PartialEq + Send + 'static> Drop for Checked<P> {
        fn drop(&mut self) {
            assert!(self.payload == self.expect, "payload corrupted");
            assert_eq!(
                (&raw const *self) as usize % std::mem::align_of::<Self>(),
                0,
                "misaligned"
            );
            self.drops.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[repr(align(16))]
    #[derive(Clone, Copy, PartialEq)]
    struct A16(u128);
    #[repr(align(64))]
    #[derive(Clone, Copy, PartialEq)]
    struct A64([u8; 3]);

    fn checked_defer<P: Copy + PartialEq + Send + 'static>(
        drops: &Arc<AtomicUsize>,
        payload: P,
    ) -> Envelope<Sink> {
        let c = Checked {
            drops: drops.clone(),
            payload,
            expect: payload,
        };
        Envelope::tell(DeferFn(move |_: &mut Sink, _: &mut Context<Sink>| {
            let _keep = &c;
        }))
    }

    #[test]
    fn envelopes_survive_moves_in_a_vecdeque() {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut q: VecDeque<Envelope<Sink>> = VecDeque::new();
        q.reserve_exact(2);
        let mut made = 0;
        for i in 0..40u64 {
            match i % 6 {
                0 => q.push_back(checked_defer(&drops, i)),
                1 => q.push_back(checked_defer(&drops, [i; 2])),
                2 => q.push_back(checked_defer(&drops, [i; 9])),
                3 => q.push_back(checked_defer(&drops, A16(i as u128 * 0x1_0000_0001))),
                4 => q.push_back(checked_defer(&drops, A64([i as u8; 3]))),
                _ => q.push_back(checked_defer(&drops, ())),
            }
            made += 1;
            if i % 4 == 0 {
                q.push_back(Envelope::stop(None));
            }
            if i % 7 == 0 {
                // Rotate: moves elements inside the ring buffer.
                if let Some(e) = q.pop_front() {
                    q.push_back(e);
                }
            }
        }
        let (mut jobs, stops): (VecDeque<_>, VecDeque<_>) = q.drain(..).partition(|e| !e.is_stop());
        assert!(stops.iter().all(|e| e.is_stop()));
        // Half taken out (moved out of the box and dropped), half dropped in place.
        let mut taken = 0;
        for (i, mut e) in jobs.drain(..).enumerate() {
            if i % 2 == 0 {
                match e.open() {
                    Opened::Tell(job) => {
                        assert_eq!(job.message_type(), Some("deferred call"));
                        assert!(job.take_returned().is_none());
                    }
                    _ => panic!("a tell"),
                }
                taken += 1;
                assert_eq!(drops.load(Ordering::SeqCst), taken + (i / 2));
            }
            drop(e);
        }
        drop(stops);
        assert_eq!(drops.load(Ordering::SeqCst), made);
    }

    #[test]
    fn a_panicking_drop_glue_unwinds_once_and_leaves_nothing_to_drop_again() {
        struct Bomb(Arc<AtomicUsize>);
        impl Drop for Bomb {
            fn drop(&mut self) {
                self.0.fetch_add(1, Ordering::Relaxed);
                panic!("drop glue");
            }
        }
        let drops = Arc::new(AtomicUsize::new(0));
        let bomb = Bomb(drops.clone());
        let mut e = Envelope::<Sink>::tell(DeferFn(move |_: &mut Sink, _: &mut Context<Sink>| {
            drop(bomb)
        }));
        let taken = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if let Opened::Tell(job) = e.open() {
                let _ = job.take_returned();
            }
        }));
        assert!(
            taken.is_err(),
            "the drop glue's panic reaches the caller's catch"
        );
        drop(e);
        assert_eq!(
            drops.load(Ordering::Relaxed),
            1,
            "dropped once, not again by the envelope"
        );
    }
}
