//! podsim: a deterministic discrete-event simulator of a Kubernetes cluster's lifecycle.
pub mod api;
pub mod cluster;
pub mod cron;
pub mod engine;
pub mod kubectl;
pub mod kubelet;
pub mod labels;
pub mod scenario;
