//! The layers of `src/` point down. Each top-level folder or file of `src/` is a unit; each unit
//! belongs to one layer (the order is written once, in `LAYERS`); a unit may name (`crate::x`)
//! only units of lower layers. Cycles stay inside one unit (one folder).
//!
//! A self-test runs the same check on a small tree with a planted upward import, so the check
//! cannot silently stop checking.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Lowest first. Units of one layer may not name each other.
const LAYERS: &[&[&str]] = &[
    // What every layer may use: sync switch, panics, logging, deadlines, ids, config, errors.
    &["base"],
    // The one-shot reply (and the wait of `get()`), the mailbox, the registry's slab.
    &["future", "mailbox", "registry"],
    // The pool: run queues, workers, spares, dedicated threads, the timer thread.
    &["sched"],
    // Actors: traits, context, refs, cells (activation, death), envelopes, lifecycle, the
    // supervisor seam, the system, dead letters.
    &["actor"],
    // Supervision: directives, restart limits and backoff, the child builder; it implements the
    // actor layer's `Supervisor` trait.
    &["supervision"],
    // Built on actors: proxies, the debug snapshot, routers.
    &["proxy", "debug", "router"],
    // The public runtime: `Runtime`'s methods, the builder, broadcast, schedule_tell,
    // `ActorRegistry`.
    &["runtime"],
];

/// The units a source text names through `crate::` (comments removed).
fn named_units(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in code.lines() {
        let line = line.split("//").next().unwrap_or("");
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let ident: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !ident.is_empty() {
                out.insert(ident);
            }
            rest = after;
        }
    }
    // `use crate::{a, b::c}` groups.
    let mut rest = code;
    while let Some(at) = rest.find("use crate::{") {
        let group = &rest[at + "use crate::{".len()..];
        let end = group.find("};").unwrap_or(group.len());
        for part in group[..end].split(',') {
            let ident: String = part
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !ident.is_empty() {
                out.insert(ident);
            }
        }
        rest = &group[end..];
    }
    out
}

/// Unit name → the units it names, from `(path relative to src, text)` pairs.
fn graph(files: &[(String, String)]) -> BTreeMap<String, BTreeSet<String>> {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, text) in files {
        let first = rel.split('/').next().unwrap();
        let unit = first.strip_suffix(".rs").unwrap_or(first).to_owned();
        if unit == "lib" {
            continue; // the crate root lists and re-exports every unit
        }
        let named = named_units(text);
        let entry = g.entry(unit.clone()).or_default();
        entry.extend(named.into_iter().filter(|n| *n != unit));
    }
    g
}

/// Every violation: a unit naming a unit of its own or a higher layer, or a unit with no layer.
fn violations(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let layer_of = |u: &str| LAYERS.iter().position(|l| l.contains(&u));
    let mut out = Vec::new();
    for (unit, named) in g {
        let Some(mine) = layer_of(unit) else {
            out.push(format!("`{unit}` is in no layer: add it to LAYERS"));
            continue;
        };
        for n in named {
            // Names that are not units (`crate::Actor` re-exports, macros' `$crate`) are
            // resolved through lib.rs; only units count.
            let Some(theirs) = layer_of(n) else { continue };
            if theirs >= mine {
                out.push(format!(
                    "`{unit}` (layer {mine}) names `{n}` (layer {theirs}): layers point down"
                ));
            }
        }
    }
    out
}

fn read_src(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            read_src(&path, base, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

#[test]
fn the_layers_of_src_point_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    read_src(&src, &src, &mut files);
    let g = graph(&files);
    assert!(g.len() >= LAYERS.iter().map(|l| l.len()).sum::<usize>() - 1);
    let v = violations(&g);
    assert!(
        v.is_empty(),
        "imports that do not point down:\n{}",
        v.join("\n")
    );
}

#[test]
fn the_check_catches_a_planted_upward_import() {
    let files = vec![
        (
            "base/sync.rs".to_owned(),
            "use std::sync::Mutex;".to_owned(),
        ),
        (
            "base/panic.rs".to_owned(),
            "// crate::runtime in a comment does not count\nuse crate::runtime::Builder;"
                .to_owned(),
        ),
        (
            "sched/pool.rs".to_owned(),
            "use crate::{base::sync, future::Slot};".to_owned(),
        ),
        (
            "future/mod.rs".to_owned(),
            "use crate::mailbox::X;".to_owned(),
        ),
        ("mailbox.rs".to_owned(), String::new()),
        (
            "runtime/mod.rs".to_owned(),
            "use crate::actor::X;".to_owned(),
        ),
        (
            "actor/mod.rs".to_owned(),
            "fn f() { crate::sched::x(); }".to_owned(),
        ),
        (
            "lib.rs".to_owned(),
            "mod runtime; use crate::runtime::X;".to_owned(),
        ),
    ];
    let v = violations(&graph(&files));
    assert_eq!(
        v,
        vec![
            "`base` (layer 0) names `runtime` (layer 6): layers point down".to_owned(),
            "`future` (layer 1) names `mailbox` (layer 1): layers point down".to_owned(),
        ]
    );
}
