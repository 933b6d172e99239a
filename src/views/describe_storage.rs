//! `kubectl describe` of the storage objects (`describePersistentVolumeClaim`,
//! `describePersistentVolume`, `describeStorageClass`, `describeConfigMap`,
//! `describeSecret` in `kubectl/pkg/describe/describe.go`), and a pod's `Volumes:`
//! (`describeVolumes`) and each container's `Mounts:` (`describeContainerVolumes`).
//! Checked against describe.go (kubectl 1.34): the PV, claim and source printers, the
//! CSI attributes' odd indentation included.

use super::describe::{Out, annotations_multiline, events_or_none, finish, labels_multiline, w};
use super::model::Event;
use super::replay::{ClaimState, Created, VolumeState};
use crate::api::config::{ConfigMap, Secret};
use crate::api::pod::{Container, NodeSelector};
use crate::api::storage::{PersistentVolumeClaimSpec, PersistentVolumeSpec, StorageClass};
use crate::api::volume::{Volume, VolumeSourceRef};
use crate::kubectl::duration::translate_timestamp_since;
use std::collections::BTreeMap;

/// `printPersistentVolumeClaim`'s lines shared by a claim and an ephemeral volume's
/// template: class, volume, labels, annotations, then capacity and modes.
#[allow(clippy::too_many_arguments)]
fn claim_lines(
    out: &mut Out,
    indent: &str,
    class: &str,
    status: Option<&str>,
    volume: &str,
    labels: &BTreeMap<String, String>,
    annotations: &BTreeMap<String, String>,
    finalizers: Option<&[String]>,
    bound: Option<(&str, &[String])>,
    spec: &PersistentVolumeClaimSpec,
) {
    w!(out, 0, "{indent}StorageClass:\t{class}\n");
    if let Some(s) = status {
        w!(out, 0, "{indent}Status:\t{s}\n");
    }
    w!(out, 0, "{indent}Volume:\t{volume}\n");
    labels_multiline(out, indent, "Labels", labels);
    out.text.push_str(&annotations_multiline(indent, "Annotations", annotations));
    if let Some(f) = finalizers {
        w!(out, 0, "{indent}Finalizers:\t[{}]\n", f.join(" "));
    }
    let (capacity, modes) = match bound {
        Some((q, m)) => (q.to_string(), super::storage::access_modes(m)),
        None => (String::new(), String::new()),
    };
    w!(out, 0, "{indent}Capacity:\t{capacity}\n");
    w!(out, 0, "{indent}Access Modes:\t{modes}\n");
    if let Some(m) = &spec.volume_mode {
        w!(out, 0, "{indent}VolumeMode:\t{m}\n");
    }
}

/// `kubectl describe pvc`: the claim, the pods that use it (`Used By`), its events.
pub fn claim(c: &ClaimState, used_by: &[String], events: &[&Event], now: i64) -> String {
    let mut out = Out::default();
    w!(out, 0, "Name:\t{}\n", c.api.metadata.name);
    w!(out, 0, "Namespace:\t{}\n", c.api.metadata.namespace());
    let status = match c.deletion {
        Some(d) => format!("Terminating (lasts {})", translate_timestamp_since(now, Some(d))),
        None => c.phase.clone(),
    };
    let bound = c.volume_name.as_ref().map(|_| (c.capacity.as_deref().unwrap_or("0"), c.access_modes.as_slice()));
    claim_lines(
        &mut out,
        "",
        &c.class(),
        Some(&status),
        c.volume(),
        &c.api.metadata.labels,
        &c.annotations,
        Some(&c.finalizers),
        bound,
        &c.api.spec,
    );
    multiline(&mut out, "Used By", used_by);
    let events = events_or_none(&mut out, now, events);
    finish(out, events)
}

/// `printPodsMultiline`: `<none>`, or one name a line.
fn multiline(out: &mut Out, title: &str, items: &[String]) {
    w!(out, 0, "{title}:\t");
    if items.is_empty() {
        w!(out, 0, "<none>\n");
    }
    for (i, item) in items.iter().enumerate() {
        if i != 0 {
            w!(out, 0, "\t");
        }
        w!(out, 0, "{item}\n");
    }
}

/// `kubectl describe pv`.
pub fn volume(v: &VolumeState, events: &[&Event], now: i64) -> String {
    let mut out = Out::default();
    let spec = &v.api.spec;
    w!(out, 0, "Name:\t{}\n", v.api.metadata.name);
    labels_multiline(&mut out, "", "Labels", &v.api.metadata.labels);
    out.text.push_str(&annotations_multiline("", "Annotations", &v.annotations));
    w!(out, 0, "Finalizers:\t[{}]\n", v.finalizers.join(" "));
    w!(out, 0, "StorageClass:\t{}\n", v.class());
    match v.deletion {
        Some(d) => w!(out, 0, "Status:\tTerminating (lasts {})\n", translate_timestamp_since(now, Some(d))),
        None => w!(out, 0, "Status:\t{}\n", v.phase),
    }
    w!(out, 0, "Claim:\t{}\n", v.claim());
    w!(out, 0, "Reclaim Policy:\t{}\n", spec.persistent_volume_reclaim_policy.as_deref().unwrap_or(""));
    w!(out, 0, "Access Modes:\t{}\n", super::storage::access_modes(&spec.access_modes));
    if let Some(m) = &spec.volume_mode {
        w!(out, 0, "VolumeMode:\t{m}\n");
    }
    w!(out, 0, "Capacity:\t{}\n", v.capacity());
    node_affinity(&mut out, spec);
    w!(out, 0, "Message:\t{}\n", v.message);
    w!(out, 0, "Source:\n");
    pv_source(&mut out, spec);
    let events = events_or_none(&mut out, now, events);
    finish(out, events)
}

/// `printVolumeNodeAffinity`.
fn node_affinity(out: &mut Out, spec: &PersistentVolumeSpec) {
    w!(out, 0, "Node Affinity:\t");
    let Some(required) = spec.node_affinity.as_ref().and_then(|a| a.required.as_ref()) else {
        w!(out, 0, "<none>\n");
        return;
    };
    w!(out, 0, "\n");
    node_selector_terms(out, required);
}

fn node_selector_terms(out: &mut Out, required: &NodeSelector) {
    w!(out, 1, "Required Terms:\t");
    if required.node_selector_terms.is_empty() {
        w!(out, 0, "<none>\n");
        return;
    }
    w!(out, 0, "\n");
    for (i, term) in required.node_selector_terms.iter().enumerate() {
        w!(out, 2, "Term {i}:\t");
        if term.match_expressions.is_empty() {
            w!(out, 0, "<none>\n");
        }
        for (j, req) in term.match_expressions.iter().enumerate() {
            if j != 0 {
                w!(out, 2, "\t");
            }
            let op = String::from(req.operator.clone()).to_lowercase();
            let mut expr = format!("{} {op}", req.key);
            if !req.values.is_empty() {
                expr = format!("{expr} [{}]", req.values.join(", "));
            }
            w!(out, 0, "{expr}\n");
        }
    }
}

/// A PV's `Source:` block (`describePersistentVolume`'s switch).
fn pv_source(out: &mut Out, spec: &PersistentVolumeSpec) {
    if let Some(h) = &spec.host_path {
        host_path(out, &h.path, h.type_.as_deref());
    } else if let Some(d) = &spec.gce_persistent_disk {
        // `printGCEPersistentDiskVolumeSource`.
        w!(out, 2, "Type:\tGCEPersistentDisk (a Persistent Disk resource in Google Compute Engine)\n");
        w!(out, 2, "PDName:\t{}\n", field_str(d, "pdName"));
        disk_fields(out, d);
    } else if let Some(d) = &spec.aws_elastic_block_store {
        // `printAWSElasticBlockStoreVolumeSource`.
        w!(out, 2, "Type:\tAWSElasticBlockStore (a Persistent Disk resource in AWS)\n");
        w!(out, 2, "VolumeID:\t{}\n", field_str(d, "volumeID"));
        disk_fields(out, d);
    } else if let Some(n) = &spec.nfs {
        nfs(out, n);
    } else if let Some(l) = &spec.local {
        w!(out, 2, "Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n");
        w!(out, 2, "Path:\t{}\n", l.path);
    } else if let Some(c) = &spec.csi {
        w!(out, 2, "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n");
        w!(out, 2, "Driver:\t{}\n", c.driver);
        w!(out, 2, "FSType:\t{}\n", c.fs_type.as_deref().unwrap_or(""));
        w!(out, 2, "VolumeHandle:\t{}\n", c.volume_handle);
        w!(out, 2, "ReadOnly:\t{}\n", c.read_only.unwrap_or(false));
        attributes(out, &c.volume_attributes);
    } else if let Some(name) = spec.source_names().first() {
        // The other in-tree sources (accepted, never mounted by podsim) each have a
        // printer of their own fields in kubectl; podsim names the source instead.
        w!(out, 2, "Type:\t{name}\n");
    } else {
        w!(out, 1, "<unknown>\n");
    }
}

/// A string field of a source podsim keeps as JSON (`%v` of an empty string is empty).
fn field_str<'a>(v: &'a serde_json::Value, key: &str) -> &'a str {
    v.get(key).and_then(|x| x.as_str()).unwrap_or("")
}

/// FSType, Partition (0 when unset) and ReadOnly of a GCE or EBS disk.
fn disk_fields(out: &mut Out, v: &serde_json::Value) {
    w!(out, 2, "FSType:\t{}\n", field_str(v, "fsType"));
    w!(out, 2, "Partition:\t{}\n", v.get("partition").and_then(|x| x.as_i64()).unwrap_or(0));
    w!(out, 2, "ReadOnly:\t{}\n", v.get("readOnly").and_then(|x| x.as_bool()).unwrap_or(false));
}

/// `printCSIPersistentVolumeAttributesMultilineIndent`: every `w.Write(LEVEL_2, ...)`
/// adds its four spaces, so the first pair follows the tab after four more, and each
/// next line is four spaces, four more and a tab before them (as kubectl prints it);
/// a pair longer than 140 characters is cut with `...`.
fn attributes(out: &mut Out, attributes: &BTreeMap<String, String>) {
    w!(out, 2, "VolumeAttributes:\t");
    if attributes.is_empty() {
        w!(out, 0, "<none>\n");
    }
    for (i, (k, v)) in attributes.iter().enumerate() {
        if i != 0 {
            w!(out, 2, "");
            w!(out, 2, "\t");
        }
        let line = format!("{k}={v}");
        if line.len() > MAX_ANNOTATION_LEN {
            // Go cuts bytes; podsim cuts at the char boundary at or before them.
            let cut = (0..=MAX_ANNOTATION_LEN).rev().find(|i| line.is_char_boundary(*i)).unwrap_or(0);
            w!(out, 2, "{}...\n", &line[..cut]);
        } else {
            w!(out, 2, "{line}\n");
        }
    }
}

/// describe.go's `maxAnnotationLen`.
const MAX_ANNOTATION_LEN: usize = 140;

fn host_path(out: &mut Out, path: &str, type_: Option<&str>) {
    w!(out, 2, "Type:\tHostPath (bare host directory volume)\n");
    w!(out, 2, "Path:\t{path}\n");
    w!(out, 2, "HostPathType:\t{}\n", type_.unwrap_or("<none>"));
}

fn nfs(out: &mut Out, n: &crate::api::volume::NfsVolumeSource) {
    w!(out, 2, "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n");
    w!(out, 2, "Server:\t{}\n", n.server);
    w!(out, 2, "Path:\t{}\n", n.path);
    w!(out, 2, "ReadOnly:\t{}\n", n.read_only.unwrap_or(false));
}

/// `labels.FormatLabels`: `k=v,k2=v2` sorted, or `<none>`.
fn format_map(m: &BTreeMap<String, String>) -> String {
    if m.is_empty() {
        return "<none>".into();
    }
    m.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
}

/// `kubectl describe storageclass`.
pub fn class(c: &Created<StorageClass>, events: &[&Event], now: i64) -> String {
    let mut out = Out::default();
    let api = &c.api;
    w!(out, 0, "Name:\t{}\n", api.metadata.name);
    w!(out, 0, "IsDefaultClass:\t{}\n", if api.is_default() { "Yes" } else { "No" });
    w!(out, 0, "Annotations:\t{}\n", format_map(&api.metadata.annotations));
    w!(out, 0, "Provisioner:\t{}\n", api.provisioner);
    w!(out, 0, "Parameters:\t{}\n", format_map(&api.parameters));
    let expansion = match api.allow_volume_expansion {
        Some(true) => "True",
        Some(false) => "False",
        None => "<unset>",
    };
    w!(out, 0, "AllowVolumeExpansion:\t{expansion}\n");
    w!(out, 0, "MountOptions:\t<none>\n");
    if let Some(p) = &api.reclaim_policy {
        w!(out, 0, "ReclaimPolicy:\t{p}\n");
    }
    if let Some(m) = &api.volume_binding_mode {
        w!(out, 0, "VolumeBindingMode:\t{m}\n");
    }
    if !api.allowed_topologies.is_empty() {
        w!(out, 0, "AllowedTopologies:\t\n");
        for (i, term) in api.allowed_topologies.iter().enumerate() {
            w!(out, 1, "Term {i}:\t");
            if term.match_label_expressions.is_empty() {
                w!(out, 0, "<none>\n");
            }
            for (j, r) in term.match_label_expressions.iter().enumerate() {
                if j != 0 {
                    w!(out, 1, "\t");
                }
                w!(out, 0, "{} in [{}]\n", r.key, r.values.join(", "));
            }
        }
    }
    let events = events_or_none(&mut out, now, events);
    finish(out, events)
}

/// `kubectl describe configmap`: each key's value, the binary keys' sizes.
pub fn config_map(c: &Created<ConfigMap>, events: &[&Event], now: i64) -> String {
    let mut out = Out::default();
    let api = &c.api;
    w!(out, 0, "Name:\t{}\n", api.metadata.name);
    w!(out, 0, "Namespace:\t{}\n", api.metadata.namespace());
    labels_multiline(&mut out, "", "Labels", &api.metadata.labels);
    out.text.push_str(&annotations_multiline("", "Annotations", &api.metadata.annotations));
    w!(out, 0, "\nData\n====\n");
    for (k, v) in &api.data {
        w!(out, 0, "{k}:\n----\n{v}\n");
    }
    w!(out, 0, "\nBinaryData\n====\n");
    for (k, v) in &api.binary_data {
        let n = crate::api::validation_storage::base64_decoded_len(v).unwrap_or(0);
        w!(out, 0, "{k}: {n} bytes\n");
    }
    w!(out, 0, "\n");
    let events = events_or_none(&mut out, now, events);
    finish(out, events)
}

/// `kubectl describe secret`: the type and each key's size (no events: kubectl's
/// secret describer prints none).
pub fn secret(s: &Created<Secret>) -> String {
    let mut out = Out::default();
    let api = &s.api;
    w!(out, 0, "Name:\t{}\n", api.metadata.name);
    w!(out, 0, "Namespace:\t{}\n", api.metadata.namespace());
    labels_multiline(&mut out, "", "Labels", &api.metadata.labels);
    out.text.push_str(&annotations_multiline("", "Annotations", &api.metadata.annotations));
    w!(out, 0, "\nType:\t{}\n", api.type_name());
    w!(out, 0, "\nData\n====\n");
    for (k, v) in &api.data {
        let n = crate::api::validation_storage::base64_decoded_len(v).unwrap_or(0);
        w!(out, 0, "{k}:\t{n} bytes\n");
    }
    finish(out, None)
}

/// `describeVolumes`: `Volumes:  <none>`, or each volume and its source. `space` is
/// the pod template's indent (`  `), whose volume names kubectl indents one more.
pub(super) fn volumes(out: &mut Out, volumes: &[Volume], space: &str) {
    if volumes.is_empty() {
        w!(out, 0, "{space}Volumes:\t<none>\n");
        return;
    }
    w!(out, 0, "{space}Volumes:\n");
    let name_indent = if space.is_empty() { "" } else { " " };
    for v in volumes {
        w!(out, 1, "{name_indent}{}:\n", v.name);
        source(out, v);
    }
}

fn source(out: &mut Out, v: &Volume) {
    use VolumeSourceRef as S;
    match v.source() {
        Some(S::HostPath(h)) => host_path(out, &h.path, h.type_.as_deref()),
        Some(S::EmptyDir(e)) => {
            w!(out, 2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n");
            w!(out, 2, "Medium:\t{}\n", e.medium.as_deref().unwrap_or(""));
            let limit = e.size_limit.as_ref().filter(|q| q.signum() > 0).map_or("<unset>".into(), |q| q.to_string());
            w!(out, 2, "SizeLimit:\t{limit}\n");
        }
        Some(S::Secret(s)) => {
            w!(out, 2, "Type:\tSecret (a volume populated by a Secret)\n");
            w!(out, 2, "SecretName:\t{}\n", s.secret_name.as_deref().unwrap_or(""));
            w!(out, 2, "Optional:\t{}\n", s.optional == Some(true));
        }
        Some(S::ConfigMap(c)) => {
            w!(out, 2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n");
            w!(out, 2, "Name:\t{}\n", c.name);
            w!(out, 2, "Optional:\t{}\n", c.optional == Some(true));
        }
        Some(S::PersistentVolumeClaim(c)) => {
            w!(out, 2, "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n");
            w!(out, 2, "ClaimName:\t{}\n", c.claim_name);
            w!(out, 2, "ReadOnly:\t{}\n", c.read_only.unwrap_or(false));
        }
        Some(S::Ephemeral(e)) => {
            w!(
                out,
                2,
                "Type:\tEphemeralVolume (an inline specification for a volume that gets created and deleted with the pod)\n"
            );
            if let Some(t) = &e.volume_claim_template {
                let class = t.spec.storage_class_name.as_deref().unwrap_or("");
                let indent = "    ";
                claim_lines(
                    out,
                    indent,
                    class,
                    None,
                    "",
                    &t.metadata.labels,
                    &t.metadata.annotations,
                    None,
                    None,
                    &t.spec,
                );
            }
        }
        Some(S::Projected(p)) => {
            w!(out, 2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n");
            // The optional flags are `*bool`s kubectl prints with `%v`: `<nil>` when
            // unset (a set one prints as a pointer address, shown here as its value).
            let optional = |o: Option<bool>| o.map_or("<nil>".to_string(), |b| b.to_string());
            for s in &p.sources {
                if let Some(sec) = &s.secret {
                    w!(out, 2, "SecretName:\t{}\n", sec.name);
                    w!(out, 2, "SecretOptionalName:\t{}\n", optional(sec.optional));
                } else if s.downward_api.is_some() {
                    w!(out, 2, "DownwardAPI:\ttrue\n");
                } else if let Some(cm) = &s.config_map {
                    w!(out, 2, "ConfigMapName:\t{}\n", cm.name);
                    w!(out, 2, "ConfigMapOptional:\t{}\n", optional(cm.optional));
                } else if let Some(t) = &s.service_account_token {
                    w!(out, 2, "TokenExpirationSeconds:\t{}\n", t.expiration_seconds.unwrap_or(3600));
                }
            }
        }
        Some(S::DownwardApi(d)) => {
            w!(out, 2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n");
            w!(out, 2, "Items:\n");
            for item in &d.items {
                let path = item["path"].as_str().unwrap_or("");
                if let Some(f) = item["fieldRef"]["fieldPath"].as_str() {
                    w!(out, 3, "{f} -> {path}\n");
                }
                if let Some(r) = item["resourceFieldRef"]["resource"].as_str() {
                    w!(out, 3, "{r} -> {path}\n");
                }
            }
        }
        Some(S::Nfs(n)) => nfs(out, n),
        Some(S::Csi(c)) => {
            w!(out, 2, "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n");
            w!(out, 2, "Driver:\t{}\n", c.driver);
            w!(out, 2, "FSType:\t{}\n", c.fs_type.as_deref().unwrap_or(""));
            w!(out, 2, "ReadOnly:\t{}\n", c.read_only.unwrap_or(false));
            attributes(out, &c.volume_attributes);
        }
        Some(S::Other(name, _)) => w!(out, 2, "Type:\t{name}\n"),
        None => w!(out, 1, "<unknown>\n"),
    }
}

/// `describeContainerVolumes`: `Mounts:  <none>`, or each mount sorted by path:
/// `/data from data (rw)`, `(ro,path="sub")`.
pub(super) fn mounts(out: &mut Out, c: &Container) {
    if c.volume_mounts.is_empty() {
        w!(out, 2, "Mounts:\t<none>\n");
        return;
    }
    w!(out, 2, "Mounts:\n");
    let mut sorted: Vec<&crate::api::volume::VolumeMount> = c.volume_mounts.iter().collect();
    sorted.sort_by(|a, b| a.mount_path.cmp(&b.mount_path));
    for m in sorted {
        let mut flags = vec![if m.is_read_only() { "ro".to_string() } else { "rw".to_string() }];
        if let Some(sub) = m.sub_path.as_deref().filter(|s| !s.is_empty()) {
            flags.push(format!("path={sub:?}"));
        }
        w!(out, 3, "{} from {} ({})\n", m.mount_path, m.name, flags.join(","));
    }
}
