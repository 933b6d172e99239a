//! What the kubelet's volume manager keeps, beside the pods and nodes (only the kubelet
//! writes it). Of a pod: each volume's mount and what has been written to it, the
//! containers writing, the wait of the pod worker for the mounts, and the stats calculator
//! that measures emptyDir volumes for the eviction manager (a pod without volumes has none
//! of it). Of a node: when its kubelet started (its loops run from then).

use super::storage::PvId;
use crate::engine::{SimRng, SimTime, Timer};
use crate::kubelet::volumes::backoff::ExponentialBackoff;
use crate::kubelet::volumes::emptydir::Written;
use std::collections::BTreeSet;

#[derive(Clone, Debug)]
pub struct PodVolumeState {
    /// One per entry of `spec.volumes`, in order.
    pub volumes: Vec<VolumeState>,
    /// Containers writing now: (container index, volume index, bytes per hour).
    pub writers: Vec<(u16, u16, i64)>,
    /// When the pod worker began waiting for the volumes (`WaitForAttachAndMount`).
    pub wait_start: SimTime,
    /// Every volume is mounted: the pod worker went on to the sandbox.
    pub ready: bool,
    /// The next mount attempt, or the look at which the pod worker sees them mounted.
    pub timer: Timer,
    /// The pod's stats calculator, for an emptyDir with a `sizeLimit`.
    pub stats: Option<Box<StatsCalculator>>,
    /// The kubelet tore the volumes down (the pod ended): what they held is counted.
    pub torn_down: bool,
}

#[derive(Clone, Debug, Default)]
pub struct VolumeState {
    pub mount: MountState,
    pub written: Written,
    /// When more than its `sizeLimit` had been written (an emptyDir's), once it has.
    pub over_since: Option<SimTime>,
    /// A container that mounts it (not read-only) has run: it holds data.
    pub holds_data: bool,
}

/// Where the kubelet's volume manager is with one volume of the pod.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MountState {
    /// Not tried yet.
    #[default]
    Unmounted,
    /// The last attempt failed; the next waits out the back-off.
    Failing(ExponentialBackoff),
    /// Attached and verified: the mount (MountDevice and SetUp) ends at this instant.
    Mounting(SimTime),
    Mounted,
}

/// A pod's volume stats calculator: it measures the pod's volumes at `last` (if it ran)
/// and next at `next`, each period lengthened by a jitter drawn from `rng`.
#[derive(Clone, Debug)]
pub struct StatsCalculator {
    pub rng: SimRng,
    pub last: Option<SimTime>,
    pub next: SimTime,
}

impl PodVolumeState {
    pub fn new(volumes: usize, wait_start: SimTime) -> PodVolumeState {
        PodVolumeState {
            volumes: vec![VolumeState::default(); volumes],
            writers: Vec::new(),
            wait_start,
            ready: false,
            timer: Timer::default(),
            stats: None,
            torn_down: false,
        }
    }
}

/// The kubelet's volume state of a node.
#[derive(Clone, Debug, Default)]
pub struct NodeVolumeState {
    /// When the kubelet (re)started: its periodic loops count from then.
    pub kubelet_started: SimTime,
    /// `status.volumesInUse` as the kubelet last published it: the attachable volumes of
    /// the pods it has (the attach/detach controller waits for them to leave before a
    /// safe detach).
    pub in_use: BTreeSet<PvId>,
    /// The kubelet's next node status update that publishes a change of `in_use`.
    pub status_timer: Timer,
    pub status_at: Option<SimTime>,
}
