//! A blocking, Pykka-style actor and an async actor doing tokio I/O, on one pykka pool.
//!
//! The `Bookkeeper` is written the Pykka way: its handler asks and blocks in `get()`. The
//! `PriceFeed` is async: it fetches prices over TCP with tokio (from a small server spawned on
//! the tokio runtime) and holds no pool thread while the socket is slow. Sync and async actors
//! talk to each other freely; the pool has one worker.
//!
//! Run: `cargo run -p pykka-tokio-tests --example mixed_io`

use pykka::{Actor, ActorRef, AsyncReceive, Context, Receive, Runtime};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// Async: one TCP request per price, through tokio.
struct PriceFeed {
    port: u16,
}
impl Actor for PriceFeed {}
impl AsyncReceive for PriceFeed {
    type Message = String;
    type Reply = std::io::Result<u32>;
    async fn on_receive(&mut self, item: String, _: &mut Context<Self>) -> std::io::Result<u32> {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).await?;
        let (read, mut write) = stream.into_split();
        write.write_all(format!("{item}\n").as_bytes()).await?;
        let mut line = String::new();
        BufReader::new(read).read_line(&mut line).await?;
        Ok(line.trim().parse().unwrap_or(0))
    }
}

/// Blocking, Pykka-style: asks the feed and waits in `get()` inside its handler.
struct Bookkeeper {
    feed: ActorRef<PriceFeed>,
}
impl Actor for Bookkeeper {}
impl Receive for Bookkeeper {
    type Message = Vec<String>;
    type Reply = u32;
    fn on_receive(&mut self, items: Vec<String>, _: &mut Context<Self>) -> u32 {
        items
            .into_iter()
            .map(|item| self.feed.ask(item).get().unwrap().unwrap_or(0))
            .sum()
    }
}

fn main() {
    let tokio_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    // A slow price server: 10 ms per answer, the price is the item's length times 100.
    let listener = tokio_rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio_rt.spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut line = String::new();
                if BufReader::new(read).read_line(&mut line).await.is_ok() {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    let price = line.trim().len() * 100;
                    let _ = write.write_all(format!("{price}\n").as_bytes()).await;
                }
            });
        }
    });

    let rt = Runtime::builder()
        .threads(1)
        .tokio_handle(tokio_rt.handle().clone())
        .build()
        .unwrap();
    let feed = PriceFeed { port }.start_in(&rt);
    let keeper = Bookkeeper { feed: feed.clone() }.start_in(&rt);
    let items = vec!["tea".to_owned(), "coffee".to_owned(), "cake".to_owned()];
    let total = keeper.ask(items).get().unwrap();
    println!("total: {total}"); // 300 + 600 + 400
    assert_eq!(total, 1300);
    // A hundred asks queued at once: the feed takes them one at a time (mailbox order), and
    // while each waits on its socket the single worker is free for other actors.
    let asks: Vec<_> = (0..100).map(|i| feed.ask(format!("item{i}"))).collect();
    let sum: u32 = asks.into_iter().map(|f| f.get().unwrap().unwrap()).sum();
    println!("100 prices: {sum}");
    rt.shutdown().unwrap();
}
