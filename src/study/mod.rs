//! Studies: many runs of one scenario, over seeds and parameter values, and what they
//! say together.
//!
//! The pure parts of `podsim sweep`, `merge` and `compare`: parameter paths set on the
//! scenario file (`param`, `point`), the plan and its grid of points and runs (`plan`,
//! `seeds`, `sweepfile`), a run's figures (`figures`), the tables (`table`), the
//! statistics (`stats`), comparisons and their verdicts (`compare`), the Kubernetes
//! Job that runs a study's shards on a cluster (`k8s`). `run` simulates one run and
//! `exec` runs many on every core; nothing here reads a file or a clock: the binary
//! does, and writes the study folder.

pub mod capacity;
pub mod compare;
pub mod exec;
pub mod figures;
pub mod k8s;
pub mod param;
pub mod plan;
pub mod point;
pub mod run;
pub mod seeds;
pub mod stats;
pub mod sweepfile;
pub mod table;
