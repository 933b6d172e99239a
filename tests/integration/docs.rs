//! The documentation is run: every command it shows and every scenario it writes out, so
//! that what a reader copies works. A clone holds all it needs: no document may send the
//! reader to a file outside the project.
//!
//! Commands are the lines of ```sh blocks that run podsim (`podsim ...` or
//! `cargo run --release -- ...`) and the inline `podsim ...` examples that name no
//! placeholder (`DIR`, `<file>`, `a|b`, `[...]`). Scenarios are the ```yaml blocks: a
//! complete one (with `name:`) is validated and run; a part of one (`faults:`, ...) is
//! completed with a name and a node pool and validated. The files the parts name
//! (`web.yaml`, `nodes.yaml`, ...) are in testdata/docs/.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const DOCS: &[&str] = &["README.md", "docs/interface.md", "scenarios/README.md", "results/README.md"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One fenced block: its info string, its text, and the line of the document it starts on.
struct Block {
    lang: String,
    text: String,
    line: usize,
}

fn blocks(doc: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in doc.lines().enumerate() {
        let fence = line.trim_start().starts_with("```");
        match (&mut open, fence) {
            (None, true) => {
                let lang = line.trim_start().trim_start_matches('`').trim().to_string();
                open = Some(Block { lang, text: String::new(), line: i + 1 });
            }
            (Some(_), true) => out.push(open.take().unwrap()),
            (Some(b), false) => {
                b.text.push_str(line);
                b.text.push('\n');
            }
            (None, false) => {}
        }
    }
    assert!(open.is_none(), "a code block is not closed");
    out
}

/// Inline code spans outside fenced blocks.
fn inline_spans(doc: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut fenced = false;
    for (i, line) in doc.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let mut parts = line.split('`');
        parts.next();
        while let (Some(code), Some(_)) = (parts.next(), parts.next()) {
            out.push((i + 1, code.to_string()));
        }
    }
    out
}

/// A command line split into words as a shell splits it: at spaces, but not inside
/// single or double quotes (which are removed).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_with(String::new).push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (None, c) if c.is_whitespace() => words.extend(word.take()),
            (None, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

/// The podsim arguments of a command a reader would type, if it is one.
fn podsim_args(line: &str) -> Option<Vec<String>> {
    let line = line.trim();
    let rest = line.strip_prefix("cargo run --release -- ").or_else(|| line.strip_prefix("podsim "))?;
    let words = shell_words(rest);
    let verb = words.first()?;
    if !["run", "validate", "plot", "get", "describe", "sweep", "merge", "compare", "capacity"].contains(&verb.as_str())
    {
        return None;
    }
    let placeholder = |w: &String| {
        w.contains(['<', '|', '[', '*'])
            || w.contains("...")
            || (w.len() > 1 && w.chars().all(|c| c.is_ascii_uppercase()))
    };
    // A parameter's path and a rule's figure hold brackets and stars of their own.
    let values = |i: usize| i > 0 && ["--set", "--fail-on", "--vary", "--target"].contains(&words[i - 1].as_str());
    // A command needs something to work on: a scenario, a file or an output folder.
    let has_path = words.iter().any(|w| w.contains('/'));
    let placeholders = words.iter().enumerate().any(|(i, w)| !values(i) && placeholder(w));
    (has_path && !placeholders).then_some(words)
}

/// The order the commands run in: runs and studies first (the others read their
/// folders), in the order the documents give them.
fn stage(verb: &str) -> u8 {
    match verb {
        "run" => 0,
        "sweep" | "capacity" => 1,
        "merge" => 2,
        _ => 3,
    }
}

/// A folder laid out as the project is: the scenarios and the files the parts name.
fn workspace() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(root().join("scenarios"), tmp.path().join("scenarios")).unwrap();
    std::os::unix::fs::symlink(root().join("scenarios/manifests"), tmp.path().join("manifests")).unwrap();
    // The baselines a regression check compares against (read only).
    std::fs::create_dir(tmp.path().join("results")).unwrap();
    std::os::unix::fs::symlink(root().join("results/baselines"), tmp.path().join("results/baselines")).unwrap();
    for f in std::fs::read_dir(root().join("testdata/docs")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, tmp.path().join(f.file_name().unwrap())).unwrap();
    }
    tmp
}

/// Runs podsim in `cwd`; a run that does not end within five minutes is killed and the
/// test fails (a documented example that hangs is a bug, and must not hang the suite).
fn podsim(cwd: &Path, args: &[String]) -> (i32, String, String) {
    let (out, err) = (cwd.join(".stdout"), cwd.join(".stderr"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_podsim"))
        .args(args)
        .current_dir(cwd)
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(300) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("podsim {} did not end within 5 minutes", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let text = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    (status.code().unwrap_or(-1), text(&out), text(&err))
}

fn read(doc: &str) -> String {
    std::fs::read_to_string(root().join(doc)).unwrap_or_else(|e| panic!("{doc}: {e}"))
}

#[test]
fn no_document_sends_the_reader_outside_the_project() {
    for doc in DOCS {
        let text = read(doc);
        assert!(!text.contains("../shared"), "{doc} names ../shared, which a clone does not have");
        // Links to other documents of the project point at files that exist.
        for (n, target) in text.match_indices("](").map(|(at, _)| &text[at + 2..]).enumerate() {
            let target = &target[..target.find(')').unwrap()];
            if target.starts_with("http") || target.starts_with('#') {
                continue;
            }
            let file = target.split('#').next().unwrap();
            let base = root().join(doc).parent().unwrap().to_path_buf();
            assert!(base.join(file).exists(), "{doc}: link {n} to {target} names no file");
        }
    }
}

#[test]
fn every_command_in_the_docs_runs() {
    let ws = workspace();
    let mut commands = Vec::new();
    for doc in DOCS {
        let text = read(doc);
        for b in blocks(&text).iter().filter(|b| b.lang == "sh") {
            for (i, line) in b.text.lines().enumerate() {
                if let Some(args) = podsim_args(line) {
                    commands.push((format!("{doc}:{}", b.line + 1 + i), args));
                }
            }
        }
        for (line, span) in inline_spans(&text) {
            if let Some(args) = podsim_args(&span) {
                commands.push((format!("{doc}:{line}"), args));
            }
        }
    }
    // Runs first: the views, charts and comparisons read their output folders.
    commands.sort_by_key(|(_, args)| stage(&args[0]));
    assert!(commands.len() >= 4, "the docs show too few commands: {commands:?}");
    for (at, args) in &commands {
        let (code, stdout, stderr) = podsim(ws.path(), args);
        assert_eq!(code, 0, "{at}: podsim {}\n{stdout}{stderr}", args.join(" "));
        if ["get", "describe"].contains(&args[0].as_str()) {
            assert!(!stdout.trim().is_empty(), "{at}: podsim {} printed nothing", args.join(" "));
        }
    }
}

/// The scenario keys a part of a scenario may start with.
const PARTS: &[&str] = &[
    "nodes:",
    "workloads:",
    "behaviors:",
    "faults:",
    "actions:",
    "scheduler:",
    "kubelet:",
    "kubernetes:",
    "network:",
    "storage:",
];

#[test]
fn every_scenario_in_the_docs_is_valid() {
    let ws = workspace();
    let mut complete = 0;
    let mut parts = 0;
    for doc in DOCS {
        for (n, b) in blocks(&read(doc)).into_iter().filter(|b| b.lang == "yaml").enumerate() {
            let at = format!("{doc}:{}", b.line);
            let first = b.text.lines().find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')).unwrap_or("");
            if first.starts_with("scenario:") {
                check_sweep_file(ws.path(), &at, n, &b.text);
                continue;
            }
            let is_complete = b.text.lines().any(|l| l.starts_with("name:"));
            let text = if is_complete {
                complete += 1;
                b.text.clone()
            } else {
                assert!(
                    PARTS.iter().any(|p| first.starts_with(p)),
                    "{at}: a yaml block that is neither a scenario nor a part of one"
                );
                parts += 1;
                let mut t = format!("name: doc-part-{n}\n{}", b.text);
                if !first.starts_with("nodes:") {
                    t.push_str("nodes:\n  - {name: worker, count: 8, capacity: {cpu: \"4\", memory: 16Gi}}\n");
                }
                t
            };
            let file = ws.path().join(format!("doc-{n}.yaml"));
            std::fs::write(&file, &text).unwrap();
            let name = file.display().to_string();
            let (code, stdout, stderr) = podsim(ws.path(), &["validate".into(), name.clone()]);
            assert_eq!(code, 0, "{at}: podsim validate\n{stdout}{stderr}\n{text}");
            if is_complete {
                let out = ws.path().join(format!("out-{n}"));
                let args = [
                    "run".into(),
                    name,
                    "--out".into(),
                    out.display().to_string(),
                    "-q".into(),
                    "--check-invariants".into(),
                ];
                let (code, stdout, stderr) = podsim(ws.path(), &args);
                assert_eq!(code, 0, "{at}: podsim run\n{stdout}{stderr}");
            }
        }
    }
    assert!(complete >= 1 && parts >= 6, "{complete} scenarios and {parts} parts found in the docs");
}

/// A sweep file in the docs names a scenario of scenarios/: every point of its study
/// must be a valid scenario (`--emit-k8s-job` loads them all and runs nothing).
fn check_sweep_file(ws: &Path, at: &str, n: usize, text: &str) {
    let file = ws.join(format!("sweep-{n}.yaml"));
    std::fs::write(&file, text.replacen("scenario: ", "scenario: scenarios/", 1)).unwrap();
    let out = ws.join(format!("sweep-{n}-job"));
    let args = ["sweep", file.to_str().unwrap(), "--emit-k8s-job", "--out", out.to_str().unwrap(), "-q"];
    let (code, stdout, stderr) = podsim(ws, &args.map(String::from));
    assert_eq!(code, 0, "{at}: podsim {}\n{stdout}{stderr}", args.join(" "));
}

#[test]
fn commands_split_as_a_shell_splits_them() {
    assert_eq!(
        shell_words("sweep a.yaml --set 'behaviors[0].runFor={exponential: {mean: 5m}}' --fail-on \"x>1\""),
        ["sweep", "a.yaml", "--set", "behaviors[0].runFor={exponential: {mean: 5m}}", "--fail-on", "x>1"]
    );
    assert!(podsim_args("podsim sweep scenarios/a.yaml --set nodes[worker].count=1,2").is_some());
    assert!(podsim_args("podsim sweep scenarios/a.yaml --out DIR").is_none());
}
