//! The storage objects as the API server keeps them: PersistentVolumeClaims and
//! PersistentVolumes (created through their admission plugins, deleted gracefully
//! while a finalizer holds them, their status written by the storage controllers),
//! StorageClasses, ConfigMaps and Secrets. Each change is recorded here: a row of
//! transitions.csv when a claim's or a PV's phase changes (and `Deleted` when it
//! leaves), a status line of objects.jsonl for the views, and a typed [`Change`].

// The storage controllers (the PV controller, the scheduler's volume plugins, attach and
// detach, the kubelet's volume manager, StatefulSets) read and write what is here; until
// each lands, parts of it have no reader yet.
#![allow(dead_code)]

use super::{Change, Ctx};
use crate::api::config::{ConfigMap as ApiConfigMap, Secret as ApiSecret};
use crate::api::storage::{
    PersistentVolume as ApiPv, PersistentVolumeClaim as ApiClaim, StorageClass as ApiClass, keys,
};
use crate::cluster::storage::{
    BindingMode, Claim, ClaimId, ClaimStatus, Class, ClassId, ConfigMap, ConfigMapId, PvId, PvStatus, ReclaimPolicy,
    Secret, SecretId, Volume, VolumeMode,
};
use crate::cluster::template::RequiredNodeAffinity;
use crate::trace::{EventType, ObjectRecord};
use std::sync::Arc;

/// The kinds as transitions.csv and events.csv name them.
pub const CLAIM: &str = "PersistentVolumeClaim";
pub const VOLUME: &str = "PersistentVolume";

/// `created` slots of [`crate::cluster::storage::StorageState`].
const CLAIMS: usize = 0;
const VOLUMES: usize = 1;
const CLASSES: usize = 2;
const CONFIG_MAPS: usize = 3;
const SECRETS: usize = 4;

/// The name of a copy of an arrival stream (`<name>-<n>`).
fn copy_name(name: &str, copy: Option<u64>) -> String {
    match copy {
        Some(n) => format!("{name}-{n}"),
        None => name.to_string(),
    }
}

impl Ctx<'_> {
    fn refuse_duplicate(&mut self, resource: &str, namespace: &str, name: &str) {
        let at = if namespace.is_empty() { name.to_string() } else { format!("{namespace}/{name}") };
        self.warn_once(format!("{resource} {at} already exists: the second create was refused"));
    }

    // -----------------------------------------------------------------------------
    // PersistentVolumeClaims

    /// Creates a claim (`copy` numbers the copies of an arrival stream; `owner_pod`
    /// is the uid number of the pod a generic ephemeral volume's claim belongs to).
    /// Admission first: DefaultStorageClass gives a claim that names no class the
    /// default one (`plugin/pkg/admission/storage/storageclass/setdefault`), and
    /// StorageObjectInUseProtection adds `kubernetes.io/pvc-protection`
    /// (`plugin/pkg/admission/storage/storageobjectinuseprotection`). `None` if a claim
    /// of that name exists.
    pub fn create_claim(&mut self, api: &ApiClaim, copy: Option<u64>, owner_pod: Option<u64>) -> Option<ClaimId> {
        let namespace = api.metadata.namespace().to_string();
        let name = copy_name(&api.metadata.name, copy);
        if self.cluster.storage.claim_by_name.contains(&namespace, &name) {
            self.refuse_duplicate("persistentvolumeclaim", &namespace, &name);
            return None;
        }
        let mut api = api.clone();
        api.metadata.name = name.clone();
        api.metadata.namespace = Some(namespace.clone());
        if api.has_no_class()
            && let Some(default) = self.cluster.storage.default_class()
        {
            api.spec.storage_class_name = Some(default.name.to_string());
        }
        let ns = self.cluster.intern_namespace(&namespace);
        let storage = &mut self.cluster.storage;
        storage.created[CLAIMS] += 1;
        let selector = api.spec.selector.as_ref().map(|s| {
            crate::labels::label_selector_as_selector(Some(s)).unwrap_or_else(|_| crate::labels::Selector::nothing())
        });
        let status = ClaimStatus {
            volume_name: api.spec.volume_name.as_deref().filter(|v| !v.is_empty()).map(Arc::from),
            annotations: api.metadata.annotations.clone(),
            finalizers: vec![keys::PVC_PROTECTION.to_string()],
            ..ClaimStatus::default()
        };
        let claim = Claim {
            uid: storage.created[CLAIMS],
            namespace: ns.clone(),
            name: Arc::from(name.as_str()),
            created: self.now,
            modes: api.spec.access_mode_set(),
            request: api.spec.storage_request().map_or(0, |q| q.value()),
            class: Arc::from(api.class()),
            no_class: api.has_no_class(),
            volume_mode: VolumeMode::parse(api.spec.volume_mode.as_deref()),
            selector,
            owner_pod,
            status,
            reported: None,
            api: Arc::new(api),
        };
        let shared = claim.name.clone();
        let id = storage.claims.insert(claim);
        storage.claim_by_name.insert(&ns, &shared, id);
        if self.rec.records_objects {
            let c = self.cluster.storage.claims.get(id).expect("inserted");
            self.rec.sink.object(&ObjectRecord::ClaimCreated { time: self.now, uid: c.uid, claim: &c.api });
        }
        self.report_claim(id, "");
        self.changed(Change::ClaimCreated(id));
        Some(id)
    }

    /// Changes what a controller writes of a claim (phase, `volumeName`, capacity,
    /// annotations), recording it if the API shows something new; `reason` goes in
    /// the transition row if the phase changed.
    pub fn update_claim(&mut self, id: ClaimId, reason: &str, write: impl FnOnce(&mut ClaimStatus)) {
        let Some(c) = self.cluster.storage.claims.get_mut(id) else { return };
        write(&mut c.status);
        if c.reported.as_ref() == Some(&c.status) {
            return;
        }
        self.report_claim(id, reason);
        self.changed(Change::ClaimUpdated(id));
    }

    /// The PV controller gives a claim that names no class the default one
    /// (RetroactiveDefaultStorageClass, `assignDefaultStorageClass`): its
    /// `spec.storageClassName` is written. (The views read the spec a claim was created
    /// with, so they do not show it.)
    pub fn set_claim_class(&mut self, id: ClaimId, class: &str) {
        let Some(c) = self.cluster.storage.claims.get_mut(id) else { return };
        let mut api = (*c.api).clone();
        api.spec.storage_class_name = Some(class.to_string());
        c.api = Arc::new(api);
        c.class = Arc::from(class);
        c.no_class = false;
        self.changed(Change::ClaimUpdated(id));
    }

    /// Sets or removes (`None`) an annotation of a claim.
    pub fn annotate_claim(&mut self, id: ClaimId, key: &str, value: Option<&str>) {
        self.update_claim(id, "", |s| match value {
            Some(v) => {
                s.annotations.insert(key.to_string(), v.to_string());
            }
            None => {
                s.annotations.remove(key);
            }
        });
    }

    /// `kubectl delete pvc`: with a finalizer left, the claim gets its deletion
    /// timestamp and stays (`Terminating`) until the last finalizer goes; without, it
    /// leaves at once.
    pub fn delete_claim(&mut self, id: ClaimId) {
        let Some(c) = self.cluster.storage.claims.get(id) else { return };
        if c.status.deletion.is_some() {
            return;
        }
        if c.status.finalizers.is_empty() {
            self.remove_claim(id);
            return;
        }
        let now = self.now;
        self.update_claim(id, "", |s| s.deletion = Some(now));
    }

    /// A controller removes its finalizer (`kubernetes.io/pvc-protection` when no pod
    /// uses the claim); the claim being deleted leaves with the last one.
    pub fn remove_claim_finalizer(&mut self, id: ClaimId, finalizer: &str) {
        let Some(c) = self.cluster.storage.claims.get(id) else { return };
        if c.status.deletion.is_some() && c.status.finalizers.iter().all(|f| f == finalizer) {
            self.remove_claim(id);
            return;
        }
        self.update_claim(id, "", |s| s.finalizers.retain(|f| f != finalizer));
    }

    /// Adds a finalizer (the protection controller's, to a claim made before it ran).
    pub fn add_claim_finalizer(&mut self, id: ClaimId, finalizer: &str) {
        self.update_claim(id, "", |s| {
            if !s.finalizers.iter().any(|f| f == finalizer) {
                s.finalizers.push(finalizer.to_string());
            }
        });
    }

    /// The claim object leaves the API.
    fn remove_claim(&mut self, id: ClaimId) {
        let Some(c) = self.cluster.storage.claims.remove(id) else { return };
        self.cluster.storage.claim_by_name.remove(&c.namespace, &c.name);
        let from = c.reported.as_ref().map_or("", |r| r.phase.as_str());
        self.record_object_transition(CLAIM, &c.namespace, &c.name, from, "Deleted", "");
        if self.rec.records_objects {
            self.rec.sink.object(&ObjectRecord::ClaimRemoved { time: self.now, uid: c.uid });
        }
        self.changed(Change::ClaimRemoved { id, claim: Box::new(c) });
    }

    /// A row when the phase changed (the first: from nothing), the status line.
    fn report_claim(&mut self, id: ClaimId, reason: &str) {
        let Some(c) = self.cluster.storage.claims.get(id) else { return };
        let before = c.reported.as_ref().map(|r| r.phase);
        if before != Some(c.status.phase) {
            let from = before.map_or("", |p| p.as_str());
            let (ns, name, to) = (c.namespace.clone(), c.name.clone(), c.status.phase.as_str());
            self.record_object_transition(CLAIM, &ns, &name, from, to, reason);
        }
        let c = self.cluster.storage.claims.get(id).expect("read above");
        if self.rec.records_objects {
            self.rec.sink.object(&ObjectRecord::ClaimStatus { time: self.now, uid: c.uid, status: &c.status });
        }
        let c = self.cluster.storage.claims.get_mut(id).expect("read above");
        c.reported = Some(c.status.clone());
    }

    /// An Event about a claim (`involvedObject` = the claim), from a controller.
    pub fn claim_event(&mut self, id: ClaimId, type_: EventType, reason: &str, message: std::fmt::Arguments) {
        let Some(c) = self.cluster.storage.claims.get(id) else { return };
        let (ns, name) = (c.namespace.clone(), c.name.clone());
        self.object_event(super::record::ObjectRef::of(CLAIM, &ns, &name), type_, reason, message);
    }

    // -----------------------------------------------------------------------------
    // PersistentVolumes

    /// Creates a PV, by hand or by a provisioner (which sets `claimRef`): its phase is
    /// `Pending` until the PV controller syncs it (`persistentvolume` strategy
    /// `PrepareForCreate`), and StorageObjectInUseProtection adds
    /// `kubernetes.io/pv-protection`. `None` if a PV of that name exists.
    pub fn create_volume(&mut self, api: &ApiPv, copy: Option<u64>) -> Option<PvId> {
        let name = copy_name(&api.metadata.name, copy);
        if self.cluster.storage.volume_by_name.contains("", &name) {
            self.refuse_duplicate("persistentvolume", "", &name);
            return None;
        }
        let mut api = api.clone();
        api.metadata.name = name.clone();
        api.metadata.namespace = None;
        let source = api.spec.source()?;
        let node_affinity =
            api.spec.node_affinity.as_ref().and_then(|a| a.required.as_ref()).map(RequiredNodeAffinity::of_selector);
        let claim_ref = api.spec.claim_ref.as_ref().and_then(|r| {
            let name = r.name.as_deref().filter(|n| !n.is_empty())?;
            let namespace = self.cluster.intern_namespace(r.namespace.as_deref().unwrap_or("default"));
            // A claimRef with a uid names that claim; the number is the claim's, when
            // it exists and its uid (as the views print it) is the one written.
            let uid = r.uid.as_deref().and_then(|u| self.claim_uid_number(&namespace, name, u));
            Some(crate::cluster::storage::ClaimRef { namespace, name: Arc::from(name), uid })
        });
        let status = PvStatus {
            claim_ref,
            annotations: api.metadata.annotations.clone(),
            finalizers: vec![keys::PV_PROTECTION.to_string()],
            ..PvStatus::default()
        };
        let storage = &mut self.cluster.storage;
        storage.created[VOLUMES] += 1;
        let volume = Volume {
            uid: storage.created[VOLUMES],
            name: Arc::from(name.as_str()),
            created: self.now,
            capacity: api.spec.storage().map_or(0, |q| q.value()),
            modes: api.spec.access_mode_set(),
            class: Arc::from(api.class()),
            reclaim: ReclaimPolicy::parse(api.spec.persistent_volume_reclaim_policy.as_deref(), ReclaimPolicy::Retain),
            volume_mode: VolumeMode::parse(api.spec.volume_mode.as_deref()),
            source,
            node_affinity,
            labels: Arc::new(api.metadata.labels.clone()),
            status,
            reported: None,
            api: Arc::new(api),
        };
        let shared = volume.name.clone();
        let id = storage.volumes.insert(volume);
        storage.volume_by_name.insert(&Arc::from(""), &shared, id);
        if self.rec.records_objects {
            let v = self.cluster.storage.volumes.get(id).expect("inserted");
            self.rec.sink.object(&ObjectRecord::VolumeCreated { time: self.now, uid: v.uid, volume: &v.api });
        }
        self.report_volume(id, "");
        self.changed(Change::VolumeCreated(id));
        Some(id)
    }

    /// The number of the claim `namespace/name` if its uid is `uid`.
    fn claim_uid_number(&self, namespace: &str, name: &str, uid: &str) -> Option<u64> {
        let id = self.cluster.storage.find_claim(namespace, name)?;
        let c = self.cluster.storage.claims.get(id)?;
        (self.claim_uid(c.uid) == uid).then_some(c.uid)
    }

    /// The uid the API shows for claim number `n` (a provisioned PV is `pvc-<uid>`).
    pub fn claim_uid(&self, n: u64) -> String {
        crate::engine::rng::uuid(self.cluster.api.seed, "persistentvolumeclaim", n)
    }

    /// Changes what a controller writes of a PV (phase, `claimRef`, annotations,
    /// reason), recording it if the API shows something new.
    pub fn update_volume(&mut self, id: PvId, reason: &str, write: impl FnOnce(&mut PvStatus)) {
        let Some(v) = self.cluster.storage.volumes.get_mut(id) else { return };
        write(&mut v.status);
        if v.reported.as_ref() == Some(&v.status) {
            return;
        }
        self.report_volume(id, reason);
        self.changed(Change::VolumeUpdated(id));
    }

    /// `kubectl delete pv` (or the reclaim of a `Delete` PV): held while a finalizer
    /// is left (`kubernetes.io/pv-protection` while `Bound`).
    pub fn delete_volume(&mut self, id: PvId) {
        let Some(v) = self.cluster.storage.volumes.get(id) else { return };
        if v.status.deletion.is_some() {
            return;
        }
        if v.status.finalizers.is_empty() {
            self.remove_volume(id);
            return;
        }
        let now = self.now;
        self.update_volume(id, "", |s| s.deletion = Some(now));
    }

    /// A controller removes its finalizer; the PV being deleted leaves with the last.
    pub fn remove_volume_finalizer(&mut self, id: PvId, finalizer: &str) {
        let Some(v) = self.cluster.storage.volumes.get(id) else { return };
        if v.status.deletion.is_some() && v.status.finalizers.iter().all(|f| f == finalizer) {
            self.remove_volume(id);
            return;
        }
        self.update_volume(id, "", |s| s.finalizers.retain(|f| f != finalizer));
    }

    fn remove_volume(&mut self, id: PvId) {
        let Some(v) = self.cluster.storage.volumes.remove(id) else { return };
        self.cluster.storage.volume_by_name.remove("", &v.name);
        let from = v.reported.as_ref().map_or("", |r| r.phase.as_str());
        self.record_object_transition(VOLUME, "", &v.name, from, "Deleted", "");
        if self.rec.records_objects {
            self.rec.sink.object(&ObjectRecord::VolumeRemoved { time: self.now, uid: v.uid });
        }
        self.changed(Change::VolumeRemoved { id, volume: Box::new(v) });
    }

    fn report_volume(&mut self, id: PvId, reason: &str) {
        let Some(v) = self.cluster.storage.volumes.get(id) else { return };
        let before = v.reported.as_ref().map(|r| r.phase);
        if before != Some(v.status.phase) {
            let from = before.map_or("", |p| p.as_str());
            let (name, to) = (v.name.clone(), v.status.phase.as_str());
            self.record_object_transition(VOLUME, "", &name, from, to, reason);
        }
        let v = self.cluster.storage.volumes.get(id).expect("read above");
        if self.rec.records_objects {
            self.rec.sink.object(&ObjectRecord::VolumeStatus { time: self.now, uid: v.uid, status: &v.status });
        }
        let v = self.cluster.storage.volumes.get_mut(id).expect("read above");
        v.reported = Some(v.status.clone());
    }

    /// An Event about a PV (cluster-scoped: no namespace).
    pub fn volume_event(&mut self, id: PvId, type_: EventType, reason: &str, message: std::fmt::Arguments) {
        let Some(v) = self.cluster.storage.volumes.get(id) else { return };
        let name = v.name.clone();
        self.object_event(super::record::ObjectRef::of(VOLUME, "", &name), type_, reason, message);
    }

    // -----------------------------------------------------------------------------
    // StorageClasses, ConfigMaps, Secrets

    /// Creates a StorageClass (defaulted by validation); its timings are the
    /// scenario's for its name.
    pub fn create_storage_class(&mut self, api: &ApiClass) -> Option<ClassId> {
        let name = api.metadata.name.clone();
        if self.cluster.storage.class_by_name.contains("", &name) {
            self.refuse_duplicate("storageclass.storage.k8s.io", "", &name);
            return None;
        }
        let storage = &mut self.cluster.storage;
        storage.created[CLASSES] += 1;
        let binding = match api.volume_binding_mode.as_deref() {
            Some("WaitForFirstConsumer") => BindingMode::WaitForFirstConsumer,
            _ => BindingMode::Immediate,
        };
        let class = Class {
            uid: storage.created[CLASSES],
            name: Arc::from(name.as_str()),
            created: self.now,
            provisioner: Arc::from(api.provisioner.as_str()),
            reclaim: ReclaimPolicy::parse(api.reclaim_policy.as_deref(), ReclaimPolicy::Delete),
            binding,
            is_default: api.is_default(),
            allowed_topologies: api
                .allowed_topologies
                .iter()
                .map(|t| t.match_label_expressions.iter().map(|r| (r.key.clone(), r.values.clone())).collect())
                .collect(),
            timings: storage.timings.of(&name),
            api: Arc::new(api.clone()),
        };
        let shared = class.name.clone();
        let id = storage.classes.insert(class);
        storage.class_by_name.insert(&Arc::from(""), &shared, id);
        if self.rec.records_objects {
            let c = self.cluster.storage.classes.get(id).expect("inserted");
            self.rec.sink.object(&ObjectRecord::StorageClassCreated { time: self.now, uid: c.uid, class: &c.api });
        }
        self.changed(Change::StorageClassCreated(id));
        Some(id)
    }

    pub fn delete_storage_class(&mut self, id: ClassId) {
        let Some(c) = self.cluster.storage.classes.remove(id) else { return };
        self.cluster.storage.class_by_name.remove("", &c.name);
        if self.rec.records_objects {
            self.rec.sink.object(&ObjectRecord::StorageClassRemoved { time: self.now, uid: c.uid });
        }
        self.changed(Change::StorageClassRemoved { name: c.name });
    }

    pub fn create_config_map(&mut self, api: &ApiConfigMap, copy: Option<u64>) -> Option<ConfigMapId> {
        let namespace = api.metadata.namespace().to_string();
        let name = copy_name(&api.metadata.name, copy);
        if self.cluster.storage.config_map_by_name.contains(&namespace, &name) {
            self.refuse_duplicate("configmap", &namespace, &name);
            return None;
        }
        let mut api = api.clone();
        api.metadata.name = name.clone();
        api.metadata.namespace = Some(namespace.clone());
        let ns = self.cluster.intern_namespace(&namespace);
        let storage = &mut self.cluster.storage;
        storage.created[CONFIG_MAPS] += 1;
        let cm = ConfigMap {
            uid: storage.created[CONFIG_MAPS],
            namespace: ns.clone(),
            name: Arc::from(name.as_str()),
            created: self.now,
            api: Arc::new(api),
        };
        let shared = cm.name.clone();
        let id = storage.config_maps.insert(cm);
        storage.config_map_by_name.insert(&ns, &shared, id);
        if self.rec.records_objects {
            let c = self.cluster.storage.config_maps.get(id).expect("inserted");
            self.rec.sink.object(&ObjectRecord::ConfigMapCreated { time: self.now, uid: c.uid, config_map: &c.api });
        }
        self.changed(Change::ConfigMapCreated(id));
        Some(id)
    }

    pub fn delete_config_map(&mut self, id: ConfigMapId) {
        let Some(c) = self.cluster.storage.config_maps.remove(id) else { return };
        self.cluster.storage.config_map_by_name.remove(&c.namespace, &c.name);
        if self.rec.records_objects {
            self.rec.sink.object(&ObjectRecord::ConfigMapRemoved { time: self.now, uid: c.uid });
        }
        self.changed(Change::ConfigMapRemoved { namespace: c.namespace, name: c.name });
    }

    /// Creates a Secret as the API stores it (`stringData` merged into `data`).
    pub fn create_secret(&mut self, api: &ApiSecret, copy: Option<u64>) -> Option<SecretId> {
        let namespace = api.metadata.namespace().to_string();
        let name = copy_name(&api.metadata.name, copy);
        if self.cluster.storage.secret_by_name.contains(&namespace, &name) {
            self.refuse_duplicate("secret", &namespace, &name);
            return None;
        }
        let mut api = api.stored();
        api.metadata.name = name.clone();
        api.metadata.namespace = Some(namespace.clone());
        let ns = self.cluster.intern_namespace(&namespace);
        let storage = &mut self.cluster.storage;
        storage.created[SECRETS] += 1;
        let secret = Secret {
            uid: storage.created[SECRETS],
            namespace: ns.clone(),
            name: Arc::from(name.as_str()),
            created: self.now,
            api: Arc::new(api),
        };
        let shared = secret.name.clone();
        let id = storage.secrets.insert(secret);
        storage.secret_by_name.insert(&ns, &shared, id);
        if self.rec.records_objects {
            let s = self.cluster.storage.secrets.get(id).expect("inserted");
            self.rec.sink.object(&ObjectRecord::SecretCreated { time: self.now, uid: s.uid, secret: &s.api });
        }
        self.changed(Change::SecretCreated(id));
        Some(id)
    }

    pub fn delete_secret(&mut self, id: SecretId) {
        let Some(s) = self.cluster.storage.secrets.remove(id) else { return };
        self.cluster.storage.secret_by_name.remove(&s.namespace, &s.name);
        if self.rec.records_objects {
            self.rec.sink.object(&ObjectRecord::SecretRemoved { time: self.now, uid: s.uid });
        }
        self.changed(Change::SecretRemoved { namespace: s.namespace, name: s.name });
    }
}

/// Whether a pod on a node uses the claim (`podUsesPVC`,
/// `pkg/controller/volume/pvcprotection`): a scheduled pod naming it in its volumes,
/// in any phase, blocks the removal of `kubernetes.io/pvc-protection`.
pub fn claim_in_use(cluster: &crate::cluster::Cluster, claim: &Claim) -> bool {
    cluster.pods.iter().any(|(_, p)| {
        p.node.is_some() && *p.namespace == *claim.namespace && p.template.volumes.uses_claim(&p.name, &claim.name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::{Recorder, Watches};
    use crate::cluster::Cluster;
    use crate::engine::{EventQueue, SimTime, Streams};

    #[test]
    fn admission_sets_the_newest_default_class_and_the_protection_finalizer() {
        let streams = Streams::new(1);
        let mut cluster =
            Cluster::new(Default::default(), &streams, crate::cluster::network::NetworkConfig::defaults(1));
        let mut queue = EventQueue::new();
        let mut rec = Recorder::new(Box::new(crate::trace::MemorySink::default()), Watches::default(), Vec::new());
        let mut ctx = Ctx { now: SimTime::from_ms(0), queue: &mut queue, cluster: &mut cluster, rec: &mut rec };
        let class = |name: &str, default: bool| {
            let a =
                if default { format!("annotations: {{{}: \"true\"}}", keys::IS_DEFAULT_CLASS) } else { String::new() };
            let mut sc: ApiClass =
                serde_saphyr::from_str(&format!("metadata: {{name: {name}, {a}}}\nprovisioner: p")).unwrap();
            crate::api::validation_storage::default_storage_class(&mut sc);
            sc
        };
        ctx.create_storage_class(&class("old", true)).unwrap();
        ctx.now = SimTime::from_ms(5_000);
        ctx.create_storage_class(&class("new", true)).unwrap();
        ctx.create_storage_class(&class("plain", false)).unwrap();
        let claim: ApiClaim = serde_saphyr::from_str(
            "metadata: {name: data}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}",
        )
        .unwrap();
        let id = ctx.create_claim(&claim, None, None).unwrap();
        let c = ctx.cluster.storage.claims.get(id).unwrap();
        assert_eq!(
            (&*c.class, c.request, c.status.finalizers.as_slice()),
            ("new", 1 << 30, &[keys::PVC_PROTECTION.to_string()][..])
        );
        let none: ApiClaim = serde_saphyr::from_str(
            "metadata: {name: scratch}\nspec: {storageClassName: \"\", accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}",
        )
        .unwrap();
        let id2 = ctx.create_claim(&none, None, None).unwrap();
        assert_eq!(&*ctx.cluster.storage.claims.get(id2).unwrap().class, "");
        assert!(ctx.create_claim(&claim, None, None).is_none(), "a second claim of one name is refused");
        // A graceful delete waits for the finalizer.
        ctx.delete_claim(id);
        assert!(ctx.cluster.storage.claims.get(id).unwrap().status.deletion.is_some());
        ctx.remove_claim_finalizer(id, keys::PVC_PROTECTION);
        assert!(ctx.cluster.storage.claims.get(id).is_none());
        assert!(ctx.cluster.storage.find_claim("default", "data").is_none());
    }

    #[test]
    fn a_local_volume_fits_the_nodes_of_its_affinity_only() {
        let streams = Streams::new(1);
        let mut cluster =
            Cluster::new(Default::default(), &streams, crate::cluster::network::NetworkConfig::defaults(1));
        let mut queue = EventQueue::new();
        let mut rec = Recorder::new(Box::new(crate::trace::MemorySink::default()), Watches::default(), Vec::new());
        let mut ctx = Ctx { now: SimTime::from_ms(0), queue: &mut queue, cluster: &mut cluster, rec: &mut rec };
        let pv: ApiPv = serde_saphyr::from_str(
            "metadata: {name: local-0}\nspec: {capacity: {storage: 100Gi}, accessModes: [ReadWriteOnce], local: {path: /mnt/d}, \
             nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [n1]}]}]}}}",
        )
        .unwrap();
        let id = ctx.create_volume(&pv, None).unwrap();
        let v = ctx.cluster.storage.volumes.get(id).unwrap();
        let labels = |host: &str| [("kubernetes.io/hostname".to_string(), host.to_string())].into();
        assert!(v.fits_node(&labels("n1"), "n1") && !v.fits_node(&labels("n2"), "n2"));
        assert!(v.is_node_local() && v.source.csi_driver().is_none());
        assert_eq!((v.status.phase.as_str(), v.reclaim.as_str(), v.capacity), ("Pending", "Retain", 100 << 30));
        ctx.delete_volume(id);
        assert_eq!(ctx.cluster.storage.volumes.get(id).unwrap().shown_status(), "Terminating");
        ctx.remove_volume_finalizer(id, keys::PV_PROTECTION);
        assert!(ctx.cluster.storage.find_volume("local-0").is_none());
    }
}
