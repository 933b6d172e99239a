//! Kubernetes objects as read from manifests: serde mirrors of the API types for the
//! fields podsim models, the API server's defaults, and its validation with field
//! paths. A field Kubernetes does not have is refused (strict field validation,
//! `schema.rs`); a real field podsim does not model is reported once as not simulated.

pub mod apps;
pub mod config;
pub mod cronjob;
pub mod daemonset;
pub mod errors;
pub mod job;
pub mod kinds;
pub mod meta;
pub mod node;
pub mod object;
pub mod pod;
pub mod policy;
pub mod quantity;
pub mod scheduling;
pub mod schema;
pub mod service;
pub mod shared_str;
pub mod source;
pub mod statefulset;
pub mod storage;
pub mod validation;
pub mod validation_apps;
pub mod validation_batch;
pub mod validation_daemonset;
pub mod validation_scheduling;
pub mod validation_statefulset;
pub mod validation_storage;
pub mod volume;
pub mod yaml_block;
pub mod yaml_values;

pub use errors::{FieldError, FieldPath, InputError};
pub use meta::ObjectMeta;
pub use object::{Object, ObjectKind};
pub use quantity::Quantity;

/// `map[ResourceName]resource.Quantity`, sorted by name as the API writes it. A sorted
/// vector, not a search tree: a list holds two or three names, and every pod that draws
/// its own requests carries its own copy.
pub type ResourceList = litemap::LiteMap<String, Quantity>;
