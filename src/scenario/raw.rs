//! The scenario file as written: serde mirrors that refuse unknown keys. Values that
//! need checking (durations, quantities, globs) stay text here; `load` validates them
//! into the model with field paths.

use crate::engine::Distribution;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// A scalar kept as written (`90s`, `0.5`, `1`), whatever YAML type it parsed as.
#[derive(Clone, Debug, PartialEq)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::engine::time::serde_duration::DurationText::deserialize(d).map(|t| Text(t.0))
    }
}

/// `faults:` with nothing under it means no faults (YAML reads it as null).
fn null_as_empty<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawScenario {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub duration: Option<Text>,
    #[serde(default)]
    pub metrics_every: Option<Text>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub nodes: Vec<RawNodes>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub workloads: Vec<RawWorkload>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub behaviors: Vec<RawBehavior>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub faults: Vec<RawFault>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub actions: Vec<RawAction>,
    #[serde(default)]
    pub kubelet: Option<RawKubelet>,
    /// The control plane's version and settings.
    #[serde(default)]
    pub kubernetes: Option<RawKubernetes>,
    /// A kube-scheduler profile (part of `KubeSchedulerConfiguration.profiles[]`).
    #[serde(default)]
    pub scheduler: Option<RawScheduler>,
    /// Pod and Service networks (cluster CIDR, node mask, service CIDR).
    #[serde(default)]
    pub network: Option<RawNetwork>,
    /// How long storage operations take, per StorageClass.
    #[serde(default)]
    pub storage: Option<RawStorage>,
}

/// `storage:`: simulated timings of the storage operations, per class.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct RawStorage {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub classes: Vec<RawStorageClass>,
}

/// The timings of the classes whose name matches `name` (a glob).
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RawStorageClass {
    pub name: String,
    pub provision: Option<Distribution>,
    pub attach: Option<Distribution>,
    pub detach: Option<Distribution>,
    pub mount: Option<Distribution>,
}

/// The cluster's networks, in the names of the components' configuration fields.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct RawNetwork {
    /// kube-controller-manager `clusterCIDR` (`--cluster-cidr`).
    #[serde(rename = "clusterCIDR")]
    pub cluster_cidr: Option<String>,
    /// kube-controller-manager `nodeCIDRMaskSize` (`--node-cidr-mask-size`).
    #[serde(rename = "nodeCIDRMaskSize")]
    pub node_cidr_mask_size: Option<i64>,
    /// kube-apiserver `--service-cluster-ip-range` (kubeadm `serviceSubnet`).
    #[serde(rename = "serviceCIDR")]
    pub service_cidr: Option<String>,
    /// kube-controller-manager `maxEndpointsPerSlice` (`--max-endpoints-per-slice`).
    #[serde(rename = "maxEndpointsPerSlice")]
    pub max_endpoints_per_slice: Option<i64>,
}

/// A pool of identical nodes, or a file of Node manifests.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawNodes {
    pub name: Option<String>,
    pub count: Option<u32>,
    #[serde(default)]
    pub capacity: BTreeMap<String, Text>,
    #[serde(default)]
    pub allocatable: BTreeMap<String, Text>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub taints: Vec<Value>,
    /// Images already present on every node of the pool.
    #[serde(default)]
    pub images: Vec<String>,
    pub manifest: Option<String>,
}

/// What is submitted, and when.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawWorkload {
    pub manifest: Option<String>,
    pub object: Option<Value>,
    pub arrivals: Option<RawArrivals>,
    pub at: Option<Text>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawArrivals {
    pub object: Option<Value>,
    pub manifest: Option<String>,
    pub interarrival: Distribution,
    pub count: Option<u64>,
    /// When the first copy may arrive (default 0s): the first arrives one interarrival
    /// time after it.
    pub start: Option<Text>,
    /// No copy arrives after this time.
    pub until: Option<Text>,
    /// What each copy draws for its container's resources; validated with field paths
    /// by `scenario::resources`.
    pub resources: Option<Value>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawMatch {
    pub pod: Option<String>,
    pub container: Option<String>,
    pub image: Option<String>,
    pub namespace: Option<String>,
}

/// How the containers a behavior matches act once started.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawBehavior {
    /// A name for actions that change the behavior (`patch: behavior/<name>`).
    pub name: Option<String>,
    #[serde(rename = "match", default)]
    pub matches: RawMatch,
    pub image_pull: Option<Distribution>,
    pub startup: Option<Distribution>,
    pub run_for: Option<Distribution>,
    pub exit_code: Option<RawExitCode>,
    pub memory: Option<Text>,
    /// The image's size as the kubelet reports it once pulled (ImageLocality).
    pub image_size: Option<Text>,
    pub ramp_up: Option<Distribution>,
    pub image_pull_fails: Option<f64>,
    pub ready_after: Option<Distribution>,
    pub unhealthy_after: Option<Distribution>,
    pub termination_time: Option<Distribution>,
    pub stop_exit_code: Option<i32>,
    pub post_start: Option<Distribution>,
    pub post_start_fails: Option<f64>,
    pub pre_stop: Option<Distribution>,
    pub pre_stop_fails: Option<f64>,
    /// What the container writes to the pod's volumes while it runs.
    pub writes: Option<RawWrites>,
    /// Changes to the first runs of the container, one entry per run.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub attempts: Vec<RawBehaviorPatch>,
}

/// A change to a behavior (an entry of `attempts`, or an action's `set`): its fields, any
/// of them; `null` removes the optional ones (`runFor: null`).
#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawBehaviorPatch {
    pub image_pull: Option<Distribution>,
    pub image_pull_fails: Option<f64>,
    #[serde(default, deserialize_with = "present")]
    pub image_size: Option<Option<Text>>,
    pub startup: Option<Distribution>,
    #[serde(default, deserialize_with = "present")]
    pub run_for: Option<Option<Distribution>>,
    pub exit_code: Option<RawExitCode>,
    #[serde(default, deserialize_with = "present")]
    pub memory: Option<Option<Text>>,
    pub ramp_up: Option<Distribution>,
    #[serde(default, deserialize_with = "present")]
    pub ready_after: Option<Option<Distribution>>,
    #[serde(default, deserialize_with = "present")]
    pub unhealthy_after: Option<Option<Distribution>>,
    pub termination_time: Option<Distribution>,
    pub stop_exit_code: Option<i32>,
    pub post_start: Option<Distribution>,
    pub post_start_fails: Option<f64>,
    pub pre_stop: Option<Distribution>,
    pub pre_stop_fails: Option<f64>,
    pub writes: Option<RawWrites>,
}

/// `writes:` one volume (`{volume: cache, rate: 10Mi/s}`) or a list of them.
#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
pub enum RawWrites {
    One(RawWrite),
    Many(Vec<RawWrite>),
}

impl RawWrites {
    pub fn entries(&self) -> Vec<&RawWrite> {
        match self {
            RawWrites::One(w) => vec![w],
            RawWrites::Many(list) => list.iter().collect(),
        }
    }
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawWrite {
    pub volume: Option<String>,
    /// A quantity per second, minute or hour: `10Mi/s`, `500M/m`, `2Gi/h`.
    pub rate: Option<Text>,
}

/// A key that is present, with a value or `null` (`Some(None)`); absent is `None`.
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
pub enum RawExitCode {
    Fixed(i32),
    Weighted(Vec<RawWeightedCode>),
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawWeightedCode {
    pub code: i32,
    pub weight: u32,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawFault {
    pub at: Option<Text>,
    pub node: Option<String>,
    /// Every node whose `topology.kubernetes.io/zone` label is this (a zone outage).
    pub zone: Option<String>,
    pub action: Option<String>,
    #[serde(rename = "for")]
    pub for_: Option<Text>,
    /// For `drain`: kubectl drain's `--timeout` (none: it waits as long as it takes).
    pub timeout: Option<Text>,
    /// For `add`: the pool the new nodes copy, and how many.
    pub pool: Option<String>,
    pub count: Option<u32>,
    pub random: Option<RawRandomFaults>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawRandomFaults {
    pub nodes: String,
    pub time_between: Distribution,
    pub repair_time: Distribution,
    #[serde(default)]
    pub action: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawAction {
    pub at: Option<Text>,
    pub delete: Option<String>,
    pub apply: Option<String>,
    pub scale: Option<String>,
    pub replicas: Option<u32>,
    pub patch: Option<String>,
    pub set: Option<BTreeMap<String, Value>>,
    /// `kubectl set image deployment/web`: with `images: {container: image}`.
    pub set_image: Option<String>,
    pub images: Option<BTreeMap<String, String>>,
    /// `kubectl rollout undo|restart|pause|resume deployment/web`.
    pub rollout: Option<String>,
    /// For `rollout: undo ...`: `--to-revision`.
    pub to_revision: Option<i64>,
    /// For `delete`: `--grace-period` (seconds; 0 with `force`).
    pub grace_period: Option<i64>,
    #[serde(default)]
    pub force: bool,
    /// `kubectl taint nodes <node> key=value:effect`: `taint: node/<name>` with `key`,
    /// `value` and `effect`; `untaint: node/<name>` with `key` (and `effect`).
    pub taint: Option<String>,
    pub untaint: Option<String>,
    pub key: Option<String>,
    pub value: Option<String>,
    pub effect: Option<String>,
}

/// `kubernetes:`: the version whose defaults apply, and the control plane's settings by
/// component, each under its flag's name (or its configuration file's field).
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct RawKubernetes {
    pub version: Option<Text>,
    #[serde(rename = "kube-apiserver", default)]
    pub apiserver: RawApiServer,
    #[serde(rename = "kube-controller-manager", default)]
    pub controller_manager: RawControllerManager,
    #[serde(rename = "kube-scheduler", default)]
    pub scheduler: RawKubeScheduler,
    /// `--feature-gates` of every component, as kind's cluster configuration writes them.
    #[serde(rename = "featureGates", default)]
    pub feature_gates: BTreeMap<String, bool>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawApiServer {
    pub default_not_ready_toleration_seconds: Option<i64>,
    pub default_unreachable_toleration_seconds: Option<i64>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawControllerManager {
    pub node_monitor_grace_period: Option<Text>,
    pub node_monitor_period: Option<Text>,
    pub terminated_pod_gc_threshold: Option<i64>,
}

/// `KubeSchedulerConfiguration`'s back-off fields (their flags are gone).
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawKubeScheduler {
    pub pod_initial_backoff_seconds: Option<i64>,
    pub pod_max_backoff_seconds: Option<i64>,
}

/// Kubelet settings that change timing.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawKubelet {
    /// `crashLoopBackOff.maxContainerRestartPeriod` (KubeletCrashLoopBackOffMax).
    pub max_container_restart_period: Option<Text>,
    /// `serializeImagePulls` (default true).
    pub serialize_image_pulls: Option<bool>,
    /// `maxParallelImagePulls` when pulls are not serialized.
    pub max_parallel_image_pulls: Option<u32>,
}

/// The part of a `KubeSchedulerProfile` podsim reads (`kubescheduler.config.k8s.io/v1`),
/// and how long a scheduling cycle takes (podsim's own field).
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawScheduler {
    pub percentage_of_nodes_to_score: Option<i64>,
    pub cycle_duration: Option<Text>,
    #[serde(default)]
    pub plugins: RawPlugins,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub plugin_config: Vec<RawPluginConfig>,
}

/// `Plugins`: the extension points a profile may change here.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawPlugins {
    #[serde(default)]
    pub score: RawPluginSet,
    #[serde(default)]
    pub post_filter: RawPluginSet,
}

/// `PluginSet`.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct RawPluginSet {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub enabled: Vec<RawPlugin>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub disabled: Vec<RawPlugin>,
}

/// `Plugin`: a name and, for score plugins, a weight.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RawPlugin {
    pub name: String,
    pub weight: Option<i64>,
}

/// `PluginConfig`: the arguments of one plugin, typed by its name (`scenario::scheduler`).
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RawPluginConfig {
    pub name: String,
    pub args: Option<Value>,
}
