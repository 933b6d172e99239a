//! The integration tests, in one binary: each module used to be a test binary of its
//! own, and every one of them linked the whole crate (most of a clean `cargo test`).

mod bad_input;
mod common;
mod jobs;
mod networking;
mod node_failures;
mod pinned;
mod plot;
mod preemption;
mod random_scenarios;
mod scenarios;
mod scheduling;
mod tidy;
mod unschedulable;
mod views;
