//! podsim: a deterministic discrete-event simulator of a Kubernetes cluster's lifecycle.
//!
//! The same scenario, seed and program version give byte-identical output files; the
//! determinism contract that ensures it, and the map of the code, are in
//! ARCHITECTURE.md at the root of the repository.

pub mod api;
pub(crate) mod apiserver;
pub(crate) mod cluster;
pub(crate) mod controllers;
pub(crate) mod cron;
pub mod engine;
pub(crate) mod event;
pub(crate) mod kubectl;
pub(crate) mod kubelet;
pub mod labels;
pub mod plot;
pub mod scenario;
pub(crate) mod scheduler;
pub mod sim;
pub mod study;
pub mod trace;
pub mod views;
