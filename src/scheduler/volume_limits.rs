//! NodeVolumeLimits (`pkg/scheduler/framework/plugins/nodevolumelimits/csi.go`): a node
//! attaches at most so many volumes of each CSI driver. The new pod's volumes are
//! counted per driver together with those of the pods on the node (and the volumes the
//! node's VolumeAttachments hold), a volume used by several pods once.
//!
//! The limit per driver: upstream reads it from the node's CSINode object
//! (`spec.drivers[].allocatable.count`); podsim's nodes have no CSINode, so it reads the
//! node's allocatable `attachable-volumes-csi-<driver>` (`GetCSIAttachLimitKey`), where
//! kube-scheduler read it before CSINode carried the limits (`getVolumeLimits` merged
//! both). A driver without a limit is not limited.

use std::collections::BTreeMap;

/// `ErrReasonMaxVolumeCountExceeded`.
pub const MAX_VOLUME_COUNT: &str = "node(s) exceed max volume count";

/// `v1.ResourceAttachableVolumesPrefix` + `csi-`: the node's allocatable key of a
/// driver's limit is this and the driver's name (`GetCSIAttachLimitKey`; upstream
/// shortens a key of 63 characters or more with a SHA-1 of the name, podsim reads the
/// key the scenario writes).
pub const ATTACH_LIMIT_PREFIX: &str = "attachable-volumes-csi-";

/// The in-tree plugins CSI migration moves to a driver (`csi-translation-lib/plugins`),
/// with the volume source field each reads (`api::storage::migrated_driver` names the
/// driver of a field).
pub const IN_TREE_PLUGINS: [(&str, &str); 7] = [
    ("kubernetes.io/aws-ebs", "awsElasticBlockStore"),
    ("kubernetes.io/gce-pd", "gcePersistentDisk"),
    ("kubernetes.io/azure-disk", "azureDisk"),
    ("kubernetes.io/azure-file", "azureFile"),
    ("kubernetes.io/cinder", "cinder"),
    ("kubernetes.io/vsphere-volume", "vsphereVolume"),
    ("kubernetes.io/portworx-volume", "portworxVolume"),
];

/// `GetCSINameFromInTreeName`: the driver an in-tree plugin (`kubernetes.io/aws-ebs`)
/// migrates to.
pub fn migrated_driver(plugin: &str) -> Option<&'static str> {
    let field = IN_TREE_PLUGINS.iter().find(|(p, _)| *p == plugin)?.1;
    crate::api::storage::migrated_driver(field)
}

/// The in-tree plugin of a volume source field (`awsElasticBlockStore`).
pub fn plugin_of_source(field: &str) -> Option<&'static str> {
    IN_TREE_PLUGINS.iter().find(|(_, f)| *f == field).map(|(p, _)| *p)
}

/// A pod volume as this plugin counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counted<'a> {
    /// A `persistentVolumeClaim` volume (by claim name), or a generic ephemeral volume
    /// (its claim `<pod>-<volume>`, which must be owned by the pod).
    Claim { name: &'a str, ephemeral: bool },
    /// An inline in-tree volume CSI migration can move (`IsInlineMigratable`): its
    /// plugin and volume id.
    Inline { plugin: &'a str, handle: &'a str },
}

/// A pod as the plugin reads it.
#[derive(Clone, Copy, Debug)]
pub struct PodVolumes<'a> {
    pub namespace: &'a str,
    pub name: &'a str,
    /// Its uid number (what owns an ephemeral volume's claim).
    pub uid: u64,
    pub volumes: &'a [Counted<'a>],
}

/// A PV's source as the plugin reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source<'a> {
    Csi {
        driver: &'a str,
        handle: &'a str,
    },
    /// An in-tree source CSI migration can move: its plugin and volume id.
    InTree {
        plugin: &'a str,
        handle: &'a str,
    },
    Other,
}

/// A claim as the plugin reads it.
#[derive(Clone, Copy, Debug)]
pub struct Claim<'a> {
    pub volume_name: &'a str,
    pub class: &'a str,
    /// The uid number of the pod that owns the claim (generic ephemeral volumes), if any.
    pub owner: Option<u64>,
}

/// The listers the plugin reads.
pub trait Listers {
    fn claim(&self, namespace: &str, name: &str) -> Option<Claim<'_>>;
    /// A PV's source; `None` if there is no such PV.
    fn volume(&self, name: &str) -> Option<Source<'_>>;
    /// A class's provisioner; `None` if there is no such class.
    fn provisioner(&self, class: &str) -> Option<&str>;
}

/// The node as the plugin reads it.
pub struct Node<'a> {
    /// Limit per driver.
    pub limits: &'a BTreeMap<String, i64>,
    /// Whether CSI migration is on for an in-tree plugin on the node (`isCSIMigrationOn`).
    pub migrated: &'a dyn Fn(&str) -> bool,
    /// The volumes (driver, handle) of the node's VolumeAttachments.
    pub attachments: &'a [(&'a str, &'a str)],
}

/// Why a pod does not fit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `Unschedulable`: over a driver's limit.
    Exceeded,
    /// `UnschedulableAndUnresolvable`: the new pod's claim does not exist.
    ClaimNotFound { namespace: String, name: String },
    /// `Error`: an ephemeral volume's claim was not made for the pod.
    NotOwner { namespace: String, claim: String, pod: String },
}

impl Refusal {
    /// The status message; `not_found` words the lister's NotFound error
    /// (`persistentvolumeclaim "x" not found`).
    pub fn message(&self, not_found: impl Fn(&str) -> String) -> String {
        match self {
            Refusal::Exceeded => MAX_VOLUME_COUNT.into(),
            Refusal::ClaimNotFound { namespace, name } => {
                format!("looking up PVC {namespace}/{name}: {}", not_found(name))
            }
            Refusal::NotOwner { namespace, claim, pod } => {
                format!("PVC {namespace}/{claim} was not created for pod {namespace}/{pod} (pod is not owner)")
            }
        }
    }
}

/// PreFilter: the plugin runs for pods with a claim, a generic ephemeral volume or a
/// migratable inline volume; others skip (`false`).
pub fn prefilter(volumes: &[Counted]) -> bool {
    !volumes.is_empty()
}

/// The handle CSI migration gives an in-tree volume id: an EBS `aws://zone/vol-1` is
/// `vol-1` (`KubernetesVolumeIDToEBSVolumeID`); other ids are kept.
fn translated_handle<'a>(plugin: &str, handle: &'a str) -> &'a str {
    match handle.strip_prefix("aws://") {
        Some(rest) if plugin == "kubernetes.io/aws-ebs" => rest.rsplit('/').next().unwrap_or(rest),
        _ => handle,
    }
}

/// `getCSIDriverInfoFromSC`: an unbound claim counts as one volume of its class's
/// provisioner, with a handle of its own (podsim's fixed prefix stands for upstream's
/// random one).
fn from_class(l: &impl Listers, node: &Node, namespace: &str, name: &str, class: &str) -> Option<(String, String)> {
    if class.is_empty() {
        return None;
    }
    let provisioner = l.provisioner(class)?;
    let handle = format!("podsim-unbound-{namespace}/{name}");
    match migrated_driver(provisioner) {
        Some(driver) => (node.migrated)(provisioner).then(|| (driver.to_string(), handle)),
        None => Some((provisioner.to_string(), handle)),
    }
}

/// `getCSIDriverInfo`: the claim's driver and volume handle, or `None` (not counted).
fn driver_info(l: &impl Listers, node: &Node, namespace: &str, name: &str, claim: &Claim) -> Option<(String, String)> {
    if claim.volume_name.is_empty() {
        return from_class(l, node, namespace, name, claim.class);
    }
    match l.volume(claim.volume_name) {
        None => from_class(l, node, namespace, name, claim.class),
        Some(Source::Csi { driver, handle }) => Some((driver.to_string(), handle.to_string())),
        Some(Source::InTree { plugin, handle }) => {
            let driver = migrated_driver(plugin).filter(|_| (node.migrated)(plugin))?;
            Some((driver.to_string(), translated_handle(plugin, handle).to_string()))
        }
        Some(Source::Other) => None,
    }
}

/// `filterAttachableVolumes`: each counted volume of the pod as `driver/handle` →
/// driver. A missing claim of the new pod refuses it; of a pod already on the node, it
/// is not counted.
fn attachable(
    l: &impl Listers,
    node: &Node,
    pod: &PodVolumes,
    new_pod: bool,
    out: &mut BTreeMap<String, String>,
) -> Result<(), Refusal> {
    for v in pod.volumes {
        let (driver, handle) = match *v {
            Counted::Inline { plugin, handle } => match migrated_driver(plugin).filter(|_| (node.migrated)(plugin)) {
                Some(driver) => (driver.to_string(), translated_handle(plugin, handle).to_string()),
                None => continue,
            },
            Counted::Claim { name, ephemeral } => {
                let claim_name = match ephemeral {
                    true => format!("{}-{name}", pod.name),
                    false => name.to_string(),
                };
                let Some(claim) = l.claim(pod.namespace, &claim_name) else {
                    if new_pod {
                        return Err(Refusal::ClaimNotFound { namespace: pod.namespace.into(), name: claim_name });
                    }
                    continue;
                };
                if ephemeral && claim.owner != Some(pod.uid) {
                    return Err(Refusal::NotOwner {
                        namespace: pod.namespace.into(),
                        claim: claim_name,
                        pod: pod.name.into(),
                    });
                }
                match driver_info(l, node, pod.namespace, &claim_name, &claim) {
                    Some(info) if !info.0.is_empty() && !info.1.is_empty() => info,
                    _ => continue,
                }
            }
        };
        out.insert(format!("{driver}/{handle}"), driver);
    }
    Ok(())
}

/// Filter on one node: the pod's new volumes of each driver, with those the node's pods
/// and VolumeAttachments already hold, within the driver's limit.
pub fn filter<'a>(
    l: &impl Listers,
    pod: &PodVolumes,
    on_node: impl IntoIterator<Item = PodVolumes<'a>>,
    node: &Node,
) -> Result<(), Refusal> {
    let mut new = BTreeMap::new();
    attachable(l, node, pod, true, &mut new)?;
    if new.is_empty() || node.limits.is_empty() {
        return Ok(());
    }
    let mut attached = BTreeMap::new();
    for other in on_node {
        // Upstream turns an error here into an Error status; an existing pod's
        // ephemeral claim owned by someone else is left uncounted instead.
        let _ = attachable(l, node, &other, false, &mut attached);
    }
    for unique in attached.keys() {
        new.remove(unique);
    }
    // The VolumeAttachments' volumes count beside the pods' (once each), but do not take
    // a volume off the new pod's: csi_test.go counts two attachments and the new pod's
    // volume, one of the two, as three (⚠ upstream's exact de-duplication not read).
    for (driver, handle) in node.attachments {
        attached.insert(format!("{driver}/{handle}"), driver.to_string());
    }
    let mut attached_count: BTreeMap<&str, i64> = BTreeMap::new();
    for driver in attached.values() {
        *attached_count.entry(driver).or_default() += 1;
    }
    let mut new_count: BTreeMap<&str, i64> = BTreeMap::new();
    for driver in new.values() {
        *new_count.entry(driver).or_default() += 1;
    }
    let exceeded = new_count.iter().any(|(driver, count)| {
        node.limits.get(*driver).is_some_and(|max| attached_count.get(driver).copied().unwrap_or(0) + count > *max)
    });
    if exceeded { Err(Refusal::Exceeded) } else { Ok(()) }
}

#[cfg(test)]
mod tests;
