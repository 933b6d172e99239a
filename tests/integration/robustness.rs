//! Input that parses but cannot be simulated, sizes beyond reason, many errors at once and
//! corrupt output folders: each exits 2 with the file, line and field path, quickly, and
//! never panics (the reproducers of the robustness issue).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const NODES: &str = "nodes:\n  - name: worker\n    count: 2\n    capacity: {cpu: \"4\", memory: 16Gi, pods: 110}\n";

/// Runs the podsim binary in `dir`: (exit code, stdout, stderr).
pub fn podsim(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_podsim")).args(args).current_dir(dir).output().expect("podsim runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `validate` and `run` on `scenario` both exit 2, and stderr holds every fragment.
fn refused(scenario: &str, fragments: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("scenario.yaml"), scenario).unwrap();
    let (code, _, stderr) = podsim(dir.path(), &["validate", "scenario.yaml"]);
    assert_eq!(code, 2, "validate: exit {code}:\n{stderr}\n--- scenario ---\n{scenario}");
    for f in fragments {
        assert!(stderr.contains(f), "stderr lacks {f:?}:\n{stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    let (code, _, run_err) = podsim(dir.path(), &["run", "scenario.yaml", "--out", "out"]);
    assert_eq!(code, 2, "run: exit {code}:\n{run_err}");
    assert!(!dir.path().join("out").exists(), "an output folder was left behind");
    stderr
}

#[test]
fn random_faults_that_cannot_advance_time_are_refused() {
    for (between, repair, field, line) in [
        ("0s", "0s", "faults[0].random.timeBetween", "scenario.yaml:7:"),
        ("0s", "1ms", "faults[0].random.timeBetween", "scenario.yaml:7:"),
        ("{exponential: {mean: 0s}}", "10m", "faults[0].random.timeBetween", "scenario.yaml:7:"),
        ("1h", "0s", "faults[0].random.repairTime", "scenario.yaml:7:"),
    ] {
        let scenario = format!(
            "name: zero\nduration: 1h\n{NODES}faults: [{{random: {{nodes: \"*\", timeBetween: {between}, repairTime: {repair}}}}}]\n"
        );
        refused(&scenario, &[line, field, "must have a mean above 0s"]);
    }
}

#[test]
fn node_counts_beyond_the_limit_are_refused_before_allocating() {
    let started = Instant::now();
    refused(
        "name: big\nnodes:\n  - name: w\n    count: 1000000000\n    capacity: {cpu: \"4\"}\n",
        &["scenario.yaml:4:12", "nodes[0].count: Invalid value: 1000000000", "at most 100000 nodes"],
    );
    // Nodes added by faults count too (and are not allocated while validating).
    refused(
        &format!(
            "name: big\n{NODES}faults:\n  - {{at: 1m, action: add, pool: worker, count: 99998}}\n  - {{at: 2m, action: add, pool: worker, count: 1}}\n"
        ),
        &["scenario.yaml:8:", "faults[1].count: Invalid value: 1", "would hold 100001"],
    );
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
}

#[test]
fn many_errors_are_reported_in_linear_time() {
    // 2,000 init containers all named `c`: 1,999 errors, each located in the file. Each
    // used to parse the whole file again (22 s); now the file is parsed once.
    let containers: Vec<String> = (0..2000).map(|_| "{name: c, image: i}".to_string()).collect();
    let scenario = format!(
        "name: many\n{NODES}workloads:\n  - object:\n      apiVersion: v1\n      kind: Pod\n      metadata: {{name: p}}\n      spec:\n        initContainers: [{}]\n        containers: [{{name: app, image: i}}]\n",
        containers.join(", ")
    );
    let started = Instant::now();
    let stderr = refused(&scenario, &["scenario.yaml:12:54", "spec.initContainers[1].name: Duplicate value: \"c\""]);
    assert!(stderr.contains("... and 1949 more"), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(15), "took {:?}", started.elapsed());
}

#[test]
fn node_names_defined_twice_are_reported_once_per_entry_with_a_line() {
    let pool = "    count: 1000\n    capacity: {cpu: \"4\"}\n";
    let stderr = refused(
        &format!("name: twice\nnodes:\n  - name: w\n{pool}  - name: w\n{pool}"),
        &["scenario.yaml:6:11: nodes[1].name: Duplicate value: node \"w-0\" is already defined by nodes[0]", "1000"],
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn a_value_of_the_wrong_type_names_its_field() {
    refused(
        "name: typed\nnodes:\n  - name: w\n    count: abc\n    capacity: {cpu: \"4\"}\n",
        &["scenario.yaml:4:12", "nodes[0].count:"],
    );
    refused(
        &format!("name: typed\n{NODES}faults:\n  - {{at: 1m, action: add, pool: worker, count: -3}}\n"),
        &["scenario.yaml:7:", "faults[0].count:"],
    );
}

#[test]
fn an_open_ended_arrival_stream_is_reported_at_its_line() {
    refused(
        &format!(
            "name: open\n{NODES}workloads:\n  - at: 0s\n    object: {{apiVersion: v1, kind: Pod, metadata: {{name: a}}, spec: {{containers: [{{name: c, image: i}}]}}}}\n  - arrivals:\n      interarrival: 1m\n      object: {{apiVersion: v1, kind: Pod, metadata: {{generateName: b-}}, spec: {{containers: [{{name: c, image: i}}]}}}}\n"
        ),
        &["scenario.yaml:10:", "workloads[1].arrivals", "neither count nor until"],
    );
}

#[test]
fn names_defined_twice_across_files_are_reported_at_the_second() {
    let dir = tempfile::tempdir().unwrap();
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers: [{name: c, image: i}]\n";
    std::fs::write(dir.path().join("a.yaml"), pod).unwrap();
    std::fs::write(dir.path().join("b.yaml"), format!("# the same pod again\n{pod}")).unwrap();
    std::fs::write(
        dir.path().join("scenario.yaml"),
        format!("name: dup\n{NODES}workloads:\n  - manifest: a.yaml\n  - manifest: b.yaml\n"),
    )
    .unwrap();
    let (code, _, stderr) = podsim(dir.path(), &["validate", "scenario.yaml"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("b.yaml:5:9: metadata.name: Pod \"web\" already exists (also defined in a.yaml)"),
        "{stderr}"
    );
}

#[test]
fn validate_reports_the_yaml_error_of_a_bare_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n spec:\n  containers: [{name: c, image: i}]\n";
    std::fs::write(dir.path().join("pod.yaml"), pod).unwrap();
    let (code, _, stderr) = podsim(dir.path(), &["validate", "pod.yaml"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("pod.yaml:5:2: invalid YAML"), "{stderr}");
    assert!(!stderr.contains("apiVersion"), "read as a scenario: {stderr}");
}

/// A finished run of quickstart in `dir/run`.
fn quickstart_run(dir: &Path) {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.yaml");
    let (code, _, stderr) = podsim(dir, &["run", scenario.to_str().unwrap(), "--out", "run", "-q"]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn a_corrupt_uid_in_objects_jsonl_exits_2_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    quickstart_run(dir.path());
    let path = dir.path().join("run/objects.jsonl");
    let original = std::fs::read_to_string(&path).unwrap();
    let line = original.lines().position(|l| l.starts_with("{\"op\":\"PodCreated\"")).unwrap() + 1;
    for uid in ["18446744073709551615", "4000000000"] {
        let corrupt = original.replacen(
            "\"op\":\"PodCreated\",\"t\":0,\"uid\":1,",
            &format!("\"op\":\"PodCreated\",\"t\":0,\"uid\":{uid},"),
            1,
        );
        assert_ne!(corrupt, original);
        std::fs::write(&path, corrupt).unwrap();
        for view in [&["get", "pods", "run"][..], &["describe", "pods", "run"], &["get", "pods", "run", "-o", "yaml"]] {
            let (code, _, stderr) = podsim(dir.path(), view);
            assert_eq!(code, 2, "{view:?} uid {uid}: {stderr}");
            assert!(stderr.contains(&format!("objects.jsonl:{line}: uid {uid}")), "{stderr}");
        }
    }
}

#[test]
fn quantities_too_large_to_add_up_are_refused() {
    // Found by the fuzz driver: a capacity of 2^64 CPUs overflowed the cluster's sums.
    refused(
        "name: huge\nnodes:\n  - name: w\n    count: 3\n    capacity: {cpu: 18446744073709551615, memory: 16Gi}\n",
        &["scenario.yaml:5:", "nodes[0].capacity.cpu: Invalid value: \"18446744073709551615\": must be at most"],
    );
    refused(
        &format!(
            "name: huge\n{NODES}workloads:\n  - object: {{apiVersion: v1, kind: Pod, metadata: {{name: p}}, spec: {{containers: [{{name: c, image: i, resources: {{requests: {{memory: 100Pi}}}}}}]}}}}\n"
        ),
        &[
            "scenario.yaml:7:",
            "spec.containers[0].resources.requests.memory: Invalid value: \"100Pi\": must be at most 64Ti",
        ],
    );
}
