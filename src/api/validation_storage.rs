//! The API server's defaults and validation of the storage kinds and a pod's volumes
//! (`pkg/apis/core/v1/defaults.go`, `pkg/apis/storage/v1/defaults.go`,
//! `pkg/apis/core/validation/validation.go`, `pkg/apis/storage/validation/validation.go`).

use super::Quantity;
use super::config::{ConfigMap, DEFAULT_SECRET_TYPE, Secret};
use super::errors::{FieldError, FieldPath};
use super::storage::{
    AccessMode, BINDING_MODES, PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec,
    PersistentVolumeSpec, RECLAIM_POLICIES, StorageClass, VOLUME_MODES,
};
use super::validation::{
    DNS1123_LABEL_MSG, DNS1123_SUBDOMAIN_MSG, is_dns1123_label, is_dns1123_subdomain, validate_object_meta,
};
use super::validation_batch::job::validate_label_selector;
use super::validation_scheduling::validate_node_selector;
use super::volume::{DEFAULT_MODE, KeyToPath, Volume, VolumeMount, VolumeSourceRef};

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
// PersistentVolumeClaim (`ValidatePersistentVolumeClaimSpec`)

/// `supportedAccessModes`, as `sets.List` sorts them.
pub const ACCESS_MODES: &[&str] = &["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];
/// `isNotPositiveErrorMsg`.
const NOT_POSITIVE: &str = "must be greater than zero";
/// `MaxSecretSize`: the data a ConfigMap or Secret may hold (1 MiB).
pub const MAX_DATA_BYTES: usize = 1 << 20;
/// `fileModeErrorMsg`.
const FILE_MODE: &str = "must be a number between 0 and 0777 (octal), both inclusive";
const MORE_THAN_ONE: &str = "may not specify more than 1 volume type";

pub fn validate_pvc(pvc: &PersistentVolumeClaim, errs: &mut Vec<FieldError>) {
    validate_object_meta(&pvc.metadata, &FieldPath::root("metadata"), errs);
    validate_pvc_spec(&pvc.spec, &FieldPath::root("spec"), errs);
}

pub fn validate_pvc_spec(spec: &PersistentVolumeClaimSpec, path: &FieldPath, errs: &mut Vec<FieldError>) {
    if spec.access_modes.is_empty() {
        errs.push(FieldError::required_because(path.child("accessModes"), "at least 1 access mode is required"));
    }
    if let Some(selector) = &spec.selector {
        validate_label_selector(selector, &path.child("selector"), errs);
    }
    validate_access_modes(&spec.access_modes, &path.child("accessModes"), errs);
    let storage = path.child("resources").key("storage");
    match spec.storage_request() {
        None => errs.push(FieldError::required(storage)),
        Some(q) => validate_positive(q, storage, errs),
    }
    validate_class_name(spec.storage_class_name.as_deref(), &path.child("storageClassName"), errs);
    validate_volume_mode(spec.volume_mode.as_deref(), &path.child("volumeMode"), errs);
}

/// Each mode supported; ReadWriteOncePod alone (`ValidatePersistentVolumeClaimSpec`,
/// `ValidatePersistentVolumeSpec`).
fn validate_access_modes(modes: &[String], path: &FieldPath, errs: &mut Vec<FieldError>) {
    let (mut rwop, mut other) = (false, false);
    for mode in modes {
        match AccessMode::parse(mode) {
            None => errs.push(FieldError::unsupported(path.clone(), mode, ACCESS_MODES)),
            Some(AccessMode::ReadWriteOncePod) => rwop = true,
            Some(_) => other = true,
        }
    }
    if rwop && other {
        errs.push(FieldError::forbidden(path.clone(), "may not use ReadWriteOncePod with other access modes"));
    }
}

/// `ValidatePositiveQuantityValue`: the value as `Quantity.String()` prints it.
fn validate_positive(q: &Quantity, path: FieldPath, errs: &mut Vec<FieldError>) {
    if q.signum() <= 0 {
        errs.push(FieldError::invalid(path, q, NOT_POSITIVE));
    }
}

/// `ValidateClassName` (a DNS-1123 subdomain), when set and not empty.
fn validate_class_name(name: Option<&str>, path: &FieldPath, errs: &mut Vec<FieldError>) {
    if let Some(name) = name.filter(|n| !n.is_empty())
        && !is_dns1123_subdomain(name)
    {
        errs.push(FieldError::invalid(path.clone(), name, DNS1123_SUBDOMAIN_MSG));
    }
}

fn validate_volume_mode(mode: Option<&str>, path: &FieldPath, errs: &mut Vec<FieldError>) {
    if let Some(m) = mode
        && !VOLUME_MODES.contains(&m)
    {
        errs.push(FieldError::unsupported(path.clone(), m, VOLUME_MODES));
    }
}

// ---------------------------------------------------------------------------------
// PersistentVolume (`ValidatePersistentVolumeSpec`)

pub fn validate_pv(pv: &PersistentVolume, errs: &mut Vec<FieldError>) {
    validate_object_meta(&pv.metadata, &FieldPath::root("metadata"), errs);
    let spec = &pv.spec;
    let path = FieldPath::root("spec");
    if spec.access_modes.is_empty() {
        errs.push(FieldError::required(path.child("accessModes")));
    }
    validate_access_modes(&spec.access_modes, &path.child("accessModes"), errs);
    let capacity = path.child("capacity");
    if spec.capacity.is_empty() {
        errs.push(FieldError::required(capacity.clone()));
    }
    if spec.storage().is_none() || spec.capacity.len() > 1 {
        // Upstream prints the map with `%#v` (its quantities' internals included);
        // the type name stands for it.
        errs.push(FieldError::new(
            capacity.clone(),
            "Unsupported value: core.ResourceList{...}: supported values: \"storage\"",
        ));
    }
    for (name, q) in &spec.capacity {
        validate_positive(q, capacity.key(name), errs);
    }
    if let Some(policy) = spec.persistent_volume_reclaim_policy.as_deref().filter(|p| !p.is_empty())
        && !RECLAIM_POLICIES.contains(&policy)
    {
        errs.push(FieldError::unsupported(path.child("persistentVolumeReclaimPolicy"), policy, RECLAIM_POLICIES));
    }
    let affinity = spec.node_affinity.is_some();
    if let Some(na) = &spec.node_affinity {
        let p = path.child("nodeAffinity").child("required");
        match &na.required {
            Some(required) => validate_node_selector(required, &p, errs),
            None => errs.push(FieldError::required_because(p, "must specify required node constraints")),
        }
    }
    validate_pv_source(spec, &path, affinity, errs);
    if let Some(h) = &spec.host_path
        && clean_path(&h.path) == "/"
        && spec.persistent_volume_reclaim_policy.as_deref() == Some("Recycle")
    {
        errs.push(FieldError::forbidden(
            path.child("persistentVolumeReclaimPolicy"),
            "may not be 'recycle' for a hostPath mount of '/'",
        ));
    }
    validate_class_name(spec.storage_class_name.as_deref(), &path.child("storageClassName"), errs);
    validate_volume_mode(spec.volume_mode.as_deref(), &path.child("volumeMode"), errs);
}

/// Exactly one source, with the checks of the ones podsim types.
fn validate_pv_source(spec: &PersistentVolumeSpec, path: &FieldPath, affinity: bool, errs: &mut Vec<FieldError>) {
    let names = spec.source_names();
    if names.is_empty() {
        errs.push(FieldError::required_because(path.clone(), "must specify a volume type"));
    }
    for extra in names.iter().skip(1) {
        // Upstream names the CephFS path `cephFS` in this message.
        let field = if *extra == "cephfs" { "cephFS" } else { extra };
        errs.push(FieldError::forbidden(path.child(field), MORE_THAN_ONE));
    }
    match names.first().copied() {
        Some("hostPath") => {
            if let Some(h) = &spec.host_path {
                validate_host_path(h, &path.child("hostPath"), errs);
            }
        }
        Some("nfs") => {
            if let Some(n) = &spec.nfs {
                validate_nfs(n, &path.child("nfs"), errs);
            }
        }
        Some("local") => {
            if let Some(l) = &spec.local {
                let p = path.child("local").child("path");
                if l.path.is_empty() {
                    errs.push(FieldError::required(p));
                } else {
                    validate_no_backsteps(&l.path, &p, errs);
                }
            }
            if !affinity {
                errs.push(FieldError::required_because(
                    path.child("nodeAffinity"),
                    "Local volume requires node affinity",
                ));
            }
        }
        Some("csi") => {
            if let Some(c) = &spec.csi {
                validate_csi_driver_name(&c.driver, &path.child("csi").child("driver"), errs);
                if c.volume_handle.is_empty() {
                    errs.push(FieldError::required(path.child("csi").child("volumeHandle")));
                }
            }
        }
        _ => {}
    }
}

/// `path.Clean` for the one question asked of it (is it `/`).
fn clean_path(p: &str) -> &str {
    if !p.is_empty() && p.bytes().all(|b| b == b'/') { "/" } else { p }
}

/// `ValidateCSIDriverName`.
fn validate_csi_driver_name(driver: &str, path: &FieldPath, errs: &mut Vec<FieldError>) {
    if driver.is_empty() {
        errs.push(FieldError::required(path.clone()));
    }
    if driver.len() > 63 {
        errs.push(FieldError::new(path.clone(), "Too long: may not be more than 63 bytes"));
    }
    for msg in crate::labels::is_dns1123_subdomain(&driver.to_lowercase()) {
        errs.push(FieldError::invalid(path.clone(), driver, &msg));
    }
}

// ---------------------------------------------------------------------------------
// StorageClass (`pkg/apis/storage/validation/validation.go` `ValidateStorageClass`)

/// A class's reclaim policies (`Recycle` is not one).
const CLASS_RECLAIM_POLICIES: &[&str] = &["Delete", "Retain"];
/// `maxProvisionerParameterLen`, `maxProvisionerParameterSize`.
const MAX_PARAMETERS: usize = 512;
const MAX_PARAMETER_BYTES: usize = 256 << 10;

pub fn validate_storage_class(sc: &StorageClass, errs: &mut Vec<FieldError>) {
    validate_object_meta(&sc.metadata, &FieldPath::root("metadata"), errs);
    let provisioner = FieldPath::root("provisioner");
    if sc.provisioner.is_empty() {
        errs.push(FieldError::required(provisioner));
    } else {
        let lower = sc.provisioner.to_lowercase();
        for msg in crate::labels::is_qualified_name(&lower) {
            errs.push(FieldError::invalid(provisioner.clone(), &lower, &msg));
        }
    }
    let parameters = FieldPath::root("parameters");
    if sc.parameters.len() > MAX_PARAMETERS {
        errs.push(FieldError::new(parameters, format!("Too long: may not be more than {MAX_PARAMETERS} bytes")));
    } else {
        for key in sc.parameters.keys().filter(|k| k.is_empty()) {
            errs.push(FieldError::invalid(parameters.clone(), key, "field can not be empty."));
        }
        let size: usize = sc.parameters.iter().map(|(k, v)| k.len() + v.len()).sum();
        if size > MAX_PARAMETER_BYTES {
            errs.push(FieldError::new(
                parameters,
                format!("Too long: may not be more than {MAX_PARAMETER_BYTES} bytes"),
            ));
        }
    }
    if let Some(p) = sc.reclaim_policy.as_deref().filter(|p| !p.is_empty())
        && !CLASS_RECLAIM_POLICIES.contains(&p)
    {
        errs.push(FieldError::unsupported(FieldPath::root("reclaimPolicy"), p, CLASS_RECLAIM_POLICIES));
    }
    match sc.volume_binding_mode.as_deref() {
        None => errs.push(FieldError::required(FieldPath::root("volumeBindingMode"))),
        Some(m) if !BINDING_MODES.contains(&m) => {
            errs.push(FieldError::unsupported(FieldPath::root("volumeBindingMode"), m, BINDING_MODES))
        }
        Some(_) => {}
    }
    validate_allowed_topologies(sc, errs);
}

/// `validateAllowedTopologies` and `ValidateTopologySelectorTerm`.
fn validate_allowed_topologies(sc: &StorageClass, errs: &mut Vec<FieldError>) {
    let path = FieldPath::root("allowedTopologies");
    let mut seen: Vec<Vec<(&str, Vec<&str>)>> = Vec::new();
    for (i, term) in sc.allowed_topologies.iter().enumerate() {
        let term_path = path.index(i);
        let mut keys: Vec<(&str, Vec<&str>)> = Vec::new();
        for (j, req) in term.match_label_expressions.iter().enumerate() {
            let p = term_path.child("matchLabelExpressions").index(j);
            let values = p.child("values");
            if req.values.is_empty() {
                errs.push(FieldError::required(values.clone()));
            }
            let mut set: Vec<&str> = Vec::new();
            for (k, v) in req.values.iter().enumerate() {
                if set.contains(&v.as_str()) {
                    errs.push(FieldError::duplicate(values.index(k), v));
                }
                set.push(v);
            }
            for msg in crate::labels::is_qualified_name(&req.key) {
                errs.push(FieldError::invalid(p.child("key"), &req.key, &msg));
            }
            if keys.iter().any(|(k, _)| *k == req.key) {
                errs.push(FieldError::duplicate(p.child("key"), &req.key));
            }
            set.sort_unstable();
            set.dedup();
            keys.retain(|(k, _)| *k != req.key);
            keys.push((&req.key, set));
        }
        keys.sort();
        if seen.contains(&keys) {
            errs.push(FieldError::duplicate(term_path.child("matchLabelExpressions"), ""));
        }
        seen.push(keys);
    }
}

// ---------------------------------------------------------------------------------
// ConfigMap and Secret (`ValidateConfigMap`, `ValidateSecret`)

pub fn validate_config_map(cm: &ConfigMap, errs: &mut Vec<FieldError>) {
    validate_object_meta(&cm.metadata, &FieldPath::root("metadata"), errs);
    let mut size = 0;
    for (key, value) in &cm.data {
        let p = FieldPath::root("data").key(key);
        validate_config_key(key, &p, errs);
        if cm.binary_data.contains_key(key) {
            errs.push(FieldError::invalid(p, key, "duplicate of key present in binaryData"));
        }
        size += value.len();
    }
    for (key, value) in &cm.binary_data {
        let p = FieldPath::root("binaryData").key(key);
        validate_config_key(key, &p, errs);
        match base64_decoded_len(value) {
            Ok(n) => size += n,
            Err(at) => errs.push(FieldError::new(p, format!("illegal base64 data at input byte {at}"))),
        }
    }
    if size > MAX_DATA_BYTES {
        // The whole object: upstream passes an empty path.
        errs.push(FieldError::new(
            FieldPath::empty(),
            format!("Too long: may not be more than {MAX_DATA_BYTES} bytes"),
        ));
    }
}

pub fn validate_secret(secret: &Secret, errs: &mut Vec<FieldError>) {
    validate_object_meta(&secret.metadata, &FieldPath::root("metadata"), errs);
    let data = FieldPath::root("data");
    let mut size = 0;
    for (key, value) in &secret.data {
        let p = data.key(key);
        validate_config_key(key, &p, errs);
        // `stringData` replaces a key it shares with `data` before validation.
        if let Some(plain) = secret.string_data.get(key) {
            size += plain.len();
            continue;
        }
        match base64_decoded_len(value) {
            Ok(n) => size += n,
            Err(at) => errs.push(FieldError::new(p, format!("illegal base64 data at input byte {at}"))),
        }
    }
    for (key, value) in secret.string_data.iter().filter(|(k, _)| !secret.data.contains_key(*k)) {
        validate_config_key(key, &data.key(key), errs);
        size += value.len();
    }
    if size > MAX_DATA_BYTES {
        errs.push(FieldError::new(data.clone(), format!("Too long: may not be more than {MAX_DATA_BYTES} bytes")));
    }
    validate_secret_type(secret, &data, errs);
}

/// The keys each built-in Secret type requires (`ValidateSecret`'s switch on the type in
/// `pkg/apis/core/validation/validation.go`, checked against upstream): the TLS pair
/// certificate first; an SSH key and a service account name must be non-empty, the
/// others only present. (The JSON of `.dockercfg` / `.dockerconfigjson` is parsed
/// upstream too; podsim does not parse it, since its error text is Go's decoder's.)
fn validate_secret_type(secret: &Secret, data: &FieldPath, errs: &mut Vec<FieldError>) {
    let has = |k: &str| secret.data.contains_key(k) || secret.string_data.contains_key(k);
    // `len(secret.Data[k]) == 0`: absent, or present with no bytes.
    let empty = |k: &str| {
        secret.string_data.get(k).map_or_else(|| secret.data.get(k).is_none_or(|v| v.is_empty()), |v| v.is_empty())
    };
    let mut require = |k: &str| {
        if !has(k) {
            errs.push(FieldError::required(data.key(k)));
        }
    };
    match secret.type_name() {
        "kubernetes.io/tls" => {
            require("tls.crt");
            require("tls.key");
        }
        "kubernetes.io/dockercfg" => require(".dockercfg"),
        "kubernetes.io/dockerconfigjson" => require(".dockerconfigjson"),
        "kubernetes.io/ssh-auth" if empty("ssh-privatekey") => {
            errs.push(FieldError::required(data.key("ssh-privatekey")));
        }
        "kubernetes.io/basic-auth" if !has("username") && !has("password") => {
            require("username");
            require("password");
        }
        "kubernetes.io/service-account-token"
            if secret.metadata.annotations.get("kubernetes.io/service-account.name").is_none_or(|v| v.is_empty()) =>
        {
            errs.push(FieldError::required(
                FieldPath::root("metadata").child("annotations").key("kubernetes.io/service-account.name"),
            ));
        }
        _ => {}
    }
}

/// `IsConfigMapKey` (`apimachinery/pkg/util/validation`).
pub fn config_key_errors(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    if key.len() > 253 {
        out.push("must be no more than 253 characters".to_string());
    }
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) {
        out.push(
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or \
             'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
                .to_string(),
        );
    }
    match key {
        "." => out.push("must not be '.'".to_string()),
        ".." => out.push("must not be '..'".to_string()),
        k if k.starts_with("..") => out.push("must not start with '..'".to_string()),
        _ => {}
    }
    out
}

fn validate_config_key(key: &str, path: &FieldPath, errs: &mut Vec<FieldError>) {
    for msg in config_key_errors(key) {
        errs.push(FieldError::invalid(path.clone(), key, &msg));
    }
}

/// The length of standard base64 (Go's `base64.StdEncoding`, which JSON `[]byte` uses)
/// once decoded, or the offset of the first byte it refuses (`CorruptInputError`).
/// Line breaks are skipped as Go skips them; padding is required.
pub fn base64_decoded_len(text: &str) -> Result<usize, usize> {
    let alphabet = |b: u8| b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
    let mut quantum = 0usize;
    let mut len = 0usize;
    let mut padding = 0usize;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'\r' | b'\n' => continue,
            b'=' => {
                // Padding only completes a quantum of 2 or 3 symbols.
                if quantum < 2 || padding + quantum >= 4 {
                    return Err(i);
                }
                padding += 1;
            }
            b if alphabet(b) && padding == 0 => quantum += 1,
            _ => return Err(i),
        }
        if quantum + padding == 4 {
            len += 3 - padding;
            quantum = 0;
            if padding > 0 {
                // Nothing may follow the padding but line breaks.
                if let Some(j) = text.bytes().skip(i + 1).position(|b| b != b'\r' && b != b'\n') {
                    return Err(i + 1 + j);
                }
                return Ok(len);
            }
        }
    }
    match quantum + padding {
        0 => Ok(len),
        _ => Err(text.len()),
    }
}

// ---------------------------------------------------------------------------------
// A pod's volumes (`ValidateVolumes`, `validateVolumeSource`, `ValidateVolumeMounts`)

/// Validates `spec.volumes` and returns the names of the valid ones (a mount of an
/// invalid volume is `Not found`, as upstream's map holds only the valid).
pub fn validate_volumes<'a>(volumes: &'a [Volume], path: &FieldPath, errs: &mut Vec<FieldError>) -> Vec<&'a str> {
    let mut names: Vec<&str> = Vec::new();
    for (i, v) in volumes.iter().enumerate() {
        let p = path.index(i);
        let mut el = Vec::new();
        validate_volume_source(v, &p, &mut el);
        let name = p.child("name");
        if v.name.is_empty() {
            el.push(FieldError::required(name.clone()));
        } else if !is_dns1123_label(&v.name) {
            el.push(FieldError::invalid(name.clone(), &v.name, DNS1123_LABEL_MSG));
        }
        if names.contains(&v.name.as_str()) {
            el.push(FieldError::duplicate(name, &v.name));
        }
        if el.is_empty() {
            names.push(&v.name);
        }
        errs.append(&mut el);
    }
    names
}

fn validate_volume_source(v: &Volume, path: &FieldPath, errs: &mut Vec<FieldError>) {
    let sources = v.sources();
    if sources.is_empty() {
        errs.push(FieldError::required_because(path.clone(), "must specify a volume type"));
    }
    for extra in sources.iter().skip(1) {
        let field = match extra {
            VolumeSourceRef::DownwardApi(_) => "downwarAPI",
            _ => source_field(extra),
        };
        errs.push(FieldError::forbidden(path.child(field), MORE_THAN_ONE));
    }
    let Some(source) = sources.first() else { return };
    let p = path.child(source_field(source));
    match source {
        VolumeSourceRef::EmptyDir(e) => {
            if e.size_limit.as_ref().is_some_and(Quantity::is_negative) {
                errs.push(FieldError::forbidden(
                    p.child("sizeLimit"),
                    "SizeLimit field must be a valid resource quantity",
                ));
            }
        }
        VolumeSourceRef::HostPath(h) => validate_host_path(h, &p, errs),
        VolumeSourceRef::Secret(s) => {
            if s.secret_name.as_deref().unwrap_or("").is_empty() {
                errs.push(FieldError::required(p.child("secretName")));
            }
            validate_mode(s.default_mode, &p.child("defaultMode"), errs);
            validate_items(&s.items, &p.child("items"), errs);
        }
        VolumeSourceRef::ConfigMap(c) => {
            if c.name.is_empty() {
                errs.push(FieldError::required(p.child("name")));
            }
            validate_mode(c.default_mode, &p.child("defaultMode"), errs);
            validate_items(&c.items, &p.child("items"), errs);
        }
        VolumeSourceRef::PersistentVolumeClaim(c) => {
            if c.claim_name.is_empty() {
                errs.push(FieldError::required(p.child("claimName")));
            }
        }
        VolumeSourceRef::Projected(pr) => {
            validate_mode(pr.default_mode, &p.child("defaultMode"), errs);
            validate_projection(pr, &p, errs);
        }
        VolumeSourceRef::DownwardApi(d) => validate_mode(d.default_mode, &p.child("defaultMode"), errs),
        VolumeSourceRef::Ephemeral(e) => match &e.volume_claim_template {
            None => errs.push(FieldError::required(p.child("volumeClaimTemplate"))),
            Some(t) => validate_pvc_spec(&t.spec, &p.child("volumeClaimTemplate").child("spec"), errs),
        },
        VolumeSourceRef::Nfs(n) => validate_nfs(n, &p, errs),
        VolumeSourceRef::Csi(c) => validate_csi_driver_name(&c.driver, &p.child("driver"), errs),
        VolumeSourceRef::Other(..) => {}
    }
}

/// The field a source is written under (`downwardAPI` is misspelt `downwarAPI` in
/// upstream's "more than 1" message, and `cephfs` is `cephFS`).
fn source_field(s: &VolumeSourceRef<'_>) -> &'static str {
    match s {
        VolumeSourceRef::EmptyDir(_) => "emptyDir",
        VolumeSourceRef::HostPath(_) => "hostPath",
        VolumeSourceRef::ConfigMap(_) => "configMap",
        VolumeSourceRef::Secret(_) => "secret",
        VolumeSourceRef::Projected(_) => "projected",
        VolumeSourceRef::DownwardApi(_) => "downwardAPI",
        VolumeSourceRef::PersistentVolumeClaim(_) => "persistentVolumeClaim",
        VolumeSourceRef::Ephemeral(_) => "ephemeral",
        VolumeSourceRef::Nfs(_) => "nfs",
        VolumeSourceRef::Csi(_) => "csi",
        VolumeSourceRef::Other(name, _) => name,
    }
}

/// `supportedHostPathTypes`, sorted.
const HOST_PATH_TYPES: &[&str] =
    &["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"];

fn validate_host_path(h: &super::volume::HostPathVolumeSource, path: &FieldPath, errs: &mut Vec<FieldError>) {
    if h.path.is_empty() {
        errs.push(FieldError::required(path.child("path")));
        return;
    }
    validate_no_backsteps(&h.path, &path.child("path"), errs);
    if let Some(t) = h.type_.as_deref()
        && !HOST_PATH_TYPES.contains(&t)
    {
        errs.push(FieldError::unsupported(path.child("type"), t, HOST_PATH_TYPES));
    }
}

fn validate_nfs(n: &super::volume::NfsVolumeSource, path: &FieldPath, errs: &mut Vec<FieldError>) {
    if n.server.is_empty() {
        errs.push(FieldError::required(path.child("server")));
    }
    if n.path.is_empty() {
        errs.push(FieldError::required(path.child("path")));
    }
    if !n.path.starts_with('/') {
        errs.push(FieldError::invalid(path.child("path"), &n.path, "must be an absolute path"));
    }
}

/// `validatePathNoBacksteps`.
fn validate_no_backsteps(p: &str, path: &FieldPath, errs: &mut Vec<FieldError>) {
    if p.split('/').any(|part| part == "..") {
        errs.push(FieldError::invalid(path.clone(), p, "must not contain '..'"));
    }
}

/// `ValidateLocalNonReservedPath`: relative, no `..` element, not starting with `..`.
fn validate_local_path(p: &str, path: &FieldPath, errs: &mut Vec<FieldError>) {
    if p.starts_with('/') {
        errs.push(FieldError::invalid(path.clone(), p, "must be a relative path"));
    }
    validate_no_backsteps(p, path, errs);
    if p.starts_with("..") && !p.starts_with("../") {
        errs.push(FieldError::invalid(path.clone(), p, "must not start with '..'"));
    }
}

fn validate_mode(mode: Option<i32>, path: &FieldPath, errs: &mut Vec<FieldError>) {
    if let Some(m) = mode
        && !(0..=0o777).contains(&m)
    {
        errs.push(FieldError::invalid_number(path.clone(), i64::from(m), FILE_MODE));
    }
}

/// `validateKeyToPath` for each item.
fn validate_items(items: &[KeyToPath], path: &FieldPath, errs: &mut Vec<FieldError>) {
    for (i, kp) in items.iter().enumerate() {
        let p = path.index(i);
        if kp.key.is_empty() {
            errs.push(FieldError::required(p.child("key")));
        }
        if kp.path.is_empty() {
            errs.push(FieldError::required(p.child("path")));
        }
        validate_local_path(&kp.path, &p.child("path"), errs);
        validate_mode(kp.mode, &p.child("mode"), errs);
    }
}

/// `validateProjectionSources`, for the sources podsim reads.
fn validate_projection(pr: &super::volume::ProjectedVolumeSource, path: &FieldPath, errs: &mut Vec<FieldError>) {
    for (i, s) in pr.sources.iter().enumerate() {
        let p = path.child("sources").index(i);
        let mut count = 0;
        if let Some(sec) = &s.secret {
            count += 1;
            if sec.name.is_empty() {
                errs.push(FieldError::required(p.child("secret").child("name")));
            }
            validate_items(&sec.items, &p.child("secret").child("items"), errs);
        }
        if let Some(cm) = &s.config_map {
            count += 1;
            if cm.name.is_empty() {
                errs.push(FieldError::required(p.child("configMap").child("name")));
            }
            validate_items(&cm.items, &p.child("configMap").child("items"), errs);
        }
        count += usize::from(s.downward_api.is_some());
        if let Some(t) = &s.service_account_token {
            count += 1;
            let seconds = t.expiration_seconds.unwrap_or(3600);
            let ep = p.child("serviceAccountToken").child("expirationSeconds");
            if seconds < 600 {
                errs.push(FieldError::invalid_number(
                    ep.clone(),
                    seconds,
                    "may not specify a duration less than 10 minutes",
                ));
            }
            if seconds > 1 << 32 {
                errs.push(FieldError::invalid_number(
                    ep,
                    seconds,
                    "may not specify a duration larger than 2^32 seconds",
                ));
            }
            if t.path.is_empty() {
                errs.push(FieldError::required(path.child("path")));
            } else {
                validate_local_path(&t.path, &path.child("path"), errs);
            }
        }
        count += usize::from(s.cluster_trust_bundle.is_some()) + usize::from(s.pod_certificate.is_some());
        if count > 1 {
            errs.push(FieldError::forbidden(p, MORE_THAN_ONE));
        }
    }
}

/// `ValidateVolumeMounts` for one container: each mount names a valid volume, has a
/// path unique in the container.
pub fn validate_volume_mounts(mounts: &[VolumeMount], volumes: &[&str], path: &FieldPath, errs: &mut Vec<FieldError>) {
    let mut paths: Vec<&str> = Vec::new();
    for (i, m) in mounts.iter().enumerate() {
        let p = path.index(i);
        if m.name.is_empty() {
            errs.push(FieldError::required(p.child("name")));
        }
        if !volumes.contains(&m.name.as_str()) {
            errs.push(FieldError::new(p.child("name"), format!("Not found: \"{}\"", m.name)));
        }
        if m.mount_path.is_empty() {
            errs.push(FieldError::required(p.child("mountPath")));
        }
        if paths.contains(&m.mount_path.as_str()) {
            errs.push(FieldError::invalid(p.child("mountPath"), &m.mount_path, "must be unique"));
        }
        paths.push(&m.mount_path);
        if let Some(sub) = m.sub_path.as_deref().filter(|s| !s.is_empty()) {
            // Upstream puts this one on the list's path, not the entry's.
            let sp = path.child("subPath");
            if sub.starts_with('/') {
                errs.push(FieldError::invalid(sp.clone(), sub, "must be a relative path"));
            }
            validate_no_backsteps(sub, &sp, errs);
        }
    }
}

#[cfg(test)]
mod tests;
