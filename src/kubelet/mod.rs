//! The kubelet: container lifecycle on a node (pull, start, run, exit, restart with
//! back-off, probes, termination) and the pod phase and conditions it reports.

pub mod backoff;
pub mod conditions;
pub mod phase;
pub mod probes;
