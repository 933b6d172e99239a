//! kubectl helpers: human durations, the tab-writer that aligns
//! `kubectl get` tables and `kubectl describe` text, and the pod-template edits of
//! `set image` and `rollout restart`.

pub mod duration;
pub mod tabwriter;
pub mod template;
