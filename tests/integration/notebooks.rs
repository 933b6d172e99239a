//! The notebooks (`notebooks/*.ipynb`), checked without Python: each is a valid nbformat 4
//! document stored with its outputs cleared, and every CSV column and JSON key it reads
//! (its first code cell's `REQUIRED`, written as JSON) is in what podsim writes today for
//! a small run, sweep and capacity search. A change to an output format that breaks a
//! notebook fails here; `.ci/notebooks` then executes them (notebooks/execute.py).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The folder each notebook reads: which podsim command writes it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Reads {
    Run,
    Sweep,
    Capacity,
}

/// Every notebook and its folder; a notebook not named here fails the tests (as it
/// would fail notebooks/execute.py, whose FOLDERS names the same).
const NOTEBOOKS: &[(&str, Reads)] =
    &[("run.ipynb", Reads::Run), ("sweep.ipynb", Reads::Sweep), ("capacity.ipynb", Reads::Capacity)];

/// Per file, the columns (CSV) or dotted keys (JSON) a notebook reads.
type Required = BTreeMap<String, Vec<String>>;

fn notebook_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("notebooks"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ipynb"))
        .collect();
    files.sort();
    files
}

fn read_notebook(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()))
}

/// A cell's source: nbformat stores it as one string or a list of lines.
fn source(cell: &serde_json::Value) -> String {
    match &cell["source"] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(lines) => lines.iter().map(|l| l.as_str().unwrap_or_default()).collect(),
        other => panic!("a cell's source is {other}"),
    }
}

/// The notebook's first code cell's `REQUIRED = {...}`, which is JSON.
fn required(name: &str, nb: &serde_json::Value) -> Required {
    let cells = nb["cells"].as_array().unwrap();
    let first = cells.iter().find(|c| c["cell_type"] == "code").unwrap_or_else(|| panic!("{name}: no code cell"));
    let text = source(first);
    let at = text.find("REQUIRED = {").unwrap_or_else(|| panic!("{name}: the first code cell has no REQUIRED = {{"));
    let dict = &text[at + "REQUIRED = ".len()..];
    serde_json::from_str(dict)
        .unwrap_or_else(|e| panic!("{name}: REQUIRED is not JSON (strings in double quotes, no trailing comma): {e}"))
}

/// What `required` names that `folder` lacks, one line each.
fn missing(folder: &Path, required: &Required) -> Vec<String> {
    let mut out = Vec::new();
    for (file, keys) in required {
        let path = folder.join(file);
        let Ok(text) = std::fs::read_to_string(&path) else {
            out.push(format!("{file}: not written"));
            continue;
        };
        if file.ends_with(".csv") {
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
            out.extend(keys.iter().filter(|k| !header.contains(*k)).map(|k| format!("{file}: no column {k}")));
        } else if file.ends_with(".json") {
            let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
            let has = |key: &str| key.split('.').try_fold(&doc, |v, part| v.get(part)).is_some();
            out.extend(keys.iter().filter(|k| !has(k.as_str())).map(|k| format!("{file}: no key {k}")));
        } else {
            out.push(format!("{file}: neither CSV nor JSON"));
        }
    }
    out
}

fn podsim(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_podsim")).args(args).current_dir(root()).output().unwrap();
    assert!(
        out.status.success(),
        "podsim {}: exit {:?}\n{}{}",
        args.join(" "),
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_notebook_is_nbformat_4_with_its_outputs_cleared() {
    let files = notebook_files();
    let names: Vec<String> = files.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    let mut sorted: Vec<String> = NOTEBOOKS.iter().map(|(n, _)| n.to_string()).collect();
    sorted.sort();
    assert_eq!(names, sorted, "notebooks/ holds other notebooks than this test's NOTEBOOKS (say what each reads)");
    let execute = std::fs::read_to_string(root().join("notebooks/execute.py")).unwrap();
    for (path, name) in files.iter().zip(&names) {
        assert!(execute.contains(&format!("\"{name}\": (")), "notebooks/execute.py's FOLDERS does not name {name}");
        let nb = read_notebook(path);
        assert_eq!(nb["nbformat"], 4, "{name}: not nbformat 4");
        assert!(nb["nbformat_minor"].as_u64().is_some(), "{name}: no nbformat_minor");
        assert_eq!(nb["metadata"]["kernelspec"]["name"], "python3", "{name}: its kernel is not python3");
        let cells = nb["cells"].as_array().unwrap_or_else(|| panic!("{name}: no cells"));
        assert!(cells.len() >= 4, "{name}: {} cells", cells.len());
        for (i, cell) in cells.iter().enumerate() {
            let kind = cell["cell_type"].as_str().unwrap_or_default();
            assert!(["code", "markdown"].contains(&kind), "{name}: cell {i} is {kind:?}");
            assert!(!source(cell).trim().is_empty(), "{name}: cell {i} is empty");
            if kind == "code" {
                assert_eq!(cell["outputs"], serde_json::json!([]), "{name}: cell {i} has outputs stored; clear them");
                assert!(cell["execution_count"].is_null(), "{name}: cell {i} has an execution count stored");
            }
        }
        // Each reads its folder from a parameter cell, tagged as papermill finds it.
        let parameters = cells
            .iter()
            .find(|c| c["metadata"]["tags"].as_array().is_some_and(|t| t.contains(&serde_json::json!("parameters"))))
            .unwrap_or_else(|| panic!("{name}: no cell tagged parameters"));
        assert!(
            source(parameters).contains("os.environ.get(\"PODSIM_"),
            "{name}: the parameters cell reads no PODSIM_ variable"
        );
        let required = required(name, &nb);
        assert!(!required.is_empty() && required.values().all(|k| !k.is_empty()), "{name}: REQUIRED names nothing");
    }
}

#[test]
fn what_each_notebook_reads_is_what_podsim_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = |name: &str| tmp.path().join(name).display().to_string();
    // As .ci/notebooks makes them, smaller still.
    podsim(&["run", "scenarios/job-stream.yaml", "--duration", "1h", "--out", &dir("run"), "-q"]);
    podsim(&[
        "sweep",
        "scenarios/capacity-batch.yaml",
        "--set",
        "nodes[worker].count=2,4",
        "--seeds",
        "1..2",
        "--duration",
        "30m",
        "--keep",
        "summary",
        "--out",
        &dir("sweep"),
        "-q",
    ]);
    podsim(&[
        "capacity",
        "scenarios/capacity-batch.yaml",
        "--vary",
        "nodes[worker].count=1..8",
        "--target",
        "latency_ms.scheduling.p99 == 0",
        "--seeds",
        "1..2",
        "--duration",
        "30m",
        "--out",
        &dir("capacity"),
        "-q",
    ]);

    let folder = |reads: Reads| {
        tmp.path().join(match reads {
            Reads::Run => "run",
            Reads::Sweep => "sweep",
            Reads::Capacity => "capacity",
        })
    };
    let mut bad = Vec::new();
    for (name, reads) in NOTEBOOKS {
        let nb = read_notebook(&root().join("notebooks").join(name));
        let required = required(name, &nb);
        bad.extend(missing(&folder(*reads), &required).into_iter().map(|m| format!("{name} reads {m}")));
    }
    assert!(bad.is_empty(), "the notebooks read what podsim no longer writes:\n{}", bad.join("\n"));

    // The check sees a column, a key and a file that are not there.
    let wrong: Required = [
        ("transitions.csv", vec!["time_ms", "no_such_column"]),
        ("summary.json", vec!["latency_ms.scheduling.p99", "latency_ms.no_such_key"]),
        ("no_such_file.csv", vec!["x"]),
    ]
    .into_iter()
    .map(|(f, k)| (f.to_string(), k.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(
        missing(&folder(Reads::Run), &wrong),
        [
            "no_such_file.csv: not written",
            "summary.json: no key latency_ms.no_such_key",
            "transitions.csv: no column no_such_column"
        ]
    );
}
