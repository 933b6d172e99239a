//! Seeded random scenarios (the idea of TigerBeetle's VOPR): clusters, workloads,
//! behaviors and faults drawn from a seed, run with every invariant checked after every
//! event. A failure prints the seed and the scenario to reproduce it.

use crate::common::{load_text, run};

/// A small deterministic generator for the test's own choices.
pub struct Gen(pub u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

pub fn scenario(seed: u64) -> String {
    let mut g = Gen(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let nodes = 1 + g.below(4);
    let mut s = format!(
        "name: random-{seed}\nseed: {seed}\nduration: {}m\nmetricsEvery: 30s\nnodes:\n  - name: n\n    count: {nodes}\n    capacity: {{cpu: \"{}\", memory: {}Gi, pods: {}}}\n",
        5 + g.below(40),
        1 + g.below(4),
        1 + g.below(8),
        3 + g.below(20)
    );
    s.push_str(match g.below(3) {
        0 => "",
        1 => "scheduler:\n  pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: MostAllocated}}}]\n",
        _ => "scheduler:\n  pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: [{utilization: 0, score: 0}, {utilization: 100, score: 10}]}}}}]\n",
    });
    s.push_str("workloads:\n");
    // Priorities, so that pods preempt one another (and one class that never does).
    for (name, value, policy) in
        [("low", 10, "PreemptLowerPriority"), ("high", 1000, "PreemptLowerPriority"), ("polite", 500, "Never")]
    {
        s.push_str(&format!(
            "  - object: {{apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {{name: {name}}}, value: {value}, preemptionPolicy: {policy}}}\n"
        ));
    }
    for p in 0..(1 + g.below(8)) {
        let class = match g.pick(&["", "low", "high", "polite"]) {
            "" => String::new(),
            c => format!("        priorityClassName: {c}\n"),
        };
        let policy = g.pick(&["Always", "OnFailure", "Never"]);
        let sidecar = if g.below(3) == 0 {
            "        initContainers: [{name: side, image: side:1, restartPolicy: Always, startupProbe: {exec: {command: [x]}, periodSeconds: 2}}]\n".to_string()
        } else if g.below(3) == 0 {
            "        initContainers: [{name: init, image: init:1}]\n".to_string()
        } else {
            String::new()
        };
        let probe = if g.below(2) == 0 {
            ", livenessProbe: {exec: {command: [x]}, periodSeconds: 5, failureThreshold: 2}, readinessProbe: {exec: {command: [x]}}"
        } else {
            ""
        };
        let deadline = if g.below(5) == 0 {
            format!("        activeDeadlineSeconds: {}\n", 30 + g.below(300))
        } else {
            String::new()
        };
        s.push_str(&format!(
            "  - at: {}s\n    object:\n      apiVersion: v1\n      kind: Pod\n      metadata: {{name: p{p}}}\n      spec:\n        restartPolicy: {policy}\n        terminationGracePeriodSeconds: {}\n{class}{deadline}{sidecar}        containers: [{{name: c, image: app:{}, resources: {{requests: {{cpu: {}m, memory: {}Mi}}, limits: {{memory: {}Mi}}}}{probe}}}]\n",
            g.below(120),
            g.below(40),
            g.below(3),
            100 + g.below(1500),
            64 + g.below(2000),
            2100 + g.below(400),
        ));
    }
    s.push_str(&format!(
        "  - arrivals:\n      interarrival: {{exponential: {{mean: {}s}}}}\n      count: {}\n      object: {{apiVersion: v1, kind: Pod, metadata: {{generateName: burst-}}, spec: {{priorityClassName: low, restartPolicy: Never, containers: [{{name: c, image: app:0, resources: {{requests: {{cpu: 300m}}}}}}]}}}}\n",
        5 + g.below(60),
        g.below(30)
    ));
    if g.below(2) == 0 {
        let policy = g.pick(&["Never", "OnFailure"]);
        let indexed = g.below(2) == 0;
        let completions = 1 + g.below(8);
        let mut spec = format!(
            "completions: {completions}, parallelism: {}, backoffLimit: {}, activeDeadlineSeconds: {}",
            1 + g.below(4),
            g.below(5),
            60 + g.below(1500)
        );
        if indexed {
            spec.push_str(", completionMode: Indexed");
            if g.below(2) == 0 && policy == "Never" {
                spec.push_str(&format!(
                    ", backoffLimitPerIndex: {}, maxFailedIndexes: {}",
                    g.below(3),
                    g.below(completions)
                ));
            }
        }
        if policy == "Never" && g.below(2) == 0 {
            spec.push_str(", podFailurePolicy: {rules: [{action: Ignore, onPodConditions: [{type: DisruptionTarget}]}, {action: FailJob, onExitCodes: {operator: In, values: [42]}}]}");
        }
        if g.below(2) == 0 {
            spec.push_str(&format!(", ttlSecondsAfterFinished: {}", g.below(300)));
        }
        let job_class = g.pick(&["low", "high"]);
        s.push_str(&format!(
            "  - object: {{apiVersion: batch/v1, kind: Job, metadata: {{name: job}}, spec: {{{spec}, template: {{spec: {{priorityClassName: {job_class}, restartPolicy: {policy}, containers: [{{name: c, image: app:2, resources: {{requests: {{cpu: 200m}}}}}}]}}}}}}}}\n"
        ));
    }
    if g.below(2) == 0 {
        let concurrency = g.pick(&["Allow", "Forbid", "Replace"]);
        s.push_str(&format!(
            "  - object: {{apiVersion: batch/v1, kind: CronJob, metadata: {{name: cron}}, spec: {{schedule: \"*/{} * * * *\", concurrencyPolicy: {concurrency}, startingDeadlineSeconds: {}, successfulJobsHistoryLimit: {}, jobTemplate: {{spec: {{template: {{spec: {{restartPolicy: Never, containers: [{{name: c, image: app:3, resources: {{requests: {{cpu: 100m}}}}}}]}}}}}}}}}}}}\n",
            1 + g.below(10),
            10 + g.below(300),
            g.below(4)
        ));
    }
    s.push_str(&format!(
        "behaviors:\n  - match: {{container: side}}\n    runFor: {{exponential: {{mean: {}s}}}}\n    readyAfter: {}s\n  - match: {{image: \"app:*\"}}\n    imagePull: {{uniform: {{min: 0s, max: 20s}}}}\n    imagePullFails: 0.{}\n    startup: {}ms\n    runFor: {{exponential: {{mean: {}s}}}}\n    exitCode: [{{code: 0, weight: 3}}, {{code: 1, weight: {}}}, {{code: 42, weight: 1}}]\n    memory: {}Mi\n    rampUp: 10s\n    unhealthyAfter: {{exponential: {{mean: 5m}}}}\n    terminationTime: {{uniform: {{min: 0s, max: 50s}}}}\n",
        30 + g.below(600),
        g.below(10),
        g.below(4),
        g.below(3000),
        10 + g.below(600),
        g.below(3),
        1000 + g.below(2000),
    ));
    s.push_str("faults:\n");
    s.push_str(&node_faults(&mut g, "n", nodes, 4, 1200, 10));
    if g.below(3) == 0 {
        s.push_str("  - random: {nodes: \"n-*\", timeBetween: {exponential: {mean: 10m}}, repairTime: {uniform: {min: 30s, max: 5m}}}\n");
    }
    s.push_str("actions:\n");
    for _ in 0..g.below(3) {
        s.push_str(&format!("  - {{at: {}s, delete: pod/p{}}}\n", g.below(1500), g.below(3)));
    }
    s
}

/// Fewer than `most` crashes, cordons and drains (crashes twice as often) of nodes
/// `<pool>-0` to `<pool>-<nodes − 1>`, each in the first `within` seconds and lasting
/// from `shortest` to `shortest` + 10 minutes, as `faults:` lines.
pub fn node_faults(g: &mut Gen, pool: &str, nodes: u64, most: u64, within: u64, shortest: u64) -> String {
    let mut s = String::new();
    for _ in 0..g.below(most) {
        let action = g.pick(&["crash", "cordon", "drain", "crash"]);
        s.push_str(&format!(
            "  - {{at: {}s, node: {pool}-{}, action: {action}, for: {}s}}\n",
            g.below(within),
            g.below(nodes),
            shortest + g.below(600)
        ));
    }
    s
}

#[test]
fn random_scenarios_keep_every_invariant() {
    let mut preempting = 0;
    let mut pinned = std::collections::BTreeMap::new();
    for seed in 1..=400 {
        let text = scenario(seed);
        let result = std::panic::catch_unwind(|| {
            let outcome = run(load_text(&text));
            assert!(outcome.events_processed > 0);
            (outcome.events.contains(",Preempted,"), crate::pinned::combined(&outcome.digests))
        });
        match result {
            Ok((preempted, digest)) => {
                preempting += usize::from(preempted);
                pinned.insert(format!("{seed:03}"), digest);
            }
            Err(e) => {
                let msg = e.downcast_ref::<String>().cloned().unwrap_or_default();
                panic!("random scenario seed {seed} failed: {msg}\n--- scenario ---\n{text}");
            }
        }
    }
    // The generator must reach preemption (and the nominator) often enough to test it.
    assert!(preempting >= 20, "only {preempting} of 400 random scenarios preempted");
    crate::pinned::check("random.txt", &pinned);
}

/// The same random scenarios with scheduling cycles that take time
/// (`scheduler.cycleDuration`, from a quarter of a millisecond to 100 ms): every
/// invariant holds after every event, and a run gives the same bytes twice.
/// The random scenario of `seed` with scheduling cycles of one of several durations
/// (`scheduler.cycleDuration`), and that duration.
pub fn paced_scenario(seed: u64) -> (String, &'static str) {
    const PACES: [&str; 5] = ["250us", "1ms", "1.5ms", "7ms", "100ms"];
    let pace = PACES[(seed % PACES.len() as u64) as usize];
    let mut text = scenario(seed);
    if text.contains("\nscheduler:\n") {
        text = text.replacen("\nscheduler:\n", &format!("\nscheduler:\n  cycleDuration: {pace}\n"), 1);
    } else {
        text.push_str(&format!("scheduler:\n  cycleDuration: {pace}\n"));
    }
    (text, pace)
}

#[test]
fn random_scenarios_with_paced_cycles_keep_every_invariant() {
    for seed in 1..=100 {
        let (text, pace) = paced_scenario(seed);
        let result = std::panic::catch_unwind(|| {
            let first = run(load_text(&text));
            assert!(first.events_processed > 0);
            if seed % 10 == 0 {
                assert_eq!(first.digests, run(load_text(&text)).digests, "not deterministic");
            }
        });
        if let Err(e) = result {
            let msg = e.downcast_ref::<String>().cloned().unwrap_or_default();
            panic!("random scenario seed {seed} with cycleDuration {pace} failed: {msg}\n--- scenario ---\n{text}");
        }
    }
}
