//! [async] item 2: async handlers using tokio's I/O on a pykka pool built with
//! `Builder::tokio_handle`. An acceptor actor serves TCP on 127.0.0.1 (each connection handled
//! by an actor of its own), 1 000 requests are made at once by client actors, all on a 2-worker
//! pool, while another actor on the same pool keeps answering asks: no worker is held by the
//! I/O. Timeouts are hang guards only.

use pykka::{Actor, ActorRef, AsyncReceive, Context, Receive, Runtime};
use std::sync::mpsc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const GUARD: Duration = Duration::from_secs(60);
const REQUESTS: usize = 1_000;

/// Accepts connections forever (one message per accept: it tells itself the next one, so its
/// mailbox stays usable), each served by a `Conn` actor of its own.
struct Acceptor {
    listener: Option<TcpListener>,
    served: usize,
}
impl Actor for Acceptor {}
impl AsyncReceive for Acceptor {
    type Message = ();
    type Reply = ();
    async fn on_receive(&mut self, _: (), ctx: &mut Context<Self>) {
        let Some(listener) = &self.listener else {
            return;
        };
        if let Ok((stream, _)) = listener.accept().await {
            self.served += 1;
            let conn = Conn {
                stream: Some(stream),
            }
            .start_in(&ctx.runtime());
            let _ = conn.tell(());
        }
        let _ = ctx.actor_ref().tell(());
    }
}

/// Serves one connection: reads a number, writes it back doubled, then stops.
struct Conn {
    stream: Option<TcpStream>,
}
impl Actor for Conn {}
impl AsyncReceive for Conn {
    type Message = ();
    type Reply = ();
    async fn on_receive(&mut self, _: (), ctx: &mut Context<Self>) {
        if let Some(mut s) = self.stream.take() {
            let n = s.read_u32().await.unwrap_or(0);
            let _ = s.write_u32(n * 2).await;
        }
        ctx.stop();
    }
}

/// Makes one request.
struct Client {
    port: u16,
}
impl Actor for Client {}
impl AsyncReceive for Client {
    type Message = u32;
    type Reply = std::io::Result<u32>;
    async fn on_receive(&mut self, n: u32, _: &mut Context<Self>) -> std::io::Result<u32> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).await?;
        s.write_u32(n).await?;
        s.read_u32().await
    }
}

/// A sync actor that answers at once.
struct Echo;
impl Actor for Echo {}
impl Receive for Echo {
    type Message = u32;
    type Reply = u32;
    fn on_receive(&mut self, n: u32, _: &mut Context<Self>) -> u32 {
        n
    }
}

#[test]
fn async_actors_serve_and_call_tcp_with_tokio_while_the_pool_stays_free() {
    let tokio_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let rt = Runtime::builder()
        .threads(2)
        .tokio_handle(tokio_rt.handle().clone())
        .build()
        .unwrap();
    let listener = tokio_rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let port = listener.local_addr().unwrap().port();
    let acceptor = Acceptor {
        listener: Some(listener),
        served: 0,
    }
    .start_in(&rt);
    acceptor.tell(()).unwrap();

    let clients: Vec<ActorRef<Client>> = (0..REQUESTS)
        .map(|_| Client { port }.start_in(&rt))
        .collect();
    let replies: Vec<_> = clients
        .iter()
        .enumerate()
        .map(|(i, c)| c.ask(i as u32))
        .collect();
    // Meanwhile a sync actor on the same two workers keeps answering.
    let echo = Echo.start_in(&rt);
    let (tx, rx) = mpsc::channel();
    let echo2 = echo.clone();
    let pinger = std::thread::spawn(move || {
        for i in 0..200 {
            tx.send(echo2.ask(i).get_timeout(GUARD).unwrap() == i)
                .unwrap();
        }
    });
    for (i, r) in replies.into_iter().enumerate() {
        let n = r
            .get_timeout(GUARD)
            .unwrap()
            .expect("the request completed");
        assert_eq!(n, 2 * i as u32);
    }
    pinger.join().unwrap();
    assert_eq!(rx.try_iter().filter(|ok| *ok).count(), 200);
    assert_eq!(rt.threads(), 2);
    for c in &clients {
        c.stop();
    }
    // The acceptor waits in accept(): kill it (its future is dropped, the listener closed).
    acceptor.kill();
    rt.shutdown().unwrap();
    drop(tokio_rt);
}
