//! The Events of the PV controller (`pkg/controller/volume/events/event.go` and the
//! literals of `pv_controller.go`) and of the external provisioner
//! (`sig-storage-lib-external-provisioner/controller/controller.go`), word for word.

/// Normal, on a claim the controller cannot bind and has no class to provision from.
pub const FAILED_BINDING: &str = "FailedBinding";
pub const NO_VOLUME_NO_CLASS: &str = "no persistent volumes available for this claim and no storage class is set";

/// Warning, on a claim pre-bound to a PV bound to another claim.
pub fn already_bound(pv: &str) -> String {
    format!("volume {pv:?} already bound to a different claim.")
}

/// Warning, on a claim pre-bound to a PV that does not suit it.
pub const VOLUME_MISMATCH: &str = "VolumeMismatch";
pub fn cannot_bind(pv: &str, why: &str) -> String {
    format!("Cannot bind to requested volume {pv:?}: {why}")
}

/// Normal, on a WaitForFirstConsumer claim no pod waits for.
pub const WAIT_FOR_FIRST_CONSUMER: &str = "WaitForFirstConsumer";
pub const WAITING_FOR_FIRST_CONSUMER: &str = "waiting for first consumer to be created before binding";

/// Normal, on a WaitForFirstConsumer claim whose pods are not scheduled yet.
pub const WAIT_FOR_POD_SCHEDULED: &str = "WaitForPodScheduled";
/// `waiting for pod a to be scheduled`, `waiting for pods a,b to be scheduled`.
pub fn waiting_for_pods(pods: &[&str]) -> String {
    match pods {
        [one] => format!("waiting for pod {one} to be scheduled"),
        many => format!("waiting for pods {} to be scheduled", many.join(",")),
    }
}

/// Normal, on a claim an external provisioner is expected to provision for.
pub const EXTERNAL_PROVISIONING: &str = "ExternalProvisioning";
pub fn waiting_for_provisioner(provisioner: &str) -> String {
    format!(
        "Waiting for a volume to be created either by the external provisioner '{provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered."
    )
}

/// Warning, on a claim whose class does not exist.
pub const PROVISIONING_FAILED: &str = "ProvisioningFailed";
/// The class lister's NotFound error (⚠ the event carries it as it is).
pub fn class_not_found(class: &str) -> String {
    format!("storageclass.storage.k8s.io {class:?} not found")
}

/// The external provisioner's, when it starts and when the PV is saved.
pub const PROVISIONING: &str = "Provisioning";
pub fn provisioning(namespace: &str, claim: &str) -> String {
    format!("External provisioner is provisioning volume for claim \"{namespace}/{claim}\"")
}
pub const PROVISIONING_SUCCEEDED: &str = "ProvisioningSucceeded";
pub fn provisioned(pv: &str) -> String {
    format!("Successfully provisioned volume {pv}")
}

/// Warning, on a bound claim whose PV is gone or names another claim.
pub const CLAIM_LOST: &str = "ClaimLost";
pub const LOST_REFERENCE: &str = "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!";
pub const LOST_VOLUME: &str = "Bound claim has lost its PersistentVolume. Data on the volume is lost!";
pub const CLAIM_MISBOUND: &str = "ClaimMisbound";
pub const MISBOUND: &str = "Two claims are bound to the same volume, this one is bound incorrectly";

/// Warning, on a released PV whose reclaim cannot be carried out.
pub const VOLUME_FAILED_DELETE: &str = "VolumeFailedDelete";
/// `findDeletablePlugin`'s error for a PV no provisioner made and no in-tree plugin
/// deletes (⚠ wording recalled).
pub fn no_deleter(pv: &str) -> String {
    format!("error getting deleter volume plugin for volume {pv:?}: no deletable volume plugin matched")
}
pub const VOLUME_FAILED_RECYCLE: &str = "VolumeFailedRecycle";
pub const NO_RECYCLER: &str = "No recycler plugin found for the volume!";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_as_upstream_writes_them() {
        assert_eq!(waiting_for_pods(&["web-0"]), "waiting for pod web-0 to be scheduled");
        assert_eq!(waiting_for_pods(&["a", "b"]), "waiting for pods a,b to be scheduled");
        assert_eq!(
            provisioning("default", "data"),
            "External provisioner is provisioning volume for claim \"default/data\""
        );
        assert!(waiting_for_provisioner("ebs.csi.aws.com").starts_with(
            "Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com' or manually"
        ));
        assert_eq!(already_bound("pv-1"), "volume \"pv-1\" already bound to a different claim.");
    }
}
