//! What a volume's data survives, as in Kubernetes (the volumes' lifetimes in the
//! "Volumes" and "Persistent Volumes" concepts, and `kubernetes-storage.md` §1.1 and §7):
//! every volume survives its containers' restarts (the data is the pod's, so a restart
//! loses nothing and is no incident); only persistent volumes survive the
//! pod; a node's loss takes what lives on its disks (emptyDir, hostPath, local PVs) but
//! not network volumes; a node's restart empties only memory-backed emptyDirs (tmpfs).
//! A data-loss incident is a volume that held data (a container that mounts it writable
//! ran) losing it; `summary.json` counts them by cause and kind.

/// Where a volume's data lives, as the loss rules tell them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DataKind {
    /// An emptyDir on the node's disk.
    EmptyDir,
    /// An emptyDir with `medium: Memory`: a tmpfs.
    EmptyDirMemory,
    /// A hostPath volume: a directory of the node.
    HostPath,
    /// A PersistentVolume on one node's disk (`local` or `hostPath` PV).
    LocalPersistentVolume,
    /// A PersistentVolume on the network (CSI, NFS, cloud disks).
    NetworkPersistentVolume,
}

impl DataKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DataKind::EmptyDir => "emptyDir",
            DataKind::EmptyDirMemory => "emptyDirMemory",
            DataKind::HostPath => "hostPath",
            DataKind::LocalPersistentVolume => "localPersistentVolume",
            DataKind::NetworkPersistentVolume => "networkPersistentVolume",
        }
    }
}

/// What happened to the pod or its node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cause {
    /// The pod was deleted (by a user, a controller, taint eviction, preemption, pod GC):
    /// a replacement starts afresh.
    PodDeleted,
    /// The kubelet evicted the pod (node pressure, an emptyDir over its limit).
    PodEvicted,
    /// The node's kubelet (the machine) restarted while the pod stayed bound to it.
    NodeRestart,
    /// The Node was deleted: its disks are gone.
    NodeRemoved,
}

impl Cause {
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::PodDeleted => "pod_deleted",
            Cause::PodEvicted => "pod_evicted",
            Cause::NodeRestart => "node_restart",
            Cause::NodeRemoved => "node_removed",
        }
    }
}

/// Whether data of `kind` survives `cause`.
pub fn survives(kind: DataKind, cause: Cause) -> bool {
    use DataKind::*;
    match cause {
        Cause::PodDeleted | Cause::PodEvicted => !matches!(kind, EmptyDir | EmptyDirMemory),
        Cause::NodeRestart => kind != EmptyDirMemory,
        Cause::NodeRemoved => kind == NetworkPersistentVolume,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_survives_what_it_survives_in_kubernetes() {
        use Cause::*;
        use DataKind::*;
        let kinds = [EmptyDir, EmptyDirMemory, HostPath, LocalPersistentVolume, NetworkPersistentVolume];
        // (cause, survives for each kind in the order above)
        let table = [
            (PodDeleted, [false, false, true, true, true]),
            (PodEvicted, [false, false, true, true, true]),
            (NodeRestart, [true, false, true, true, true]),
            (NodeRemoved, [false, false, false, false, true]),
        ];
        for (cause, expected) in table {
            for (kind, survives_it) in kinds.into_iter().zip(expected) {
                assert_eq!(survives(kind, cause), survives_it, "{} after {}", kind.as_str(), cause.as_str());
            }
        }
    }
}
