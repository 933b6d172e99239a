//! A pod's volumes compiled once with its template (`template.rs`): what each volume
//! is, which claims, ConfigMaps and Secrets the pod needs, and where each container
//! mounts what. The scheduler's volume plugins, the kubelet's volume manager and the
//! storage controllers read these instead of the API spec.

// The storage controllers (the PV controller, the scheduler's volume plugins, attach and
// detach, the kubelet's volume manager, StatefulSets) read and write what is here; until
// each lands, parts of it have no reader yet.
#![allow(dead_code)]

use crate::api::pod::PodSpec;
use crate::api::storage::migrated_driver;
use crate::api::volume::{PersistentVolumeClaimTemplate, VolumeSourceRef};
use std::sync::Arc;

/// Where a volume's data comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// Shared by the pod's containers, kept across their restarts, gone with the pod.
    EmptyDir {
        /// `medium: Memory`: a tmpfs counted against the pod's memory.
        memory: bool,
        /// `sizeLimit` in bytes.
        size_limit: Option<i64>,
    },
    /// A directory of the node.
    HostPath {
        path: Arc<str>,
    },
    /// Files from a ConfigMap or a Secret; `optional`: set up empty when missing.
    ConfigMap {
        name: Arc<str>,
        optional: bool,
    },
    Secret {
        name: Arc<str>,
        optional: bool,
    },
    /// Several sources in one directory.
    Projected(Vec<Projection>),
    /// The pod's own fields as files (no object to wait for).
    DownwardApi,
    /// A PersistentVolumeClaim of the pod's namespace.
    Claim {
        name: Arc<str>,
        read_only: bool,
    },
    /// A generic ephemeral volume: a claim made for the pod, named `<pod>-<volume>`.
    Ephemeral(Arc<PersistentVolumeClaimTemplate>),
    /// A volume on the network, written inline in the pod (`nfs`, `csi`, an in-tree
    /// disk): `driver` is the CSI driver that serves it, where one does.
    Network {
        kind: &'static str,
        driver: Option<Arc<str>>,
    },
    /// `gitRepo`, `image`: filled once on the node, gone with the pod.
    Other {
        kind: &'static str,
    },
}

/// One source of a projected volume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Projection {
    ConfigMap {
        name: Arc<str>,
        optional: bool,
    },
    Secret {
        name: Arc<str>,
        optional: bool,
    },
    DownwardApi,
    ServiceAccountToken,
    /// A clusterTrustBundle or podCertificate source.
    Other,
}

/// A volume of the pod.
#[derive(Clone, Debug, PartialEq)]
pub struct VolumeSpec {
    pub name: Arc<str>,
    pub source: Source,
}

impl VolumeSpec {
    /// Whether its data outlives the pod's node (a claim's depends on its PV).
    pub fn is_network(&self) -> bool {
        matches!(self.source, Source::Network { .. })
    }
}

/// A container's mount of one of the pod's volumes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    /// Index into [`PodVolumes::volumes`].
    pub volume: usize,
    pub path: Arc<str>,
    pub read_only: bool,
}

/// A ConfigMap or Secret a pod's volumes need before its containers can start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectRef<'a> {
    /// Index of the volume that names it.
    pub volume: usize,
    pub secret: bool,
    pub name: &'a str,
    pub optional: bool,
}

/// The compiled volumes of a pod.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PodVolumes {
    pub volumes: Vec<VolumeSpec>,
    /// Per container, in the template's order (init containers, then app ones).
    pub mounts: Vec<Vec<Mount>>,
}

impl PodVolumes {
    pub fn compile(spec: &PodSpec) -> PodVolumes {
        let volumes: Vec<VolumeSpec> = spec
            .volumes
            .iter()
            .map(|v| VolumeSpec { name: Arc::from(v.name.as_str()), source: source(v.source()) })
            .collect();
        let mounts = spec
            .init_containers
            .iter()
            .chain(&spec.containers)
            .map(|c| {
                c.volume_mounts
                    .iter()
                    .filter_map(|m| {
                        let volume = volumes.iter().position(|v| *v.name == *m.name)?;
                        Some(Mount { volume, path: Arc::from(m.mount_path.as_str()), read_only: m.is_read_only() })
                    })
                    .collect()
            })
            .collect();
        PodVolumes { volumes, mounts }
    }

    pub fn is_empty(&self) -> bool {
        self.volumes.is_empty()
    }

    /// The claims the pod uses: (volume index, claim name), an ephemeral volume's
    /// claim named for the pod (`<pod>-<volume>`, `ephemeral.VolumeClaimName`).
    pub fn claims<'a>(&'a self, pod_name: &'a str) -> impl Iterator<Item = (usize, std::borrow::Cow<'a, str>)> + 'a {
        self.volumes.iter().enumerate().filter_map(move |(i, v)| match &v.source {
            Source::Claim { name, .. } => Some((i, std::borrow::Cow::Borrowed(&**name))),
            Source::Ephemeral(_) => Some((i, std::borrow::Cow::Owned(format!("{pod_name}-{}", v.name)))),
            _ => None,
        })
    }

    /// Whether the pod uses any claim (the VolumeBinding plugin's PreFilter skips it otherwise).
    pub fn has_claims(&self) -> bool {
        self.volumes.iter().any(|v| matches!(v.source, Source::Claim { .. } | Source::Ephemeral(_)))
    }

    /// Whether the pod uses the claim `name` (`podUsesPVC`, for claim protection).
    pub fn uses_claim(&self, pod_name: &str, name: &str) -> bool {
        self.claims(pod_name).any(|(_, c)| c == name)
    }

    /// Every ConfigMap and Secret the volumes name, directly or projected, in
    /// volume order.
    pub fn config_objects(&self) -> Vec<ObjectRef<'_>> {
        let mut out = Vec::new();
        for (i, v) in self.volumes.iter().enumerate() {
            let refs: Vec<(bool, &Arc<str>, bool)> = match &v.source {
                Source::ConfigMap { name, optional } => vec![(false, name, *optional)],
                Source::Secret { name, optional } => vec![(true, name, *optional)],
                Source::Projected(ps) => ps
                    .iter()
                    .filter_map(|p| match p {
                        Projection::ConfigMap { name, optional } => Some((false, name, *optional)),
                        Projection::Secret { name, optional } => Some((true, name, *optional)),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            out.extend(refs.into_iter().map(|(secret, name, optional)| ObjectRef {
                volume: i,
                secret,
                name,
                optional,
            }));
        }
        out
    }

    /// The emptyDirs: (volume index, memory-backed, size limit in bytes).
    pub fn empty_dirs(&self) -> impl Iterator<Item = (usize, bool, Option<i64>)> + '_ {
        self.volumes.iter().enumerate().filter_map(|(i, v)| match v.source {
            Source::EmptyDir { memory, size_limit } => Some((i, memory, size_limit)),
            _ => None,
        })
    }
}

fn source(s: Option<VolumeSourceRef<'_>>) -> Source {
    use VolumeSourceRef as S;
    let arc = |s: &str| Arc::from(s);
    match s {
        // Validation refuses a volume without a source; defaulting made it an emptyDir.
        None => Source::EmptyDir { memory: false, size_limit: None },
        Some(S::EmptyDir(e)) => {
            Source::EmptyDir { memory: e.is_memory(), size_limit: e.size_limit.as_ref().map(|q| q.value()) }
        }
        Some(S::HostPath(h)) => Source::HostPath { path: arc(&h.path) },
        Some(S::ConfigMap(c)) => Source::ConfigMap { name: arc(&c.name), optional: c.optional == Some(true) },
        Some(S::Secret(s)) => {
            Source::Secret { name: arc(s.secret_name.as_deref().unwrap_or("")), optional: s.optional == Some(true) }
        }
        Some(S::Projected(p)) => Source::Projected(
            p.sources
                .iter()
                .map(|s| match (&s.config_map, &s.secret, &s.downward_api, &s.service_account_token) {
                    (Some(c), ..) => Projection::ConfigMap { name: arc(&c.name), optional: c.optional == Some(true) },
                    (_, Some(c), ..) => Projection::Secret { name: arc(&c.name), optional: c.optional == Some(true) },
                    (_, _, Some(_), _) => Projection::DownwardApi,
                    (_, _, _, Some(_)) => Projection::ServiceAccountToken,
                    _ => Projection::Other,
                })
                .collect(),
        ),
        Some(S::DownwardApi(_)) => Source::DownwardApi,
        Some(S::PersistentVolumeClaim(c)) => {
            Source::Claim { name: arc(&c.claim_name), read_only: c.read_only == Some(true) }
        }
        Some(S::Ephemeral(e)) => Source::Ephemeral(Arc::new(e.volume_claim_template.clone().unwrap_or_default())),
        Some(S::Nfs(_)) => Source::Network { kind: "nfs", driver: None },
        Some(S::Csi(c)) => Source::Network { kind: "csi", driver: Some(arc(&c.driver)) },
        Some(S::Other(kind @ ("gitRepo" | "image"), _)) => Source::Other { kind },
        Some(S::Other(kind, _)) => Source::Network { kind, driver: migrated_driver(kind).map(arc) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_sources_mounts_and_the_objects_a_pod_needs() {
        let spec: PodSpec = serde_saphyr::from_str(
            "volumes:\n\
             - {name: data, persistentVolumeClaim: {claimName: db}}\n\
             - {name: scratch, emptyDir: {medium: Memory, sizeLimit: 64Mi}}\n\
             - {name: conf, configMap: {name: app, optional: true}}\n\
             - {name: all, projected: {sources: [{secret: {name: tls}}, {serviceAccountToken: {path: t}}]}}\n\
             - {name: cache, ephemeral: {volumeClaimTemplate: {spec: {accessModes: [ReadWriteOnce]}}}}\n\
             - {name: disk, awsElasticBlockStore: {volumeID: v}}\n\
             containers:\n\
             - {name: app, volumeMounts: [{name: data, mountPath: /data}, {name: conf, mountPath: /etc/app, readOnly: true}]}\n",
        )
        .unwrap();
        let v = PodVolumes::compile(&spec);
        assert_eq!(
            v.mounts,
            vec![vec![
                Mount { volume: 0, path: Arc::from("/data"), read_only: false },
                Mount { volume: 2, path: Arc::from("/etc/app"), read_only: true },
            ]]
        );
        let claims: Vec<(usize, String)> = v.claims("web-0").map(|(i, c)| (i, c.into_owned())).collect();
        assert_eq!(claims, [(0, "db".to_string()), (4, "web-0-cache".to_string())]);
        assert!(v.uses_claim("web-0", "web-0-cache") && !v.uses_claim("web-1", "web-0-cache"));
        let objects: Vec<(bool, &str, bool)> =
            v.config_objects().iter().map(|o| (o.secret, o.name, o.optional)).collect();
        assert_eq!(objects, [(false, "app", true), (true, "tls", false)]);
        assert_eq!(v.empty_dirs().collect::<Vec<_>>(), [(1, true, Some(64 << 20))]);
        assert_eq!(
            v.volumes[5].source,
            Source::Network { kind: "awsElasticBlockStore", driver: Some(Arc::from("ebs.csi.aws.com")) }
        );
        assert!(v.volumes[5].is_network());
    }
}
