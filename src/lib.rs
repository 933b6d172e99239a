//! podsim: a deterministic discrete-event simulator of a Kubernetes cluster's lifecycle.
//!
//! # Determinism contract
//! 1. Same scenario bytes, seed and program version give byte-identical output files.
//! 2. Simulated time is an integer number of milliseconds; no float decides anything
//!    except where Kubernetes itself computes in floating point (BalancedAllocation),
//!    and there only exactly-rounded IEEE operations are used.
//! 3. Events due at the same instant run in the order they were scheduled.
//! 4. Every random draw comes from a ChaCha8 stream derived from the seed by a fixed
//!    table (see [`engine::rng`]); samplers are written on `libm`.
//! 5. Nothing depends on hash-map iteration order (`HashMap` is banned by clippy.toml).
//! 6. The library reads no clock, environment or file; parallelism is across runs only.

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
pub mod trace;
pub mod views;
