use super::*;
use serde_json::Value;

/// A node of the test tables: cpu (millicores), memory and pod slots, and its pods'
/// requests, each on it or taken off by the dry run.
struct FakeNode {
    cpu: i64,
    memory: i64,
    slots: i64,
    want: (i64, i64),
    pods: Vec<(i64, i64)>,
    on: Vec<bool>,
}

impl DryRun for FakeNode {
    type Reason = &'static str;

    fn remove(&mut self, pod: usize) {
        self.on[pod] = false;
    }

    fn add(&mut self, pod: usize) {
        self.on[pod] = true;
    }

    /// NodeResourcesFit's filter: pod slots, then each requested resource.
    fn fits(&mut self, out: &mut Vec<&'static str>) -> bool {
        let on: Vec<(i64, i64)> = self.pods.iter().zip(&self.on).filter(|(_, on)| **on).map(|(p, _)| *p).collect();
        if on.len() as i64 + 1 > self.slots {
            out.push("Too many pods");
        }
        let used = |f: fn(&(i64, i64)) -> i64| on.iter().map(f).sum::<i64>();
        if self.want.0 > 0 && self.want.0 > self.cpu - used(|p| p.0) {
            out.push("Insufficient cpu");
        }
        if self.want.1 > 0 && self.want.1 > self.memory - used(|p| p.1) {
            out.push("Insufficient memory");
        }
        out.is_empty()
    }
}

/// Runs the pure PostFilter over a case: the nodes whose status is `Unschedulable` are
/// the potential ones, examined from offset 0.
fn run_case(case: &Value) -> Result<String, String> {
    let preemptor = &case["preemptor"];
    let priority = preemptor["priority"].as_i64().unwrap() as i32;
    let want = (preemptor["cpu"].as_i64().unwrap(), preemptor["memory"].as_i64().unwrap());
    let nodes = case["nodes"].as_array().unwrap();
    let potential: Vec<&Value> =
        nodes.iter().filter(|n| case["statuses"][n["name"].as_str().unwrap()] == "Unschedulable").collect();
    let pods_on =
        |node: &str| -> Vec<&Value> { case["pods"].as_array().unwrap().iter().filter(|p| p["node"] == node).collect() };
    let examine = |i: usize| {
        let n = potential[i];
        let pods = pods_on(n["name"].as_str().unwrap());
        let infos: Vec<PodInfo> = pods
            .iter()
            .map(|p| PodInfo {
                priority: p["priority"].as_i64().unwrap() as i32,
                start_time: p["start"].as_u64().unwrap(),
            })
            .collect();
        let mut fake = FakeNode {
            cpu: n["cpu"].as_i64().unwrap(),
            memory: n["memory"].as_i64().unwrap(),
            slots: n["pods"].as_i64().unwrap(),
            want,
            pods: pods.iter().map(|p| (p["cpu"].as_i64().unwrap(), p["memory"].as_i64().unwrap())).collect(),
            on: vec![true; pods.len()],
        };
        let outcome = select_victims_on_node(priority, &infos, &mut fake);
        (infos, outcome)
    };
    let verdict = preempt(nodes.len(), potential.len(), 0, &PreemptionArgs::default(), examine, |r| r.to_string())
        .map_err(|e| format!("preemption: {e}"))?;
    Ok(potential[verdict.node]["name"].as_str().unwrap().to_string())
}

fn table() -> Value {
    let v: Value =
        serde_json::from_str(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/scheduler/preemption.json")))
            .unwrap();
    assert!(v["source"].as_str().unwrap().contains("kubernetes/kubernetes"));
    v
}

#[test]
fn post_filter_matches_kubernetes_cases() {
    let t = table();
    let cases = t["postFilter"].as_array().unwrap();
    assert_eq!(cases.len(), 9);
    for case in cases {
        let got = run_case(case);
        match (case["node"].as_str(), case["message"].as_str()) {
            (Some(node), _) => assert_eq!(got, Ok(node.to_string()), "{}", case["name"]),
            (None, Some(message)) => assert_eq!(got, Err(message.to_string()), "{}", case["name"]),
            _ => unreachable!("a case expects a node or a message"),
        }
    }
}

#[test]
fn best_candidate_matches_kubernetes_cases() {
    let t = table();
    let cases = t["selectBestCandidate"].as_array().unwrap();
    assert_eq!(cases.len(), 9);
    for case in cases {
        let got = run_case(case).unwrap_or_else(|e| panic!("{}: {e}", case["name"]));
        let expected: Vec<&str> = case["expected"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
        assert!(expected.contains(&got.as_str()), "{}: got {got}, want one of {expected:?}", case["name"]);
    }
}

#[test]
fn victims_are_reprieved_most_important_first() {
    // Three low pods of 1 slot each on a 3-slot node; the preemptor needs one slot: only
    // the least important (latest started of the lowest priority) goes.
    let infos = [
        PodInfo { priority: 5, start_time: 10 },
        PodInfo { priority: 1, start_time: 20 },
        PodInfo { priority: 1, start_time: 30 },
    ];
    let mut node = FakeNode { cpu: 0, memory: 0, slots: 3, want: (0, 0), pods: vec![(0, 0); 3], on: vec![true; 3] };
    assert_eq!(select_victims_on_node(9, &infos, &mut node), NodeOutcome::Victims(vec![2]));
    assert_eq!(select_victims_on_node(1, &infos, &mut node), NodeOutcome::NoVictims);
}

#[test]
fn fit_error_counts_nodes_not_reasons() {
    // One node lacking cpu and memory, one without victims, one preemption cannot help.
    let reasons = [("Insufficient cpu", 1), ("Insufficient memory", 1), (NO_VICTIMS, 1)]
        .into_iter()
        .map(|(r, n)| (r.to_string(), n))
        .collect();
    assert_eq!(
        fit_error(3, 2, &reasons),
        "0/3 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling."
    );
}

#[test]
fn candidate_counts_follow_the_arguments() {
    let args = PreemptionArgs::default();
    assert_eq!(num_candidates(&args, 50), 50);
    assert_eq!(num_candidates(&args, 5000), 500);
    let few = PreemptionArgs { min_candidate_nodes_percentage: 0, min_candidate_nodes_absolute: 3 };
    assert_eq!(num_candidates(&few, 5000), 3);
}
