//! A node: one zenoh session in peer mode, the actors it exposes, the lookups it makes.

use crate::config::NodeConfig;
use crate::error::RemoteError;
use crate::remote_ref::{Liveness, Prober, RemoteEnd, RemoteRef, Watch};
use crate::wire::{self, Kind, Status};
use pykka::{Actor, ActorRef, Context, DeadLetter, DeadLetterReason, Receive, Terminated};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};
use zenoh::Wait;

/// What a node shares with its exposed actors and remote refs.
pub(crate) struct NodeInner {
    pub(crate) session: zenoh::Session,
    pub(crate) name: String,
    /// `pykka/<cluster>`.
    pub(crate) prefix: String,
    pub(crate) max_message: usize,
    pub(crate) max_pending_asks: usize,
    pub(crate) ask_timeout: Duration,
    pub(crate) lookup_timeout: Duration,
    pub(crate) runtime: pykka::Runtime,
    exposed: Mutex<HashSet<String>>,
    /// Frames refused on arrival (malformed, too large, wrong type).
    pub(crate) rejected: AtomicU64,
    node_token: Mutex<Option<zenoh::liveliness::LivelinessToken>>,
    closed: AtomicBool,
    /// Sends the probes of this node's remote refs.
    pub(crate) prober: ActorRef<Prober>,
    /// The watches of this node's remote refs, ended when the node closes.
    watches: Mutex<Vec<Weak<Watch>>>,
}

impl NodeInner {
    /// The key the actor `name` of `node` takes its tells and asks on.
    pub(crate) fn message_key(&self, node: &str, name: &str) -> String {
        format!("{}/n/{node}/a/{name}", self.prefix)
    }

    /// The liveliness token of an exposed actor, with the fingerprint of its types.
    pub(crate) fn actor_token(&self, name: &str, node: &str, fingerprint: u64) -> String {
        format!("{}/@a/{name}/{node}/{fingerprint:016x}", self.prefix)
    }

    /// The URN dead letters of the remote actor `name@node` are recorded under.
    pub(crate) fn urn(&self, node: &str, name: &str) -> String {
        format!(
            "pykka-remote:{}/{node}/{name}",
            &self.prefix["pykka/".len()..]
        )
    }

    /// A tell that could not reach the remote actor (stopped, or its node lost): a dead letter
    /// of this node's runtime, recipient class [`REMOTE_ACTOR`](crate::REMOTE_ACTOR).
    pub(crate) fn dead_letter(&self, urn: String, message_type: &'static str) {
        self.runtime.record_dead_letter(DeadLetter::new(
            urn,
            crate::REMOTE_ACTOR,
            message_type,
            DeadLetterReason::RecipientDead,
        ));
    }

    /// A frame from the wire refused before any actor saw it: a dead letter of this node's
    /// runtime, recipient class [`REFUSED_FRAME`](crate::REFUSED_FRAME).
    pub(crate) fn refused(&self, urn: String, message_type: &'static str) {
        self.runtime.record_dead_letter(DeadLetter::new(
            urn,
            crate::REFUSED_FRAME,
            message_type,
            DeadLetterReason::RecipientDead,
        ));
        // Counted after the dead letter is shown: whoever sees the count has its letters.
        // ORDERING: Release; pairs with the Acquire in `rejected_count`, so a reader that sees
        // the count also sees what the subscribers wrote.
        self.rejected.fetch_add(1, Ordering::Release);
    }

    /// Keeps `watch` to be ended when the node closes.
    pub(crate) fn track(&self, watch: &Arc<Watch>) {
        {
            let mut w = self.watches.lock().unwrap_or_else(PoisonError::into_inner);
            w.retain(|w| w.strong_count() > 0);
            w.push(Arc::downgrade(watch));
        }
        // A close that took the list before the push set `closed` before taking it: seen here
        // (through the list's lock), so the watch is ended by one side or the other.
        if self.is_closed() {
            watch.set(Liveness::Ended(RemoteEnd::NodeLost), None);
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        // ORDERING: Relaxed; a hint checked before each operation, the session itself refuses
        // work once closed.
        self.closed.load(Ordering::Relaxed)
    }
}

impl Drop for NodeInner {
    fn drop(&mut self) {
        // The session closes as its last handle goes; the prober goes with it.
        drop(self.prober.request_stop());
    }
}

/// Checks a node, cluster or actor name: 1 to 128 of `[A-Za-z0-9_.-]`, so that it can never
/// be read as a key-expression wildcard or separator.
pub(crate) fn check_name(name: &str) -> Result<(), RemoteError> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(RemoteError::InvalidName(name.to_owned()))
    }
}

/// A process's door to the other processes of its cluster: exposes local actors by name and
/// looks up the actors other nodes expose.
///
/// A node is a zenoh session in peer mode: no server, no broker; nodes dial each other's
/// listen endpoints directly. Cloning a `Node` gives another handle on the same session. The
/// session closes when [`close`](Self::close) is called, or when the last handle, exposed
/// actor and remote ref are dropped.
///
/// ```
/// use pykka::{Actor, Context, Receive};
/// use pykka_remote::{Node, NodeConfig};
///
/// struct Greeter;
/// impl Actor for Greeter {}
/// impl Receive for Greeter {
///     type Message = String;
///     type Reply = String;
///     fn on_receive(&mut self, name: String, _: &mut Context<Self>) -> String {
///         format!("Hi {name}!")
///     }
/// }
///
/// // Two nodes; in real use each is in its own process, on its own machine.
/// # let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
/// let a = Node::open(NodeConfig::new("a").listen(format!("tcp/127.0.0.1:{port}"))).unwrap();
/// let b = Node::open(NodeConfig::new("b").connect(format!("tcp/127.0.0.1:{port}"))).unwrap();
///
/// let greeter = Greeter.start();
/// let _exposed = a.expose("greeter", &greeter).unwrap();
///
/// let remote = b.lookup_wait::<String, String>("greeter", std::time::Duration::from_secs(10)).unwrap();
/// assert_eq!(remote.ask("Bob".into()).get().unwrap(), "Hi Bob!");
/// greeter.stop();
/// ```
#[derive(Clone)]
pub struct Node {
    pub(crate) inner: Arc<NodeInner>,
}

impl Node {
    /// Opens a node: the zenoh session, listening and dialing as configured.
    ///
    /// Errors: [`RemoteError::InvalidName`] for a bad node or cluster name;
    /// [`RemoteError::Engine`] if zenoh refuses the configuration or cannot open (a listen
    /// endpoint in use; with [`exit_on_failure`](NodeConfig::exit_on_failure), a `connect`
    /// endpoint that cannot be reached or refuses the credentials).
    ///
    /// Blocks until the session is open. Do not call it from inside a current-thread tokio
    /// runtime (zenoh refuses to block there).
    pub fn open(config: NodeConfig) -> Result<Node, RemoteError> {
        check_name(&config.name)?;
        check_name(&config.cluster)?;
        let zconfig = config.to_zenoh()?;
        let session = zenoh::open(zconfig)
            .wait()
            .map_err(|e| RemoteError::Engine(e.to_string()))?;
        let prefix = format!("pykka/{}", config.cluster);
        let token = session
            .liveliness()
            .declare_token(format!("{prefix}/@n/{}", config.name))
            .wait()
            .map_err(|e| RemoteError::Engine(e.to_string()))?;
        let runtime = match &config.runtime {
            Some(rt) => rt.clone_handle(),
            None => pykka::Runtime::global().clone_handle(),
        };
        let prober = Prober.start_in(&runtime);
        Ok(Node {
            inner: Arc::new(NodeInner {
                session,
                name: config.name,
                prefix,
                max_message: config.max_message,
                max_pending_asks: config.max_pending_asks,
                ask_timeout: config.ask_timeout,
                lookup_timeout: config.lookup_timeout,
                runtime,
                exposed: Mutex::new(HashSet::new()),
                rejected: AtomicU64::new(0),
                node_token: Mutex::new(Some(token)),
                closed: AtomicBool::new(false),
                prober,
                watches: Mutex::new(Vec::new()),
            }),
        })
    }

    /// The node's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// How many frames from the wire this node refused (malformed, truncated, too large, of
    /// the wrong type). Each is also one of its runtime's dead letters, with the recipient
    /// class [`REFUSED_FRAME`](crate::REFUSED_FRAME).
    pub fn rejected_count(&self) -> u64 {
        // ORDERING: Acquire; see `NodeInner::refused`.
        self.inner.rejected.load(Ordering::Acquire)
    }

    /// Makes `actor` reachable from the other nodes under `name` until the returned
    /// [`Exposed`] is dropped. Nothing else on this node is reachable: an actor that was not
    /// exposed cannot be named from the wire.
    ///
    /// The actor's message and reply types must be `serde` types; a node that looks it up with
    /// other types gets [`RemoteError::TypeMismatch`].
    ///
    /// When the actor stops, the other nodes learn it (their asks fail with `ActorDead`, their
    /// watches see it stop); the name stays taken until the `Exposed` is dropped.
    ///
    /// Errors: [`RemoteError::InvalidName`], [`RemoteError::AlreadyExposed`] (on this node),
    /// [`RemoteError::Closed`], [`RemoteError::Engine`].
    pub fn expose<A>(&self, name: &str, actor: &ActorRef<A>) -> Result<Exposed, RemoteError>
    where
        A: Receive,
        A::Message: DeserializeOwned,
        A::Reply: Serialize,
    {
        check_name(name)?;
        let node = &self.inner;
        if node.is_closed() {
            return Err(RemoteError::Closed);
        }
        if !node
            .exposed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_owned())
        {
            return Err(RemoteError::AlreadyExposed(name.to_owned()));
        }
        let release_name = Release {
            node: Arc::clone(node),
            name: name.to_owned(),
        };
        let fingerprint = wire::fingerprint::<A::Message, A::Reply>();
        let shared = Arc::new(Shared {
            actor: actor.clone(),
            fingerprint,
            stopped: AtomicBool::new(false),
            urn: node.urn(&node.name, name),
            node: Arc::downgrade(node),
            max: node.max_message,
            pending: Arc::new(AtomicUsize::new(0)),
            max_pending: node.max_pending_asks,
        });
        let engine = |e: zenoh::Error| RemoteError::Engine(e.to_string());
        let key = node.message_key(&node.name, name);
        let on_query = Arc::clone(&shared);
        let queryable = node
            .session
            .declare_queryable(&key)
            .callback(move |query| on_query.query(query))
            .wait()
            .map_err(engine)?;
        let on_tell = Arc::clone(&shared);
        let subscriber = node
            .session
            .declare_subscriber(&key)
            .callback(move |sample| {
                let payload = sample.payload();
                if payload.len() > on_tell.max {
                    on_tell.too_large(payload.len());
                } else {
                    on_tell.tell(payload.to_bytes().as_ref());
                }
            })
            .wait()
            .map_err(engine)?;
        let token = node
            .session
            .liveliness()
            .declare_token(node.actor_token(name, &node.name, fingerprint))
            .wait()
            .map_err(engine)?;
        let token = Arc::new(Mutex::new(Some(token)));
        // When the actor dies: say so to probes, and withdraw its token (watchers see it go).
        let on_end_shared = Arc::clone(&shared);
        let on_end_token = Arc::clone(&token);
        let sentinel = Sentinel {
            target: actor.clone().into(),
            on_end: Some(Box::new(move || {
                // ORDERING: Relaxed; read by probes, which also check `is_alive`.
                on_end_shared.stopped.store(true, Ordering::Relaxed);
                drop(
                    on_end_token
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .take(),
                );
            })),
        }
        .start_in(&node.runtime);
        Ok(Exposed {
            name: name.to_owned(),
            _queryable: queryable,
            _subscriber: subscriber,
            token,
            sentinel,
            _release: release_name,
        })
    }

    /// Looks up the actor exposed as `name` by some node of the cluster, for messages `M` and
    /// replies `R`. Asks every node once and waits at most the configured lookup timeout for
    /// their answers.
    ///
    /// Errors: [`RemoteError::NotFound`] if no node exposes it (yet: a node that has just
    /// connected may not have been heard from; see [`lookup_wait`](Self::lookup_wait));
    /// [`RemoteError::TypeMismatch`] if it takes other types; [`RemoteError::InvalidName`].
    /// If several nodes expose the name, one of them is chosen; use
    /// [`lookup_on`](Self::lookup_on) to name the node.
    pub fn lookup<M, R>(&self, name: &str) -> Result<RemoteRef<M, R>, RemoteError>
    where
        M: Serialize + Send + 'static,
        R: DeserializeOwned + Send + 'static,
    {
        self.find::<M, R>(name, None)
    }

    /// [`lookup`](Self::lookup) of the actor `name` exposed by the node `node`.
    pub fn lookup_on<M, R>(&self, node: &str, name: &str) -> Result<RemoteRef<M, R>, RemoteError>
    where
        M: Serialize + Send + 'static,
        R: DeserializeOwned + Send + 'static,
    {
        check_name(node)?;
        self.find::<M, R>(name, Some(node))
    }

    /// [`lookup`](Self::lookup), retried until the name is found or `timeout` has passed: for
    /// a node that has just started, or an actor not yet exposed. Fails with the last error
    /// (`NotFound`); a `TypeMismatch` is returned at once.
    pub fn lookup_wait<M, R>(
        &self,
        name: &str,
        timeout: Duration,
    ) -> Result<RemoteRef<M, R>, RemoteError>
    where
        M: Serialize + Send + 'static,
        R: DeserializeOwned + Send + 'static,
    {
        let deadline = Instant::now().checked_add(timeout);
        loop {
            match self.find::<M, R>(name, None) {
                Err(RemoteError::NotFound(n)) => {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        return Err(RemoteError::NotFound(n));
                    }
                    // Not a synchronisation: a poll interval between two lookups.
                    std::thread::sleep(Duration::from_millis(10));
                }
                other => return other,
            }
        }
    }

    fn find<M, R>(&self, name: &str, on: Option<&str>) -> Result<RemoteRef<M, R>, RemoteError>
    where
        M: Serialize + Send + 'static,
        R: DeserializeOwned + Send + 'static,
    {
        check_name(name)?;
        let node = &self.inner;
        if node.is_closed() {
            return Err(RemoteError::Closed);
        }
        let selector = format!("{}/@a/{name}/{}/*", node.prefix, on.unwrap_or("*"));
        let replies = node
            .session
            .liveliness()
            .get(&selector)
            .timeout(node.lookup_timeout)
            .wait()
            .map_err(|e| RemoteError::Engine(e.to_string()))?;
        let want = wire::fingerprint::<M, R>();
        let mut mismatch = None;
        while let Ok(reply) = replies.recv() {
            let Ok(sample) = reply.result() else { continue };
            let key = sample.key_expr().as_str();
            let mut parts = key.rsplit('/');
            let (Some(fp), Some(owner)) = (parts.next(), parts.next()) else {
                continue;
            };
            // A token from the wire: only a well-formed one counts (an owner of `*` would make
            // a wildcard publisher).
            let Ok(fp) = u64::from_str_radix(fp, 16) else {
                continue;
            };
            if check_name(owner).is_err() {
                continue;
            }
            if fp == want {
                return RemoteRef::new(Arc::clone(node), owner, name, want);
            }
            mismatch = Some(owner.to_owned());
        }
        match mismatch {
            Some(owner) => Err(RemoteError::TypeMismatch {
                exposed: format!(
                    "other types than {} (as exposed by node {owner})",
                    wire::type_names::<M, R>()
                ),
            }),
            None => Err(RemoteError::NotFound(name.to_owned())),
        }
    }

    /// Closes the session: exposed actors become unreachable (other nodes see this node as
    /// lost), remote refs fail their sends with [`RemoteError::Closed`]. Idempotent.
    pub fn close(&self) {
        // ORDERING: Relaxed; see `is_closed`.
        self.inner.closed.store(true, Ordering::Relaxed);
        drop(
            self.inner
                .node_token
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
        if let Err(e) = self.inner.session.close().wait() {
            log::warn!(target: "pykka_remote", "closing node {}: {e}", self.inner.name);
        }
        // Every remote ref of this node is cut off: its watchers learn it.
        let watches = std::mem::take(
            &mut *self
                .inner
                .watches
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for w in watches.iter().filter_map(Weak::upgrade) {
            w.set(Liveness::Ended(RemoteEnd::NodeLost), None);
        }
        drop(self.inner.prober.request_stop());
    }
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("name", &self.inner.name)
            .field("cluster", &&self.inner.prefix["pykka/".len()..])
            .finish_non_exhaustive()
    }
}

/// Frees an exposed name on its node when the [`Exposed`] goes.
struct Release {
    node: Arc<NodeInner>,
    name: String,
}

impl Drop for Release {
    fn drop(&mut self) {
        self.node
            .exposed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.name);
    }
}

/// An actor made reachable by [`Node::expose`]; dropping it withdraws the name.
#[must_use = "dropping it withdraws the actor at once"]
pub struct Exposed {
    name: String,
    _queryable: zenoh::query::Queryable<()>,
    _subscriber: zenoh::pubsub::Subscriber<()>,
    token: Arc<Mutex<Option<zenoh::liveliness::LivelinessToken>>>,
    sentinel: ActorRef<Sentinel>,
    _release: Release,
}

impl Exposed {
    /// The name it is exposed under.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for Exposed {
    fn drop(&mut self) {
        drop(
            self.token
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
        drop(self.sentinel.request_stop());
    }
}

impl std::fmt::Debug for Exposed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exposed")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The receiving side of one exposed actor.
struct Shared<A: Receive> {
    actor: ActorRef<A>,
    fingerprint: u64,
    stopped: AtomicBool,
    urn: String,
    node: std::sync::Weak<NodeInner>,
    max: usize,
    /// Asks from the wire not answered yet, and their limit.
    pending: Arc<AtomicUsize>,
    max_pending: usize,
}

impl<A> Shared<A>
where
    A: Receive,
    A::Message: DeserializeOwned,
    A::Reply: Serialize,
{
    fn decode(&self, frame: &[u8]) -> Result<(Kind, Option<A::Message>), RemoteError> {
        let r = wire::decode_request::<A::Message>(frame, self.fingerprint, self.max, &|| {
            wire::type_names::<A::Message, A::Reply>()
        });
        if let Err(e) = &r {
            self.refuse(&e.to_string());
        }
        r
    }

    /// Counts a refused frame and records its dead letter.
    fn refuse(&self, why: &str) {
        if let Some(node) = self.node.upgrade() {
            node.refused(self.urn.clone(), std::any::type_name::<A::Message>());
            release(node);
        }
        log::warn!(target: "pykka_remote", "refused a frame for {}: {why}", self.urn);
    }

    /// A frame over the limit, refused by its length before it is copied.
    fn too_large(&self, len: usize) {
        self.refuse(&RemoteError::TooLarge { len, max: self.max }.to_string());
    }

    /// A tell from the wire.
    fn tell(&self, frame: &[u8]) {
        match self.decode(frame) {
            Ok((Kind::Tell, Some(m))) => {
                // Never wait on zenoh's thread: a full bounded mailbox refuses the message (a
                // wait here would stall the whole link, replies included). A dead actor's
                // refusal is counted by the runtime as a dead letter.
                if let Err(pykka::TryTellError::Full(_)) = self.actor.try_tell(m) {
                    self.refuse("the actor's mailbox is full");
                }
            }
            Ok(_) => self.refuse("a probe or an ask sent as a tell"),
            Err(_) => {}
        }
    }

    /// An ask or a probe from the wire.
    fn query(&self, query: zenoh::query::Query) {
        let max = self.max;
        let len = query.payload().map_or(0, |p| p.len());
        if len > max {
            self.too_large(len);
            let e = RemoteError::TooLarge { len, max };
            let _ = query
                .reply(
                    query.key_expr().clone(),
                    wire::encode_reply_text(Status::Rejected, &e.to_string(), max),
                )
                .wait();
            return;
        }
        let frame = query
            .payload()
            .map(|p| p.to_bytes().into_owned())
            .unwrap_or_default();
        let answer = |query: &zenoh::query::Query, bytes: Vec<u8>| {
            if let Err(e) = query.reply(query.key_expr().clone(), bytes).wait() {
                log::warn!(target: "pykka_remote", "could not reply: {e}");
            }
        };
        match self.decode(&frame) {
            Err(RemoteError::TypeMismatch { exposed }) => answer(
                &query,
                wire::encode_reply_text(Status::TypeMismatch, &exposed, max),
            ),
            Err(e) => answer(
                &query,
                wire::encode_reply_text(Status::Rejected, &e.to_string(), max),
            ),
            Ok((Kind::Probe, _)) => {
                // ORDERING: Relaxed; see the sentinel.
                let stopped = self.stopped.load(Ordering::Relaxed) || !self.actor.is_alive();
                let status = if stopped {
                    Status::Stopped
                } else {
                    Status::Alive
                };
                answer(&query, wire::encode_reply_text(status, "", max))
            }
            Ok((Kind::Ask, Some(m))) => {
                // ORDERING: Relaxed; a counter bounding work, no data published through it.
                if self.pending.fetch_add(1, Ordering::Relaxed) >= self.max_pending {
                    self.pending.fetch_sub(1, Ordering::Relaxed);
                    let text = format!("over {} asks pending", self.max_pending);
                    self.refuse(&text);
                    return answer(
                        &query,
                        wire::encode_reply_text(Status::Rejected, &text, max),
                    );
                }
                let pending = Arc::clone(&self.pending);
                // ORDERING: Relaxed; as above.
                let done = move || pending.fetch_sub(1, Ordering::Relaxed);
                // As for tells: never wait for room on zenoh's thread.
                let future = match self.actor.try_ask(m) {
                    Ok(f) => f,
                    Err(pykka::TryTellError::Full(_)) => {
                        done();
                        self.refuse("the actor's mailbox is full");
                        let text = "the actor's mailbox is full";
                        return answer(
                            &query,
                            wire::encode_reply_text(Status::Rejected, text, max),
                        );
                    }
                    Err(pykka::TryTellError::Dead(e)) => {
                        done();
                        let text = e.error().message().to_owned();
                        return answer(
                            &query,
                            wire::encode_reply_text(Status::ActorDead, &text, max),
                        );
                    }
                };
                crate::task::on_complete(future, move |result| {
                    done();
                    let bytes = match result {
                        Ok(reply) => wire::encode_reply_ok(&reply, max).unwrap_or_else(|e| {
                            wire::encode_reply_text(
                                Status::Rejected,
                                &format!("the reply: {e}"),
                                max,
                            )
                        }),
                        Err(pykka::Error::ActorDead(e)) => {
                            wire::encode_reply_text(Status::ActorDead, e.message(), max)
                        }
                        Err(pykka::Error::Panicked(f)) => {
                            wire::encode_reply_text(Status::Panicked, f.message(), max)
                        }
                        Err(e) => wire::encode_reply_text(Status::Rejected, &e.to_string(), max),
                    };
                    answer(&query, bytes);
                });
            }
            Ok(_) => {
                self.refuse("a tell sent as a query");
                answer(
                    &query,
                    wire::encode_reply_text(Status::Rejected, "a tell sent as a query", max),
                )
            }
        }
    }
}

/// A small actor per exposed actor, watching it: when it dies, runs `on_end` once.
pub(crate) struct Sentinel {
    pub(crate) target: pykka::AnyActorRef,
    pub(crate) on_end: Option<Box<dyn FnOnce() + Send>>,
}

impl Actor for Sentinel {
    fn on_start(&mut self, ctx: &mut Context<Self>) {
        ctx.watch(&self.target);
    }

    fn on_terminated(&mut self, _: &Terminated, ctx: &mut Context<Self>) {
        if let Some(f) = self.on_end.take() {
            f();
        }
        ctx.stop();
    }
}

/// Drops a node handle upgraded on a zenoh or pykka thread. If it is the last one, dropping it
/// closes the zenoh session, which must not happen inside a zenoh callback: that is done on a
/// thread of its own.
pub(crate) fn release(node: Arc<NodeInner>) {
    // `into_inner` is atomic: it gives the value only to the holder of the last reference.
    if let Some(last) = Arc::into_inner(node) {
        let spawned = std::thread::Builder::new()
            .name("pykka-remote-close".into())
            .spawn(move || drop(last));
        if let Err(e) = spawned {
            log::warn!(target: "pykka_remote", "no thread to close a node on: {e}");
        }
    }
}
