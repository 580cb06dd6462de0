//! No two modules of `src/` import each other. Read from the source: every
//! `crate::…` and `super::…` path in a module (in `use` declarations, braces
//! expanded, and inline) names the module it leads to; a module containing
//! another (a parent and its child) is not an import between the two.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every module of the library (`src/`, without the binaries) and its source.
fn modules() -> BTreeMap<Vec<String>, String> {
    let mut found = BTreeMap::new();
    read_dir(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src").as_path(),
        &[],
        &mut found,
    );
    found
}

fn read_dir(dir: &Path, at: &[String], found: &mut BTreeMap<Vec<String>, String>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            if at.is_empty() && name == "bin" {
                continue;
            }
            let mut inner = at.to_vec();
            inner.push(name);
            read_dir(&path, &inner, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let module = match name.as_str() {
                "main" if at.is_empty() => continue,
                "lib" if at.is_empty() => Vec::new(),
                "mod" => at.to_vec(),
                _ => {
                    let mut module = at.to_vec();
                    module.push(name);
                    module
                }
            };
            found.insert(module, std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// The paths a source names from `crate::` or `super::`, as segments from the
/// crate root (`super` resolved against `module`).
fn named_paths(module: &[String], source: &str) -> Vec<Vec<String>> {
    let code: String = source
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut paths = Vec::new();
    // `use` trees, with their braces.
    for statement in code.split(';') {
        if let Some(tree) = statement.trim_start().strip_prefix("use ").or_else(|| {
            statement
                .trim_start()
                .strip_prefix("pub use ")
                .or_else(|| statement.trim_start().strip_prefix("pub(crate) use "))
        }) {
            expand(&tree.replace(char::is_whitespace, ""), "", &mut paths);
        }
    }
    // Paths written inline (`crate::db::begin(…)`, `super::views::page(…)`).
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let rest: String = bytes[i..bytes.len().min(i + 7)].iter().collect();
        let starts_word = i == 0
            || !(bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '_' || bytes[i - 1] == ':');
        if starts_word && (rest.starts_with("crate::") || rest.starts_with("super::")) {
            let mut end = i;
            while end < bytes.len()
                && (bytes[end].is_alphanumeric() || bytes[end] == '_' || bytes[end] == ':')
            {
                end += 1;
            }
            let path: String = bytes[i..end].iter().collect();
            // `super::{…}` of a `use`, read above with its braces.
            if !path.ends_with("::") {
                paths.push(path);
            }
            i = end;
        } else {
            i += 1;
        }
    }
    paths
        .into_iter()
        .filter_map(|path| resolve(module, &path))
        .collect()
}

/// Expands a `use` tree such as `super::{a, b::{c, d}}` into whole paths.
fn expand(tree: &str, prefix: &str, out: &mut Vec<String>) {
    match tree.find('{') {
        None => {
            let path = tree.split(" as ").next().unwrap_or(tree);
            out.push(format!("{prefix}{path}"));
        }
        Some(open) => {
            let head = &tree[..open];
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expand(&inner[start..i], &format!("{prefix}{head}"), out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            if start < inner.len() {
                expand(&inner[start..], &format!("{prefix}{head}"), out);
            }
        }
    }
}

fn resolve(module: &[String], path: &str) -> Option<Vec<String>> {
    let mut segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let mut base: Vec<String> = match *segments.first()? {
        "crate" => Vec::new(),
        "super" => module.to_vec(),
        _ => return None,
    };
    if segments[0] == "crate" {
        segments.remove(0);
    }
    while segments.first() == Some(&"super") {
        base.pop();
        segments.remove(0);
    }
    base.extend(
        segments
            .into_iter()
            .filter(|s| *s != "self")
            .map(str::to_string),
    );
    Some(base)
}

/// The module a path leads into: its longest prefix that is a module.
fn target(path: &[String], modules: &BTreeSet<Vec<String>>) -> Vec<String> {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|prefix| modules.contains(prefix))
        .unwrap_or_default()
}

fn contains(outer: &[String], inner: &[String]) -> bool {
    inner.starts_with(outer)
}

#[test]
fn no_two_modules_of_src_import_each_other() {
    let sources = modules();
    let names: BTreeSet<Vec<String>> = sources.keys().cloned().collect();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (module, source) in &sources {
        for path in named_paths(module, source) {
            let to = target(&path, &names);
            if !contains(&to, module) && !contains(module, &to) {
                edges.entry(module.clone()).or_default().insert(to);
            }
        }
    }
    assert!(
        edges.contains_key(&vec!["web".to_string(), "cases".to_string()]),
        "the graph was read: web::cases imports something"
    );
    let mut circles = Vec::new();
    for from in edges.keys() {
        // Every module reachable from `from`; a circle when `from` is among them.
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&Vec<String>> = edges[from].iter().collect();
        while let Some(next) = todo.pop() {
            if seen.insert(next.clone()) {
                todo.extend(edges.get(next).into_iter().flatten());
            }
        }
        if seen.contains(from) {
            let back: Vec<String> = edges
                .iter()
                .filter(|(other, to)| to.contains(from) && seen.contains(*other))
                .map(|(other, _)| other.join("::"))
                .collect();
            circles.push(format!(
                "{} (imported back from {})",
                from.join("::"),
                back.join(", ")
            ));
        }
    }
    assert!(
        circles.is_empty(),
        "modules in an import circle:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_reader_finds_imports_in_every_form() {
    let module = vec!["web".to_string(), "cases".to_string()];
    let source = "use super::{editor, views::{Layout, page}};\nuse crate::app::{self, step};\n\
                  fn f() { crate::db::cases::get(); super::super::startup::run(); } // crate::config";
    let found: BTreeSet<String> = named_paths(&module, source)
        .into_iter()
        .map(|p| p.join("::"))
        .collect();
    let expected: BTreeSet<String> = [
        "web::editor",
        "web::views::Layout",
        "web::views::page",
        "app",
        "app::step",
        "db::cases::get",
        "startup::run",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    assert_eq!(found, expected);
}
