#!/usr/bin/env python3
"""Python Pykka on the same basic workloads, with the same sizes, as benches/peers.

Pykka runs every actor on its own OS thread (ThreadingActor) and every message crosses a
`queue.Queue`, under CPython's GIL. Workloads (per unit in brackets):

- counting:  the main thread tells one actor COUNTING numbers, then asks it for the total
             (per message);
- ping_pong: two actors bounce a token PING_PONG round trips (per round trip);
- ring:      RING_ACTORS actors in a ring pass a token RING_HOPS hops (per hop);
- ask:       the main thread asks an actor and waits for the reply, ASKS times, each timed
             (p50/p90/p99/max and mean per ask) after ASK_WARM_UP warm-up asks;
- spawn:     start SPAWN actors, ask each to stop right after starting it (without waiting),
             then wait until all have stopped (per actor);
- memory:    RSS growth (/proc/self/statm) over MEMORY_ACTORS idle actors (started, on_start
             run, never messaged), per actor. One thread per actor: kept small on purpose.

Each timed workload runs --runs times (default 7) after one warm-up run; the table gives the
median run divided by its units, and the fastest and slowest run. Prints a Markdown table.

Usage: python bench.py [--runs N] [--only counting,ping_pong,...]
"""
import argparse
import gc
import importlib.metadata
import os
import platform
import statistics
import threading
import time

import pykka

# The same sizes as benches/peers/benches/workloads.rs and latency.rs (asks: 5 000 timed here).
COUNTING = 100_000
PING_PONG = 2_000
RING_ACTORS = 100
RING_HOPS = 10_000
ASK_WARM_UP = 500
ASKS = 5_000
SPAWN = 1_000
MEMORY_ACTORS = 2_000


class Counter(pykka.ThreadingActor):
    """Adds what it is told; answers the running total."""

    def __init__(self):
        super().__init__()
        self.total = 0

    def on_receive(self, message):
        self.total += message
        return self.total


class Node(pykka.ThreadingActor):
    """Forwards a token (hops left, completion future) to the next node."""

    def __init__(self):
        super().__init__()
        self.next = None

    def on_receive(self, message):
        kind, payload = message
        if kind == "link":
            self.next = payload
        else:
            hops, done = payload
            if hops == 0:
                done.set(None)
            else:
                self.next.tell(("token", (hops - 1, done)))


class Idle(pykka.ThreadingActor):
    started = 0
    lock = threading.Lock()

    def on_start(self):
        with Idle.lock:
            Idle.started += 1


def ring(actors):
    nodes = [Node.start() for _ in range(actors)]
    for i, n in enumerate(nodes):
        n.tell(("link", nodes[(i + 1) % actors]))

    def run(hops):
        done = pykka.ThreadingFuture()
        nodes[0].tell(("token", (hops, done)))
        done.get()

    def close():
        for n in nodes:
            n.stop()

    return run, close


def counting():
    c = Counter.start()

    def run(n):
        tell = c.tell
        for i in range(n):
            tell(i)
        c.ask(0)

    return run, c.stop


def spawn():
    def run(n):
        # As the Rust systems: a stop request (not waited for) right after each start.
        stops = [Counter.start().stop(block=False) for _ in range(n)]
        for s in stops:
            s.get()

    return run, lambda: None


def timed(name, setup, units, size, runs):
    run, close = setup()
    try:
        run(size)  # warm-up
        times = []
        for _ in range(runs):
            gc.collect()
            t0 = time.perf_counter()
            run(size)
            times.append(time.perf_counter() - t0)
    finally:
        close()
    per = sorted(t / units for t in times)
    return name, statistics.median(per), per[0], per[-1]


def ask_latency():
    c = Counter.start()
    try:
        for i in range(ASK_WARM_UP):
            c.ask(i)
        t = []
        all0 = time.perf_counter()
        for i in range(ASKS):
            t0 = time.perf_counter()
            c.ask(i)
            t.append(time.perf_counter() - t0)
        mean = (time.perf_counter() - all0) / ASKS
    finally:
        c.stop()
    t.sort()

    def q(p):
        return t[min(int(len(t) * p), len(t) - 1)]

    return q(0.50), q(0.90), q(0.99), t[-1], mean


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def memory():
    # Touch the list and the thread machinery once before the first reading.
    warm = Idle.start()
    warm.stop()
    refs = [None] * MEMORY_ACTORS
    Idle.started = 0
    gc.collect()
    before = rss_bytes()
    for i in range(MEMORY_ACTORS):
        refs[i] = Idle.start()
    while Idle.started < MEMORY_ACTORS:
        time.sleep(0.01)
    gc.collect()
    after = rss_bytes()
    for r in refs:
        r.stop(block=False)
    for r in refs:
        r.stop()
    return (after - before) / MEMORY_ACTORS


def fmt_time(s):
    ns = s * 1e9
    if ns < 1_000:
        return f"{ns:.0f} ns"
    if ns < 1_000_000:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns / 1e6:.2f} ms"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--only", default="counting,ping_pong,ring,ask,spawn,memory")
    args = ap.parse_args()
    only = set(args.only.split(","))

    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"Pykka {importlib.metadata.version('pykka')}, {platform.system()} {platform.release()} "
        f"{platform.machine()}, {os.cpu_count()} CPUs, {args.runs} runs per workload\n"
    )
    print("| workload | size | median per unit | fastest run | slowest run |")
    print("|---|---|---|---|---|")
    rows = []
    if "counting" in only:
        rows.append(
            ("counting (per message)", f"{COUNTING:,} tells + 1 ask", counting, COUNTING, COUNTING)
        )
    if "ping_pong" in only:
        rows.append(
            ("ping-pong (per round trip)", f"{PING_PONG:,} round trips",
             lambda: ring(2), PING_PONG, 2 * PING_PONG)
        )
    if "ring" in only:
        rows.append(
            (f"thread ring, {RING_ACTORS} actors (per hop)", f"{RING_HOPS:,} hops",
             lambda: ring(RING_ACTORS), RING_HOPS, RING_HOPS)
        )
    if "spawn" in only:
        rows.append(("spawn + stop (per actor)", f"{SPAWN:,} actors", spawn, SPAWN, SPAWN))
    for title, size_txt, setup, units, size in rows:
        _, med, lo, hi = timed(title, setup, units, size, args.runs)
        print(f"| {title} | {size_txt} | {fmt_time(med)} | {fmt_time(lo)} | {fmt_time(hi)} |",
              flush=True)
    if "ask" in only:
        p50, p90, p99, mx, mean = ask_latency()
        print(f"| ask from the main thread (per ask, mean) | {ASKS:,} asks after {ASK_WARM_UP} "
              f"| {fmt_time(mean)} | | |")
        print(f"| ask latency p50 / p90 / p99 / max | {ASKS:,} timed asks | {fmt_time(p50)} / "
              f"{fmt_time(p90)} / {fmt_time(p99)} / {fmt_time(mx)} | | |", flush=True)
    if "memory" in only:
        per = memory()
        print(f"| idle actor, RSS growth (per actor) | {MEMORY_ACTORS:,} actors (one thread "
              f"each) | {per:,.0f} B | | |")


if __name__ == "__main__":
    main()
