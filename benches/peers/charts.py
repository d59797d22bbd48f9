#!/usr/bin/env python3
"""SVG bar charts, one per workload, from the last criterion run of this package.

Reads what tables.py reads (target/criterion/<group>/<system>/new/estimates.json: the median's
point estimate, divided by the group's Throughput::Elements) and writes charts/<group>.svg: one
horizontal bar per system, its time per unit and its ratio to the faster pykka pooled case, the
pykka pooled bars highlighted. The axis is logarithmic when the slowest system is more than 20x
the fastest (thread-per-actor systems beside pooled ones), linear otherwise. Python 3.11 standard
library only.

Usage: python3 charts.py [--criterion DIR] [--out DIR] [--run "label of the run"]
"""
import argparse
import math
import os
import re
from xml.sax.saxutils import escape

import tables

HERE = os.path.dirname(os.path.abspath(__file__))

WIDTH = 820
LEFT = 190  # system names
RIGHT = 170  # value labels
TOP = 62
ROW = 26
BAR = 17
BOTTOM = 44

COLOURS = {
    "pykka_pooled_1": "#d9480f",
    "pykka_pooled_cores": "#d9480f",
    "pykka_dedicated": "#f4a261",
    "std_thread_mpsc": "#8d99ae",
}
PEER = "#4c6ef5"


def unit_of(title):
    """'... (per round trip)' -> 'round trip'."""
    m = re.search(r"\(per ([^)]*)\)\s*$", title)
    return m.group(1) if m else "unit"


def short_title(title):
    return re.sub(r"\s*\(per [^)]*\)\s*$", "", title)


def fmt_tick(ns):
    """A compact time for an axis tick: 1 ns, 250 ns, 1 µs, 2.5 ms."""
    for scale, unit in ((1e6, "ms"), (1e3, "µs"), (1, "ns")):
        if ns >= scale or scale == 1:
            v = ns / scale
            txt = f"{v:.1f}".rstrip("0").rstrip(".") if v < 10 else f"{v:.0f}"
            return f"{txt} {unit}"
    return f"{ns:g} ns"


def nice_linear_max(vmax):
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above vmax, and its tick step."""
    k = 10 ** math.floor(math.log10(vmax))
    for m, step in ((1, 0.2), (2, 0.5), (2.5, 0.5), (5, 1), (10, 2)):
        if m * k >= vmax:
            return m * k, step * k
    return 10 * k, 2 * k


def chart(group, title, rows, run):
    """rows: [(system, ns per unit, variant)], table order. Returns the SVG text."""
    values = [v for _, v, _ in rows]
    vmin, vmax = min(values), max(values)
    pooled = [v for s, v, _ in rows if s in tables.POOLED]
    base = min(pooled) if pooled else None
    log = vmax / vmin > 20
    plot_w = WIDTH - LEFT - RIGHT
    if log:
        lo = 10 ** math.floor(math.log10(vmin))
        hi = 10 ** math.ceil(math.log10(vmax))
        if hi == lo:
            hi = lo * 10

        def x(v):
            return LEFT + plot_w * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

        ticks = []
        t = lo
        while t <= hi * 1.0001:
            ticks.append(t)
            t *= 10
    else:
        hi, step = nice_linear_max(vmax)

        def x(v):
            return LEFT + plot_w * v / hi

        n = round(hi / step)
        ticks = [i * step for i in range(n + 1)]

    height = TOP + ROW * len(rows) + BOTTOM
    unit = unit_of(title)
    out = []
    add = out.append
    add(f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="Helvetica, Arial, sans-serif" font-size="12">')
    add(f'<title>{escape(title)}</title>')
    add(f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>')
    add(f'<text x="12" y="22" font-size="15" font-weight="bold">{escape(short_title(title))}</text>')
    scale = "log scale" if log else "linear scale"
    sub = f"median time per {unit} ({scale}; shorter is faster); × = ÷ the faster pykka pooled case"
    add(f'<text x="12" y="40" fill="#444">{escape(sub)}</text>')
    plot_top, plot_bottom = TOP - 8, TOP + ROW * len(rows)
    for t in ticks:
        tx = x(t) if (not log or t > 0) else LEFT
        add(f'<line x1="{tx:.1f}" y1="{plot_top}" x2="{tx:.1f}" y2="{plot_bottom}" '
            f'stroke="#e0e0e0"/>')
        add(f'<text x="{tx:.1f}" y="{plot_bottom + 15}" text-anchor="middle" fill="#555" '
            f'font-size="11">{escape(fmt_tick(t) if t > 0 else "0")}</text>')
    add(f'<line x1="{LEFT}" y1="{plot_top}" x2="{LEFT}" y2="{plot_bottom}" stroke="#888"/>')
    fastest = min(rows, key=lambda r: r[1])[0]
    for i, (system, v, variant) in enumerate(rows):
        y = TOP + ROW * i
        is_pooled = system in tables.POOLED
        colour = COLOURS.get(system, PEER)
        name = system + (f" ({variant})" if variant else "")
        weight = ' font-weight="bold"' if is_pooled else ""
        add(f'<text x="{LEFT - 8}" y="{y + BAR - 4}" text-anchor="end"{weight}>{escape(name)}</text>')
        w = max(x(v) - LEFT, 1.0)
        stroke = ' stroke="#7a2600" stroke-width="1.5"' if is_pooled else ""
        add(f'<rect x="{LEFT}" y="{y}" width="{w:.1f}" height="{BAR}" fill="{colour}"{stroke}>'
            f'<title>{escape(name)}: {escape(tables.fmt_time(v))} per {escape(unit)}</title></rect>')
        label = tables.fmt_time(v)
        if base:
            r = v / base
            label += f" · {r:.2f}×" if r < 10 else f" · {r:.0f}×"
        if system == fastest:
            label += " · fastest"
        add(f'<text x="{LEFT + w + 6:.1f}" y="{y + BAR - 4}"{weight}>{escape(label)}</text>')
    legend_y = height - 10
    add(f'<rect x="12" y="{legend_y - 10}" width="12" height="10" fill="#d9480f"/>'
        f'<text x="28" y="{legend_y}" font-size="11">pykka pooled</text>')
    add(f'<rect x="112" y="{legend_y - 10}" width="12" height="10" fill="#f4a261"/>'
        f'<text x="128" y="{legend_y}" font-size="11">pykka, a thread per actor</text>')
    add(f'<rect x="282" y="{legend_y - 10}" width="12" height="10" fill="#8d99ae"/>'
        f'<text x="298" y="{legend_y}" font-size="11">std threads + mpsc</text>')
    add(f'<rect x="418" y="{legend_y - 10}" width="12" height="10" fill="{PEER}"/>'
        f'<text x="434" y="{legend_y}" font-size="11">Rust peers</text>')
    if run:
        add(f'<text x="{WIDTH - 12}" y="{legend_y}" text-anchor="end" fill="#777" '
            f'font-size="11">{escape(run)}</text>')
    add("</svg>")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--criterion", default=os.path.join(HERE, "target", "criterion"))
    ap.add_argument("--out", default=os.path.join(HERE, "charts"))
    ap.add_argument("--run", default="", help="shown in each chart's corner, e.g. 'run R4'")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    written = []
    for group, title in tables.GROUPS:
        rows = []
        for system in tables.SYSTEMS:
            v, variant = tables.lookup(args.criterion, group, system)
            if v is not None:
                rows.append((system, v, variant))
        if not rows:
            continue
        path = os.path.join(args.out, f"{group}.svg")
        with open(path, "w", encoding="utf-8") as f:
            f.write(chart(group, title, rows, args.run))
        written.append(path)
    for p in written:
        print(p)


if __name__ == "__main__":
    main()
