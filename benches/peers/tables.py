#!/usr/bin/env python3
"""Markdown tables from the last criterion run of this package (target/criterion).

Per workload and system: criterion's median time per run divided by the run's units (its
Throughput::Elements), then each system's ratio to the faster of the two pykka pooled cases.
A peer that runs a workload in another form has its own id there (Banking: `<peer>_await`); its
cell is marked "(await)". charts.py draws the same figures.
Usage: python3 tables.py [criterion dir]
"""
import json
import os
import sys

GROUPS = [
    ("ping_pong", "ping-pong (per round trip)"),
    ("counting", "counting (per message)"),
    ("thread_ring", "thread ring, 100 actors (per hop)"),
    ("ask", "ask from the bench thread (per ask)"),
    ("spawn", "spawn + stop (per actor)"),
    ("fork_join_throughput", "Savina fork-join throughput, 60 actors (per message)"),
    ("fork_join_create", "Savina fork-join creation (per actor)"),
    ("big", "Savina Big, 120 actors (per ping + pong)"),
    ("skynet", "Skynet, 4 levels, 11 111 actors (per actor)"),
    ("skynet_1m", "Skynet, 6 levels, 1 111 111 actors, no thread-per-actor (per actor)"),
    ("fibonacci", "Savina Fibonacci, fib(20), 13 529 actors (per actor)"),
    ("fibonacci_25", "Savina Fibonacci, fib(25), 150 049 actors, no thread-per-actor (per actor)"),
    ("chameneos", "Savina Chameneos, 100 creatures (per meeting)"),
    ("banking", "Savina Banking, 1 000 accounts, a handler waits for an ask (per transfer)"),
]
SYSTEMS = [
    "pykka_pooled_1", "pykka_pooled_cores", "pykka_dedicated", "std_thread_mpsc",
    "actix", "kameo", "ractor", "xtra",
]
POOLED = ("pykka_pooled_1", "pykka_pooled_cores")
# Other forms of a workload, by the suffix of their id (see System::banking).
VARIANTS = ("await",)


def per_unit_ns(root, group, system):
    return lookup(root, group, system)[0]


def lookup(root, group, system):
    """(median ns per unit, variant or None) of `system` in `group`; (None, None) if not run."""
    for variant in (None,) + VARIANTS:
        d = os.path.join(root, group, system if variant is None else f"{system}_{variant}", "new")
        try:
            with open(os.path.join(d, "estimates.json")) as f:
                est = json.load(f)
            with open(os.path.join(d, "benchmark.json")) as f:
                bench = json.load(f)
        except FileNotFoundError:
            continue
        units = bench["throughput"]["Elements"]
        return est["median"]["point_estimate"] / units, variant
    return None, None


def fmt_time(ns):
    if ns is None:
        return "–"
    if ns < 1_000:
        return f"{ns:.0f} ns"
    if ns < 1_000_000:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns / 1e6:.2f} ms"


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__) or ".", "target", "criterion")
    found = {g: {s: lookup(root, g, s) for s in SYSTEMS} for g, _ in GROUPS}
    rows = {g: {s: v for s, (v, _) in r.items()} for g, r in found.items()}

    def mark(g, s, txt):
        variant = found[g][s][1]
        return f"{txt} ({variant})" if variant else txt

    head = "| workload | " + " | ".join(SYSTEMS) + " |"
    sep = "|---|" + "---|" * len(SYSTEMS)

    print("Medians per unit:\n")
    print(head)
    print(sep)
    for g, title in GROUPS:
        r = rows[g]
        if all(v is None for v in r.values()):
            continue
        best = min((v, s) for s, v in r.items() if v is not None)[1]
        cells = [mark(g, s, ("**%s**" % fmt_time(r[s])) if s == best else fmt_time(r[s]))
                 for s in SYSTEMS]
        print(f"| {title} | " + " | ".join(cells) + " |")

    print("\nRatios (system ÷ the faster pykka pooled case of the same group; < 1 is faster than pykka):\n")
    print(head)
    print(sep)
    for g, title in GROUPS:
        r = rows[g]
        if all(r[s] is None for s in POOLED):
            continue
        base = min(r[s] for s in POOLED if r[s] is not None)
        cells = []
        for s in SYSTEMS:
            v = r[s]
            if v is None:
                cells.append("–")
            else:
                x = v / base
                txt = f"{x:.2f}" if x < 10 else f"{x:.0f}"
                cells.append(mark(g, s, f"**{txt}**" if x < 1 else txt))
        print(f"| {title} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
