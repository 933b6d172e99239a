//! `podsim get` and `podsim describe` end to end: example scenarios are run, then viewed
//! at several instants; the outputs are compared with the snapshots in testdata/views/
//! (each reviewed against kubectl-printing.md before it was blessed). To write them
//! again after a deliberate change: `PODSIM_BLESS=1 cargo test --test views`.
//! Bad input exits with code 2 and a message, never a panic.

use std::path::{Path, PathBuf};
use std::process::Command;

fn podsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_podsim"))
}

/// Runs `scenarios/<name>.yaml` into a fresh folder.
fn run(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join(name);
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(format!("{name}.yaml"));
    let status = podsim().arg("run").arg(&scenario).arg("--out").arg(&out).arg("-q").status().unwrap();
    assert!(status.success(), "podsim run {name} failed");
    (tmp, out)
}

/// (exit code, stdout, stderr) of `podsim <args>`, `DIR` standing for `dir`.
fn view(dir: &Path, args: &str) -> (i32, String, String) {
    let args: Vec<String> = args
        .split_whitespace()
        .map(|a| if a == "DIR" { dir.display().to_string() } else { a.replace('_', " ") })
        .collect();
    let out = podsim().args(&args).output().unwrap();
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

/// Runs each command and compares the transcript with testdata/views/<name>.txt.
fn snapshot(name: &str, commands: &[&str]) {
    let (_tmp, dir) = run(name);
    let mut transcript = String::new();
    for c in commands {
        let (code, stdout, stderr) = view(&dir, c);
        assert!(!stderr.contains("panicked"), "{c}: {stderr}");
        transcript.push_str(&format!("$ podsim {c}\n{stdout}"));
        if !stderr.is_empty() {
            transcript.push_str(&format!("[stderr] {stderr}"));
        }
        if code != 0 {
            transcript.push_str(&format!("[exit {code}]\n"));
        }
        transcript.push('\n');
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/views").join(format!("{name}.txt"));
    if std::env::var_os("PODSIM_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &transcript).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (PODSIM_BLESS=1 cargo test --test views writes it)", path.display()));
    if want != transcript {
        let got = path.with_extension("txt.new");
        std::fs::write(&got, &transcript).unwrap();
        panic!("{name}: the views differ from {} (new output in {})", path.display(), got.display());
    }
}

#[test]
fn crashloop_restarts_and_back_off() {
    snapshot(
        "crashloop",
        &[
            "get pods DIR --at 12s",
            "get pods DIR --at 10m",
            "get po DIR --at 10m -o wide",
            "get pod crash-always DIR --at 10m -o yaml",
            "describe pod crash-always DIR --at 10m",
            "describe pod crash-never DIR --at 10m",
            "get events DIR --at 1m",
            "get events DIR --at 1m -o wide",
        ],
    );
}

#[test]
fn oom_killed_last_state() {
    snapshot(
        "oom",
        &["get pods DIR --at 2m", "describe pod cache-small DIR --at 2m", "get pod cache-big DIR -o json --at 30s"],
    );
}

#[test]
fn init_containers_count_in_status() {
    snapshot(
        "init-volume",
        &[
            "get pods DIR --at 2s",
            "get pods DIR --at 30s",
            "get pods DIR --at 50s",
            "get pods DIR",
            "describe pod trainer DIR --at 50s",
            "get pod trainer DIR --at 50s -o yaml",
        ],
    );
}

#[test]
fn sidecars_count_in_ready() {
    snapshot(
        "web-with-sidecar",
        &[
            "get pods DIR --at 5s",
            "get pods DIR --at 12s",
            "get pods DIR --at 30m",
            "get pods DIR --at 40m2s",
            "get pods -l app=web DIR --at 30m",
            "get pods -l app!=web DIR --at 30m",
            "describe pod web DIR --at 40m2s",
            "get pods DIR",
        ],
    );
}

#[test]
fn node_crash_evicts_pods() {
    snapshot(
        "node-crash-eviction",
        &[
            "get pods DIR --at 11m -o wide",
            "get nodes DIR --at 11m",
            "get nodes DIR --at 11m -o wide",
            "get pods DIR --at 16m1s -A",
            "describe node worker-1 DIR --at 16m1s",
            "get node worker-1 DIR --at 16m1s -o yaml",
            "describe pod solo DIR --at 16m1s",
            "get pods DIR --at 30m1s",
            "get jobs DIR --at 20m",
            "get jobs DIR",
            "describe job crunch DIR",
            "get events DIR --at 11m -n default",
        ],
    );
}

#[test]
fn flaky_jobs() {
    snapshot(
        "batch-flaky",
        &[
            "get jobs DIR --at 30m",
            "get jobs DIR --at 30m -o wide",
            "get jobs DIR",
            "get pods -l job-name=flaky-onfailure DIR --at 30m",
            "describe job flaky-never DIR",
            "get job flaky-never DIR -o yaml",
        ],
    );
}

#[test]
fn cronjobs_forbid_and_replace() {
    snapshot(
        "cronjob-forbid",
        &[
            "get cronjobs DIR --at 35m",
            "get cj DIR --at 35m -o wide",
            "get jobs DIR --at 35m",
            "get pods DIR --at 35m",
            "get cronjob sync-forbid DIR --at 35m -o yaml",
            "get cronjob.batch/sync-replace DIR --at 35m -o json",
            "get cronjobs DIR -o name",
        ],
    );
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let (_tmp, dir) = run("crashloop");
    let broken = tempfile::tempdir().unwrap();
    let copy = |name: &str| {
        let d = broken.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            std::fs::copy(&f, d.join(f.file_name().unwrap())).unwrap();
        }
        d
    };
    let no_objects = copy("no-objects");
    std::fs::remove_file(no_objects.join("objects.jsonl")).unwrap();
    let bad_objects = copy("bad-objects");
    std::fs::write(bad_objects.join("objects.jsonl"), "{\"op\":\"PodCreated\",\"t\":0,\"uid\":\"x\"}\n").unwrap();
    let bad_containers = copy("bad-containers");
    let text = std::fs::read_to_string(bad_containers.join("containers.csv")).unwrap();
    std::fs::write(bad_containers.join("containers.csv"), text.replacen(",Running,", ",Sleeping,", 1)).unwrap();
    let bad_summary = copy("bad-summary");
    std::fs::write(bad_summary.join("summary.json"), "{").unwrap();
    let no_summary = copy("no-summary");
    std::fs::remove_file(no_summary.join("summary.json")).unwrap();
    let bad_events = copy("bad-events");
    std::fs::write(bad_events.join("events.csv"), "time_ms,type\nx,y\n").unwrap();

    let d = dir.display().to_string();
    let cases: Vec<(String, &str)> = vec![
        ("get pods /no/such/folder".into(), "no such folder"),
        (format!("get pods {}", no_summary.display()), "summary.json: cannot read"),
        (format!("get pods {}", bad_summary.display()), "summary.json: not valid JSON"),
        (format!("get pods {}", no_objects.display()), "objects.jsonl: missing"),
        (format!("get pods {}", bad_objects.display()), "objects.jsonl:1:"),
        (format!("get pods {}", bad_containers.display()), "containers.csv:"),
        (format!("get events {}", bad_events.display()), "events.csv:"),
        (format!("get ingresses {d}"), "doesn't have a resource type \"ingresses\""),
        (format!("get pods {d} --at 5x"), "--at 5x"),
        (format!("get pods {d} --at 2h"), "the run ended at 30m"),
        (format!("get pods {d} -o toml"), "-o toml: unknown output format"),
        (format!("get pods {d} -l a=(b"), "-l a=(b"),
        (format!("get pods nope {d}"), "Error from server (NotFound): pods \"nope\" not found"),
        (format!("get pods crash-always nope {d}"), "Error from server (NotFound): pods \"nope\" not found"),
        (format!("get jobs nope {d}"), "Error from server (NotFound): jobs.batch \"nope\" not found"),
        (format!("describe pod nope {d}"), "Error from server (NotFound): pods \"nope\" not found"),
        (format!("describe node nope {d}"), "Error from server (NotFound): nodes \"nope\" not found"),
        (
            format!("describe events {d}"),
            "describe knows pods, nodes, jobs, cronjobs, deployments, replicasets, daemonsets, statefulsets, services, endpointslices, poddisruptionbudgets, persistentvolumeclaims, persistentvolumes, storageclasses, configmaps and secrets",
        ),
        (format!("get pods crash-always {d} -l app=x"), "cannot be combined"),
        (format!("get pods crash-always {d} --at 5s --at 6s"), "cannot be used multiple times"),
    ];
    for (args, expect) in cases {
        let out = podsim().args(args.split(' ')).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args}: {stderr}");
        assert!(stderr.contains(expect), "{args}: expected {expect:?} in {stderr:?}");
        assert!(!stderr.contains("panicked"), "{args}: {stderr}");
    }
    // The pods that exist are still printed next to the NotFound error.
    let (code, stdout, _) = view(&dir, "get pods crash-always nope DIR");
    assert_eq!(code, 2);
    assert!(stdout.contains("crash-always"), "{stdout}");
    // An empty listing is not an error.
    let (code, stdout, stderr) = view(&dir, "get pods -n kube-system DIR");
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "", "No resources found in kube-system namespace.\n"));
}

/// The objects the views rebuild agree with transitions.csv at every instant: each pod's
/// phase and each container's state and reason are those of its last row up to T.
#[test]
fn views_agree_with_transitions() {
    use podsim::views::RunDir;
    use podsim::views::replay::{CKind, Want, replay};
    use std::collections::BTreeMap;
    for name in ["crashloop", "node-crash-eviction", "web-with-sidecar", "batch-flaky", "init-volume"] {
        let (_tmp, dir) = run(name);
        let run = RunDir::open(&dir).unwrap();
        let transitions = std::fs::read_to_string(dir.join("transitions.csv")).unwrap();
        let rows: Vec<Vec<&str>> = transitions.lines().skip(1).map(|l| l.split(',').collect()).collect();
        for step in 0..=20 {
            let at = run.end * step / 20;
            let state = replay(&run, at, Want { pods: true, ..Default::default() }).unwrap();
            // (kind, namespace, name) -> (to, reason) of the last row up to `at`.
            let mut last: BTreeMap<(&str, &str, &str), (&str, &str)> = BTreeMap::new();
            for r in rows.iter().filter(|r| r[0].parse::<i64>().unwrap() <= at) {
                last.insert((r[1], r[2], r[3]), (r[5], r[6]));
            }
            for pod in state.pods() {
                let (phase, _) = last[&("Pod", &*pod.namespace, &*pod.name)];
                assert_eq!(pod.phase, phase, "{name} at {at} ms: pod {}", pod.name);
                let names = pod.spec.init_containers.iter().chain(&pod.spec.containers).map(|c| c.name.as_str());
                for (c, cname) in pod.containers.iter().zip(names) {
                    let key = format!("{}/{cname}", pod.name);
                    let Some((to, reason)) = last.get(&("Container", &*pod.namespace, key.as_str())) else {
                        assert_eq!(c.kind, CKind::None, "{name} at {at}: {key}");
                        continue;
                    };
                    let kind = match c.kind {
                        CKind::Waiting => "Waiting",
                        CKind::Running => "Running",
                        CKind::Terminated => "Terminated",
                        CKind::None => "",
                    };
                    assert_eq!((kind, state.symbols.name(c.reason)), (*to, *reason), "{name} at {at} ms: {key}");
                }
            }
        }
    }
}

/// `run --no-objects` leaves the view files out, removes an earlier run's, and `get`
/// then says why it cannot answer (exit 2) instead of showing the earlier run.
#[test]
fn a_run_without_objects_cannot_be_viewed_and_leaves_no_stale_files() {
    let (_tmp, out) = run("web-server");
    assert!(out.join("objects.jsonl").exists());
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/web-server.yaml");
    let status =
        podsim().arg("run").arg(&scenario).arg("--out").arg(&out).args(["-q", "--no-objects"]).status().unwrap();
    assert!(status.success());
    for name in ["objects.jsonl", "containers.csv", "event_paths.csv", "event_series.csv"] {
        assert!(!out.join(name).exists(), "{name} left from the earlier run");
    }
    assert!(out.join("transitions.csv").exists());
    let (code, stdout, stderr) = view(&out, "get pods DIR");
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("objects.jsonl: missing") && stderr.contains("--no-objects"), "{stderr}");
}

#[test]
fn services_and_endpointslices_through_a_rollout() {
    snapshot(
        "web-service-rollout",
        &[
            "get svc DIR --at 5m10s",
            "get services DIR -o wide",
            "get endpointslices DIR --at 5s",
            "get endpointslices DIR --at 5m10s",
            "get endpointslices DIR --at 10m",
            "describe service web DIR --at 5m10s",
            "get svc web DIR -o yaml --at 5m10s",
            "get pods DIR -o wide --at 5m10s",
            "get pod web-79bbf4fd45-pr58b DIR -o yaml --at 5m10s",
        ],
    );
}

#[test]
fn headless_services_and_dns_names() {
    snapshot(
        "web-service",
        &[
            "get svc DIR --at 1m",
            "describe svc db DIR --at 1m",
            "get endpointslices DIR --at 26m",
            "describe pod db-0 DIR --at 1m",
        ],
    );
}

#[test]
fn deployments_and_replicasets_through_a_rollout_and_its_undo() {
    snapshot(
        "web-rollout",
        &[
            "get deploy,rs DIR --at 1m",
            "get deployments,replicasets,deploy DIR --at 6m -o wide",
            "get rs,deploy DIR -o name",
            "get deploy,rs DIR -A --at 6m",
            "describe deployment web DIR --at 9m",
            "describe deploy web DIR",
            "describe rs DIR --at 9m",
            "get deploy,svc DIR -n nowhere",
        ],
    );
}

/// A preemptor's `status.nominatedNodeName`: NOMINATED NODE and `-o yaml` while its
/// victims stop, still there once it is bound (kube-scheduler 1.31 to 1.34 leave it);
/// `preemptionPolicy` as the Priority admission plugin sets it (`Never` from the
/// reindex pod's class).
#[test]
fn a_preemptor_is_nominated() {
    snapshot(
        "preemption",
        &[
            "get pods api reindex late-batch DIR --at 5m5s -o wide",
            "get pod api DIR --at 5m5s -o yaml",
            "describe pod api DIR --at 5m5s",
            "get pods api batch-1 DIR -o wide",
            "get pod reindex DIR --at 5m5s -o yaml",
        ],
    );
}

#[test]
fn budgets_through_a_blocked_drain() {
    snapshot(
        "drain-blocked-by-pdb",
        &[
            "get pdb DIR --at 1m",
            "get pdb DIR --at 2m",
            "get poddisruptionbudgets DIR -o name",
            "describe pdb web DIR --at 2m5s",
            "get pdb web DIR -o yaml --at 2m",
            "get pods DIR -o wide --at 2m5s",
            "get events DIR --field-selector reason=TooManyRequests --at 2m20s",
        ],
    );
}

#[test]
fn statefulset_identity_and_the_ordinal_stuck_on_a_lost_node() {
    snapshot(
        "statefulset-web",
        &[
            "get sts DIR --at 12s",
            "get statefulsets DIR --at 11m -o wide",
            "get sts web DIR --at 11m -o yaml",
            "get pods DIR --at 35m -o wide",
            "describe sts web DIR --at 35m",
            "describe pod web-1 DIR --at 35m",
            "describe svc nginx DIR --at 20m",
            "get pods DIR --at 40m1s",
            "get events DIR --at 48m1s -n default --field-selector involvedObject.kind=StatefulSet",
        ],
    );
}
