//! Controllers: Job, CronJob, node lifecycle (with taint eviction), the pod garbage
//! collector and EndpointSlice. Each is a type of its own with one entry point for its events and one for
//! the changes it watches on the feed, as its Kubernetes counterpart reacts to its
//! informers.

pub mod attachdetach;
pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod disruption;
pub mod endpointslice;
pub mod job;
pub mod nodelifecycle;
pub mod persistentvolume;
pub mod podgc;
pub mod replicaset;
pub mod statefulset;
