//! A node's configuration: who it is, where it listens and dials, credentials, limits.

use std::path::PathBuf;
use std::time::Duration;

/// The default `max_message`: 1 MiB.
pub const DEFAULT_MAX_MESSAGE: usize = 1 << 20;

/// How a [`Node`](crate::Node) is opened.
///
/// ```
/// use pykka_remote::NodeConfig;
/// use std::time::Duration;
/// let config = NodeConfig::new("orders-1")
///     .listen("tcp/127.0.0.1:7447")
///     .connect("tcp/10.0.0.2:7447")
///     .ask_timeout(Duration::from_secs(5))
///     .max_message(64 * 1024);
/// assert_eq!(config.name(), "orders-1");
/// ```
pub struct NodeConfig {
    pub(crate) name: String,
    pub(crate) cluster: String,
    pub(crate) listen: Vec<String>,
    pub(crate) connect: Vec<String>,
    pub(crate) credentials: Option<(String, String)>,
    pub(crate) accept_users: Option<PathBuf>,
    pub(crate) max_message: usize,
    pub(crate) max_pending_asks: usize,
    pub(crate) ask_timeout: Duration,
    pub(crate) lookup_timeout: Duration,
    pub(crate) lease: Option<Duration>,
    pub(crate) exit_on_failure: bool,
    pub(crate) connect_timeout: Duration,
    pub(crate) runtime: Option<pykka::Runtime>,
    pub(crate) zenoh: Vec<(String, String)>,
}

impl NodeConfig {
    /// A node named `name` (unique in its cluster; `[A-Za-z0-9_.-]`, at most 128 bytes), in the
    /// cluster `"default"`, listening nowhere and dialing nobody (add endpoints with
    /// [`listen`](Self::listen) and [`connect`](Self::connect)), with a 1 MiB message limit, a
    /// 10 s ask timeout and a 1 s lookup timeout.
    pub fn new(name: impl Into<String>) -> Self {
        NodeConfig {
            name: name.into(),
            cluster: "default".into(),
            listen: Vec::new(),
            connect: Vec::new(),
            credentials: None,
            accept_users: None,
            max_message: DEFAULT_MAX_MESSAGE,
            max_pending_asks: 65_536,
            ask_timeout: Duration::from_secs(10),
            lookup_timeout: Duration::from_secs(1),
            lease: None,
            exit_on_failure: false,
            connect_timeout: Duration::from_secs(10),
            runtime: None,
            zenoh: Vec::new(),
        }
    }

    /// The node's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The cluster: nodes see only the actors of their own cluster (a key prefix, not a
    /// security boundary: use credentials for that).
    pub fn cluster(mut self, cluster: impl Into<String>) -> Self {
        self.cluster = cluster.into();
        self
    }

    /// Adds an endpoint to listen on (`tcp/127.0.0.1:7447`; `tls/...` with the feature `tls`).
    /// Without any, the node only dials: nodes that dial the same listener reach its actors
    /// but not each other's (zenoh peers do not forward for each other).
    pub fn listen(mut self, endpoint: impl Into<String>) -> Self {
        self.listen.push(endpoint.into());
        self
    }

    /// Adds an endpoint to dial. Nodes that one node dials learn of each other through it
    /// (zenoh's gossip), so a star of connections is enough. A dial that fails is retried;
    /// see [`exit_on_failure`](Self::exit_on_failure).
    pub fn connect(mut self, endpoint: impl Into<String>) -> Self {
        self.connect.push(endpoint.into());
        self
    }

    /// The user and password this node presents to the nodes it dials (zenoh's `usrpwd`).
    pub fn credentials(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials = Some((user.into(), password.into()));
        self
    }

    /// Only nodes presenting one of the `user:password` lines of this file may connect to this
    /// one (zenoh's `usrpwd` dictionary). Without it, anyone who can reach the listen endpoint
    /// may connect.
    pub fn accept_users(mut self, dictionary_file: impl Into<PathBuf>) -> Self {
        self.accept_users = Some(dictionary_file.into());
        self
    }

    /// The largest frame (header and serialised message or reply) sent or accepted. Larger
    /// ones are refused with [`RemoteError::TooLarge`](crate::RemoteError::TooLarge) before
    /// they are decoded. Zero is taken as one byte (nothing fits).
    pub fn max_message(mut self, bytes: usize) -> Self {
        self.max_message = bytes.max(1);
        self
    }

    /// How many asks from the wire each exposed actor may have unanswered at once (65 536 by
    /// default; at least 1). One more is refused at once (`RemoteError::Rejected`, and a
    /// refused-frame dead letter): each pending ask holds its query and reply path, so peers
    /// cannot make a node hold an unbounded number of them, even for an unbounded mailbox.
    pub fn max_pending_asks(mut self, asks: usize) -> Self {
        self.max_pending_asks = asks.max(1);
        self
    }

    /// How long an ask waits for its reply before failing with
    /// [`RemoteError::Unreachable`](crate::RemoteError::Unreachable). Capped at one day.
    pub fn ask_timeout(mut self, timeout: Duration) -> Self {
        self.ask_timeout = timeout.min(Duration::from_secs(86_400));
        self
    }

    /// How long a lookup waits for the nodes to answer. Capped at one day.
    pub fn lookup_timeout(mut self, timeout: Duration) -> Self {
        self.lookup_timeout = timeout.min(Duration::from_secs(86_400));
        self
    }

    /// How long a silent link lives before its node is taken as lost (zenoh's lease; 10 s by
    /// default). A node whose process dies is seen at once (its sockets close); the lease is for
    /// a node that hangs or a network that drops. At least 100 ms, at most one day.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = Some(lease.clamp(Duration::from_millis(100), Duration::from_secs(86_400)));
        self
    }

    /// Whether [`Node::open`](crate::Node::open) fails when a `connect` endpoint cannot be
    /// reached (or refuses this node's credentials), rather than opening and retrying in the
    /// background. Off by default. How long `open` keeps trying first:
    /// [`connect_timeout`](Self::connect_timeout).
    pub fn exit_on_failure(mut self, exit: bool) -> Self {
        self.exit_on_failure = exit;
        self
    }

    /// With [`exit_on_failure`](Self::exit_on_failure), how long [`Node::open`](crate::Node::open)
    /// tries to reach its `connect` endpoints before failing (10 s by default; at least 1 ms, at
    /// most one day). Without it, `open` does not wait for them: they are dialed in the
    /// background, and redialed (every 1 to 4 s) until they answer.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout.clamp(Duration::from_millis(1), Duration::from_secs(86_400));
        self
    }

    /// The runtime the node uses for its own small actors (watching exposed actors) and for
    /// its dead letters. The global runtime by default.
    pub fn runtime(mut self, runtime: &pykka::Runtime) -> Self {
        self.runtime = Some(runtime.clone_handle());
        self
    }

    /// Sets any zenoh configuration key (a JSON5 value), after the crate's own: TLS
    /// certificates (`transport/link/tls/...`), timeouts, buffer sizes. The crate sets `mode`,
    /// `scouting/multicast/enabled` (off), `listen/endpoints`, `connect/endpoints`,
    /// `connect/exit_on_failure`, `connect/timeout_ms` (with `exit_on_failure`),
    /// `transport/auth/usrpwd/*`, `transport/link/rx/max_message_size` (`max_message` + 64 KiB)
    /// and `transport/link/tx/lease`.
    pub fn zenoh(mut self, key: impl Into<String>, json5: impl Into<String>) -> Self {
        self.zenoh.push((key.into(), json5.into()));
        self
    }

    /// The zenoh configuration this describes.
    pub(crate) fn to_zenoh(&self) -> Result<zenoh::Config, crate::RemoteError> {
        use crate::RemoteError::Engine;
        let mut c = zenoh::Config::default();
        let mut set = |k: &str, v: String| {
            c.insert_json5(k, &v)
                .map_err(|e| Engine(format!("configuration `{k}` = {v}: {e}")))
        };
        let json = |v: &str| format!("{v:?}");
        let list = |v: &[String]| {
            format!(
                "[{}]",
                v.iter().map(|e| json(e)).collect::<Vec<_>>().join(",")
            )
        };
        set("mode", json("peer"))?;
        set("scouting/multicast/enabled", "false".into())?;
        set("listen/endpoints", list(&self.listen))?;
        set("connect/endpoints", list(&self.connect))?;
        set("connect/exit_on_failure", self.exit_on_failure.to_string())?;
        // zenoh's default for peers (-1) dials in the background, retrying for ever, which is
        // what a node without `exit_on_failure` wants (0 would mean "try once, never again").
        // With `exit_on_failure`, -1 would make `open` retry for ever: bound it.
        if self.exit_on_failure {
            set(
                "connect/timeout_ms",
                self.connect_timeout.as_millis().to_string(),
            )?;
        }
        if let Some((user, password)) = &self.credentials {
            set("transport/auth/usrpwd/user", json(user))?;
            set("transport/auth/usrpwd/password", json(password))?;
        }
        if let Some(path) = &self.accept_users {
            set(
                "transport/auth/usrpwd/dictionary_file",
                json(&path.to_string_lossy()),
            )?;
        }
        // zenoh reassembles a fragmented message up to this size before anything of ours sees
        // it (1 GiB by default): bound it by our own limit, plus room for zenoh's headers.
        set(
            "transport/link/rx/max_message_size",
            self.max_message.saturating_add(64 * 1024).to_string(),
        )?;
        if let Some(lease) = self.lease {
            set("transport/link/tx/lease", lease.as_millis().to_string())?;
        }
        for (k, v) in &self.zenoh {
            set(k, v.clone())?;
        }
        Ok(c)
    }
}

impl Clone for NodeConfig {
    fn clone(&self) -> Self {
        NodeConfig {
            name: self.name.clone(),
            cluster: self.cluster.clone(),
            listen: self.listen.clone(),
            connect: self.connect.clone(),
            credentials: self.credentials.clone(),
            accept_users: self.accept_users.clone(),
            max_message: self.max_message,
            max_pending_asks: self.max_pending_asks,
            ask_timeout: self.ask_timeout,
            lookup_timeout: self.lookup_timeout,
            lease: self.lease,
            exit_on_failure: self.exit_on_failure,
            connect_timeout: self.connect_timeout,
            runtime: self.runtime.as_ref().map(pykka::Runtime::clone_handle),
            zenoh: self.zenoh.clone(),
        }
    }
}

impl std::fmt::Debug for NodeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeConfig")
            .field("name", &self.name)
            .field("cluster", &self.cluster)
            .field("listen", &self.listen)
            .field("connect", &self.connect)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|(u, _)| (u, "<hidden>")),
            )
            .field("max_message", &self.max_message)
            .field("ask_timeout", &self.ask_timeout)
            .finish_non_exhaustive()
    }
}
