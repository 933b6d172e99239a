//! The integration tests, in one binary: each module used to be a test binary of its
//! own, and every one of them linked the whole crate (most of a clean `cargo test`).

mod bad_input;
mod baselines;
mod capacity;
mod common;
mod daemonset;
mod disruption;
mod docs;
mod fault_seeds;
mod fidelity;
mod first_hour;
mod fuzz;
mod jobs;
mod networking;
mod node_failures;
mod output_folder;
mod persistent_volumes;
mod pinned;
mod plot;
mod postgres;
mod preemption;
mod pressure;
mod random_scenarios;
mod robustness;
mod scenarios;
mod scheduling;
mod services;
mod statefulset;
mod storage;
mod strict_fields;
mod study;
mod tidy;
mod unschedulable;
mod views;
mod volumes;
mod workloads;
