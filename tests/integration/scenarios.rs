//! Every example scenario runs (with invariant checks after every event), twice, with
//! byte-identical output and the digests pinned in `testdata/pinned/examples.txt`; and
//! each shows what it is about in its trace.

use crate::common::*;

#[test]
fn every_scenario_is_deterministic() {
    let mut names: Vec<String> = std::fs::read_dir(scenarios_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 8, "scenarios: {names:?}");
    let mut pinned = std::collections::BTreeMap::new();
    for name in names {
        let a = run(load_scenario(&name));
        for (file, digest) in &a.digests {
            pinned.insert(format!("{name} {file}"), digest.clone());
        }
        let b = run(load_scenario(&name));
        assert!(a.events_processed > 0, "{name} did nothing");
        assert_eq!(a.transitions, b.transitions, "{name}: transitions.csv differs between two runs");
        assert_eq!(a.events, b.events, "{name}: events.csv differs");
        assert_eq!(a.metrics, b.metrics, "{name}: metrics.csv differs");
        assert_eq!(a.nodes, b.nodes, "{name}: nodes.csv differs");
        assert_eq!(a.pool_metrics, b.pool_metrics, "{name}: pool_metrics.csv differs");
        assert_eq!(a.summary, b.summary, "{name}: summary.json differs");
        assert_eq!(a.objects, b.objects, "{name}: objects.jsonl differs");
        assert_eq!(a.containers, b.containers, "{name}: containers.csv differs");
        assert_eq!(a.event_paths, b.event_paths, "{name}: event_paths.csv differs");
        assert_eq!(a.event_series, b.event_series, "{name}: event_series.csv differs");
    }
    crate::pinned::check("examples.txt", &pinned);
}

#[test]
fn crashloop_restarts_with_the_kubelet_back_off() {
    let o = run(load_scenario("crashloop"));
    // Each run lasts 1 s of startup plus 5 s; restarts follow 0, 10, 20, 40, 80, 160, 300, 300 s of back-off.
    let starts = times(
        &o.rows("crash-always/app,Waiting,Running")
            .iter()
            .chain(o.rows("crash-always/app,Terminated,Running").iter())
            .copied()
            .collect::<Vec<_>>(),
    );
    let mut starts = starts;
    starts.sort();
    let mut want = vec![1_000u64];
    let mut exit = 6_000u64;
    for delay in [0u64, 10, 20, 40, 80, 160].into_iter().chain(std::iter::repeat(300)).take(20) {
        let start = exit + delay * 1000 + 1000;
        want.push(start);
        exit = start + 5000;
    }
    want.retain(|t| *t <= 30 * 60_000);
    assert_eq!(starts, want);
    assert!(
        o.rows("crash-onfailure/app,Terminated,Waiting,CrashLoopBackOff").len() >= 5,
        "OnFailure restarts a failing container"
    );
    assert_eq!(o.rows("Pod,default,crash-never,Running,Failed").len(), 1, "Never: the pod fails");
    assert!(o.rows("crash-never/app,Terminated,Running").is_empty(), "Never: no restart");
    assert!(o.event_rows("Back-off restarting failed container app in pod crash-always_default").len() >= 5);
}

#[test]
fn sidecar_starts_first_and_stops_last() {
    let o = run(load_scenario("web-with-sidecar"));
    let sidecar_running = times(&o.rows("web/log-shipper,Waiting,Running"))[0];
    let app_running = times(&o.rows("web/nginx,Waiting,Running"))[0];
    // The app container is pulled only after the sidecar passed its startup probe.
    let nginx_pull = times(&o.event_rows("Pulling image \"\"nginx:1.27\"\""))[0];
    assert!(sidecar_running < nginx_pull && nginx_pull < app_running);
    // The sidecar crashes and is restarted on its own; the pod stays Running.
    assert_eq!(o.rows("web/log-shipper,Running,Terminated,Error").len(), 1);
    assert_eq!(o.rows("web/log-shipper,Terminated,Running").len(), 1);
    // On deletion the app stops first, then the sidecar; the pod then ends.
    let app_stop = times(&o.rows("web/nginx,Running,Terminated"))[0];
    let sidecar_stop = times(&o.rows("web/log-shipper,Running,Terminated,Completed"))[0];
    assert!(app_stop < sidecar_stop, "sidecars stop after the main containers");
    assert_eq!(o.rows("Pod,default,web,Running,Succeeded").len(), 1);
}

#[test]
fn init_containers_run_in_order_before_the_app() {
    let o = run(load_scenario("init-volume"));
    let fetch_done = times(&o.rows("trainer/fetch-dataset,Running,Terminated,Completed"))[0];
    let verify_start = times(&o.rows("trainer/verify-dataset,Waiting,Running"))[0];
    let verify_done = times(&o.rows("trainer/verify-dataset,Running,Terminated,Completed"))[0];
    let train_start = times(&o.rows("trainer/train,Waiting,Running"))[0];
    assert!(fetch_done < verify_start && verify_done < train_start);
    assert_eq!(times(&o.rows("Pod,default,trainer,Pending,Running")), vec![train_start], "Pending until the app runs");
}

#[test]
fn oom_kills_are_137_and_crash_loop() {
    let o = run(load_scenario("oom"));
    let kills = o.rows("cache-small/cache,Running,Terminated,OOMKilled");
    assert!(kills.len() >= 5, "{kills:?}");
    assert_eq!(times(&kills)[0], 5_500 + 20_000, "started at 5.5 s, working set reached 20 s later");
    assert!(o.rows("cache-big/cache,Running,Terminated").is_empty(), "the bigger limit holds");
    assert!(o.summary.contains("\"oom_killed\": "));
}

#[test]
fn failed_pulls_back_off_and_never_policy_waits() {
    let o = run(load_scenario("image-pull-failure"));
    let err = times(&o.rows("broken/app,Waiting,Waiting,ErrImagePull"));
    let backoff = times(&o.rows("broken/app,Waiting,Waiting,ImagePullBackOff"));
    assert!(err.len() >= 5 && backoff.len() >= 5, "{err:?} {backoff:?}");
    assert!(o.rows("broken/app,Waiting,Running").is_empty());
    // The gaps between retries double up to 300 s.
    let gaps: Vec<u64> = err.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps.windows(2).all(|g| g[1] >= g[0]), "{gaps:?}");
    assert!(gaps.iter().any(|g| *g >= 300_000));
    assert_eq!(o.rows("offline/app,,Waiting,ContainerCreating").len(), 1);
    assert_eq!(o.rows("offline/app,Waiting,Waiting,ErrImageNeverPull").len(), 1);
    let flaky_runs = times(&o.rows("flaky/app,Waiting,Running"))[0];
    assert_eq!(
        times(&o.rows("offline/app,Waiting,Running")),
        vec![flaky_runs],
        "offline starts once flaky pulled the image"
    );
}

#[test]
fn alibaba_pods_are_placed_within_node_capacity() {
    let o = run(load_scenario("alibaba-100"));
    assert!(o.summary.contains("\"created\": 1067"), "{}", o.summary);
    assert_eq!(o.rows("Pod,paib-gpu,").iter().filter(|r| r.contains(",,Pending,")).count(), 1067);
}

/// `podsim run` writes its files through the trace writer thread; the library's inline
/// sink (used above) must give the very same bytes and digests.
#[test]
fn the_command_writes_what_the_library_writes() {
    for name in ["cronjob-forbid", "node-crash-eviction", "quickstart"] {
        let inline = run(load_scenario(name));
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join(name);
        let scenario = scenarios_dir().join(format!("{name}.yaml"));
        assert!(crate::common::podsim_run(&scenario, &out), "podsim run {name} failed");
        let file = |f: &str| std::fs::read_to_string(out.join(f)).unwrap();
        for (f, expected) in [
            ("transitions.csv", &inline.transitions),
            ("events.csv", &inline.events),
            ("metrics.csv", &inline.metrics),
            ("nodes.csv", &inline.nodes),
            ("pool_metrics.csv", &inline.pool_metrics),
            ("services.csv", &inline.services),
            ("objects.jsonl", &inline.objects),
            ("containers.csv", &inline.containers),
            ("event_paths.csv", &inline.event_paths),
            ("event_series.csv", &inline.event_series),
        ] {
            assert!(file(f) == *expected, "{name}: {f} differs between `podsim run` and the library");
        }
        let digests = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap()["trace_digest"].clone();
        let command = digests(&file("summary.json"));
        assert_eq!(command, digests(&inline.summary), "{name}: digests differ");
        assert_eq!(command.as_object().map(|o| o.len()), Some(10), "{name}: a digest per file");
    }
}
