//! Memory per idle actor, per system: RSS growth (`/proc/self/statm`) while `N` idle actors
//! (started, start hook run, never messaged) are alive, divided by `N`.
//!
//! Each system is measured in a process of its own (this binary runs itself once per system
//! with `--system <name>`), so that one system's allocator state and threads never count in
//! another's figure. `N` = `POOLED` (100 000) for pykka pooled and the peers, `THREADED`
//! (2 000) for the systems with an OS thread per actor (the machine's `pid_max` is 32 768
//! threads). The handles the bench keeps (one per actor, in a `Vec` allocated before the first
//! reading) are counted; their size is printed beside.
//!
//! Run: `cargo bench --manifest-path benches/peers/Cargo.toml --bench memory` (a free argument
//! filters systems by substring).

mod systems;

use std::process::Command;
use std::sync::atomic::Ordering;

const POOLED: usize = 100_000;
const THREADED: usize = 2_000;
/// Started and dropped before the first reading (runtime threads, first allocator arenas).
const WARM_UP: usize = 100;

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("statm resident");
    pages * page_size()
}

/// 4 KiB on x86_64 Linux (asking `sysconf` would need libc).
fn page_size() -> u64 {
    4096
}

/// In the child: measures one system and prints one table row.
fn measure(name: &str) {
    let sys = systems::make(name).expect("known system");
    let n = if sys.thread_per_actor() {
        THREADED
    } else {
        POOLED
    };
    systems::IDLE_STARTED.store(0, Ordering::Release);
    let warm = sys.idle(WARM_UP);
    systems::wait_idle_started(WARM_UP);
    drop(warm);
    systems::IDLE_STARTED.store(0, Ordering::Release);
    let before = rss_bytes();
    let actors = sys.idle(n);
    systems::wait_idle_started(n);
    let after = rss_bytes();
    let per = after.saturating_sub(before) as f64 / n as f64;
    println!("| {name} | {n} | {per:.0} | {} |", sys.handle_size());
    drop(actors);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--system") {
        measure(&args[i + 1]);
        return;
    }
    let filter = args.iter().find(|a| !a.starts_with("--"));
    println!("RSS growth per idle actor (B), each system in a process of its own");
    println!();
    println!("| system | actors | B per actor | handle kept (B, counted) |");
    println!("|---|---|---|---|");
    let exe = std::env::current_exe().expect("current_exe");
    for name in systems::NAMES {
        if filter.is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        let out = Command::new(&exe)
            .args(["--system", name])
            .output()
            .expect("run the child");
        assert!(out.status.success(), "{name}: {:?}", out);
        print!("{}", String::from_utf8_lossy(&out.stdout));
    }
}
