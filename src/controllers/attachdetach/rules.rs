//! The attach/detach controller's rules, pure: which pods hold a volume on a node
//! (`IsPodTerminated`), which volumes may be attached to several nodes
//! (`IsMultiAttachAllowed`), when a volume no longer wanted on a node is detached
//! (`reconciler.go`), and the wording of the Multi-Attach error.

use crate::api::storage::{AccessMode, AccessModes, PvSource};
use crate::engine::{Millis, SimTime};

/// `ReconcilerLoopPeriod` (`attach_detach_controller.go` `DefaultTimerConfig`).
pub const RECONCILER_LOOP_PERIOD: Millis = 100;
/// `ReconcilerMaxWaitForUnmountDuration`.
pub const MAX_WAIT_FOR_UNMOUNT: Millis = 360_000;
/// `v1.TaintNodeOutOfService`.
pub const OUT_OF_SERVICE_TAINT: &str = "node.kubernetes.io/out-of-service";

/// The reconciler's pass at or after `t`: its loop (`wait.UntilWithContext`, work that
/// takes no time) runs every 100 ms from the controller's start, at 0. podsim runs a pass
/// only when something changed or a wait runs out, at the instant the loop would have.
pub fn next_pass(t: SimTime) -> SimTime {
    SimTime::from_ms(t.ms().div_ceil(RECONCILER_LOOP_PERIOD) * RECONCILER_LOOP_PERIOD)
}

/// A container status as `IsPodTerminated` reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerView {
    /// No status reported yet.
    None,
    Waiting,
    Running,
    Terminated,
}

/// `IsPodTerminated` (`pkg/volume/util/util.go`): the pod is `Failed` or `Succeeded`, or it
/// is being deleted and none of its containers runs (`notRunning`: every status is
/// terminated or waiting; no status at all counts as not running). A pod on a node whose
/// kubelet died keeps its last statuses, `Running`: it is never terminated this way.
pub fn is_pod_terminated(terminal_phase: bool, deleting: bool, containers: &[ContainerView]) -> bool {
    terminal_phase || (deleting && containers.iter().all(|c| *c != ContainerView::Running))
}

/// `IsMultiAttachAllowed` for a PersistentVolume: no access modes allows it; any of
/// ReadWriteOnce or ReadWriteOncePod forbids it, whatever else is listed.
pub fn is_multi_attach_allowed(modes: AccessModes) -> bool {
    !modes.contains(AccessMode::ReadWriteOnce) && !modes.contains(AccessMode::ReadWriteOncePod)
}

/// Whether the attach/detach controller attaches the PV to a node before its pods run:
/// CSI volumes (podsim models no CSIDriver objects; `attachRequired` defaults to true) and
/// the in-tree block devices whose plugins attach (`AttachableVolumePlugin`). File
/// volumes (NFS, CephFS, Azure File, ...) and a node's own disks (local, hostPath) are
/// mounted without, and are never in a Multi-Attach error.
pub fn is_attachable(source: &PvSource) -> bool {
    match source {
        PvSource::Csi { .. } => true,
        PvSource::InTree(kind) => matches!(
            *kind,
            "awsElasticBlockStore"
                | "gcePersistentDisk"
                | "azureDisk"
                | "cinder"
                | "vsphereVolume"
                | "photonPersistentDisk"
                | "portworxVolume"
                | "iscsi"
                | "fc"
                | "rbd"
        ),
        PvSource::Local { .. } | PvSource::HostPath { .. } | PvSource::Nfs { .. } => false,
    }
}

/// Why a detach starts (the `forced_detaches` metric's `reason` for the forced ones).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DetachReason {
    /// The kubelet unmounted the volume: the safe detach.
    Unmounted,
    /// `maxWaitForUnmountDuration` ran out on a node that is not healthy.
    Timeout,
    /// The node has the `node.kubernetes.io/out-of-service` taint.
    OutOfService,
}

/// What the reconciler knows of an attached volume that no pod wants there any more.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Undesired {
    /// Since the first pass that saw it unwanted (`SetDetachRequestTime`).
    pub elapsed: Millis,
    /// `maxWaitForUnmountDuration` ([`MAX_WAIT_FOR_UNMOUNT`] unless a test shortens it).
    pub max_wait: Millis,
    /// The node still lists it in `volumesInUse` (assumed until the kubelet says otherwise).
    pub mounted_by_node: bool,
    /// The node's `Ready` condition is True (a node not found is unhealthy).
    pub node_healthy: bool,
    pub out_of_service: bool,
    /// `--disable-force-detach-on-timeout`.
    pub disable_force_detach_on_timeout: bool,
}

/// The detach pass for one attached, unwanted volume (`reconcile`): wait while it is
/// mounted, unless the wait for the unmount ran out (strictly longer than 6 minutes) on
/// an unhealthy node, or the node is out of service.
pub fn detach_decision(u: Undesired) -> Option<DetachReason> {
    let expired = u.elapsed > u.max_wait && !u.disable_force_detach_on_timeout;
    let force = !u.node_healthy && expired;
    if u.mounted_by_node && !force && !u.out_of_service {
        return None;
    }
    Some(if !u.mounted_by_node && !force && !u.out_of_service {
        DetachReason::Unmounted
    } else if force {
        DetachReason::Timeout
    } else {
        DetachReason::OutOfService
    })
}

/// The pass that force-detaches a volume first seen unwanted by the pass at `requested`
/// from an unhealthy node: the first one more than `max_wait` (6 minutes) later.
pub fn timeout_pass(requested: SimTime, max_wait: Millis) -> SimTime {
    next_pass(requested.after(max_wait + 1))
}

/// A pod using the volume on another node, as the Multi-Attach message names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OtherPod<'a> {
    pub namespace: &'a str,
    pub name: &'a str,
}

/// `reportMultiAttachError`: the message for a pod in `namespace` waiting for `volume`
/// (the PV's name, or the pod's volume name for an inline volume), given the pods that
/// use it on the nodes it is attached to. Pods of other namespaces are only counted.
pub fn multi_attach_message(volume: &str, namespace: &str, others: &[OtherPod]) -> String {
    let suffix = if others.is_empty() {
        "Volume is already exclusively attached to one node and can't be attached to another".to_string()
    } else {
        let local: Vec<&str> = others.iter().filter(|p| p.namespace == namespace).map(|p| p.name).collect();
        let elsewhere = others.len() - local.len();
        match (local.is_empty(), elsewhere) {
            (false, 0) => format!("Volume is already used by pod(s) {}", local.join(", ")),
            (false, n) => {
                format!("Volume is already used by pod(s) {} and {n} pod(s) in different namespaces", local.join(", "))
            }
            (true, n) => format!("Volume is already used by {n} pod(s) in different namespaces"),
        }
    };
    // `GenerateMsg`: "%v for volume %q %v".
    format!("Multi-Attach error for volume {volume:?} {suffix}")
}

/// `AttachVolume.Attach succeeded for volume "<volume>" ` (the empty detail leaves a
/// trailing space), recorded on each pod scheduled to the node that uses the volume.
pub fn attach_succeeded_message(volume: &str) -> String {
    format!("AttachVolume.Attach succeeded for volume {volume:?} ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn vectors() -> Value {
        serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/kubernetes/attach_detach.json"
        )))
        .unwrap()
    }

    /// `Test_ReportMultiAttachError`: the event for the pod waiting on the attaching node,
    /// from the pods of the other nodes in the desired state.
    #[test]
    fn multi_attach_messages_follow_report_multi_attach_error() {
        let v = vectors();
        let cases: Vec<&Value> = v["7_attach_detach_reconciler"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["test_func"] == "Test_ReportMultiAttachError")
            .collect();
        assert_eq!(cases.len(), 4);
        for case in cases {
            let attaching = case["attachingNode"].as_str().unwrap();
            let mut waiting = Vec::new();
            let mut others = Vec::new();
            for entry in case["nodesWithPodsInDSW"].as_array().unwrap() {
                let node = entry[0].as_str().unwrap();
                for pod in entry[1].as_array().unwrap() {
                    let (ns, name) = pod.as_str().unwrap().split_once('/').unwrap();
                    let p = OtherPod { namespace: ns, name };
                    if node == attaching { waiting.push(p) } else { others.push(p) }
                }
            }
            let events: Vec<String> = waiting
                .iter()
                .map(|p| {
                    format!("Warning FailedAttachVolume {}", multi_attach_message("volume-name", p.namespace, &others))
                })
                .collect();
            let expected: Vec<String> =
                case["expectedEvents"].as_array().unwrap().iter().map(|e| e.as_str().unwrap().to_string()).collect();
            assert_eq!(events, expected, "{}", case["name"]);
        }
    }

    #[test]
    fn a_terminating_pod_holds_its_volumes_while_a_container_runs() {
        use ContainerView::*;
        assert!(is_pod_terminated(true, false, &[Running]), "a terminal phase");
        assert!(!is_pod_terminated(false, false, &[Terminated]), "not deleting, not terminal");
        assert!(!is_pod_terminated(false, true, &[Running, Terminated]), "the dead node's pod: still Running");
        assert!(is_pod_terminated(false, true, &[Terminated, Waiting]));
        assert!(is_pod_terminated(false, true, &[None]), "no status counts as not running");
        assert!(is_pod_terminated(false, true, &[]));
    }

    #[test]
    fn multi_attach_is_forbidden_by_read_write_once_and_once_pod() {
        use AccessMode::*;
        let modes = |list: &[AccessMode]| {
            let mut m = AccessModes::default();
            for x in list {
                m.insert(*x);
            }
            m
        };
        assert!(is_multi_attach_allowed(modes(&[])));
        assert!(is_multi_attach_allowed(modes(&[ReadWriteMany])));
        assert!(is_multi_attach_allowed(modes(&[ReadOnlyMany, ReadWriteMany])));
        assert!(!is_multi_attach_allowed(modes(&[ReadWriteOnce])));
        assert!(!is_multi_attach_allowed(modes(&[ReadWriteMany, ReadWriteOnce])));
        assert!(!is_multi_attach_allowed(modes(&[ReadOnlyMany, ReadWriteOncePod])));
    }

    #[test]
    fn block_devices_attach_file_shares_and_local_disks_do_not() {
        assert!(is_attachable(&PvSource::Csi { driver: "ebs.csi.aws.com".into(), volume_handle: "v".into() }));
        assert!(is_attachable(&PvSource::InTree("gcePersistentDisk")));
        assert!(!is_attachable(&PvSource::InTree("azureFile")));
        assert!(!is_attachable(&PvSource::Nfs { server: "s".into(), path: "/".into() }));
        assert!(!is_attachable(&PvSource::Local { path: "/mnt".into() }));
    }

    #[test]
    fn detach_waits_for_the_unmount_unless_forced() {
        let base = Undesired {
            elapsed: 0,
            max_wait: MAX_WAIT_FOR_UNMOUNT,
            mounted_by_node: true,
            node_healthy: true,
            out_of_service: false,
            disable_force_detach_on_timeout: false,
        };
        assert_eq!(detach_decision(base), None, "mounted: wait");
        assert_eq!(detach_decision(Undesired { mounted_by_node: false, ..base }), Some(DetachReason::Unmounted));
        let late = Undesired { elapsed: MAX_WAIT_FOR_UNMOUNT + 1, ..base };
        assert_eq!(detach_decision(late), None, "a healthy node is never force-detached");
        assert_eq!(
            detach_decision(Undesired { elapsed: MAX_WAIT_FOR_UNMOUNT, node_healthy: false, ..base }),
            None,
            "strictly longer"
        );
        assert_eq!(detach_decision(Undesired { node_healthy: false, ..late }), Some(DetachReason::Timeout));
        let disabled = Undesired { node_healthy: false, disable_force_detach_on_timeout: true, ..late };
        assert_eq!(detach_decision(disabled), None);
        assert_eq!(detach_decision(Undesired { out_of_service: true, ..disabled }), Some(DetachReason::OutOfService));
        assert_eq!(detach_decision(Undesired { out_of_service: true, ..base }), Some(DetachReason::OutOfService));
    }

    #[test]
    fn passes_fall_on_the_100_ms_grid() {
        assert_eq!(next_pass(SimTime::from_ms(0)), SimTime::from_ms(0));
        assert_eq!(next_pass(SimTime::from_ms(1)), SimTime::from_ms(100));
        assert_eq!(next_pass(SimTime::from_ms(12_300)), SimTime::from_ms(12_300));
        assert_eq!(
            timeout_pass(SimTime::from_ms(12_300), MAX_WAIT_FOR_UNMOUNT),
            SimTime::from_ms(372_400),
            "first pass more than 6 minutes later"
        );
        assert_eq!(attach_succeeded_message("pv-1"), "AttachVolume.Attach succeeded for volume \"pv-1\" ");
    }
}
