//! The volume plugins in a scheduling cycle, in kube-scheduler's order
//! (`default_plugins.go`: VolumeRestrictions, NodeVolumeLimits, VolumeBinding,
//! VolumeZone): PreFilter once per pod, Filter per node, and VolumeBinding's Reserve
//! (what the pod's claims need on the chosen node). The plugins are pure
//! (`volume_*.rs`); this reads the cluster for them ([`SimStorage`]). A pod without
//! volumes never gets here.

use super::filter::{Reason, hint};
use super::volume_binding::{self, PodClaim};
use super::volume_limits::{self, Counted};
use super::volume_restrictions::{self, ClaimUse, Disk, RwopUse};
use super::volume_zone::{self, ClaimZone, PvTopology};
use crate::api::storage::{AccessMode, StorageClass};
use crate::cluster::storage::{BindingMode, Volume};
use crate::cluster::volumes::Source;
use crate::cluster::{Cluster, NodeId, Pod};
use crate::controllers::persistentvolume::matching::{ClaimFacts, VolumeFacts, may_match_on_some_node};
use crate::controllers::persistentvolume::{claim_facts, volume_facts};
use std::collections::BTreeMap;

/// The cluster's storage objects as the plugins' listers show them.
pub struct SimStorage<'a> {
    pub cluster: &'a Cluster,
}

impl volume_binding::Listers for SimStorage<'_> {
    fn claim(&self, namespace: &str, name: &str) -> Option<volume_binding::Claim<'_>> {
        let s = &self.cluster.storage;
        let c = s.claims.get(s.find_claim(namespace, name)?)?;
        Some(volume_binding::Claim {
            facts: claim_facts(c),
            volume_name: c.status.volume_name.as_deref().unwrap_or(""),
            bind_completed: c.status.fully_bound(),
            lost: c.status.phase == crate::cluster::storage::ClaimPhase::Lost,
            deleting: c.status.deletion.is_some(),
            selected_node: c.status.selected_node(),
            owner: c.owner_pod,
        })
    }

    fn volume(&self, name: &str) -> Option<VolumeFacts<'_>> {
        let s = &self.cluster.storage;
        s.volumes.get(s.find_volume(name)?).map(volume_facts)
    }

    fn class(&self, name: &str) -> Option<&StorageClass> {
        self.cluster.storage.class(name).map(|c| &*c.api)
    }

    /// The PV cache's `ListPVs(class)`, in the order the PVs were created.
    fn class_volumes(&self, class: &str) -> Vec<VolumeFacts<'_>> {
        let mut all: Vec<&Volume> =
            self.cluster.storage.volumes.iter().map(|(_, v)| v).filter(|v| *v.class == *class).collect();
        all.sort_unstable_by_key(|v| v.uid);
        all.into_iter().map(volume_facts).collect()
    }

    /// As the default, without reading the PVs bound to other claims (most of them, in a
    /// cluster of provisioned volumes, and each scheduling cycle of a delayed claim asks).
    fn candidates(&self, claim: &ClaimFacts) -> Vec<VolumeFacts<'_>> {
        let mut fit: Vec<&Volume> = self
            .cluster
            .storage
            .volumes
            .iter()
            .map(|(_, v)| v)
            .filter(|v| {
                v.status.claim_ref.as_ref().is_none_or(|r| *r.name == *claim.name && *r.namespace == *claim.namespace)
                    && *v.class == *claim.class
            })
            .collect();
        fit.sort_unstable_by_key(|v| v.uid);
        fit.into_iter().map(volume_facts).filter(|v| may_match_on_some_node(claim, v)).collect()
    }
}

impl volume_limits::Listers for SimStorage<'_> {
    fn claim(&self, namespace: &str, name: &str) -> Option<volume_limits::Claim<'_>> {
        let s = &self.cluster.storage;
        let c = s.claims.get(s.find_claim(namespace, name)?)?;
        Some(volume_limits::Claim {
            volume_name: c.status.volume_name.as_deref().unwrap_or(""),
            class: &c.class,
            owner: c.owner_pod,
        })
    }

    fn volume(&self, name: &str) -> Option<volume_limits::Source<'_>> {
        let s = &self.cluster.storage;
        let v = s.volumes.get(s.find_volume(name)?)?;
        Some(match &v.source {
            crate::api::storage::PvSource::Csi { driver, volume_handle } => {
                volume_limits::Source::Csi { driver, handle: volume_handle }
            }
            crate::api::storage::PvSource::InTree(field) => match volume_limits::plugin_of_source(field) {
                // The in-tree volume's id: podsim keeps none, the PV's name stands for it.
                Some(plugin) => volume_limits::Source::InTree { plugin, handle: &v.name },
                None => volume_limits::Source::Other,
            },
            _ => volume_limits::Source::Other,
        })
    }

    fn provisioner(&self, class: &str) -> Option<&str> {
        self.cluster.storage.class(class).map(|c| &*c.provisioner)
    }
}

/// What the volume plugins know of one pod's volumes.
#[derive(Clone, Debug, Default)]
pub struct PodVolumeInfo {
    pub claims: Vec<PodClaim>,
    /// Inline disks VolumeRestrictions checks.
    pub disks: Vec<Disk>,
    /// Inline in-tree volumes CSI migration counts: (plugin, volume id).
    pub inline: Vec<(String, String)>,
}

impl PodVolumeInfo {
    pub fn of(pod: &Pod) -> PodVolumeInfo {
        let mut info = PodVolumeInfo::default();
        for (i, name) in pod.template.volumes.claims(&pod.name) {
            let ephemeral = matches!(pod.template.volumes.volumes[i].source, Source::Ephemeral(_));
            info.claims.push(PodClaim { name: name.into_owned(), ephemeral });
        }
        for v in &pod.template.spec.volumes {
            for source in v.sources() {
                let crate::api::volume::VolumeSourceRef::Other(field, value) = source else { continue };
                info.disks.extend(Disk::of(field, value));
                if let Some(plugin) = volume_limits::plugin_of_source(field) {
                    info.inline.push((plugin.to_string(), inline_id(field, value)));
                }
            }
        }
        info
    }

    /// The volumes NodeVolumeLimits counts. The claims go by the names the pod's
    /// volumes resolve to (an ephemeral volume's `<pod>-<volume>` already), so the
    /// plugin's check that the pod owns an ephemeral claim is VolumeBinding's here.
    fn counted(&self) -> Vec<Counted<'_>> {
        let claims = self.claims.iter().map(|c| Counted::Claim { name: &c.name, ephemeral: false });
        let inline = self.inline.iter().map(|(p, h)| Counted::Inline { plugin: p, handle: h });
        claims.chain(inline).collect()
    }
}

/// The id CSI migration gives an inline in-tree volume (`volumeID`, `pdName`, ...).
fn inline_id(field: &str, value: &serde_json::Value) -> String {
    let key = match field {
        "gcePersistentDisk" => "pdName",
        "azureDisk" => "diskURI",
        "azureFile" => "shareName",
        "vsphereVolume" => "volumePath",
        _ => "volumeID",
    };
    value[key].as_str().unwrap_or("").to_string()
}

/// The volume plugins' PreFilter state for one pod.
pub struct VolumeCycle {
    namespace: std::sync::Arc<str>,
    name: std::sync::Arc<str>,
    uid: u64,
    info: PodVolumeInfo,
    restrictions: Option<volume_restrictions::State>,
    /// NodeVolumeLimits runs (the pod has a counted volume and some node has a limit):
    /// the drivers' limit keys, by resource index.
    limits: Vec<(String, usize)>,
    binding: Option<volume_binding::State>,
    zone: Option<Vec<PvTopology>>,
    /// The Kubernetes version followed (the words of VolumeBinding's node conflict).
    minor: u32,
}

impl VolumeCycle {
    /// PreFilter of the four plugins in order: `Ok(None)` when all skip; `Err` with the
    /// first refusal's message and the events that may help.
    pub fn prefilter(cluster: &Cluster, pod: &Pod, minor: u32) -> Result<Option<VolumeCycle>, (String, u16)> {
        if pod.template.volumes.is_empty() {
            return Ok(None);
        }
        let storage = SimStorage { cluster };
        let info = PodVolumeInfo::of(pod);
        let restrictions = volume_restrictions::prefilter(!info.disks.is_empty(), claim_uses(cluster, pod, &info))
            .map_err(|m| (m, hint::RESTRICTIONS))?;
        let limits = if volume_limits::prefilter(&info.counted()) { limit_keys(cluster) } else { Vec::new() };
        let claims =
            volume_binding::Pod { namespace: &pod.namespace, name: &pod.name, uid: pod.uid, claims: &info.claims };
        let binding = volume_binding::prefilter(&storage, &claims).map_err(|m| (m, hint::BINDING))?;
        let zone = volume_zone::prefilter(
            info.claims
                .iter()
                .filter(|c| !c.ephemeral)
                .map(|c| (c.name.as_str(), claim_zone(cluster, &pod.namespace, &c.name))),
        )
        .map_err(|m| (m, hint::BINDING))?;
        let cycle = VolumeCycle {
            namespace: pod.namespace.clone(),
            name: pod.name.clone(),
            uid: pod.uid,
            info,
            restrictions,
            limits,
            binding,
            zone,
            minor,
        };
        let active =
            cycle.restrictions.is_some() || !cycle.limits.is_empty() || cycle.binding.is_some() || cycle.zone.is_some();
        Ok(active.then_some(cycle))
    }

    /// Filter on one node, in order; the first plugin that refuses gives its reasons.
    pub fn filter(&self, cluster: &Cluster, node: NodeId, out: &mut Vec<Reason>) -> bool {
        let n = cluster.node(node);
        if let Some(state) = &self.restrictions {
            let disks: Vec<Disk> = if self.info.disks.is_empty() {
                Vec::new()
            } else {
                n.pods.iter().filter_map(|p| cluster.pods.get(*p)).flat_map(|p| PodVolumeInfo::of(p).disks).collect()
            };
            if let Err(reason) = volume_restrictions::filter(state, &self.info.disks, &disks) {
                out.push(Reason::VolumeRestrictions(reason));
                return false;
            }
        }
        if !self.limits.is_empty()
            && let Err(refusal) = self.limits_filter(cluster, node)
        {
            out.push(match refusal {
                volume_limits::Refusal::Exceeded => Reason::VolumeLimits,
                other => {
                    Reason::VolumeLimitsLookup(other.message(|n| format!("persistentvolumeclaim {n:?} not found")))
                }
            });
            return false;
        }
        if let Some(state) = &self.binding {
            let pod = self.binding_pod();
            if let Err(conflicts) = volume_binding::filter(&SimStorage { cluster }, &pod, state, &n.name, &n.labels) {
                out.extend(conflicts.iter().map(|c| Reason::VolumeBinding(c.message(self.minor))));
                return false;
            }
        }
        if let Some(topologies) = &self.zone
            && volume_zone::filter(topologies, &n.labels).is_err()
        {
            out.push(Reason::VolumeZone);
            return false;
        }
        true
    }

    /// Reserve (`AssumePodVolumes`): what binding the pod's claims on `node` needs;
    /// empty when they are all bound.
    pub fn reserve(&self, cluster: &Cluster, node: NodeId) -> volume_binding::NodeVolumes {
        let Some(state) = &self.binding else { return Default::default() };
        let n = cluster.node(node);
        volume_binding::filter(&SimStorage { cluster }, &self.binding_pod(), state, &n.name, &n.labels)
            .unwrap_or_default()
    }

    fn binding_pod(&self) -> volume_binding::Pod<'_> {
        volume_binding::Pod { namespace: &self.namespace, name: &self.name, uid: self.uid, claims: &self.info.claims }
    }

    fn limits_filter(&self, cluster: &Cluster, node: NodeId) -> Result<(), volume_limits::Refusal> {
        let n = cluster.node(node);
        let limits: BTreeMap<String, i64> = self
            .limits
            .iter()
            .map(|(driver, i)| (driver.clone(), n.allocatable.get(*i)))
            .filter(|(_, max)| *max > 0)
            .collect();
        let counted = self.info.counted();
        let pod = volume_limits::PodVolumes {
            namespace: &self.namespace,
            name: &self.name,
            uid: self.uid,
            volumes: &counted,
        };
        let others: Vec<(&Pod, PodVolumeInfo)> =
            n.pods.iter().filter_map(|p| cluster.pods.get(*p)).map(|p| (p, PodVolumeInfo::of(p))).collect();
        let others_counted: Vec<Vec<Counted>> = others.iter().map(|(_, i)| i.counted()).collect();
        let on_node = others.iter().zip(&others_counted).map(|((p, _), c)| volume_limits::PodVolumes {
            namespace: &p.namespace,
            name: &p.name,
            uid: p.uid,
            volumes: c,
        });
        // Every in-tree plugin is migrated on podsim's nodes (their CSI drivers run).
        let node_view = volume_limits::Node { limits: &limits, migrated: &|_| true, attachments: &[] };
        volume_limits::filter(&SimStorage { cluster }, &pod, on_node, &node_view)
    }
}

/// The drivers whose limit some node states (`attachable-volumes-csi-<driver>` among
/// the cluster's resources), with the resource's index.
fn limit_keys(cluster: &Cluster) -> Vec<(String, usize)> {
    (cluster.resources.names().enumerate())
        .filter_map(|(i, name)| Some((name.strip_prefix(volume_limits::ATTACH_LIMIT_PREFIX)?.to_string(), i)))
        .collect()
}

/// VolumeRestrictions' look at the pod's `persistentVolumeClaim` volumes: found, and a
/// ReadWriteOncePod one used by a pod on a node (or being bound to one).
fn claim_uses<'a>(cluster: &Cluster, pod: &Pod, info: &'a PodVolumeInfo) -> Vec<ClaimUse<'a>> {
    let storage = &cluster.storage;
    info.claims
        .iter()
        .filter(|c| !c.ephemeral)
        .map(|c| {
            let found =
                storage.find_claim(&pod.namespace, &c.name).and_then(|id| storage.claims.get(id)).map(|claim| {
                    let rwop = claim.modes.contains(AccessMode::ReadWriteOncePod);
                    RwopUse { read_write_once_pod: rwop, used: rwop && claim_used(cluster, pod, &c.name) }
                });
            ClaimUse { name: &c.name, found }
        })
        .collect()
}

/// `IsPVCUsedByPods`: a pod other than this one, on a node and not finished, uses the claim.
fn claim_used(cluster: &Cluster, pod: &Pod, claim: &str) -> bool {
    cluster.pods.iter().any(|(_, p)| {
        p.uid != pod.uid
            && p.namespace == pod.namespace
            && p.node.is_some()
            && !p.terminal
            && p.template.volumes.uses_claim(&p.name, claim)
    })
}

/// VolumeZone's look at a claim (`getPVbyPod`).
fn claim_zone<'a>(cluster: &'a Cluster, namespace: &str, name: &str) -> Option<ClaimZone<'a>> {
    let s = &cluster.storage;
    let c = s.claims.get(s.find_claim(namespace, name)?)?;
    Some(match c.status.volume_name.as_deref() {
        Some(volume) => ClaimZone::Bound {
            volume,
            labels: s.find_volume(volume).and_then(|v| s.volumes.get(v)).map(|v| &*v.labels),
        },
        None => ClaimZone::Unbound {
            class: &c.class,
            wait: s.class(&c.class).map(|k| Some(k.binding == BindingMode::WaitForFirstConsumer)),
        },
    })
}
