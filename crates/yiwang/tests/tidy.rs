//! Tidy: the "deliberately absent" rules of ARCHITECTURE.md that a test can check, read from the
//! source tree (test code excluded: `#[cfg(test)]` modules and `tests/` folders).

use std::path::{Path, PathBuf};

/// `web` files that still import `yiwang_store` (row types as API types, the store's error).
/// The list may only shrink: a file that stops importing the store must leave it, and no other
/// `web` file may start.
const WEB_FILES_STILL_USING_STORE: &[&str] = &[
    "crates/web/src/api/calendar.rs",
    "crates/web/src/api/cases.rs",
    "crates/web/src/api/catalog.rs",
    "crates/web/src/api/identity.rs",
    "crates/web/src/api/ledger.rs",
    "crates/web/src/api/organisations.rs",
    "crates/web/src/api/trading.rs",
    "crates/web/src/auth.rs",
    "crates/web/src/pages/catalog/mod.rs",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("workspace root")
        .to_path_buf()
}

/// Every production source file under `crates/<crate>/src`, as (path from the root, code without
/// its test modules).
fn sources(krate: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root().join("crates").join(krate).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            // Test-only files of a module (`mod tests;` / `mod testutil;` under `#[cfg(test)]`).
            if !name.ends_with(".rs") || name.ends_with("tests.rs") || name == "testutil.rs" {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read source");
            let code = without_test_module(&text).to_string();
            let rel = path
                .strip_prefix(root())
                .expect("under the root")
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, code));
        }
    }
    out.sort();
    out
}

/// The text before the file's inline test module (`#[cfg(test)]` then `mod name {`).
fn without_test_module(text: &str) -> &str {
    let mut from = 0;
    while let Some(i) = text[from..].find("#[cfg(test)]") {
        let at = from + i;
        let rest = text[at + "#[cfg(test)]".len()..].trim_start();
        let first_line = rest.lines().next().unwrap_or("");
        let item = first_line
            .trim_start_matches("pub(crate) ")
            .trim_start_matches("pub ");
        if item.starts_with("mod ") && item.trim_end().ends_with('{') {
            return &text[..at];
        }
        from = at + 1;
    }
    text
}

const CRATES: &[&str] = &["core", "store", "search", "app", "web", "yiwang"];

#[test]
fn no_sql_outside_the_store() {
    let sql = [
        "SELECT ",
        "INSERT INTO ",
        "DELETE FROM ",
        "UPDATE ",
        "CREATE TABLE ",
    ];
    let mut found = Vec::new();
    for krate in CRATES.iter().filter(|c| **c != "store") {
        for (path, code) in sources(krate) {
            for (n, line) in code.lines().enumerate() {
                let in_string = line.contains('"');
                if in_string && sql.iter().any(|s| line.contains(s)) {
                    found.push(format!("{path}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "SQL outside crates/store:\n{}",
        found.join("\n")
    );
}

#[test]
fn web_does_not_use_the_store() {
    let mut using: Vec<String> = sources("web")
        .into_iter()
        .filter(|(_, code)| code.contains("yiwang_store"))
        .map(|(path, _)| path)
        .collect();
    using.sort();
    let new: Vec<&String> = using
        .iter()
        .filter(|p| !WEB_FILES_STILL_USING_STORE.contains(&p.as_str()))
        .collect();
    assert!(new.is_empty(), "web files importing yiwang_store: {new:?}");
    let cleaned: Vec<&&str> = WEB_FILES_STILL_USING_STORE
        .iter()
        .filter(|p| !using.iter().any(|u| u == *p))
        .collect();
    assert!(
        cleaned.is_empty(),
        "these web files no longer use the store: remove them from the list: {cleaned:?}"
    );
}

#[test]
fn no_unwrap_in_production_code() {
    let mut found = Vec::new();
    for krate in CRATES {
        for (path, code) in sources(krate) {
            for (n, line) in code.lines().enumerate() {
                if line.contains(".unwrap()") && !line.trim_start().starts_with("//") {
                    found.push(format!("{path}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "unwrap() in production code:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_string_comparison_of_statuses() {
    let mut found = Vec::new();
    for krate in CRATES {
        for (path, code) in sources(krate) {
            for (n, line) in code.lines().enumerate() {
                let l = line.replace(' ', "");
                if l.contains("status==\"")
                    || l.contains("status!=\"")
                    || l.contains("status.as_str()==\"")
                    || l.contains("status.as_str()!=\"")
                {
                    found.push(format!("{path}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "statuses compared as strings (parse them into their core enum):\n{}",
        found.join("\n")
    );
}

#[test]
fn no_raw_role_comparison_outside_access() {
    let mut found = Vec::new();
    for krate in CRATES {
        for (path, code) in sources(krate) {
            if path.ends_with("core/src/access.rs") {
                continue;
            }
            for (n, line) in code.lines().enumerate() {
                let l = line.replace(' ', "");
                if l.contains("role==\"") || l.contains("role!=\"") {
                    found.push(format!("{path}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "roles compared as strings outside core::access:\n{}",
        found.join("\n")
    );
}
