//! When the pod worker sees a pod's volumes ready (`VolumeManager.WaitForAttachAndMount`,
//! `pkg/kubelet/volumemanager/volume_manager.go`): `SyncPod` waits for them before it
//! creates the sandbox, looking at once and then every 300 ms, for at most 2 m 3 s. When
//! the wait runs out the sync fails and the pod worker syncs the pod again after its
//! back-off (`backOffPeriod`, 10 s; the kubelet adds up to half of it as jitter, podsim
//! does not), which waits anew. So the containers start at the first look at or after the
//! last volume was mounted.
//!
//! Before 1.28 every wait that ran out recorded a Warning `FailedMount` "Unable to attach
//! or mount volumes: unmounted volumes=[...], unattached volumes=[...]: timed out waiting
//! for the condition"; since kubernetes/kubernetes#117412 (1.28) `SyncPod` records it
//! only for errors other than the timeout, so the kubelets podsim follows (1.31 to 1.34)
//! record nothing then: what a waiting pod shows are the `FailedMount` events of the
//! operations that fail and the controller's `FailedAttachVolume`.

use crate::engine::{Millis, SimTime};

/// `podAttachAndMountTimeout`: one second more than the longest operation back-off.
pub const POD_ATTACH_AND_MOUNT_TIMEOUT: Millis = 123_000;
/// `podAttachAndMountRetryInterval`.
pub const POD_ATTACH_AND_MOUNT_RETRY_INTERVAL: Millis = 300;

/// One wait and the pod worker's back-off after it.
const CYCLE: Millis = POD_ATTACH_AND_MOUNT_TIMEOUT + super::super::network::SYNC_RETRY;
/// The looks of one wait: at 0, 300 ms, ..., 122.7 s (at 123 s the wait has run out).
const LOOKS: u64 = POD_ATTACH_AND_MOUNT_TIMEOUT.div_ceil(POD_ATTACH_AND_MOUNT_RETRY_INTERVAL);

/// The first look at or after `ready` of the pod worker that began waiting at `start`
/// (`ready` ≥ `start`).
pub fn first_look(start: SimTime, ready: SimTime) -> SimTime {
    let since = ready.since(start);
    let (cycle, offset) = (since / CYCLE, since % CYCLE);
    let look = offset.div_ceil(POD_ATTACH_AND_MOUNT_RETRY_INTERVAL);
    let offset = if look < LOOKS { look * POD_ATTACH_AND_MOUNT_RETRY_INTERVAL } else { CYCLE };
    start.after(cycle * CYCLE + offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pod_worker_looks_every_300_ms_then_waits_again_after_a_timeout() {
        let start = SimTime::from_ms(10_000);
        // (volumes ready, first look that sees them)
        let cases = [
            (10_000, 10_000),   // ready at once: the immediate look
            (10_001, 10_300),   // next poll
            (10_300, 10_300),   // on a poll
            (132_700, 132_700), // the last look of the first wait (122.7 s in)
            (132_701, 143_000), // too late: the next sync, 123 s + 10 s after the start
            (143_000, 143_000), // that sync looks at once
            (143_100, 143_300),
            (10_000 + 2 * 133_000 + 5, 10_000 + 2 * 133_000 + 300),
        ];
        for (ready, look) in cases {
            assert_eq!(first_look(start, SimTime::from_ms(ready)), SimTime::from_ms(look), "ready at {ready}");
        }
    }
}
