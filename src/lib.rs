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

/// mimalloc rather than the C library's malloc, for the `podsim` binary, the benches and
/// the integration tests alike: a run allocates and frees millions of small objects
/// (parsed manifests, pods, trace lines), and glibc's malloc and free were a tenth to a
/// fifth of the time (ARCHITECTURE.md, "mimalloc, not the C library's malloc"). The
/// library's own unit tests keep the system's: one of them counts allocations through it.
#[cfg(not(test))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
