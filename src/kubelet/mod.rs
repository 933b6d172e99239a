//! The kubelet: container lifecycle on a node (pull, start, run, exit, restart with
//! back-off, probes, termination) and the pod phase and conditions it reports.
//! Pure decisions live in `phase`, `conditions`, `backoff`, `probes` and `actions`;
//! the handlers that apply them are in `runtime`, `images`, `termination` and `status`.

pub mod actions;
pub mod backoff;
pub mod conditions;
pub mod images;
pub mod phase;
pub mod probes;
pub mod runtime;
pub mod status;
pub mod termination;
