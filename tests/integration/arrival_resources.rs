//! Arrival streams whose copies draw their resources (`arrivals.resources`): the pods
//! created carry the drawn requests (and limits when asked), within the bounds, the same
//! bytes for the same seed; the other draws do not move; bad input exits 2 with the
//! file, line and field path.

use crate::common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const POOL: &str = "nodes:\n  - name: n\n    count: 4\n    capacity: {cpu: \"64\", memory: 256Gi, pods: 110}\n";

/// A scenario of 40 pods arriving every 30 s whose `resources:` is `resources` (YAML
/// lines indented for it) and whose container is `container` (inline YAML).
fn stream(resources: &str, container: &str) -> String {
    format!(
        "name: draws\nseed: 7\nduration: 30m\n{POOL}workloads:\n  - arrivals:\n      count: 40\n      interarrival: 30s\n      object:\n        apiVersion: v1\n        kind: Pod\n        metadata: {{name: task}}\n        spec:\n          restartPolicy: Never\n          containers: [{container}]\n      resources:\n{resources}behaviors:\n  - match: {{container: app}}\n    runFor: 2m\n"
    )
}

/// Each created pod's name with its first container's resources (`requests`, `limits`),
/// from objects.jsonl's `PodTemplate` and `PodCreated` lines.
fn pod_resources(o: &Outcome) -> Vec<(String, Value)> {
    let mut templates = BTreeMap::new();
    let mut out = Vec::new();
    for line in o.objects.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        match v["op"].as_str() {
            Some("PodTemplate") => {
                templates.insert(v["id"].as_u64().unwrap(), v["spec"]["containers"][0]["resources"].clone());
            }
            Some("PodCreated") => {
                let r = templates[&v["template"].as_u64().unwrap()].clone();
                out.push((v["name"].as_str().unwrap().to_string(), r));
            }
            _ => {}
        }
    }
    out
}

fn quantity(v: &Value) -> podsim::api::Quantity {
    podsim::api::Quantity::parse(v.as_str().unwrap_or_else(|| panic!("not a quantity: {v}"))).unwrap()
}

#[test]
fn each_copy_draws_its_requests_within_the_bounds() {
    let text = stream(
        "        cpu: {uniform: {min: 500m, max: \"8\"}}\n        memory: {uniform: {min: 1Gi, max: 16Gi, step: 1Mi}}\n",
        "{name: app, image: busybox, resources: {limits: {cpu: \"8\"}}}",
    );
    let o = run(load_text(&text));
    let pods = pod_resources(&o);
    assert_eq!(pods.len(), 40);
    assert_eq!(pods[0].0, "task-1");
    let mut cpus = Vec::new();
    for (name, r) in &pods {
        let cpu = quantity(&r["requests"]["cpu"]).milli_value();
        let memory = quantity(&r["requests"]["memory"]).value();
        assert!((500..=8000).contains(&cpu), "{name}: cpu {cpu}m");
        assert!(((1 << 30)..=(16 << 30)).contains(&memory) && memory % (1 << 20) == 0, "{name}: memory {memory}");
        // The template's own limit stays (a maximum at the limit is allowed); no limit is
        // drawn unless asked.
        assert_eq!(r["limits"], serde_json::json!({"cpu": "8"}), "{name}");
        cpus.push(cpu);
    }
    cpus.sort_unstable();
    cpus.dedup();
    assert!(cpus.len() >= 38, "the copies' requests vary: {} distinct of 40", cpus.len());
    // The pods run: every one placed, none refused.
    assert_eq!(o.event_rows(",Scheduled,").len(), 40);
    assert!(o.event_rows("FailedScheduling").is_empty());
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_other_draws() {
    let text = stream(
        "        cpu: {lognormal: {median: 1, sigma: 0.5, max: \"4\"}}\n        memory: {empirical: [1Gi, 2Gi, 4Gi]}\n",
        "{name: app, image: busybox}",
    );
    let (a, b) = (run(load_text(&text)), run(load_text(&text)));
    assert_eq!(a.digests, b.digests);
    assert_eq!(a.objects, b.objects);
    let other = run(load_text(&text.replace("seed: 7", "seed: 8")));
    assert_ne!(pod_resources(&a), pod_resources(&other));
    // Empirical draws are the listed quantities, as written.
    for (name, r) in pod_resources(&a) {
        let memory = r["requests"]["memory"].as_str().unwrap().to_string();
        assert!(["1Gi", "2Gi", "4Gi"].contains(&memory.as_str()), "{name}: {memory}");
        assert!(quantity(&r["requests"]["cpu"]).milli_value() <= 4000, "{name}");
    }
}

#[test]
fn drawing_resources_moves_no_other_draw() {
    // Exponential arrivals and run times: the times of the copies' arrivals and ends are
    // the same with and without resource draws (their own random stream).
    let base = "name: crn\nseed: 3\nduration: 1h\nnodes:\n  - name: n\n    count: 4\n    capacity: {cpu: \"64\", memory: 256Gi}\nworkloads:\n  - arrivals:\n      count: 30\n      interarrival: {exponential: {mean: 1m}}\n      object: {apiVersion: v1, kind: Pod, metadata: {name: t}, spec: {restartPolicy: Never, containers: [{name: app, image: i, resources: {requests: {cpu: 100m}}}]}}\nRESOURCES\nbehaviors:\n  - match: {container: app}\n    runFor: {exponential: {mean: 5m}}\n";
    let plain = run(load_text(&base.replace("RESOURCES\n", "")));
    let drawn =
        run(load_text(&base.replace("RESOURCES", "      resources: {cpu: {uniform: {min: 100m, max: \"2\"}}}")));
    let phases = |o: &Outcome| -> Vec<String> {
        o.rows(",Pod,").iter().map(|r| r.split(',').take(6).collect::<Vec<_>>().join(",")).collect()
    };
    assert_eq!(phases(&plain), phases(&drawn));
    assert_ne!(pod_resources(&plain), pod_resources(&drawn));
}

#[test]
fn a_table_draws_rows_by_weight_and_limits_follow_when_asked() {
    let text = stream(
        "        table:\n          - {cpu: \"1\", memory: 2Gi, weight: 3}\n          - {cpu: \"4\", memory: 8Gi, weight: 1}\n        limits: {memory: 1, cpu: 2}\n",
        "{name: app, image: busybox}",
    );
    let o = run(load_text(&text));
    let pods = pod_resources(&o);
    let mut small = 0;
    for (name, r) in &pods {
        let (cpu, memory) = (r["requests"]["cpu"].as_str().unwrap(), r["requests"]["memory"].as_str().unwrap());
        match (cpu, memory) {
            ("1", "2Gi") => small += 1,
            ("4", "8Gi") => {}
            other => panic!("{name}: {other:?} is no row of the table"),
        }
        assert_eq!(r["limits"]["memory"], memory, "{name}: the memory limit is the request");
        assert_eq!(quantity(&r["limits"]["cpu"]).milli_value(), 2 * quantity(&r["requests"]["cpu"]).milli_value());
    }
    // Weights 3:1 over 40 copies.
    assert!((22..=38).contains(&small), "{small} of 40 from the row of weight 3");
    // Copies that drew the same row share one pod template: two in objects.jsonl.
    assert_eq!(o.objects.lines().filter(|l| l.starts_with("{\"op\":\"PodTemplate\"")).count(), 2);
}

#[test]
fn job_copies_give_their_pods_the_draw_and_unbounded_draws_stop_at_a_limit() {
    let text = format!(
        "name: jobs\nseed: 2\nduration: 1h\n{POOL}workloads:\n  - arrivals:\n      count: 20\n      interarrival: 1m\n      object:\n        apiVersion: batch/v1\n        kind: Job\n        metadata: {{name: batch}}\n        spec:\n          template:\n            spec:\n              restartPolicy: Never\n              containers:\n                - {{name: log, image: fluent}}\n                - {{name: app, image: busybox, resources: {{limits: {{cpu: \"2\"}}}}}}\n      resources:\n        container: app\n        cpu: {{exponential: {{mean: \"1\"}}}}\nbehaviors:\n  - match: {{container: \"*\"}}\n    runFor: 30s\n"
    );
    let o = run(load_text(&text));
    let mut templates = BTreeMap::new();
    let mut cpus = Vec::new();
    for line in o.objects.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        match v["op"].as_str() {
            Some("PodTemplate") => {
                templates.insert(v["id"].as_u64().unwrap(), v["spec"]["containers"].clone());
            }
            Some("PodCreated") => {
                let containers = &templates[&v["template"].as_u64().unwrap()];
                assert_eq!(containers[0]["resources"], Value::Null, "the other container draws nothing");
                let cpu = quantity(&containers[1]["resources"]["requests"]["cpu"]).milli_value();
                assert!(cpu <= 2000, "a draw above the template's limit stops at it: {cpu}m");
                cpus.push(cpu);
            }
            _ => {}
        }
    }
    assert_eq!(cpus.len(), 20, "one pod per Job");
    assert!(cpus.contains(&2000), "an exponential of mean 1 core passes 2 in 20 draws: {cpus:?}");
    assert!(cpus.iter().any(|c| *c < 1000), "{cpus:?}");
    assert_eq!(o.rows(",Job,").iter().filter(|r| r.contains(",Complete,")).count(), 20);
}

fn podsim(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_podsim")).args(args).current_dir(dir).output().expect("podsim runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn bad_resource_draws_exit_2_with_the_line_and_field_path() {
    let app = "{name: app, image: busybox}";
    let two = "{name: app, image: busybox}, {name: log, image: fluent}";
    let limited = "{name: app, image: busybox, resources: {limits: {cpu: \"2\"}}}";
    // (what, resources lines, container, expected fragments). The `resources:` key is
    // on line 19, its first entry on line 20.
    let cases: Vec<(&str, &str, &str, Vec<&str>)> = vec![
        (
            "min above max",
            "        cpu: {uniform: {min: \"8\", max: 500m}}\n",
            app,
            vec![
                "scenario.yaml:20:",
                "workloads[0].arrivals.resources.cpu.uniform.min: Invalid value: \"8\": must not exceed max (500m)",
            ],
        ),
        (
            "a negative quantity",
            "        memory: {empirical: [1Gi, -2Gi]}\n",
            app,
            vec![
                "scenario.yaml:20:",
                "workloads[0].arrivals.resources.memory.empirical[1]: Invalid value: \"-2Gi\": must be greater than or equal to 0",
            ],
        ),
        (
            "an unknown distribution",
            "        cpu: {normal: {mean: \"1\"}}\n",
            app,
            vec![
                "workloads[0].arrivals.resources.cpu.normal: Unsupported value: \"normal\": supported values: \"constant\", \"uniform\"",
            ],
        ),
        (
            "an unknown field of a distribution",
            "        cpu: {uniform: {min: 1, mx: 2}}\n",
            app,
            vec![
                "workloads[0].arrivals.resources.cpu.uniform.mx: unknown field \"mx\"",
                "resources.cpu.uniform.max: Required value",
            ],
        ),
        (
            "an unknown container",
            "        container: ap\n        cpu: \"1\"\n",
            app,
            vec![
                "scenario.yaml:20:",
                "workloads[0].arrivals.resources.container: Invalid value: \"ap\": the pod has no container of that name (it has app)",
            ],
        ),
        (
            "no container named among several",
            "        cpu: \"1\"\n",
            two,
            vec!["workloads[0].arrivals.resources.container: Required value: the pod has 2 containers (app, log)"],
        ),
        (
            "a bad quantity",
            "        memory: {uniform: {min: 1Gb, max: 2Gi}}\n",
            app,
            vec![
                "scenario.yaml:20:",
                "workloads[0].arrivals.resources.memory.uniform.min: Invalid value: \"1Gb\": quantities must match the regular expression",
            ],
        ),
        (
            "a misspelt resource",
            "        cpus: \"1\"\n",
            app,
            vec!["workloads[0].arrivals.resources.cpus: Unsupported value: \"cpus\""],
        ),
        (
            "a draw above the template's limit",
            "        cpu: {uniform: {min: \"1\", max: \"4\"}}\n",
            limited,
            vec![
                "workloads[0].arrivals.resources.cpu: Invalid value: \"4\": draws up to 4, above container \"app\"'s cpu limit of 2",
            ],
        ),
        (
            "a limit below the request",
            "        cpu: \"1\"\n        limits: {cpu: 0.5}\n",
            app,
            vec![
                "workloads[0].arrivals.resources.limits.cpu: Invalid value: the limit is the request times a factor of at least 1",
            ],
        ),
        (
            "a limit of a resource not drawn",
            "        cpu: \"1\"\n        limits: [memory]\n",
            app,
            vec![
                "workloads[0].arrivals.resources.limits[0]: Invalid value: \"memory\": not a drawn resource (drawn: cpu)",
            ],
        ),
        (
            "an extended resource without its limit",
            "        example.com/gpu: {empirical: [1, 2]}\n",
            app,
            vec![
                "workloads[0].arrivals.resources[example.com/gpu]: an extended resource's limit must equal its request",
            ],
        ),
        (
            "table rows of different resources",
            "        table:\n          - {cpu: \"1\", memory: 1Gi}\n          - {cpu: \"2\"}\n",
            app,
            vec![
                "scenario.yaml:22:",
                "workloads[0].arrivals.resources.table[1]: Invalid value: every row gives the same resources",
            ],
        ),
        (
            "a table weight of zero",
            "        table:\n          - {cpu: \"1\", weight: 0}\n",
            app,
            vec!["workloads[0].arrivals.resources.table[0].weight: Invalid value: 0: expected a whole number from 1"],
        ),
        (
            "a step of zero",
            "        memory: {uniform: {min: 1Gi, max: 2Gi, step: 0}}\n",
            app,
            vec!["workloads[0].arrivals.resources.memory.uniform.step: Invalid value: \"0\": must be greater than 0"],
        ),
        (
            "a negative sigma",
            "        memory: {lognormal: {median: 1Gi, sigma: -1}}\n",
            app,
            vec![
                "workloads[0].arrivals.resources.memory.lognormal.sigma: Invalid value: -1: expected a number of at least 0",
            ],
        ),
        (
            "nothing to draw",
            "        container: app\n",
            app,
            vec!["workloads[0].arrivals.resources: Required value: name a resource to draw"],
        ),
    ];
    for (what, resources, container, expect) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("scenario.yaml"), stream(resources, container)).unwrap();
        let (code, stderr) = podsim(dir.path(), &["run", "scenario.yaml", "--out", "out"]);
        assert_eq!(code, 2, "{what}: exit code {code}, stderr:\n{stderr}");
        for fragment in expect {
            assert!(stderr.contains(fragment), "{what}: stderr lacks {fragment:?}:\n{stderr}");
        }
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
        assert!(!dir.path().join("out").exists(), "{what}: an output folder was left behind");
    }
    // A stream of objects without pods has nothing to draw for.
    let text = format!(
        "name: cm\n{POOL}workloads:\n  - arrivals:\n      count: 2\n      interarrival: 1m\n      object: {{apiVersion: v1, kind: ConfigMap, metadata: {{name: c}}}}\n      resources: {{cpu: \"1\"}}\n"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("scenario.yaml"), text).unwrap();
    let (code, stderr) = podsim(dir.path(), &["validate", "scenario.yaml"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("scenario.yaml:11:")
            && stderr.contains("workloads[0].arrivals.resources: only copies of objects with a pod template"),
        "{stderr}"
    );
}
