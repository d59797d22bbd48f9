//! Ask round-trip latency from a thread that is not one of the system's workers: per system,
//! `WARM_UP` asks, then `SAMPLES` asks each timed with `Instant`; prints p50/p90/p99/p99.9/max
//! and the mean as a table. A free argument filters systems by substring.
//!
//! Run: `cargo bench --manifest-path benches/peers/Cargo.toml --bench latency`.

mod systems;

use std::time::{Duration, Instant};

const WARM_UP: u64 = 2_000;
const SAMPLES: usize = 20_000;

fn us(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e6)
}

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    println!("ask round trip from the bench thread, {SAMPLES} asks per system after {WARM_UP} warm-up asks (µs)");
    println!();
    println!("| system | p50 | p90 | p99 | p99.9 | max | mean |");
    println!("|---|---|---|---|---|---|---|");
    for s in systems::all() {
        if filter.as_deref().is_some_and(|f| !s.name().contains(f)) {
            continue;
        }
        let mut ask = s.asker();
        for i in 0..WARM_UP {
            std::hint::black_box(ask(i));
        }
        let mut t = Vec::with_capacity(SAMPLES);
        let all = Instant::now();
        for i in 0..SAMPLES as u64 {
            let t0 = Instant::now();
            std::hint::black_box(ask(i));
            t.push(t0.elapsed());
        }
        let mean = all.elapsed() / SAMPLES as u32;
        drop(ask);
        t.sort_unstable();
        let q = |p: f64| t[((SAMPLES as f64 * p) as usize).min(SAMPLES - 1)];
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            s.name(),
            us(q(0.50)),
            us(q(0.90)),
            us(q(0.99)),
            us(q(0.999)),
            us(t[SAMPLES - 1]),
            us(mean)
        );
    }
}
