//! Services end to end: a Service's backends in services.csv follow its pods' addresses,
//! readiness and termination (EndpointSlice conditions), and summary.json gives its
//! availability.

use crate::common::*;

/// The rows of services.csv for one Service: (time, desired, endpoints, ready, serving,
/// terminating).
fn backends(o: &Outcome, service: &str) -> Vec<(u64, u32, u32, u32, u32, u32)> {
    o.services
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[2] == service).then(|| {
                let n = |i: usize| f[i].parse::<u32>().unwrap();
                (f[0].parse().unwrap(), n(3), n(4), n(5), n(6), n(7))
            })
        })
        .collect()
}

fn figures(o: &Outcome, service: &str) -> serde_json::Value {
    let summary: serde_json::Value = serde_json::from_str(&o.summary).unwrap();
    summary["services"].as_array().unwrap().iter().find(|s| s["name"] == service).unwrap().clone()
}

#[test]
fn a_service_keeps_three_ready_endpoints_through_a_stalled_rollout() {
    let o = run(load_scenario("web-service-rollout"));
    assert_eq!(
        backends(&o, "web"),
        vec![
            // The Service comes first: its placeholder slice, nothing desired yet.
            (0, 0, 0, 0, 0, 0),
            // The Deployment's four pods have addresses when their sandboxes start
            // (the image is pulled after): endpoints, not ready.
            (0, 4, 4, 0, 0, 0),
            // Pull 3 s, start 1 s, ready 5 s later.
            (9_000, 4, 4, 4, 4, 0),
            // 5m: the new ReplicaSet's first pod; one old pod scaled down is
            // terminating (still serving: Ready until the kubelet says otherwise),
            // then gone; the second new pod. Desired stays the Deployment's 4.
            (300_000, 4, 5, 3, 4, 1),
            (300_000, 4, 4, 3, 3, 0),
            (300_000, 4, 5, 3, 3, 0),
            // 10m: rollout undo. The two crashing pods go, the old ReplicaSet's
            // fourth pod comes and is ready 6 s later (the image is on the node).
            (600_000, 4, 3, 3, 3, 0),
            (600_000, 4, 4, 3, 3, 0),
            (606_000, 4, 4, 4, 4, 0),
        ]
    );
    let f = figures(&o, "web");
    // Never without a ready endpoint after the first 9 s; all four ready except
    // during the rollout (5m to 10m06s).
    assert_eq!(f["any_ready_ms"], 900_000 - 9_000);
    assert_eq!(f["all_ready_ms"], 900_000 - 9_000 - 306_000);
    assert_eq!(f["longest_outage_ms"], 9_000);
    assert_eq!(f["outages"], 1);
}

#[test]
fn endpoints_follow_readiness_crashes_and_a_node_outage() {
    let o = run(load_scenario("web-service"));
    assert_eq!(
        backends(&o, "api"),
        vec![
            (0, 1, 0, 0, 0, 0),
            (0, 1, 1, 0, 0, 0),
            // Started at 2 s, ready 8 s later.
            (12_000, 1, 1, 1, 1, 0),
            // Exits after 8 minutes of running; restarts with the kubelet's back-off
            // (10 s, 20 s, 40 s, ...), each time unready until its probe passes.
            (482_000, 1, 1, 0, 0, 0),
            (494_000, 1, 1, 1, 1, 0),
            (964_000, 1, 1, 0, 0, 0),
            (986_000, 1, 1, 1, 1, 0),
            (1_456_000, 1, 1, 0, 0, 0),
            (1_488_000, 1, 1, 1, 1, 0),
            (1_958_000, 1, 1, 0, 0, 0),
            (2_010_000, 1, 1, 1, 1, 0),
        ]
    );
    assert_eq!(
        backends(&o, "web"),
        vec![
            (0, 3, 0, 0, 0, 0),
            (0, 3, 3, 0, 0, 0),
            (6_000, 3, 3, 3, 3, 0),
            // 20m: c-0 crashes; 50 s later (and the next monitor pass) its node is
            // Unknown and its pod not ready.
            (1_255_000, 3, 3, 2, 2, 0),
            // Evicted 300 s after the taint: terminating, no longer desired.
            (1_560_000, 2, 3, 2, 2, 1),
            // The node is back at 30m: the pod is gone.
            (1_800_000, 2, 2, 2, 2, 0),
        ]
    );
    // publishNotReadyAddresses: the headless Service's endpoints are ready from the
    // start, before the pods are.
    assert_eq!(backends(&o, "db"), vec![(0, 2, 0, 0, 0, 0), (0, 2, 2, 2, 0, 0), (23_000, 2, 2, 2, 2, 0)]);
    assert_eq!(figures(&o, "db")["any_ready_ms"], 2_400_000);
    let web = figures(&o, "web");
    assert_eq!((web["longest_outage_ms"].as_u64(), web["outages"].as_u64()), (Some(6_000), Some(1)));
}

#[test]
fn cluster_ips_are_drawn_from_the_service_range_by_seed() {
    let ips = |seed: u64| {
        let mut s = load_scenario("web-service");
        s.seed = seed;
        let o = run(s);
        let mut ips: Vec<String> = o
            .objects
            .lines()
            .filter(|l| l.contains("\"ServiceCreated\""))
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["service"]["spec"]["clusterIP"].as_str().unwrap().to_string()
            })
            .collect();
        ips.sort();
        ips
    };
    let (a, b) = (ips(1), ips(2));
    assert_eq!(a, ips(1), "the same seed draws the same addresses");
    assert_ne!(a, b, "another seed draws others");
    // web and api from the upper band of 10.96.0.0/12 (above 10.96.1.0: rangeOffset
    // 256); db is headless.
    assert!(a.contains(&"None".to_string()));
    for ip in a.iter().filter(|ip| *ip != "None") {
        let o: Vec<u32> = ip.split('.').map(|x| x.parse().unwrap()).collect();
        assert!(o[0] == 10 && (96..112).contains(&o[1]) && (o[1], o[2]) >= (96, 1), "{ip}");
    }
}

/// A Service in front of a DaemonSet's pods wants one backend per node that should run
/// one (`desiredNumberScheduled`): three workers, not the GPU node it does not tolerate,
/// then four once two workers join at 5m and one leaves at 10m.
#[test]
fn a_daemonset_service_wants_a_backend_per_eligible_node() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/daemonset-growing-pool.yaml"))
        .unwrap()
        .replace(
            "behaviors:",
            "  - object:\n      apiVersion: v1\n      kind: Service\n      metadata: {name: logs}\n      \
             spec: {selector: {app: log-agent}, ports: [{port: 9000}]}\nbehaviors:",
        );
    let o = run(load_text(&text));
    let rows = backends(&o, "logs");
    let last_before_growth = rows.iter().rfind(|r| r.0 < 300_000).unwrap();
    assert_eq!((last_before_growth.1, last_before_growth.3), (3, 3), "{rows:?}");
    let last = rows.last().unwrap();
    assert_eq!((last.1, last.3), (4, 4), "{rows:?}");
    // Through the rolling update (15m), an old pod terminating does not lower what the
    // Service wants: a backend is missing.
    let rollout: Vec<_> = rows.iter().filter(|r| r.0 >= 900_000).collect();
    assert!(rollout.iter().all(|r| r.1 == 4), "{rows:?}");
    assert!(rollout.iter().any(|r| r.3 < 4), "{rows:?}");
}
