#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a failed unwrap fails the test
//! The core (domain, forecast, staffing, schedule, simulate, capacity) must stay free
//! of HTTP and SQL so it can be used as a plain library; so must `auth` (keys,
//! roles, the permission matrix), which the API and the app only call. This
//! fails the build's tests the moment such a file names actix or diesel. Nor
//! may the product (app, api and the core) use the benchmark code in `benchmarks`.

use std::path::Path;

const CORE: [&str; 7] = [
    "domain", "forecast", "staffing", "schedule", "simulate", "capacity", "auth",
];
const FORBIDDEN: [&str; 5] = ["actix", "diesel", "crate::db", "crate::api", "crate::app"];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn core_modules_use_neither_actix_nor_diesel() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offences = Vec::new();
    let mut checked = 0;
    for module in CORE {
        let mut files = Vec::new();
        rust_files(&src.join(module), &mut files);
        assert!(!files.is_empty(), "core module src/{module} has no files");
        for file in files {
            checked += 1;
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                for word in FORBIDDEN {
                    if code.contains(word) {
                        offences.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                    }
                }
            }
        }
    }
    assert!(checked >= CORE.len());
    assert!(
        offences.is_empty(),
        "the core must not depend on HTTP or SQL:\n{}",
        offences.join("\n")
    );
}

/// Benchmark code stays out of the product: only `src/cli` (the `bench`
/// commands) and `benches/` may use `crate::benchmarks`.
#[test]
fn product_modules_do_not_use_benchmarks() {
    const FORBIDDEN: [&str; 2] = ["crate::benchmarks", "benchmarks::"];
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = ["app", "api"].into_iter().chain(CORE);
    let mut offences = Vec::new();
    let mut checked = 0;
    for module in modules {
        let mut files = Vec::new();
        rust_files(&src.join(module), &mut files);
        assert!(!files.is_empty(), "module src/{module} has no files");
        for file in files {
            checked += 1;
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                if FORBIDDEN.iter().any(|word| code.contains(word)) {
                    offences.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(checked >= CORE.len() + 2);
    assert!(
        offences.is_empty(),
        "the product must not depend on the benchmarks:\n{}",
        offences.join("\n")
    );
}

/// The workspace's pages read through the use cases in `src/app`, as the
/// API does: no SQL and no diesel in `src/web`.
#[test]
fn pages_hold_no_sql() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web"),
        &mut files,
    );
    assert!(files.len() >= 5, "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in ["diesel", "db::schema", "sql_query", "with_conn"] {
                assert!(
                    !code.contains(word),
                    "{}:{}: {}",
                    file.display(),
                    n + 1,
                    line.trim()
                );
            }
        }
    }
}
