//! A Pod spec compiled once into the form the simulation reads on every event:
//! enums instead of strings, resources as vectors, the pod's total requests.
//! Copies of one manifest (arrivals, Job pods) share one template.

use super::resources::{CPU, MEMORY, ResourceNames, ResourceVec};
use crate::api::pod::{Container, PodSpec, Probe, SharedStr};
use crate::engine::Millis;
use crate::labels::{Selector, node_selector_requirements_as_selector};
use crate::scheduler::{interpod_affinity, node_affinity, topology_spread};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestartPolicy {
    Always,
    OnFailure,
    Never,
}

impl RestartPolicy {
    pub fn parse(s: Option<&str>) -> RestartPolicy {
        match s {
            Some("OnFailure") => RestartPolicy::OnFailure,
            Some("Never") => RestartPolicy::Never,
            _ => RestartPolicy::Always,
        }
    }

    /// Whether a container that exited with `exit_code` is started again under this policy.
    pub fn restarts(self, exit_code: i32) -> bool {
        match self {
            RestartPolicy::Always => true,
            RestartPolicy::OnFailure => exit_code != 0,
            RestartPolicy::Never => false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    /// A regular init container: runs to completion, one after another.
    Init,
    /// An init container with `restartPolicy: Always`: a native sidecar.
    Sidecar,
    /// A regular (app) container.
    App,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PullPolicy {
    Always,
    IfNotPresent,
    Never,
}

/// A probe's timing in milliseconds (how it probes is not simulated).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProbeTiming {
    pub initial_delay: Millis,
    pub period: Millis,
    pub success_threshold: u32,
    pub failure_threshold: u32,
    /// Probe-level `terminationGracePeriodSeconds`, overriding the pod's on a failure.
    pub grace: Option<Millis>,
}

impl ProbeTiming {
    fn from_api(p: &Probe) -> ProbeTiming {
        let secs = |v: Option<i32>, default: i32| u64::try_from(v.unwrap_or(default)).unwrap_or(0) * 1000;
        ProbeTiming {
            initial_delay: secs(p.initial_delay_seconds, 0),
            period: secs(p.period_seconds, 10).max(1000),
            success_threshold: p.success_threshold.unwrap_or(1).max(1) as u32,
            failure_threshold: p.failure_threshold.unwrap_or(3).max(1) as u32,
            grace: p.termination_grace_period_seconds.map(|g| u64::try_from(g).unwrap_or(0) * 1000),
        }
    }
}

/// A lifecycle hook's action, as the kubelet's handler runner runs it
/// (`pkg/kubelet/lifecycle/handlers.go`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hook {
    /// `exec` or `httpGet`: the behavior says how long it takes and whether it fails.
    Action,
    /// `tcpSocket`: kept by the API for compatibility, not supported: it fails at once.
    TcpSocket,
    /// `sleep`: waits its seconds and never fails.
    Sleep(Millis),
}

impl Hook {
    fn from_api(h: &crate::api::pod::LifecycleHandler) -> Hook {
        match (&h.sleep, &h.tcp_socket) {
            (Some(s), _) => Hook::Sleep(u64::try_from(s.seconds).unwrap_or(0) * 1000),
            (None, Some(_)) if h.exec.is_none() && h.http_get.is_none() => Hook::TcpSocket,
            _ => Hook::Action,
        }
    }
}

#[derive(Clone, Debug)]
pub struct ContainerSpec {
    pub name: Arc<str>,
    pub image: Arc<str>,
    pub image_id: u32,
    pub pull_policy: PullPolicy,
    pub kind: ContainerKind,
    /// A container-level `restartPolicy` on an app container (ContainerRestartRules).
    pub restart_policy: Option<RestartPolicy>,
    /// `resources.limits.memory` in bytes, for OOM kills.
    pub memory_limit: Option<i64>,
    pub startup_probe: Option<ProbeTiming>,
    pub readiness_probe: Option<ProbeTiming>,
    pub liveness_probe: Option<ProbeTiming>,
    pub post_start: Option<Hook>,
    pub pre_stop: Option<Hook>,
}

/// A compiled Pod spec.
///
/// What a pod's resources decide is its own; the rest is compiled once and shared by
/// every copy that differs from it only in its containers' resources (an arrival stream
/// drawing each copy's: [`with_resources`](Self::with_resources)), and read through
/// `Deref` as if it were the template's own.
#[derive(Clone, Debug)]
pub struct PodTemplate {
    /// The defaulted API spec, as `kubectl get -o yaml` would show it.
    pub spec: Arc<PodSpec>,
    /// Init containers (regular and sidecars) in spec order, then app containers.
    pub containers: Vec<ContainerSpec>,
    /// What the pod asks of a node (`PodRequests`), exact: used by the Fit filter.
    pub requests: ResourceVec,
    /// cpu and memory with the scheduler's defaults for unset requests: used by scores.
    pub nonzero_cpu: i64,
    pub nonzero_memory: i64,
    /// On a node without taints that is not cordoned, only NodeResourcesFit's cpu,
    /// memory and pod count can reject this pod: no `nodeName`, node selector, required
    /// affinity or host ports, and no request but cpu and memory. The scheduler then
    /// needs nothing but the node's [`super::fit::FitRow`].
    pub fit_only: bool,
    /// The rest, shared with the copies of other sizes.
    compiled: Arc<CompiledSpec>,
}

/// The part of a [`PodTemplate`] its containers' resources do not decide.
#[derive(Debug)]
pub struct CompiledSpec {
    pub restart_policy: RestartPolicy,
    /// Index of the first app container in `containers`.
    pub first_app: usize,
    pub grace: Millis,
    pub active_deadline: Option<Millis>,
    pub host_ports: Vec<(String, String, i32)>,
    /// `spec.nodeSelector` and required node affinity, compiled.
    pub node_affinity: RequiredNodeAffinity,
    /// The nodes the required terms name (NodeAffinity's PreFilter result).
    pub node_names: node_affinity::NodeNames,
    /// `topologySpreadConstraints`, compiled (PodTopologySpread).
    pub spread: Vec<topology_spread::Constraint>,
    /// Pod affinity and anti-affinity terms, compiled (InterPodAffinity); `None` without any.
    pub pod_affinity: Option<interpod_affinity::Rules>,
    /// Preferred node affinity, compiled (NodeAffinity's score).
    pub preferred_affinity: PreferredTerms,
    /// The pod's volumes and its containers' mounts, compiled.
    #[allow(dead_code)] // read by the storage controllers and the kubelet's volume manager as they land
    pub volumes: super::volumes::PodVolumes,
}

impl std::ops::Deref for PodTemplate {
    type Target = CompiledSpec;

    fn deref(&self) -> &CompiledSpec {
        &self.compiled
    }
}

/// `nodeSelector` (all must match) and the required node-affinity terms (any must
/// match), as `component-helpers/scheduling/corev1/nodeaffinity` evaluates them.
#[derive(Clone, Debug, Default)]
pub struct RequiredNodeAffinity {
    pub node_selector: Vec<(String, String)>,
    /// `None`: no required affinity. Each term: (label selector, field selector on
    /// `metadata.name`); an empty term matches nothing.
    pub terms: Option<Vec<(Option<Selector>, Option<Selector>)>>,
}

impl RequiredNodeAffinity {
    pub fn compile(spec: &PodSpec) -> RequiredNodeAffinity {
        let required = spec
            .affinity
            .as_ref()
            .and_then(|a| a.node_affinity.as_ref())
            .and_then(|na| na.required_during_scheduling_ignored_during_execution.as_ref());
        RequiredNodeAffinity {
            node_selector: spec.node_selector.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            terms: required.map(compile_terms),
        }
    }

    /// A PV's `spec.nodeAffinity.required`: its terms alone (`CheckNodeAffinity`).
    pub fn of_selector(selector: &crate::api::pod::NodeSelector) -> RequiredNodeAffinity {
        RequiredNodeAffinity { node_selector: Vec::new(), terms: Some(compile_terms(selector)) }
    }

    /// Whether every node satisfies it: no node selector and no required terms.
    pub fn is_empty(&self) -> bool {
        self.node_selector.is_empty() && self.terms.is_none()
    }

    /// Whether a node with these labels and name satisfies the pod.
    pub fn matches(&self, labels: &BTreeMap<String, String>, node_name: &str) -> bool {
        if !self.node_selector.iter().all(|(k, v)| labels.get(k) == Some(v)) {
            return false;
        }
        let Some(terms) = &self.terms else { return true };
        terms.iter().any(|(exprs, fields)| {
            let fields_ok = fields.as_ref().is_none_or(|f| {
                let mut m = BTreeMap::new();
                m.insert("metadata.name".to_string(), node_name.to_string());
                f.matches(&m)
            });
            (exprs.is_some() || fields.is_some()) && exprs.as_ref().is_none_or(|e| e.matches(labels)) && fields_ok
        })
    }
}

/// Node selector terms compiled: (label selector, field selector on `metadata.name`).
fn compile_terms(ns: &crate::api::pod::NodeSelector) -> Vec<(Option<Selector>, Option<Selector>)> {
    let compile = |reqs: &[crate::labels::NodeSelectorRequirement]| {
        (!reqs.is_empty())
            .then(|| node_selector_requirements_as_selector(reqs, "").unwrap_or_else(|_| Selector::nothing()))
    };
    ns.node_selector_terms.iter().map(|t| (compile(&t.match_expressions), compile(&t.match_fields))).collect()
}

/// The pod's `preferredDuringSchedulingIgnoredDuringExecution` terms, compiled
/// (`nodeaffinity.NewPreferredSchedulingTerms`) for NodeAffinity's score: terms of
/// weight 0 are dropped, an empty term matches nothing.
#[derive(Clone, Debug, Default)]
pub struct PreferredTerms {
    terms: Vec<(i64, RequiredNodeAffinity)>,
}

impl PreferredTerms {
    pub fn compile(spec: &PodSpec) -> PreferredTerms {
        let preferred = spec
            .affinity
            .as_ref()
            .and_then(|a| a.node_affinity.as_ref())
            .map_or(&[][..], |na| &na.preferred_during_scheduling_ignored_during_execution[..]);
        let compile = |reqs: &[crate::labels::NodeSelectorRequirement]| {
            (!reqs.is_empty())
                .then(|| node_selector_requirements_as_selector(reqs, "").unwrap_or_else(|_| Selector::nothing()))
        };
        let terms = preferred
            .iter()
            .filter(|t| t.weight != 0)
            .map(|t| {
                let term = (compile(&t.preference.match_expressions), compile(&t.preference.match_fields));
                (i64::from(t.weight), RequiredNodeAffinity { node_selector: Vec::new(), terms: Some(vec![term]) })
            })
            .collect();
        PreferredTerms { terms }
    }

    /// No terms: PreScore skips the plugin and every node scores 0.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// NodeAffinity's raw score: the sum of the weights of the terms the node matches.
    /// Normalised so that the best node gets 100.
    pub fn score(&self, labels: &BTreeMap<String, String>, node_name: &str) -> i64 {
        self.terms.iter().filter(|(_, term)| term.matches(labels, node_name)).map(|(w, _)| *w).sum()
    }
}

/// `DefaultMilliCPURequest` and `DefaultMemoryRequest` (scheduler `util/pod_resources.go`).
pub const DEFAULT_MILLI_CPU_REQUEST: i64 = 100;
pub const DEFAULT_MEMORY_REQUEST: i64 = 200 * 1024 * 1024;

/// The tolerations of the `not-ready` and `unreachable` NoExecute taints the
/// DefaultTolerationSeconds admission plugin gives a pod that has none, in seconds
/// (kube-apiserver `--default-not-ready-toleration-seconds` and
/// `--default-unreachable-toleration-seconds`, 300 each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DefaultTolerations {
    pub not_ready: i64,
    pub unreachable: i64,
}

impl Default for DefaultTolerations {
    fn default() -> Self {
        DefaultTolerations { not_ready: 300, unreachable: 300 }
    }
}

impl PodTemplate {
    pub fn compile(
        spec: Arc<PodSpec>,
        names: &mut ResourceNames,
        images: &mut super::Images,
        tolerations: DefaultTolerations,
    ) -> PodTemplate {
        let spec = with_default_tolerations(spec, tolerations);
        // Sized exactly: grown from empty, one container took the room of four (each copy
        // that draws its resources compiles a template of its own).
        let mut containers: Vec<ContainerSpec> = Vec::with_capacity(spec.init_containers.len() + spec.containers.len());
        containers.extend(
            spec.init_containers.iter().map(|c| {
                container(c, if c.is_sidecar() { ContainerKind::Sidecar } else { ContainerKind::Init }, images)
            }),
        );
        let first_app = containers.len();
        containers.extend(spec.containers.iter().map(|c| container(c, ContainerKind::App, images)));
        let requests = pod_requests(&spec, names, None);
        let (nonzero_cpu, nonzero_memory) = nonzero_requests(&spec, names, &requests);
        let host_ports: Vec<(String, String, i32)> = spec
            .containers
            .iter()
            .chain(&spec.init_containers)
            .flat_map(|c| &c.ports)
            .filter_map(|p| {
                let host = p.host_port.filter(|h| *h > 0)?;
                Some((
                    p.protocol.clone().unwrap_or_else(|| "TCP".into()),
                    p.host_ip.clone().unwrap_or_else(|| "0.0.0.0".into()),
                    host,
                ))
            })
            .collect();
        let node_affinity = RequiredNodeAffinity::compile(&spec);
        let fit_only = fit_only(&spec, &node_affinity, &host_ports, &requests);
        let compiled = CompiledSpec {
            restart_policy: RestartPolicy::parse(spec.restart_policy.as_deref()),
            first_app,
            grace: u64::try_from(spec.termination_grace_period_seconds.unwrap_or(30)).unwrap_or(0) * 1000,
            active_deadline: spec.active_deadline_seconds.map(|s| u64::try_from(s).unwrap_or(0) * 1000),
            host_ports,
            node_affinity,
            node_names: node_affinity::node_names(&spec),
            spread: topology_spread::compile(&spec),
            pod_affinity: interpod_affinity::Rules::compile(&spec),
            preferred_affinity: PreferredTerms::compile(&spec),
            volumes: super::volumes::PodVolumes::compile(&spec),
        };
        PodTemplate { fit_only, containers, nonzero_cpu, nonzero_memory, requests, spec, compiled: Arc::new(compiled) }
    }

    /// This template with `spec`, a copy of its spec whose containers' resources alone
    /// differ (a copy of an arrival stream that drew its own): only what resources
    /// decide is worked out again. Compiling the whole spec anew for each copy was a
    /// sixth of a day of 100,000 such copies.
    pub fn with_resources(&self, spec: Arc<PodSpec>, names: &mut ResourceNames) -> PodTemplate {
        let requests = pod_requests(&spec, names, None);
        let (nonzero_cpu, nonzero_memory) = nonzero_requests(&spec, names, &requests);
        let api = spec.init_containers.iter().chain(&spec.containers);
        debug_assert_eq!(api.clone().count(), self.containers.len(), "the same containers");
        let containers = self
            .containers
            .iter()
            .zip(api)
            .map(|(c, api)| ContainerSpec { memory_limit: memory_limit(api), ..c.clone() })
            .collect();
        PodTemplate {
            fit_only: fit_only(&spec, &self.node_affinity, &self.host_ports, &requests),
            containers,
            nonzero_cpu,
            nonzero_memory,
            requests,
            spec,
            compiled: Arc::clone(&self.compiled),
        }
    }

    pub fn has_init_containers(&self) -> bool {
        self.first_app > 0
    }

    pub fn app_containers(&self) -> std::ops::Range<usize> {
        self.first_app..self.containers.len()
    }
}

/// See [`PodTemplate::fit_only`].
fn fit_only(
    spec: &PodSpec,
    node_affinity: &RequiredNodeAffinity,
    host_ports: &[(String, String, i32)],
    requests: &ResourceVec,
) -> bool {
    spec.node_name.is_none()
        && node_affinity.node_selector.is_empty()
        && node_affinity.terms.is_none()
        && host_ports.is_empty()
        && requests.nonzero().all(|(r, _)| r == CPU || r == MEMORY)
}

/// `resources.limits.memory` in bytes.
fn memory_limit(c: &Container) -> Option<i64> {
    c.resources.limits.get("memory").map(|q| q.value())
}

fn container(c: &Container, kind: ContainerKind, images: &mut super::Images) -> ContainerSpec {
    let pull_policy = match c.image_pull_policy.as_deref() {
        Some("Always") => PullPolicy::Always,
        Some("Never") => PullPolicy::Never,
        _ => PullPolicy::IfNotPresent,
    };
    ContainerSpec {
        name: Arc::from(c.name.as_str()),
        image: Arc::from(c.image.as_deref().unwrap_or("")),
        image_id: images.intern(c.image.as_deref().unwrap_or("")),
        pull_policy,
        kind,
        restart_policy: match kind {
            ContainerKind::App => c.restart_policy.as_deref().map(|p| RestartPolicy::parse(Some(p))),
            _ => None,
        },
        memory_limit: memory_limit(c),
        startup_probe: c.startup_probe.as_deref().map(ProbeTiming::from_api),
        readiness_probe: c.readiness_probe.as_deref().map(ProbeTiming::from_api),
        liveness_probe: c.liveness_probe.as_deref().map(ProbeTiming::from_api),
        post_start: c.lifecycle.as_ref().and_then(|l| l.post_start.as_ref()).map(Hook::from_api),
        pre_stop: c.lifecycle.as_ref().and_then(|l| l.pre_stop.as_ref()).map(Hook::from_api),
    }
}

/// The `DefaultTolerationSeconds` admission plugin: a pod that does not tolerate the
/// `not-ready` or `unreachable` NoExecute taints gets a toleration of 300 s for each
/// (`--default-not-ready-toleration-seconds`, `--default-unreachable-toleration-seconds`).
pub fn with_default_tolerations(spec: Arc<PodSpec>, seconds: DefaultTolerations) -> Arc<PodSpec> {
    const KEYS: [&str; 2] = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"];
    let tolerated = |key: &str| {
        spec.tolerations.iter().any(|t| {
            let effect_ok = t.effect.as_deref().is_none_or(|e| e.is_empty() || e == "NoExecute");
            effect_ok
                && (t.key.as_deref() == Some(key)
                    || (t.key.as_deref().unwrap_or("").is_empty() && t.operator.as_deref() == Some("Exists")))
        })
    };
    let missing: Vec<(&str, i64)> =
        KEYS.into_iter().zip([seconds.not_ready, seconds.unreachable]).filter(|(k, _)| !tolerated(k)).collect();
    if missing.is_empty() {
        return spec;
    }
    // The texts are interned (per thread) and shared: a CronJob fleet compiles a
    // template per Job.
    let text = SharedStr::interned;
    let mut spec = (*spec).clone();
    for (key, seconds) in missing {
        spec.tolerations.push(crate::api::pod::Toleration {
            key: Some(text(key)),
            operator: Some(text("Exists")),
            value: None,
            effect: Some(text("NoExecute")),
            toleration_seconds: Some(seconds),
        });
    }
    Arc::new(spec)
}

/// `PodRequests` (component-helpers `resource/helpers.go`):
/// `max(Σ app + Σ sidecars, max_i(init_i + Σ sidecars declared before i)) + overhead`,
/// with pod-level `spec.resources.requests` replacing the aggregate for the resources
/// they set. With `defaults`, an unset cpu or memory request of a container counts as
/// the scheduler's non-zero default (scoring only).
pub fn pod_requests(spec: &PodSpec, names: &mut ResourceNames, defaults: Option<(i64, i64)>) -> ResourceVec {
    let mut of = |c: &Container| {
        let mut v = names.vector(&c.resources.requests);
        if let Some((cpu, memory)) = defaults {
            if !c.resources.requests.contains_key("cpu") {
                v.set(CPU, cpu);
            }
            if !c.resources.requests.contains_key("memory") {
                v.set(MEMORY, memory);
            }
        }
        v
    };
    let mut sidecars = ResourceVec::default();
    let mut init_peak = ResourceVec::default();
    for c in &spec.init_containers {
        let own = of(c);
        if c.is_sidecar() {
            sidecars.add(&own);
            // A sidecar's own start also needs the sidecars before it plus itself.
            init_peak.max_with(&sidecars);
        } else {
            let mut during = own;
            during.add(&sidecars);
            init_peak.max_with(&during);
        }
    }
    let mut total = sidecars;
    for c in &spec.containers {
        total.add(&of(c));
    }
    total.max_with(&init_peak);
    if let Some(pod_level) = spec.resources.as_ref() {
        for (name, q) in &pod_level.requests {
            if name != "pods" {
                let i = names.intern(name);
                total.set(i, super::resources::amount(i, q));
            }
        }
    }
    if let Some(overhead) = &spec.overhead {
        total.add(&names.vector(overhead));
    }
    total
}

/// The pod's cpu and memory with the scheduler's defaults for unset requests
/// (`pod_requests` with defaults), given its exact `requests`: those very amounts when
/// every container sets both, since a default stands in only for a request not set
/// (an explicit zero stays). Each copy of a stream drawing its resources compiles a
/// template, and the second pass over its containers' resource lists was a fortieth of
/// the 100,000-pod day's instructions (callgrind).
fn nonzero_requests(spec: &PodSpec, names: &mut ResourceNames, requests: &ResourceVec) -> (i64, i64) {
    let sets_both =
        |c: &Container| c.resources.requests.contains_key("cpu") && c.resources.requests.contains_key("memory");
    if spec.init_containers.iter().chain(&spec.containers).all(sets_both) {
        return (requests.get(CPU), requests.get(MEMORY));
    }
    let nonzero = pod_requests(spec, names, Some((DEFAULT_MILLI_CPU_REQUEST, DEFAULT_MEMORY_REQUEST)));
    (nonzero.get(CPU), nonzero.get(MEMORY))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Quantity;
    use serde_json::Value;

    fn vectors(group: &str) -> Vec<Value> {
        let all: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/kubernetes/vectors.json"
        )))
        .unwrap();
        all["8_scheduler"].as_array().unwrap().iter().filter(|c| c["group"] == group).cloned().collect()
    }

    fn container_of(v: &Value, i: usize, prefix: &str) -> Container {
        let mut c = Container {
            name: v["name"].as_str().map_or(format!("{prefix}{i}").into(), Into::into),
            ..Default::default()
        };
        for (k, q) in v.as_object().unwrap() {
            if k != "name" && k != "restartPolicy" {
                c.resources.requests.insert(k.clone(), Quantity::parse(q.as_str().unwrap()).unwrap());
            }
        }
        c.restart_policy = v["restartPolicy"].as_str().map(str::to_string);
        c
    }

    /// An affinity is empty exactly when it holds on every node: a node selector or a
    /// required term (even a list of none, which holds nowhere) makes it not so.
    #[test]
    fn an_empty_node_affinity_holds_on_every_node() {
        let spec = |v: Value| -> PodSpec { serde_json::from_value(v).unwrap() };
        let nodes: [BTreeMap<String, String>; 2] =
            [BTreeMap::new(), [("zone".to_string(), "a".to_string())].into_iter().collect()];
        let empty = RequiredNodeAffinity::compile(&spec(serde_json::json!({"containers": []})));
        assert!(empty.is_empty());
        assert!(nodes.iter().all(|labels| empty.matches(labels, "n1")));
        let terms = |t: Value| {
            spec(serde_json::json!({"containers": [], "affinity": {"nodeAffinity":
                {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": t}}}}))
        };
        for s in [
            spec(serde_json::json!({"containers": [], "nodeSelector": {"zone": "a"}})),
            terms(serde_json::json!([{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}])),
            terms(serde_json::json!([])),
        ] {
            let a = RequiredNodeAffinity::compile(&s);
            assert!(!a.is_empty());
            assert!(!nodes.iter().all(|labels| a.matches(labels, "n1")), "{a:?}");
        }
    }

    #[test]
    fn pod_requests_match_kubernetes_cases() {
        let cases = vectors("podRequests");
        assert!(cases.len() >= 8);
        for case in cases {
            let mut spec = PodSpec::default();
            for (i, c) in case["initContainers"].as_array().into_iter().flatten().enumerate() {
                spec.init_containers.push(container_of(c, i, "init"));
            }
            for (i, c) in case["containers"].as_array().into_iter().flatten().enumerate() {
                spec.containers.push(container_of(c, i, "c"));
            }
            let exclude = case["options"]["ExcludeOverhead"] == Value::Bool(true);
            if let (Some(o), false) = (case["overhead"].as_object(), exclude) {
                spec.overhead =
                    Some(o.iter().map(|(k, q)| (k.clone(), Quantity::parse(q.as_str().unwrap()).unwrap())).collect());
            }
            let mut names = ResourceNames::default();
            let got = pod_requests(&spec, &mut names, None);
            for (k, q) in case["expectedRequests"].as_object().unwrap() {
                let i = names.index(k).unwrap();
                let want = super::super::resources::amount(i, &Quantity::parse(q.as_str().unwrap()).unwrap());
                assert_eq!(got.get(i), want, "{}: {k}", case["name"]);
            }
        }
    }

    /// The shortcut taken when every container sets cpu and memory gives what the
    /// second pass gives, and the pass is still taken when one does not: app, init and
    /// sidecar containers, explicit zeros, pod-level requests and overhead.
    #[test]
    fn nonzero_requests_are_the_defaulted_pass() {
        let list = |pairs: &[(&str, &str)]| -> crate::api::ResourceList {
            pairs.iter().map(|(k, q)| (k.to_string(), Quantity::parse(q).unwrap())).collect()
        };
        let c = |name: &str, requests: &[(&str, &str)], sidecar: bool| Container {
            name: name.into(),
            resources: crate::api::pod::ResourceRequirements { requests: list(requests), ..Default::default() },
            restart_policy: sidecar.then(|| "Always".to_string()),
            ..Default::default()
        };
        let both = [("cpu", "1500m"), ("memory", "3Gi")];
        let mut cases: Vec<(PodSpec, bool)> = Vec::new();
        let spec = |init: Vec<Container>, app: Vec<Container>| PodSpec {
            init_containers: init,
            containers: app,
            ..Default::default()
        };
        cases.push((spec(vec![], vec![c("a", &both, false)]), true));
        cases.push((spec(vec![], vec![c("a", &[("cpu", "0"), ("memory", "0")], false)]), true));
        cases.push((spec(vec![], vec![c("a", &both, false), c("b", &[("cpu", "2")], false)]), false));
        cases.push((spec(vec![], vec![c("a", &[("memory", "1Gi")], false)]), false));
        cases.push((spec(vec![c("i", &[], false)], vec![c("a", &both, false)]), false));
        cases.push((
            spec(
                vec![c("s", &both, true), c("i", &[("cpu", "4"), ("memory", "1Mi")], false)],
                vec![c("a", &both, false)],
            ),
            true,
        ));
        cases.push((spec(vec![c("s", &[("cpu", "250m")], true)], vec![c("a", &both, false)]), false));
        let mut pod_level = spec(vec![], vec![c("a", &both, false)]);
        pod_level.resources =
            Some(crate::api::pod::ResourceRequirements { requests: list(&[("cpu", "3")]), ..Default::default() });
        pod_level.overhead = Some(list(&[("cpu", "100m"), ("memory", "64Mi")]));
        cases.push((pod_level.clone(), true));
        pod_level.containers.push(c("b", &[], false));
        cases.push((pod_level, false));
        for (i, (spec, sets_both)) in cases.iter().enumerate() {
            let mut names = ResourceNames::default();
            let requests = pod_requests(spec, &mut names, None);
            let want = pod_requests(spec, &mut names, Some((DEFAULT_MILLI_CPU_REQUEST, DEFAULT_MEMORY_REQUEST)));
            assert_eq!(nonzero_requests(spec, &mut names, &requests), (want.get(CPU), want.get(MEMORY)), "case {i}");
            // Where every container sets both, the defaults change nothing.
            if *sets_both {
                assert_eq!((requests.get(CPU), requests.get(MEMORY)), (want.get(CPU), want.get(MEMORY)), "case {i}");
            }
        }
    }

    #[test]
    fn nonzero_defaults_apply_only_to_unset_requests() {
        let mut spec = PodSpec::default();
        spec.containers.push(Container { name: "a".into(), ..Default::default() });
        let mut explicit = Container { name: "b".into(), ..Default::default() };
        explicit.resources.requests.insert("cpu".into(), Quantity::parse("0").unwrap());
        spec.containers.push(explicit);
        let mut names = ResourceNames::default();
        let v = pod_requests(&spec, &mut names, Some((DEFAULT_MILLI_CPU_REQUEST, DEFAULT_MEMORY_REQUEST)));
        assert_eq!(v.get(CPU), 100, "explicit 0 stays 0");
        assert_eq!(v.get(MEMORY), 2 * DEFAULT_MEMORY_REQUEST);
        assert!(pod_requests(&spec, &mut names, None).is_empty());
    }

    /// A copy that drew its resources gets, from the stream's template, exactly what
    /// compiling its own spec gives: requests, scoring defaults, fit-only and each
    /// container's memory limit follow the new resources, the rest stays.
    #[test]
    fn a_template_with_new_resources_is_the_template_compiled_anew() {
        let q = |s: &str| Quantity::parse(s).unwrap();
        let mut spec = PodSpec::default();
        let mut init = Container { name: "init".into(), image: Some("busybox".into()), ..Default::default() };
        init.resources.requests.insert("cpu".into(), q("250m"));
        spec.init_containers.push(init);
        let mut app = Container { name: "app".into(), image: Some("app:1".into()), ..Default::default() };
        app.resources.limits.insert("memory".into(), q("1Gi"));
        spec.containers.push(app);
        let (mut names, mut images) = (ResourceNames::default(), super::super::Images::default());
        let compile = |spec: PodSpec, names: &mut ResourceNames, images: &mut super::super::Images| {
            PodTemplate::compile(Arc::new(spec), names, images, DefaultTolerations::default())
        };
        let base = compile(spec, &mut names, &mut images);
        // The draws of a stream: requests and a limit on the app container, and then a
        // resource that is not cpu or memory, which ends fit-only.
        let mut drawn = PodSpec::clone(&base.spec);
        drawn.containers[0].resources.requests.insert("cpu".into(), q("3"));
        drawn.containers[0].resources.requests.insert("memory".into(), q("2Gi"));
        drawn.containers[0].resources.limits.insert("memory".into(), q("4Gi"));
        let mut extended = drawn.clone();
        extended.containers[0].resources.requests.insert("example.com/gpu".into(), q("1"));
        for spec in [drawn, extended] {
            let derived = base.with_resources(Arc::new(spec.clone()), &mut names);
            let anew = compile(spec, &mut names, &mut images);
            assert_eq!(format!("{derived:?}"), format!("{anew:?}"));
        }
        let derived = base.with_resources(Arc::new(PodSpec::clone(&base.spec)), &mut names);
        assert_eq!(derived.containers[1].memory_limit, Some(1 << 30));
        assert!(derived.fit_only && base.fit_only);
    }
}
