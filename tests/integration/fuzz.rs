//! The search for more, on stable Rust: deterministic mutations of the example scenarios,
//! their manifests and a finished run's output folder, with the examples as the seed
//! corpus. Whatever the input, podsim must not panic, must exit 0 or 2 (1 would be a
//! podsim bug, a broken invariant), and must not hang.
//!
//! The bounded drivers run with `cargo test`; longer searches are the same drivers with
//! more cases and another starting seed, and the `#[ignore]`d suite (in the test
//! profile, which keeps the overflow checks that `--release` drops):
//!
//! ```text
//! PODSIM_FUZZ_CASES=20000 PODSIM_FUZZ_SEED=7 cargo test --test integration fuzz -- --include-ignored
//! PODSIM_SEEDS=100000 cargo test --test integration random_scenarios_over_thousands -- --ignored
//! ```

use crate::robustness::podsim;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How many cases a bounded driver runs: `PODSIM_FUZZ_CASES`, or `default`.
fn cases(default: u64) -> u64 {
    std::env::var("PODSIM_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Where the drivers' generator starts: `PODSIM_FUZZ_SEED`, or 1.
fn first_seed() -> u64 {
    std::env::var("PODSIM_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(1)
}

/// xorshift64*: the drivers' own choices, the same on every machine.
struct Gen(u64);

impl Gen {
    fn new(seed: u64) -> Gen {
        Gen(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Values that have broken parsers and simulators before: zeros, extremes, wrong types.
const INTERESTING: &[&str] = &[
    "0",
    "-1",
    "1",
    "4294967296",
    "18446744073709551615",
    "1e308",
    "0.0000001",
    "\"0s\"",
    "\"1ms\"",
    "\"1000000d\"",
    "\"-5m\"",
    "\"abc\"",
    "\"\"",
    "\"*\"",
    "null",
    "true",
    "[]",
    "{}",
    "{\"exponential\": {\"mean\": \"0s\"}}",
    "{\"uniform\": {\"min\": \"0s\", \"max\": \"1ms\"}}",
    "{\"empirical\": [\"0s\"]}",
    "\"9999999999999999999Ki\"",
    "\"1e100\"",
];

/// Every leaf and container of `v`, by path, to pick one.
fn paths(v: &Value, at: &mut Vec<Vec<PathStep>>, here: &mut Vec<PathStep>) {
    at.push(here.clone());
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                here.push(PathStep::Key(k.clone()));
                paths(child, at, here);
                here.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                here.push(PathStep::Index(i));
                paths(child, at, here);
                here.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn at_path<'a>(v: &'a mut Value, path: &[PathStep]) -> Option<&'a mut Value> {
    let mut node = v;
    for step in path {
        node = match step {
            PathStep::Key(k) => node.get_mut(k.as_str())?,
            PathStep::Index(i) => node.get_mut(*i)?,
        };
    }
    Some(node)
}

/// One to three mutations: a value replaced by an interesting one, a key removed, a
/// list item repeated, a number scaled up.
fn mutate(original: &Value, g: &mut Gen) -> Value {
    let mut v = original.clone();
    for _ in 0..1 + g.below(3) {
        let mut all = Vec::new();
        paths(&v, &mut all, &mut Vec::new());
        let path = all[g.below(all.len())].clone();
        let choice = g.below(10);
        let Some(node) = at_path(&mut v, &path) else { continue };
        match choice {
            0..=4 => *node = serde_json::from_str(INTERESTING[g.below(INTERESTING.len())]).unwrap(),
            5 => {
                if let Value::Object(m) = node
                    && !m.is_empty()
                {
                    let key = m.keys().nth(g.below(m.len())).unwrap().clone();
                    m.remove(&key);
                }
            }
            6 => {
                if let Value::Array(items) = node
                    && !items.is_empty()
                {
                    let item = items[g.below(items.len())].clone();
                    items.push(item);
                }
            }
            7 => {
                if let Some(n) = node.as_u64() {
                    *node = Value::from(n.saturating_mul(1000).saturating_add(1));
                }
            }
            8 => {
                if let Value::String(s) = node {
                    s.push_str(["0", "x", "-", "*", "/", " "][g.below(6)]);
                }
            }
            _ => {
                if let Value::String(s) = node {
                    s.truncate(g.below(s.len() + 1));
                }
            }
        }
    }
    v
}

/// The example scenarios and the manifests they name, as values.
struct Corpus {
    scenarios: Vec<(String, Value)>,
    manifests: Vec<(String, String)>,
}

fn corpus() -> Corpus {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut scenarios = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries.iter().filter(|p| p.extension().is_some_and(|x| x == "yaml")) {
        let text = std::fs::read_to_string(p).unwrap();
        let value: Value = serde_saphyr::from_str(&text).unwrap();
        scenarios.push((p.file_name().unwrap().to_string_lossy().into_owned(), value));
    }
    let mut manifests = Vec::new();
    let mdir = dir.join("manifests");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&mdir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for p in files {
        manifests.push((
            format!("manifests/{}", p.file_name().unwrap().to_string_lossy()),
            std::fs::read_to_string(p).unwrap(),
        ));
    }
    Corpus { scenarios, manifests }
}

/// Reads the files a mutated scenario names: the examples' own, else nothing.
fn reader(dir: &Path) -> impl Fn(&str) -> Result<String, String> + '_ {
    move |name: &str| std::fs::read_to_string(dir.join(name)).map_err(|e| e.to_string())
}

/// A loaded scenario cut to what a bounded test can simulate (two simulated hours of
/// at most 200 nodes); `None` if it is beyond that.
fn small(mut s: podsim::scenario::Scenario) -> Option<podsim::scenario::Scenario> {
    const TWO_HOURS: u64 = 2 * 3_600_000;
    s.duration = Some(s.duration.unwrap_or(TWO_HOURS).min(TWO_HOURS));
    (s.nodes.len() <= 200 && TWO_HOURS / s.metrics_every.max(1) <= 20_000).then_some(s)
}

/// Mutated scenarios (and manifests, through the scenarios that name them) are loaded:
/// no panic, whatever the input. Those that load and are small are simulated with
/// every invariant checked.
#[test]
fn mutated_scenarios_never_panic() {
    let corpus = corpus();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let read = reader(&dir);
    let (mut loaded, mut simulated, mut refused) = (0, 0, 0);
    let n = cases(250);
    let seed = first_seed();
    for case in 0..n {
        let mut g = Gen::new(seed.wrapping_add(case));
        let (name, original) = &corpus.scenarios[g.below(corpus.scenarios.len())];
        let mutated = mutate(original, &mut g);
        let text = serde_json::to_string_pretty(&mutated).unwrap();
        let outcome = std::panic::catch_unwind(|| {
            let Ok(s) = podsim::scenario::load(name, &text, &read) else { return (false, false) };
            let Some(s) = small(s) else { return (true, false) };
            (true, simulate_within_budget(s))
        });
        match outcome {
            Ok((l, sim)) => {
                loaded += usize::from(l);
                refused += usize::from(!l);
                simulated += usize::from(sim);
            }
            Err(e) => {
                let msg =
                    e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()));
                panic!(
                    "case {case} (PODSIM_FUZZ_SEED={seed}) of {name} panicked: {}\n--- scenario ---\n{text}",
                    msg.unwrap_or_default()
                );
            }
        }
    }
    // Mutated manifests, read on their own.
    for case in 0..n / 4 {
        let mut g = Gen::new(seed.wrapping_add(1_000_000 + case));
        let (name, text) = &corpus.manifests[g.below(corpus.manifests.len())];
        let docs: Vec<Value> = serde_saphyr::from_multiple(text).unwrap();
        let mutated: Vec<String> = docs.iter().map(|d| serde_json::to_string(&mutate(d, &mut g)).unwrap()).collect();
        let text = mutated.join("\n---\n");
        let result = std::panic::catch_unwind(|| {
            let mut ignored = Default::default();
            if let Ok(ms) = podsim::api::object::parse_file(name, &text, &mut ignored) {
                let _ = podsim::scenario::load::validate_manifests(name, &text, ms);
            }
        });
        assert!(result.is_ok(), "manifest case {case} (PODSIM_FUZZ_SEED={seed}) of {name} panicked:\n{text}");
    }
    eprintln!("fuzz: {n} scenarios ({loaded} loaded, {simulated} simulated, {refused} refused), {} manifests", n / 4);
    assert!(loaded > 0 && refused > 0, "the mutations should both keep and break scenarios");
}

/// Stops a simulation that outgrows the bounded test (the invariant checks cost a pass
/// over the pods per event: a mutation to thousands of pods makes a case slow, not wrong).
struct OverBudget;

/// Simulates with every invariant checked after every event (`--check-invariants`),
/// output discarded; false if the case outgrew its budget of wall time.
fn simulate_within_budget(s: podsim::scenario::Scenario) -> bool {
    use podsim::trace::csv::{CsvSink, ObjectFiles, SinkFiles};
    let sink = CsvSink::new(SinkFiles::discarded()).with_objects(ObjectFiles::discarded());
    let end = s.duration.map(podsim::engine::SimTime::from_ms);
    let mut sim = podsim::sim::Simulation::new(std::sync::Arc::new(s), Box::new(sink)).with_invariant_checks();
    let started = Instant::now();
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        sim.run(end, &mut |_, _| {
            if started.elapsed() > Duration::from_secs(3) {
                std::panic::resume_unwind(Box::new(OverBudget));
            }
        })
    }));
    match run {
        Ok(Ok(_)) => {
            sim.finish_trace().expect("writing to a sink cannot fail");
            true
        }
        Ok(Err(violation)) => panic!("broken invariant: {violation}"),
        Err(e) if e.is::<OverBudget>() => false,
        Err(e) => std::panic::resume_unwind(e),
    }
}

/// Runs the binary with a deadline: (exit code, stderr), or a failure if it hangs.
fn run_with_deadline(dir: &Path, args: &[&str], deadline: Duration) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_podsim"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        text
    });
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status.code().unwrap_or(-1), reader.join().unwrap());
        }
        if started.elapsed() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("podsim {args:?} in {} did not finish in {deadline:?}", dir.display());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Mutated scenarios through the binary: `validate` and a short `run` exit 0 or 2 (1
/// is podsim's own bug), never panic, never hang.
#[test]
fn mutated_scenarios_exit_0_or_2_through_the_binary() {
    let corpus = corpus();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("manifests")).unwrap();
    for (name, text) in &corpus.manifests {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let seed = first_seed();
    let n = cases(40);
    let mut codes = [0; 3];
    for case in 0..n {
        let mut g = Gen::new(seed.wrapping_add(2_000_000 + case));
        let (name, original) = &corpus.scenarios[g.below(corpus.scenarios.len())];
        let mutated = mutate(original, &mut g);
        std::fs::write(dir.path().join("s.yaml"), serde_json::to_string_pretty(&mutated).unwrap()).unwrap();
        for args in [&["validate", "s.yaml"][..], &["run", "s.yaml", "--out", "R", "--duration", "10m", "-q"]] {
            let (code, stderr) = run_with_deadline(dir.path(), args, Duration::from_secs(120));
            let explained = code == 2 || code == 0;
            assert!(explained, "case {case} (PODSIM_FUZZ_SEED={seed}) of {name}: {args:?} exit {code}:\n{stderr}");
            assert!(!stderr.contains("panicked"), "case {case} of {name}: {stderr}");
            codes[code as usize] += 1;
        }
        assert_eq!(
            std::fs::read_dir(dir.path().join("R"))
                .map(|d| d.filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".tmp")).count())
                .unwrap_or(0),
            0,
            "temporary files left"
        );
    }
    eprintln!("fuzz: {n} scenarios through the binary; exit 0: {}, exit 2: {}", codes[0], codes[2]);
}

/// A finished run's output folder, corrupted: `get` and `describe` exit 0 or 2 (with
/// the file and line) and never panic.
#[test]
fn corrupt_output_folders_never_panic_the_views() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/cronjob-forbid.yaml");
    let (code, _, stderr) =
        podsim(dir.path(), &["run", scenario.to_str().unwrap(), "--out", "R", "-q", "--duration", "2h"]);
    assert_eq!(code, 0, "{stderr}");
    let run = dir.path().join("R");
    let files = ["objects.jsonl", "containers.csv", "events.csv", "event_paths.csv", "summary.json"];
    let originals: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(run.join(f)).unwrap()).collect();
    let seed = first_seed();
    let n = cases(150);
    let mut outcomes = [0; 2];
    for case in 0..n {
        let mut g = Gen::new(seed.wrapping_add(3_000_000 + case));
        let which = g.below(files.len());
        let mut bytes = originals[which].clone();
        corrupt(&mut bytes, &mut g);
        std::fs::write(run.join(files[which]), &bytes).unwrap();
        let view = [
            &["get", "pods"][..],
            &["get", "jobs", "-o", "yaml"],
            &["get", "cronjobs", "-o", "json"],
            &["get", "nodes"],
            &["get", "events"],
            &["describe", "pods"],
            &["describe", "cronjobs"],
            &["describe", "jobs"],
        ][g.below(8)];
        let rd = podsim::views::RunDir::open(&run);
        let result = std::panic::catch_unwind(|| in_process_view(rd, view));
        match result {
            Ok(ok) => outcomes[usize::from(ok)] += 1,
            Err(_) => panic!(
                "case {case} (PODSIM_FUZZ_SEED={seed}): {view:?} panicked on a corrupt {}; the file is kept in {}",
                files[which],
                dir.keep().display()
            ),
        }
        std::fs::write(run.join(files[which]), &originals[which]).unwrap();
    }
    eprintln!("fuzz: {n} corrupt folders; refused {}, shown {}", outcomes[0], outcomes[1]);
}

/// A view of the folder, in-process (as the binary does it); true if it was shown.
fn in_process_view(rd: Result<podsim::views::RunDir, podsim::views::ViewError>, view: &[&str]) -> bool {
    use podsim::views::{Output, Resource};
    let Ok(rd) = rd else { return false };
    let resource = Resource::parse(view[1]).unwrap();
    let output = view.get(3).and_then(|o| Output::parse(o)).unwrap_or_default();
    if view[0] == "get" {
        let req = podsim::views::get::GetRequest {
            resource,
            names: Vec::new(),
            namespace: "default".into(),
            all_namespaces: true,
            selector: None,
            at: rd.end,
            output,
            show_labels: true,
            field_selector: None,
            sort_by: None,
        };
        podsim::views::get::get(&rd, &req).is_ok()
    } else {
        let req = podsim::views::describe::DescribeRequest {
            resource,
            names: Vec::new(),
            namespace: "default".into(),
            all_namespaces: true,
            selector: None,
            at: rd.end,
        };
        podsim::views::describe::describe(&rd, &req).is_ok()
    }
}

/// Corrupts a file as disks and editors do: digits changed to huge numbers, a byte
/// replaced, a line cut short or repeated.
fn corrupt(bytes: &mut Vec<u8>, g: &mut Gen) {
    if bytes.is_empty() {
        return;
    }
    match g.below(5) {
        0 => {
            // A number made huge: the next run of digits after a random point.
            let start = g.below(bytes.len());
            if let Some(d) = bytes[start..].iter().position(u8::is_ascii_digit) {
                let at = start + d;
                let big: &[u8] =
                    [&b"18446744073709551615"[..], b"4000000000", b"-1", b"99999999999999999999999"][g.below(4)];
                bytes.splice(at..at + 1, big.iter().copied());
            }
        }
        1 => {
            let at = g.below(bytes.len());
            let junk = b"{}[]\",:0-9ax\n";
            bytes[at] = junk[g.below(junk.len())];
        }
        2 => {
            let at = g.below(bytes.len());
            bytes.truncate(at);
        }
        3 => {
            // A line repeated.
            let at = g.below(bytes.len());
            let start = bytes[..at].iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
            let end = bytes[at..].iter().position(|b| *b == b'\n').map_or(bytes.len(), |p| at + p + 1);
            let line = bytes[start..end].to_vec();
            bytes.splice(end..end, line);
        }
        _ => {
            // A line removed.
            let at = g.below(bytes.len());
            let start = bytes[..at].iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
            let end = bytes[at..].iter().position(|b| *b == b'\n').map_or(bytes.len(), |p| at + p + 1);
            bytes.drain(start..end);
        }
    }
}

/// Runs the random scenarios of `PODSIM_SEEDS` seeds (default 3,000) after the 400 the
/// pinned suite runs, every invariant checked after every event; `scenario` gives a
/// seed's text and how it was made (for the failure's message).
fn over_thousands_of_seeds(kind: &str, scenario: impl Fn(u64) -> (String, String)) {
    let seeds: u64 = std::env::var("PODSIM_SEEDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3_000);
    let started = Instant::now();
    for seed in 401..401 + seeds {
        let (text, made) = scenario(seed);
        let result = std::panic::catch_unwind(|| crate::common::run(crate::common::load_text(&text)));
        if let Err(e) = result {
            let msg = e.downcast_ref::<String>().cloned().unwrap_or_default();
            panic!("random scenario seed {seed}{made} failed: {msg}\n--- scenario ---\n{text}");
        }
    }
    eprintln!("{kind}: {seeds} seeds in {:?}", started.elapsed());
}

/// Seeded random scenarios with faults, thousands of them, every invariant checked
/// after every event (`--check-invariants`).
#[test]
#[ignore = "long: thousands of random scenarios (cargo test -- --ignored)"]
fn random_scenarios_over_thousands_of_seeds() {
    over_thousands_of_seeds("random scenarios", |seed| (crate::random_scenarios::scenario(seed), String::new()));
}

/// The same thousands of seeds with scheduling cycles that take time (the scheduler's
/// pace, and since 1.33 its pops of the backoffQ when idle).
#[test]
#[ignore = "long: thousands of random scenarios (cargo test -- --ignored)"]
fn paced_random_scenarios_over_thousands_of_seeds() {
    over_thousands_of_seeds("paced random scenarios", |seed| {
        let (text, pace) = crate::random_scenarios::paced_scenario(seed);
        (text, format!(" with cycleDuration {pace}"))
    });
}
