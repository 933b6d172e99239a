//! The example scenarios with faults (node crashes, drains, random failures), each run
//! over 200 seeds with every invariant checked after every event. Three to ten minutes,
//! so it is not run by default: `cargo test --test integration -- --ignored fault_seeds`.

use crate::common::{load_scenario, run};

const FAULT_SCENARIOS: [&str; 9] = [
    "random-failures",
    "node-crash-eviction",
    "rolling-drain",
    "job-failure-policy",
    "quickstart",
    "zone-outage",
    "drain-blocked-by-pdb",
    "daemonset-growing-pool",
    "node-pressure",
];

#[test]
#[ignore = "three to ten minutes: run with --ignored"]
fn fault_scenarios_keep_every_invariant_over_200_seeds() {
    for name in FAULT_SCENARIOS {
        for seed in 1..=200 {
            let mut scenario = load_scenario(name);
            scenario.seed = seed;
            // `run` fails with the seed and the command that reproduces a broken invariant.
            let outcome = run(scenario);
            assert!(outcome.events_processed > 0, "{name} seed {seed} did nothing");
        }
    }
}
