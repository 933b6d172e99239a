//! The kubelet's volume manager (`pkg/kubelet/volumemanager`): a pod's volumes are set up
//! before its sandbox and containers (the pod stays `ContainerCreating` meanwhile); local
//! sources at once, attachable ones once the controller attached them. `backoff` is the
//! operations' back-off, `wait` when the pod worker sees them ready.

pub mod backoff;
pub mod data;
pub mod emptydir;
pub mod in_use;
pub mod mount;
pub mod teardown;
pub mod wait;
pub mod writes;
