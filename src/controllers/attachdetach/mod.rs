//! The attach/detach controller (`pkg/controller/volume/attachdetach`): attachable
//! volumes are attached to the nodes whose pods use them before the kubelet mounts them,
//! and detached once no pod there uses them and the kubelet has unmounted them (or, on a
//! node that stopped answering, after the 6-minute wait; at once with the out-of-service
//! taint). `rules` holds upstream's rules, `reconciler` the pure state and passes.

pub mod reconciler;
pub mod rules;
