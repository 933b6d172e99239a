//! The Job controller (`pkg/controller/job`): the pure decisions it takes about pods and
//! indexes, each in its own module and each tested against Kubernetes' own test tables.
//!
//! * [`failure_policy`]: which `podFailurePolicy` rule a failed pod matches
//!   (`pod_failure_policy.go`).
//! * [`backoff`]: how long to wait before replacing failed pods (`backoff_utils.go`).
//! * [`indexes`]: sets of completion indexes in the compressed `"1,3-5"` form
//!   (`indexed_job_utils.go`, `validateIndexesFormat` in the batch validation).
//! * [`success_policy`]: which `successPolicy` rule an Indexed Job meets
//!   (`success_policy.go`).
//! * [`policy`]: those decisions applied to a simulated Job and its pods.
//! * [`sync`]: the controller's loop, `syncJob` and `manageJob`.

pub mod backoff;
pub mod failure_policy;
pub mod indexes;
pub mod policy;
pub mod success_policy;
pub mod sync;

pub use sync::{JobController, create_from_manifest};
