//! The Job controller: `sync` runs `syncJob`; `policy` holds the decisions that depend
//! on a Job's policies.

pub mod policy;
pub mod sync;
