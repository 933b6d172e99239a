//! Keeps the map true (as rust-analyzer's tidy test does): the layering rules of
//! ARCHITECTURE.md hold in the code, and every file it names exists.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, with its path relative to the repository.
fn rust_files(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(root()).unwrap().to_string_lossy().replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The lines of `text` that are code (not comments).
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter(|(_, l)| !l.trim_start().starts_with("//")).map(|(i, l)| (i + 1, l))
}

#[test]
fn engine_imports_nothing_from_the_crate() {
    let mut bad = Vec::new();
    for (file, text) in rust_files(&root().join("src/engine")) {
        for (n, line) in code_lines(&text) {
            if line.contains("crate::") && !line.contains("crate::engine") {
                bad.push(format!("{file}:{n}: {}", line.trim()));
            }
        }
    }
    assert!(bad.is_empty(), "engine must know nothing of Kubernetes:\n{}", bad.join("\n"));
}

#[test]
fn no_subsystem_imports_the_simulation() {
    let mut bad = Vec::new();
    for (file, text) in rust_files(&root().join("src")) {
        // The drivers of a simulation: the binary, and a study's run (`study/run.rs`).
        if file.starts_with("src/sim/")
            || file == "src/lib.rs"
            || file.starts_with("src/cli/")
            || file == "src/main.rs"
            || file == "src/study/run.rs"
        {
            continue;
        }
        for (n, line) in code_lines(&text) {
            if line.contains("crate::sim") || line.contains("podsim::sim") {
                bad.push(format!("{file}:{n}: {}", line.trim()));
            }
        }
    }
    assert!(bad.is_empty(), "only the loop (sim) knows the subsystems:\n{}", bad.join("\n"));
}

#[test]
fn only_the_recorder_writes_trace_rows() {
    // Rows are built as `Transition { .. }` / `EventRecord { .. }` and handed to a sink.
    let writes = ["Transition {", "EventRecord {", ".sink.", "NodeRecord {", "ContainerRecord {"];
    let mut bad = Vec::new();
    for (file, text) in rust_files(&root().join("src")) {
        if file.starts_with("src/apiserver/") || file.starts_with("src/trace/") || file.starts_with("src/cli/") {
            continue;
        }
        for (n, line) in code_lines(&text) {
            if writes.iter().any(|w| line.contains(w)) {
                bad.push(format!("{file}:{n}: {}", line.trim()));
            }
        }
    }
    assert!(bad.is_empty(), "trace rows are written by apiserver/record.rs and history.rs only:\n{}", bad.join("\n"));
}

#[test]
fn architecture_names_only_files_that_exist() {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let files: Vec<String> =
        ["src", "tests", "benches"].iter().flat_map(|d| rust_files(&root().join(d))).map(|(f, _)| f).collect();
    let mut missing = Vec::new();
    for token in text.split('`').skip(1).step_by(2) {
        let token = token.trim();
        let is_path = token.ends_with(".rs") || (token.ends_with('/') && !token.contains(' '));
        if !is_path || token.contains(' ') || token.contains("::") {
            continue;
        }
        let found = if let Some(dir) = token.strip_suffix('/') {
            root().join(dir).is_dir() || files.iter().any(|f| f.contains(&format!("/{dir}/")))
        } else {
            files.iter().any(|f| f == token || f.ends_with(&format!("/{token}")))
        };
        if !found {
            missing.push(token.to_string());
        }
    }
    assert!(missing.is_empty(), "ARCHITECTURE.md names files that do not exist: {missing:?}");
}
