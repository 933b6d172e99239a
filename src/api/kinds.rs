//! The table of kinds: every kind podsim reads, simulates and shows, with what the API
//! server and kubectl know of it (apiVersion, resource names, scope), how a manifest
//! becomes the typed object, and the API server's defaults and validation. A new kind
//! is one entry here and a module of its own for its types.

use super::errors::{FieldError, FieldPath};
use super::object::{Object, ObjectKind};
use super::{validation, validation_apps, validation_daemonset, validation_statefulset, validation_storage};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Decodes a manifest's JSON value, reporting fields the type does not read (as
/// `spec.containers[].command`: list indexes elided).
pub type Decode = fn(Value, Decoding, &mut dyn FnMut(&str)) -> Result<Object, (FieldPath, String)>;

/// What a decode that fails must tell.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Decoding {
    /// The failing field's path and the message.
    Precise,
    /// Nothing: the caller reads the document again to say where. The value's texts
    /// then move into the object rather than being copied from it (copying them, and
    /// freeing the value after, were a third of decoding the Alibaba set).
    Retried,
}

/// What the API server and kubectl know of a kind.
pub struct KindInfo {
    pub kind: ObjectKind,
    pub api_version: &'static str,
    /// `Kind` as manifests write it.
    pub name: &'static str,
    /// The resource (kubectl's plural), its singular and short names.
    pub plural: &'static str,
    pub singular: &'static str,
    pub short_names: &'static [&'static str],
    pub namespaced: bool,
    pub decode: Decode,
    /// The API server's defaults and validation of a workload object; `None` for kinds
    /// that are not workloads (Nodes are the cluster).
    pub validate: Option<fn(&mut Object, &mut Vec<FieldError>)>,
}

impl KindInfo {
    /// The API group (`batch`; empty for the core group).
    pub fn group(&self) -> &'static str {
        self.api_version.rsplit_once('/').map_or("", |(g, _)| g)
    }

    /// `jobs.batch`, `pods`: the resource as kubectl names it in messages.
    pub fn qualified_plural(&self) -> String {
        match self.group() {
            "" => self.plural.to_string(),
            g => format!("{}.{g}", self.plural),
        }
    }

    /// Whether kubectl's `name` (`pods`, `po`, `Pod`, `jobs.batch`) names this kind:
    /// case-insensitive, with an optional `.group` suffix.
    pub fn is_named(&self, name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        let (base, group) = match lower.split_once('.') {
            Some((b, g)) => (b, Some(g)),
            None => (lower.as_str(), None),
        };
        let named = base == self.plural || base == self.singular || self.short_names.contains(&base);
        named && group.is_none_or(|g| g == self.group())
    }
}

macro_rules! decode {
    ($variant:ident) => {
        |value, decoding, ignored| Ok(Object::$variant(Box::new(typed(value, decoding, ignored)?)))
    };
}

/// Every kind podsim simulates.
pub const KINDS: &[KindInfo] = &[
    KindInfo {
        kind: ObjectKind::Pod,
        api_version: "v1",
        name: "Pod",
        plural: "pods",
        singular: "pod",
        short_names: &["po"],
        namespaced: true,
        decode: decode!(Pod),
        validate: Some(|object, errs| {
            if let Object::Pod(pod) = object {
                validation::default_pod_spec(&mut pod.spec);
                validation::validate_object_meta(&pod.metadata, &FieldPath::root("metadata"), errs);
                validation::validate_pod_spec(&pod.spec, &FieldPath::root("spec"), errs);
            }
        }),
    },
    KindInfo {
        kind: ObjectKind::Node,
        api_version: "v1",
        name: "Node",
        plural: "nodes",
        singular: "node",
        short_names: &["no"],
        namespaced: false,
        decode: decode!(Node),
        validate: None,
    },
    KindInfo {
        kind: ObjectKind::Job,
        api_version: "batch/v1",
        name: "Job",
        plural: "jobs",
        singular: "job",
        short_names: &[],
        namespaced: true,
        decode: decode!(Job),
        validate: Some(|object, errs| {
            if let Object::Job(job) = object {
                validation::validate_job(job, errs);
            }
        }),
    },
    KindInfo {
        kind: ObjectKind::CronJob,
        api_version: "batch/v1",
        name: "CronJob",
        plural: "cronjobs",
        singular: "cronjob",
        short_names: &["cj"],
        namespaced: true,
        decode: decode!(CronJob),
        validate: Some(|object, errs| {
            if let Object::CronJob(cj) = object {
                validation::validate_cronjob(cj, errs);
            }
        }),
    },
    KindInfo {
        kind: ObjectKind::PriorityClass,
        api_version: "scheduling.k8s.io/v1",
        name: "PriorityClass",
        plural: "priorityclasses",
        singular: "priorityclass",
        short_names: &["pc"],
        namespaced: false,
        decode: decode!(PriorityClass),
        validate: Some(|object, errs| {
            if let Object::PriorityClass(pc) = object {
                validation::validate_priority_class(pc, errs);
            }
        }),
    },
    KindInfo {
        kind: ObjectKind::Service,
        api_version: "v1",
        name: "Service",
        plural: "services",
        singular: "service",
        short_names: &["svc"],
        namespaced: true,
        decode: decode!(Service),
        validate: Some(|object, errs| {
            if let Object::Service(svc) = object {
                super::service::default_service(svc);
                super::service::validate_service(svc, errs);
            }
        }),
    },
    KindInfo {
        kind: ObjectKind::ReplicaSet,
        api_version: "apps/v1",
        name: "ReplicaSet",
        plural: "replicasets",
        singular: "replicaset",
        short_names: &["rs"],
        namespaced: true,
        decode: decode!(ReplicaSet),
        validate: Some(|object, errs| {
            if let Object::ReplicaSet(rs) = object {
                validation_apps::default_replicaset(rs);
                validation_apps::validate_replicaset(rs, errs);
            }
        }),
    },
    KindInfo {
        kind: ObjectKind::Deployment,
        api_version: "apps/v1",
        name: "Deployment",
        plural: "deployments",
        singular: "deployment",
        short_names: &["deploy"],
        namespaced: true,
        decode: decode!(Deployment),
        validate: Some(|object, errs| {
            if let Object::Deployment(d) = object {
                validation_apps::default_deployment(d);
                validation_apps::validate_deployment(d, errs);
            }
        }),
    },
    KindInfo {
        kind: ObjectKind::PodDisruptionBudget,
        api_version: "policy/v1",
        name: "PodDisruptionBudget",
        plural: "poddisruptionbudgets",
        singular: "poddisruptionbudget",
        short_names: &["pdb"],
        namespaced: true,
        decode: decode!(PodDisruptionBudget),
        validate: Some(|object, errs| {
            if let Object::PodDisruptionBudget(pdb) = object {
                super::policy::validate_pdb(pdb, errs);
            }
        }),
    },
    KindInfo {
        kind: ObjectKind::DaemonSet,
        api_version: "apps/v1",
        name: "DaemonSet",
        plural: "daemonsets",
        singular: "daemonset",
        short_names: &["ds"],
        namespaced: true,
        decode: decode!(DaemonSet),
        validate: Some(|object, errs| {
            if let Object::DaemonSet(ds) = object {
                validation_daemonset::default_daemonset(ds);
                validation_daemonset::validate_daemonset(ds, errs);
            }
        }),
    },
    KindInfo {
        kind: ObjectKind::StatefulSet,
        api_version: "apps/v1",
        name: "StatefulSet",
        plural: "statefulsets",
        singular: "statefulset",
        short_names: &["sts"],
        namespaced: true,
        decode: decode!(StatefulSet),
        validate: Some(|object, errs| {
            if let Object::StatefulSet(sts) = object {
                // The feature gates' part (`maxUnavailable`) is applied by the loader,
                // which knows the scenario's gates; this is the rest.
                validation_statefulset::default_statefulset(sts, false);
                validation_statefulset::validate_statefulset(sts, errs);
            }
        }),
    },
    KindInfo {
        kind: ObjectKind::PersistentVolumeClaim,
        api_version: "v1",
        name: "PersistentVolumeClaim",
        plural: "persistentvolumeclaims",
        singular: "persistentvolumeclaim",
        short_names: &["pvc"],
        namespaced: true,
        decode: decode!(PersistentVolumeClaim),
        validate: Some(|object, errs| {
            if let Object::PersistentVolumeClaim(pvc) = object {
                validation_storage::default_pvc(pvc);
                validation_storage::validate_pvc(pvc, errs);
            }
        }),
    },
    KindInfo {
        kind: ObjectKind::PersistentVolume,
        api_version: "v1",
        name: "PersistentVolume",
        plural: "persistentvolumes",
        singular: "persistentvolume",
        short_names: &["pv"],
        namespaced: false,
        decode: decode!(PersistentVolume),
        validate: Some(|object, errs| {
            if let Object::PersistentVolume(pv) = object {
                validation_storage::default_pv(pv);
                validation_storage::validate_pv(pv, errs);
            }
        }),
    },
    KindInfo {
        kind: ObjectKind::StorageClass,
        api_version: "storage.k8s.io/v1",
        name: "StorageClass",
        plural: "storageclasses",
        singular: "storageclass",
        short_names: &["sc"],
        namespaced: false,
        decode: decode!(StorageClass),
        validate: Some(|object, errs| {
            if let Object::StorageClass(sc) = object {
                validation_storage::default_storage_class(sc);
                validation_storage::validate_storage_class(sc, errs);
            }
        }),
    },
    KindInfo {
        kind: ObjectKind::ConfigMap,
        api_version: "v1",
        name: "ConfigMap",
        plural: "configmaps",
        singular: "configmap",
        short_names: &["cm"],
        namespaced: true,
        decode: decode!(ConfigMap),
        validate: Some(|object, errs| {
            if let Object::ConfigMap(cm) = object {
                validation_storage::validate_config_map(cm, errs);
            }
        }),
    },
    KindInfo {
        kind: ObjectKind::Secret,
        api_version: "v1",
        name: "Secret",
        plural: "secrets",
        singular: "secret",
        short_names: &[],
        namespaced: true,
        decode: decode!(Secret),
        validate: Some(|object, errs| {
            if let Object::Secret(secret) = object {
                validation_storage::default_secret(secret);
                validation_storage::validate_secret(secret, errs);
            }
        }),
    },
];

impl ObjectKind {
    /// This kind's entry in [`KINDS`].
    pub fn info(self) -> &'static KindInfo {
        KINDS.iter().find(|k| k.kind == self).expect("every kind has an entry")
    }
}

/// The kind a manifest's `apiVersion` and `kind` name, if podsim simulates it.
pub fn by_api(api_version: &str, kind: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| k.api_version == api_version && k.name == kind)
}

/// The kind kubectl's resource `name` names (`pods`, `po`, `cronjobs.batch`).
pub fn by_resource(name: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| k.is_named(name))
}

/// Deserializes a value into the typed object, reporting unread fields to `ignored`
/// and a failure with the path of the field.
///
/// The value is read by reference first, without `serde_path_to_error`: tracking the
/// path copies every key read (a `String` each), and almost every object decodes. The
/// unread fields are kept aside until it has. Only when that read fails is the value read
/// again, as before, to say where. [`Decoding::Retried`] reads the value itself, once.
fn typed<T: DeserializeOwned>(
    value: Value,
    decoding: Decoding,
    ignored: &mut dyn FnMut(&str),
) -> Result<T, (FieldPath, String)> {
    let rendered = |p: &serde_ignored::Path| {
        let mut text = String::new();
        super::object::render_ignored(p, &mut text);
        text
    };
    if decoding == Decoding::Retried {
        let mut note = |p: serde_ignored::Path| ignored(&rendered(&p));
        return T::deserialize(serde_ignored::Deserializer::new(value, &mut note))
            .map_err(|e| (FieldPath::empty(), e.to_string()));
    }
    let mut unread: Vec<String> = Vec::new();
    let mut aside = |p: serde_ignored::Path| unread.push(rendered(&p));
    if let Ok(object) = T::deserialize(serde_ignored::Deserializer::new(&value, &mut aside)) {
        unread.iter().for_each(|p| ignored(p));
        return Ok(object);
    }
    let mut note = |p: serde_ignored::Path| ignored(&rendered(&p));
    let de = serde_ignored::Deserializer::new(value, &mut note);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = super::object::field_path(e.path());
        (path, e.into_inner().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_notes_unread_fields_and_says_where_it_fails() {
        let decode = ObjectKind::Pod.info().decode;
        let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"},
            "spec": {"shareProcessNamespace": true, "containers": [{"name": "c", "image": "i", "stdin": true}]}});
        let mut unread = Vec::new();
        let object = decode(pod.clone(), Decoding::Precise, &mut |p| unread.push(p.to_string())).expect("a valid pod");
        assert_eq!(object.name(), "a");
        assert_eq!(unread, ["apiVersion", "kind", "spec.containers[].stdin", "spec.shareProcessNamespace"]);
        // Read by value, the same object and the same unread fields.
        let mut moved = Vec::new();
        let again = decode(pod.clone(), Decoding::Retried, &mut |p| moved.push(p.to_string())).expect("a valid pod");
        assert_eq!(format!("{again:?}"), format!("{object:?}"));
        assert_eq!(moved, unread);
        let mut bad = pod;
        bad["spec"]["containers"][0]["image"] = serde_json::json!(5);
        assert!(decode(bad.clone(), Decoding::Retried, &mut |_| {}).is_err());
        let (path, message) = decode(bad, Decoding::Precise, &mut |_| {}).unwrap_err();
        assert_eq!(path.to_string(), "spec.containers[0].image");
        assert_eq!(message, "invalid type: integer `5`, expected a string");
    }

    #[test]
    fn every_kind_has_one_entry_and_kubectl_names_resolve() {
        for k in KINDS {
            assert_eq!(k.kind.info().name, k.name);
            assert_eq!(k.kind.as_str(), k.name);
        }
        assert_eq!(by_resource("po").map(|k| k.kind), Some(ObjectKind::Pod));
        assert_eq!(by_resource("CronJobs.batch").map(|k| k.kind), Some(ObjectKind::CronJob));
        assert_eq!(by_resource("jobs.apps").map(|k| k.kind), None);
        assert_eq!(by_api("batch/v1", "Job").map(|k| k.qualified_plural()), Some("jobs.batch".into()));
        assert!(by_api("apps/v1", "Job").is_none());
        assert_eq!(by_resource("pdb").map(|k| k.qualified_plural()), Some("poddisruptionbudgets.policy".into()));
        assert_eq!(by_resource("pvc").map(|k| k.kind), Some(ObjectKind::PersistentVolumeClaim));
        assert_eq!(by_resource("pv").map(|k| k.kind), Some(ObjectKind::PersistentVolume));
        assert_eq!(by_resource("sc").map(|k| k.qualified_plural()), Some("storageclasses.storage.k8s.io".into()));
        assert_eq!(by_resource("cm").map(|k| k.kind), Some(ObjectKind::ConfigMap));
        assert_eq!(by_resource("secrets").map(|k| k.kind), Some(ObjectKind::Secret));
    }
}
