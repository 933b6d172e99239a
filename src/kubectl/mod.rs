//! kubectl output helpers: human durations and the tab-writer that aligns
//! `kubectl get` tables and `kubectl describe` text.

pub mod duration;
pub mod tabwriter;
