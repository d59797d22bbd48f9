//! Pykka's `resolver.py`: resolve IP addresses to host names with a pool of resolver actors.
//! The work is handed out round-robin through the actors' proxies without blocking, then the
//! replies are gathered with `pykka::get_all`.
//!
//! No network: a resolver does a fake reverse lookup, a name computed from the address (and
//! no name for some addresses, as a real lookup sometimes fails), after a short delay.
//!
//! Run: `cargo run --example resolver` (4 resolvers, 12 addresses in 192.0.2.0/24), or give the
//! pool size and the addresses: `cargo run --example resolver -- 3 10.0.0.1 10.0.0.7 10.0.0.9`.

use pykka::{Actor, ActorRegistry, Future};
use std::net::Ipv4Addr;
use std::thread;
use std::time::Duration;

/// A fake reverse DNS lookup: deterministic, local and a little slow.
fn gethostbyaddr(ip: Ipv4Addr) -> Option<String> {
    thread::sleep(Duration::from_millis(50));
    let [a, b, c, d] = ip.octets();
    if d % 5 == 0 {
        return None; // no PTR record for this one
    }
    Some(format!("host-{a}-{b}-{c}-{d}.example.net"))
}

#[pykka::proxy]
struct Resolver {
    /// Which resolver of the pool this is, for the printout.
    id: usize,
}

#[pykka::proxy]
impl Resolver {
    /// The host name of `ip`, if it has one, and the id of the resolver that looked it up.
    pub(crate) fn resolve(&self, ip: Ipv4Addr) -> (Option<String>, usize) {
        let host = gethostbyaddr(ip);
        match host {
            Some(_) => println!("resolver {} finished resolving {ip}", self.id),
            None => println!("resolver {} failed resolving {ip}", self.id),
        }
        (host, self.id)
    }
}

impl Actor for Resolver {}

fn run(pool_size: usize, ips: Vec<Ipv4Addr>) -> Result<(), Box<dyn std::error::Error>> {
    if pool_size == 0 {
        return Err("the pool needs at least one resolver".into());
    }
    // Start the resolvers.
    let resolvers = (0..pool_size)
        .map(|id| Resolver { id }.start().typed_proxy())
        .collect::<Result<Vec<ResolverProxy>, _>>()?;

    // Hand out the work round-robin (not blocking: each call returns a future at once).
    let hosts: Vec<Future<(Option<String>, usize)>> = ips
        .iter()
        .enumerate()
        .map(|(i, ip)| resolvers[i % resolvers.len()].resolve(*ip))
        .collect();

    // Gather the results (blocking), in the order of the addresses.
    let results = pykka::get_all(hosts)?;
    println!(
        "\n{} addresses resolved by {pool_size} resolvers:",
        ips.len()
    );
    for (ip, (host, id)) in ips.iter().zip(results) {
        let host = host.as_deref().unwrap_or("(no name)");
        println!("  {ip:<15} -> {host:<34} (resolver {id})");
    }

    // Clean up.
    ActorRegistry::stop_all();
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() >= 2 {
        let pool_size = args[0].parse()?;
        let ips = args[1..]
            .iter()
            .map(|a| a.parse())
            .collect::<Result<_, _>>()?;
        run(pool_size, ips)
    } else {
        let ips = (1..=12).map(|i| Ipv4Addr::new(192, 0, 2, i)).collect();
        run(4, ips)
    }
}
