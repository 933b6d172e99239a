//! The API server's defaults and validation of the storage kinds and a pod's volumes
//! (`pkg/apis/core/v1/defaults.go`, `pkg/apis/storage/v1/defaults.go`,
//! `pkg/apis/core/validation/validation.go`, `pkg/apis/storage/validation/validation.go`).

use super::config::{ConfigMap, DEFAULT_SECRET_TYPE, Secret};
use super::errors::{FieldError, FieldPath};
use super::storage::{PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec, StorageClass};
use super::validation::validate_object_meta;
use super::volume::{DEFAULT_MODE, Volume};

// ---------------------------------------------------------------------------------
// Defaults

/// `SetDefaults_PersistentVolumeClaimSpec`: `volumeMode: Filesystem`.
pub fn default_pvc_spec(spec: &mut PersistentVolumeClaimSpec) {
    spec.volume_mode.get_or_insert_with(|| "Filesystem".into());
}

pub fn default_pvc(pvc: &mut PersistentVolumeClaim) {
    default_pvc_spec(&mut pvc.spec);
}

/// `SetDefaults_PersistentVolume`: `Retain` and `Filesystem` (the phase, `Pending`, is
/// the cluster's).
pub fn default_pv(pv: &mut PersistentVolume) {
    pv.spec.persistent_volume_reclaim_policy.get_or_insert_with(|| "Retain".into());
    pv.spec.volume_mode.get_or_insert_with(|| "Filesystem".into());
}

/// `SetDefaults_StorageClass`: `Delete` and `Immediate`.
pub fn default_storage_class(sc: &mut StorageClass) {
    sc.reclaim_policy.get_or_insert_with(|| "Delete".into());
    sc.volume_binding_mode.get_or_insert_with(|| "Immediate".into());
}

/// `SetDefaults_Secret`: `type: Opaque`.
pub fn default_secret(secret: &mut Secret) {
    secret.type_.get_or_insert_with(|| DEFAULT_SECRET_TYPE.into());
}

/// `SetDefaults_Volume` and the sources' defaults: a volume without a source is an
/// emptyDir; projected files get mode `0644`; a hostPath's type is `""`.
pub fn default_volumes(volumes: &mut [Volume]) {
    for v in volumes {
        if v.has_no_source() {
            v.empty_dir = Some(Default::default());
        }
        if let Some(s) = &mut v.config_map {
            s.default_mode.get_or_insert(DEFAULT_MODE);
        }
        if let Some(s) = &mut v.secret {
            s.default_mode.get_or_insert(DEFAULT_MODE);
        }
        if let Some(s) = &mut v.projected {
            s.default_mode.get_or_insert(DEFAULT_MODE);
        }
        if let Some(s) = &mut v.downward_api {
            s.default_mode.get_or_insert(DEFAULT_MODE);
        }
        if let Some(s) = &mut v.host_path {
            s.type_.get_or_insert_with(String::new);
        }
        if let Some(t) = v.ephemeral.as_mut().and_then(|e| e.volume_claim_template.as_mut()) {
            default_pvc_spec(&mut t.spec);
        }
    }
}

// ---------------------------------------------------------------------------------
// Validation

pub fn validate_pvc(pvc: &PersistentVolumeClaim, errs: &mut Vec<FieldError>) {
    validate_object_meta(&pvc.metadata, &FieldPath::root("metadata"), errs);
}

pub fn validate_pv(pv: &PersistentVolume, errs: &mut Vec<FieldError>) {
    validate_object_meta(&pv.metadata, &FieldPath::root("metadata"), errs);
}

pub fn validate_storage_class(sc: &StorageClass, errs: &mut Vec<FieldError>) {
    validate_object_meta(&sc.metadata, &FieldPath::root("metadata"), errs);
}

pub fn validate_config_map(cm: &ConfigMap, errs: &mut Vec<FieldError>) {
    validate_object_meta(&cm.metadata, &FieldPath::root("metadata"), errs);
}

pub fn validate_secret(secret: &Secret, errs: &mut Vec<FieldError>) {
    validate_object_meta(&secret.metadata, &FieldPath::root("metadata"), errs);
}
