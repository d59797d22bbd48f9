//! TLS and mTLS through zenoh's own configuration keys (feature `tls`;
//! `cargo test -p pykka-remote --features tls --test tls`, which `.ci/run` runs). The
//! certificates are test-only, in `tests/certs/`.
#![cfg(feature = "tls")]

mod common;
use common::*;
use pykka::Actor;
use pykka_remote::{Node, NodeConfig, RemoteError};
use std::time::Duration;

fn cert(file: &str) -> String {
    format!(
        "{:?}",
        format!("{}/tests/certs/{file}", env!("CARGO_MANIFEST_DIR"))
    )
}

fn tls_endpoint(port: u16) -> String {
    format!("tls/localhost:{port}")
}

/// A node dialing `port` over TLS, trusting the test CA, presenting `identity` (a
/// `(certificate, key)` pair) if given.
fn dialer(c: &str, port: u16, identity: Option<(&str, &str)>) -> Result<Node, RemoteError> {
    let mut cfg = NodeConfig::new("b")
        .cluster(c)
        .connect(tls_endpoint(port))
        .exit_on_failure(true)
        .connect_timeout(Duration::from_secs(3))
        .zenoh("transport/link/tls/root_ca_certificate", cert("ca.pem"));
    if let Some((pem, key)) = identity {
        // zenoh presents a client certificate only with `enable_mtls` on the dialing side too.
        cfg = cfg
            .zenoh("transport/link/tls/enable_mtls", "true")
            .zenoh("transport/link/tls/connect_certificate", cert(pem))
            .zenoh("transport/link/tls/connect_private_key", cert(key));
    }
    Node::open(cfg)
}

#[test]
fn mtls_admits_a_node_with_a_certificate_of_the_ca_and_refuses_the_others() {
    let c = cluster("mtls");
    let port = free_port();
    let a = Node::open(
        NodeConfig::new("a")
            .cluster(&c)
            .listen(tls_endpoint(port))
            .zenoh("transport/link/tls/listen_certificate", cert("node.pem"))
            .zenoh("transport/link/tls/listen_private_key", cert("node.key"))
            .zenoh("transport/link/tls/root_ca_certificate", cert("ca.pem"))
            .zenoh("transport/link/tls/enable_mtls", "true"),
    )
    .unwrap();
    let counter = Counter::default().start();
    let _exposed = a.expose("counter", &counter).unwrap();

    // No client certificate, then one from another CA: refused.
    let r = dialer(&c, port, None);
    assert!(matches!(r, Err(RemoteError::Engine(_))), "{r:?}");
    let r = dialer(&c, port, Some(("intruder.pem", "intruder.key")));
    assert!(matches!(r, Err(RemoteError::Engine(_))), "{r:?}");
    // Plain TCP to the TLS port: no session either.
    let r = Node::open(
        NodeConfig::new("b")
            .cluster(&c)
            .connect(endpoint(port))
            .exit_on_failure(true)
            .connect_timeout(Duration::from_secs(3)),
    );
    assert!(matches!(r, Err(RemoteError::Engine(_))), "{r:?}");

    // A certificate of the CA: admitted, and the actor answers over TLS.
    let b = dialer(&c, port, Some(("node.pem", "node.key"))).unwrap();
    let remote = b.lookup_wait::<Cmd, Reply>("counter", GUARD).unwrap();
    assert_eq!(
        remote.ask(Cmd::Add(4)).get_timeout(GUARD).unwrap(),
        Reply::Sum(4)
    );
    counter.stop();
}
