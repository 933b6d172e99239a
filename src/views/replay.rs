//! Rebuilds the cluster at an instant T from a run's `objects.jsonl` and
//! `containers.csv`: both are in time order, so they are read together, oldest line
//! first, and reading stops at the first line after T. A line is parsed into borrowed
//! fields (no allocation per line beyond what the object keeps).

use super::ViewError;
use super::files::RunDir;
use crate::api::cronjob::CronJob as ApiCronJob;
use crate::api::job::JobSpec as ApiJobSpec;
use crate::api::node::{Node as ApiNode, Taint};
use crate::api::pod::PodSpec;
use crate::cluster::template::ContainerKind;
use crate::trace::lines::{self, Line, Map};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::sync::Arc;

/// Which kinds of objects to keep (the others' lines are skipped unparsed). CronJobs
/// need their Jobs (completion times, names of the active ones).
#[derive(Clone, Copy, Debug, Default)]
pub struct Want {
    pub pods: bool,
    pub nodes: bool,
    pub jobs: bool,
    pub cronjobs: bool,
    /// ReplicaSets, Deployments and DaemonSets.
    pub apps: bool,
    /// Services and their EndpointSlices.
    pub services: bool,
    /// PodDisruptionBudgets.
    pub budgets: bool,
    /// PersistentVolumeClaims, PersistentVolumes, StorageClasses, ConfigMaps, Secrets.
    pub storage: bool,
    /// Keep each condition's transition time (for YAML, JSON and describe).
    pub history: bool,
}

/// Small interned strings (container reasons), so a row costs no allocation.
#[derive(Default)]
pub struct Symbols {
    names: Vec<Box<str>>,
    ids: BTreeMap<Box<[u8]>, u16>,
}

impl Symbols {
    /// The id of `bytes`; `None` if they are not UTF-8.
    fn intern(&mut self, bytes: &[u8]) -> Option<u16> {
        if let Some(id) = self.ids.get(bytes) {
            return Some(*id);
        }
        let name = std::str::from_utf8(bytes).ok()?;
        let id = self.names.len() as u16;
        self.names.push(name.into());
        self.ids.insert(bytes.into(), id);
        Some(id)
    }

    pub fn name(&self, id: u16) -> &str {
        &self.names[id as usize]
    }
}

/// A container's state as `containers.csv` last said.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CKind {
    #[default]
    None,
    Waiting,
    Running,
    Terminated,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LastState {
    pub reason: u16,
    pub exit_code: i32,
    pub started_at: Option<i64>,
    pub finished_at: i64,
}

#[derive(Clone, Debug, Default)]
pub struct CState {
    pub kind: CKind,
    pub reason: u16,
    pub message: Option<Box<str>>,
    pub exit_code: i32,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub restart_count: u32,
    pub ready: bool,
    pub started: bool,
    pub last: Option<LastState>,
}

/// The kubelet-owned pod conditions the views track: PodReadyToStartContainers,
/// Initialized, Ready, ContainersReady.
pub const TRACKED: [&str; 4] = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady"];

#[derive(Clone, Debug)]
pub struct PodOwner {
    pub kind: String,
    pub name: String,
    pub uid: u64,
}

#[derive(Clone, Debug)]
pub struct PodState {
    pub uid: u64,
    pub namespace: Arc<str>,
    pub name: Box<str>,
    pub generate_name: Option<Box<str>>,
    pub spec: Arc<PodSpec>,
    /// Per container (init containers first, as in the spec), whether it is a regular
    /// init container, a sidecar or an app container.
    pub kinds: Arc<[ContainerKind]>,
    pub priority: i32,
    /// `preemptionPolicy: Never` (admission's answer).
    pub preempt_never: bool,
    /// Shared with the pods created before it when equal (copies of one manifest).
    pub labels: Arc<BTreeMap<String, String>>,
    pub annotations: Arc<BTreeMap<String, String>>,
    pub owner: Option<PodOwner>,
    pub created: i64,
    pub node: Option<Arc<str>>,
    pub bound_at: Option<i64>,
    pub phase: &'static str,
    pub reason: Option<Box<str>>,
    pub start_time: Option<i64>,
    /// `DisruptionTarget`: (reason, since).
    pub disruption: Option<(Box<str>, i64)>,
    /// (requested at, grace ms).
    pub deletion: Option<(i64, i64)>,
    pub containers: Vec<CState>,
    /// The tracked conditions: (status, since), once the kubelet reported the pod.
    pub conditions: [Option<(bool, i64)>; 4],
    /// `status.podIP`.
    pub ip: Option<Box<str>>,
    /// `status.nominatedNodeName`.
    pub nominated: Option<Box<str>>,
}

#[derive(Clone, Debug)]
pub struct NodeState {
    pub name: String,
    pub pool: String,
    pub api: ApiNode,
    pub created: i64,
    pub ready: String,
    pub ready_since: i64,
    pub kubelet_up: bool,
    /// When the kubelet last started or stopped.
    pub kubelet_since: i64,
    pub unschedulable: bool,
    pub taints: Vec<Taint>,
    /// The `MemoryPressure` condition: True (or False) since this time.
    pub memory_pressure: bool,
    pub memory_since: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct JobState {
    pub uid: u64,
    pub namespace: Arc<str>,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub spec: Arc<ApiJobSpec>,
    pub owner: Option<PodOwner>,
    pub created: i64,
    pub phase: String,
    pub active: u32,
    pub succeeded: u32,
    pub failed: u32,
    pub start_time: Option<i64>,
    pub completion_time: Option<i64>,
    pub parallelism: u32,
    pub suspend: bool,
    /// (type, status, reason, message, since), in the order they were added.
    pub conditions: Vec<(String, bool, String, String, i64)>,
}

#[derive(Clone, Debug)]
pub struct CronJobState {
    pub uid: u64,
    pub api: Arc<ApiCronJob>,
    pub created: i64,
    pub active: Vec<u64>,
    pub last_schedule: Option<i64>,
    pub last_successful: Option<i64>,
    pub suspend: bool,
}

/// A ReplicaSet at T.
#[derive(Clone, Debug)]
pub struct ReplicaSetState {
    pub uid: u64,
    pub namespace: Arc<str>,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub selector: crate::labels::LabelSelector,
    pub template: crate::api::pod::PodTemplateSpec,
    pub owner: Option<PodOwner>,
    pub created: i64,
    pub desired: u32,
    pub min_ready_seconds: u64,
    pub replicas: u32,
    pub fully_labeled: u32,
    pub ready: u32,
    pub available: u32,
    pub failure: Option<String>,
}

/// A Deployment condition: (type, status, reason, message, last update, last transition).
pub type DeploymentCondition = (String, String, String, String, i64, i64);

/// A Deployment at T.
#[derive(Clone, Debug)]
pub struct DeploymentState {
    pub uid: u64,
    pub api: crate::api::apps::Deployment,
    pub created: i64,
    pub revision: i64,
    pub replicas: u32,
    pub updated: u32,
    pub ready: u32,
    pub available: u32,
    pub unavailable: u32,
    pub conditions: Vec<DeploymentCondition>,
}

/// A DaemonSet at T.
#[derive(Clone, Debug)]
pub struct DaemonSetState {
    pub uid: u64,
    /// The object as last written (its template generation annotated).
    pub api: crate::api::daemonset::DaemonSet,
    pub generation: u64,
    pub created: i64,
    pub status: Option<crate::trace::lines::DaemonSetStatus>,
}

/// A StatefulSet at T.
#[derive(Clone, Debug)]
pub struct StatefulSetState {
    pub uid: u64,
    /// The object as last written (defaulted).
    pub api: crate::api::statefulset::StatefulSet,
    pub generation: u64,
    pub created: i64,
    pub status: Option<lines::StatefulSetStatus<'static>>,
}

#[derive(Clone, Debug)]
pub struct ServiceState {
    pub uid: u64,
    pub api: Arc<crate::api::service::Service>,
    pub created: i64,
}

#[derive(Clone, Debug)]
pub struct SlicePort {
    pub name: String,
    pub port: Option<i32>,
    pub protocol: String,
    pub app_protocol: Option<String>,
}

#[derive(Clone, Debug)]
pub struct SliceEndpoint {
    pub ip: String,
    pub ready: bool,
    pub serving: bool,
    pub terminating: bool,
    pub node: String,
    pub zone: Option<String>,
    pub hostname: Option<String>,
    pub pod: String,
    pub pod_uid: u64,
}

#[derive(Clone, Debug)]
pub struct SliceState {
    pub uid: u64,
    pub namespace: Arc<str>,
    pub name: String,
    pub service: String,
    pub service_uid: u64,
    pub created: i64,
    /// When the controller last wrote it.
    pub updated: i64,
    pub ports: Vec<SlicePort>,
    pub endpoints: Vec<SliceEndpoint>,
}

/// A PodDisruptionBudget at T: the object and its last status.
#[derive(Clone, Debug)]
pub struct BudgetState {
    pub uid: u64,
    pub api: Arc<crate::api::policy::PodDisruptionBudget>,
    pub created: i64,
    pub observed: bool,
    pub disruptions_allowed: i64,
    pub current_healthy: i64,
    pub desired_healthy: i64,
    pub expected_pods: i64,
    /// `disruptedPods`: (pod, time).
    pub disrupted_pods: Vec<(String, i64)>,
    /// `DisruptionAllowed`: (status, reason, message, last transition).
    pub condition: Option<(bool, String, String, i64)>,
}

/// A PersistentVolumeClaim at T: the object as admitted and what its controllers wrote.
#[derive(Clone, Debug)]
pub struct ClaimState {
    pub uid: u64,
    pub api: Arc<crate::api::storage::PersistentVolumeClaim>,
    pub created: i64,
    pub phase: String,
    pub volume_name: Option<String>,
    pub capacity: Option<String>,
    pub access_modes: Vec<String>,
    pub annotations: BTreeMap<String, String>,
    pub finalizers: Vec<String>,
    pub deletion: Option<i64>,
}

/// A PersistentVolume at T.
#[derive(Clone, Debug)]
pub struct VolumeState {
    pub uid: u64,
    pub api: Arc<crate::api::storage::PersistentVolume>,
    pub created: i64,
    pub phase: String,
    /// `claimRef`: (namespace, name, claim uid number).
    pub claim_ref: Option<(String, String, Option<u64>)>,
    pub annotations: BTreeMap<String, String>,
    pub finalizers: Vec<String>,
    pub deletion: Option<i64>,
    pub reason: String,
    pub message: String,
}

/// A StorageClass, ConfigMap or Secret at T: the object and when it was created.
#[derive(Clone, Debug)]
pub struct Created<T> {
    pub uid: u64,
    pub api: Arc<T>,
    pub created: i64,
}

/// The cluster at T.
#[derive(Default)]
pub struct State {
    /// Storage objects by uid (one numbering per kind).
    pub claims: BTreeMap<u64, ClaimState>,
    pub volumes: BTreeMap<u64, VolumeState>,
    pub classes: BTreeMap<u64, Created<crate::api::storage::StorageClass>>,
    pub config_maps: BTreeMap<u64, Created<crate::api::config::ConfigMap>>,
    pub secrets: BTreeMap<u64, Created<crate::api::config::Secret>>,
    /// The run's seed, which the uids are drawn from (`Uids`).
    pub uids: Uids,
    /// PodDisruptionBudgets by uid.
    pub budgets: BTreeMap<u64, BudgetState>,
    /// ReplicaSets and Deployments by uid.
    pub replicasets: BTreeMap<u64, ReplicaSetState>,
    pub deployments: BTreeMap<u64, DeploymentState>,
    pub daemonsets: BTreeMap<u64, DaemonSetState>,
    pub statefulsets: BTreeMap<u64, StatefulSetState>,
    pub at: i64,
    /// By uid (pods are numbered from 1 in order of creation).
    pub pods: Vec<Option<PodState>>,
    pub nodes: BTreeMap<String, NodeState>,
    /// Jobs and CronJobs by uid (one numbering for both).
    pub jobs: Vec<Option<JobState>>,
    pub cronjobs: Vec<Option<CronJobState>>,
    /// Names of Jobs by uid, kept after they are gone (CronJob references).
    pub job_names: BTreeMap<u64, (Arc<str>, String)>,
    /// Each node's InternalIP (a pod's `status.hostIP`), kept when only pods are wanted.
    pub node_ips: BTreeMap<String, String>,
    /// Services and EndpointSlices by uid (one numbering each).
    pub services: BTreeMap<u64, ServiceState>,
    pub slices: BTreeMap<u64, SliceState>,
    pub symbols: Symbols,
    pod_templates: BTreeMap<u32, (Arc<PodSpec>, Arc<[ContainerKind]>)>,
    job_templates: BTreeMap<u32, Arc<ApiJobSpec>>,
    namespaces: BTreeMap<Box<str>, Arc<str>>,
    last_labels: Arc<BTreeMap<String, String>>,
    last_annotations: Arc<BTreeMap<String, String>>,
}

impl State {
    pub fn pods(&self) -> impl Iterator<Item = &PodState> {
        self.pods.iter().flatten()
    }

    pub fn jobs(&self) -> impl Iterator<Item = &JobState> {
        self.jobs.iter().flatten()
    }

    pub fn cronjobs(&self) -> impl Iterator<Item = &CronJobState> {
        self.cronjobs.iter().flatten()
    }

    fn namespace(&mut self, ns: &str) -> Arc<str> {
        if let Some(n) = self.namespaces.get(ns) {
            return n.clone();
        }
        let n: Arc<str> = Arc::from(ns);
        self.namespaces.insert(ns.into(), n.clone());
        n
    }
}

// ---------------------------------------------------------------------------------
// Lines of objects.jsonl: their types are the writer's (`trace::lines`); a line is
// parsed only when its kind is wanted.

/// `{"op":"<op>","t":<ms>,...`: the op and time, read without parsing the line.
fn head(line: &[u8]) -> Option<(&str, i64)> {
    let rest = line.strip_prefix(b"{\"op\":\"")?;
    let end = rest.iter().position(|b| *b == b'"')?;
    let op = std::str::from_utf8(&rest[..end]).ok()?;
    let rest = rest[end..].strip_prefix(b"\",\"t\":")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit() || **b == b'-').count();
    Some((op, int(&rest[..digits])?))
}

/// Streams `objects.jsonl`.
struct Objects {
    path: PathBuf,
    reader: BufReader<std::fs::File>,
    line: Vec<u8>,
    number: usize,
    /// The op and time of the line in `line`, if one is read ahead.
    ahead: Option<(&'static str, i64)>,
}

impl Objects {
    fn open(run: &RunDir) -> Result<Objects, ViewError> {
        let path = run.file("objects.jsonl")?;
        let file = std::fs::File::open(&path)
            .map_err(|e| ViewError::input(format!("{}: cannot read: {e}", path.display())))?;
        Ok(Objects { path, reader: BufReader::with_capacity(1 << 16, file), line: Vec::new(), number: 0, ahead: None })
    }

    /// The time of the next line (reads it ahead), `None` at the end.
    fn peek(&mut self) -> Result<Option<i64>, ViewError> {
        if let Some((_, t)) = &self.ahead {
            return Ok(Some(*t));
        }
        loop {
            self.line.clear();
            let n = self.reader.read_until(b'\n', &mut self.line).map_err(|e| self.error(&e.to_string()))?;
            if n == 0 {
                return Ok(None);
            }
            self.number += 1;
            while self.line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                self.line.pop();
            }
            if self.line.is_empty() {
                continue;
            }
            let Some((op, t)) = head(&self.line) else {
                return Err(self.error("expected a line starting with {\"op\":\"...\",\"t\":<ms>"));
            };
            let Some(op) = Line::OPS.iter().find(|o| **o == op) else {
                return Err(self.error(&format!("unknown op {op:?}")));
            };
            self.ahead = Some((op, t));
            return Ok(Some(t));
        }
    }

    fn error(&self, what: &str) -> ViewError {
        ViewError::input(format!("{}:{}: {what}", self.path.display(), self.number))
    }
}

/// Streams `containers.csv`.
struct Containers {
    path: PathBuf,
    reader: csv::Reader<std::fs::File>,
    record: csv::ByteRecord,
    ahead: Option<i64>,
}

fn field(r: &csv::ByteRecord, i: usize) -> &[u8] {
    r.get(i).unwrap_or(b"")
}

/// A decimal integer, read from bytes (the hot path: no UTF-8 check, no `str::parse`).
fn int(bytes: &[u8]) -> Option<i64> {
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut n: i64 = 0;
    for b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + i64::from(b - b'0');
    }
    Some(if negative { -n } else { n })
}

fn number<T: TryFrom<i64>>(bytes: &[u8]) -> Option<T> {
    T::try_from(int(bytes)?).ok()
}

fn optional<T: TryFrom<i64>>(bytes: &[u8]) -> Result<Option<T>, ()> {
    if bytes.is_empty() { Ok(None) } else { number(bytes).map(Some).ok_or(()) }
}

impl Containers {
    fn open(run: &RunDir) -> Result<Containers, ViewError> {
        let path = run.file("containers.csv")?;
        let reader = csv::ReaderBuilder::new()
            .buffer_capacity(1 << 16)
            .from_path(&path)
            .map_err(|e| ViewError::input(format!("{}: cannot read: {e}", path.display())))?;
        Ok(Containers { path, reader, record: csv::ByteRecord::new(), ahead: None })
    }

    fn peek(&mut self) -> Result<Option<i64>, ViewError> {
        if self.ahead.is_some() {
            return Ok(self.ahead);
        }
        let more = self.reader.read_byte_record(&mut self.record).map_err(|e| self.error(&e.to_string()))?;
        if !more {
            return Ok(None);
        }
        if self.record.len() != crate::trace::objects::CONTAINERS_HEADER.len() {
            return Err(self.error("wrong number of columns"));
        }
        let t = number(field(&self.record, 0)).ok_or_else(|| self.error("time_ms is not a number"))?;
        self.ahead = Some(t);
        Ok(self.ahead)
    }

    fn error(&self, what: &str) -> ViewError {
        let line = self.record.position().map_or(0, |p| p.line());
        ViewError::input(format!("{}:{line}: {what}", self.path.display()))
    }
}

/// Replays a run up to `at` (inclusive).
/// The uids the views show, drawn from the run's seed (`engine::rng::uuid`), one
/// numbering per kind as the run writes them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Uids(pub u64);

impl Uids {
    pub fn pod(self, serial: u64) -> String {
        crate::engine::rng::uuid(self.0, "pod", serial)
    }
    /// ReplicaSets, Deployments, DaemonSets and StatefulSets (one numbering).
    pub fn apps(self, serial: u64) -> String {
        crate::engine::rng::uuid(self.0, "apps", serial)
    }
    pub fn job(self, serial: u64) -> String {
        crate::engine::rng::uuid(self.0, "job", serial)
    }
    pub fn cronjob(self, serial: u64) -> String {
        crate::engine::rng::uuid(self.0, "cronjob", serial)
    }
    pub fn budget(self, serial: u64) -> String {
        crate::engine::rng::uuid(self.0, "policy", serial)
    }
    pub fn service(self, serial: u64) -> String {
        crate::engine::rng::uuid(self.0, "service", serial)
    }
    pub fn slice(self, serial: u64) -> String {
        crate::engine::rng::uuid(self.0, "endpointslice", serial)
    }
    /// A claim's uid (a provisioned PV is named `pvc-<it>`; `apiserver::storage` draws it
    /// the same way).
    pub fn claim(self, serial: u64) -> String {
        crate::engine::rng::uuid(self.0, "persistentvolumeclaim", serial)
    }
    pub fn volume(self, serial: u64) -> String {
        crate::engine::rng::uuid(self.0, "persistentvolume", serial)
    }
    pub fn class(self, serial: u64) -> String {
        crate::engine::rng::uuid(self.0, "storageclass", serial)
    }
    pub fn config_map(self, serial: u64) -> String {
        crate::engine::rng::uuid(self.0, "configmap", serial)
    }
    pub fn secret(self, serial: u64) -> String {
        crate::engine::rng::uuid(self.0, "secret", serial)
    }
}

pub fn replay(run: &RunDir, at: i64, want: Want) -> Result<State, ViewError> {
    let mut state = State { at, uids: Uids(run.seed), ..Default::default() };
    let mut objects = Objects::open(run)?;
    let mut containers = if want.pods { Some(Containers::open(run)?) } else { None };
    loop {
        let next_object = objects.peek()?.filter(|t| *t <= at);
        let next_container = match &mut containers {
            Some(c) => c.peek()?.filter(|t| *t <= at),
            None => None,
        };
        match (next_object, next_container) {
            (None, None) => break,
            (Some(a), Some(b)) if b < a => apply_container(&mut state, containers.as_mut().expect("peeked"), want)?,
            (Some(_), _) => apply_object(&mut state, &mut objects, want)?,
            (None, Some(_)) => apply_container(&mut state, containers.as_mut().expect("peeked"), want)?,
        }
    }
    Ok(state)
}

/// The index of a created object's uid in the state's tables. Uids count the objects
/// created, and every creation is a line, so a uid above the line number is corrupt
/// (and would otherwise size the table: 4,000,000,000 asked for 1.5 TB).
fn slot(objects: &Objects, uid: u64) -> Result<usize, ViewError> {
    match usize::try_from(uid) {
        Ok(i) if uid <= objects.number as u64 => Ok(i),
        _ => Err(objects.error(&format!("uid {uid} is above the number of objects created so far"))),
    }
}

fn parse<'a, T: Deserialize<'a>>(objects: &Objects, line: &'a [u8]) -> Result<T, ViewError> {
    serde_json::from_slice(line).map_err(|e| objects.error(&e.to_string()))
}

fn apply_object(state: &mut State, objects: &mut Objects, want: Want) -> Result<(), ViewError> {
    let (op, t) = objects.ahead.take().expect("peeked");
    let line = std::mem::take(&mut objects.line);
    let result = apply_line(state, objects, op, t, &line, want);
    objects.line = line;
    result
}

fn apply_line(state: &mut State, o: &Objects, op: &str, t: i64, line: &[u8], want: Want) -> Result<(), ViewError> {
    match op {
        "PodTemplate" if want.pods || want.apps => {
            let tpl: lines::Template<PodSpec> = parse(o, line)?;
            let spec = tpl.spec.into_owned();
            let kinds: Arc<[ContainerKind]> = spec
                .init_containers
                .iter()
                .map(|c| if c.is_sidecar() { ContainerKind::Sidecar } else { ContainerKind::Init })
                .chain(spec.containers.iter().map(|_| ContainerKind::App))
                .collect();
            state.pod_templates.insert(tpl.id, (Arc::new(spec), kinds));
        }
        "PodCreated" if want.pods => {
            let p: lines::PodCreated = parse(o, line)?;
            let (spec, kinds) =
                state.pod_templates.get(&p.template).cloned().ok_or_else(|| o.error("unknown template id"))?;
            let namespace = state.namespace(p.namespace);
            let pod = PodState {
                uid: p.uid,
                namespace,
                name: p.name.into(),
                generate_name: p.generate_name.map(Into::into),
                containers: vec![CState::default(); kinds.len()],
                spec,
                kinds,
                priority: p.priority,
                preempt_never: p.preempt_never,
                labels: shared(&mut state.last_labels, &p.labels),
                annotations: shared(&mut state.last_annotations, &p.annotations),
                owner: p.owner.map(|o| PodOwner { kind: o.kind.into(), name: o.name.into(), uid: o.uid }),
                created: t,
                node: None,
                bound_at: None,
                phase: "Pending",
                reason: None,
                start_time: None,
                disruption: None,
                deletion: None,
                conditions: [None; 4],
                ip: None,
                nominated: None,
            };
            let i = slot(o, p.uid)?;
            if state.pods.len() <= i {
                state.pods.resize_with(i + 1, || None);
            }
            state.pods[i] = Some(pod);
        }
        "PodBound" if want.pods => {
            let b = match fast_pod_bound(line) {
                Some(b) => b,
                None => parse::<lines::PodBound>(o, line)?,
            };
            let node = state.namespace(b.node);
            if let Some(pod) = pod_mut(state, b.uid) {
                pod.node = Some(node);
                pod.bound_at = Some(t);
            }
        }
        "PodStatus" if want.pods => {
            let s = match fast_pod_status(line) {
                Some(s) => s,
                None => parse::<lines::PodStatus>(o, line)?,
            };
            if let Some(pod) = pod_mut(state, s.uid) {
                pod.phase = match s.phase {
                    "Running" => "Running",
                    "Succeeded" => "Succeeded",
                    "Failed" => "Failed",
                    _ => "Pending",
                };
                pod.reason = (!s.reason.is_empty()).then(|| s.reason.into());
                pod.start_time = s.start_time;
                if pod.ip.as_deref() != Some(s.pod_ip) {
                    pod.ip = (!s.pod_ip.is_empty()).then(|| s.pod_ip.into());
                }
                if !s.disruption.is_empty() && pod.disruption.is_none() {
                    pod.disruption = Some((s.disruption.into(), t));
                }
                if pod.nominated.as_deref() != Some(s.nominated_node_name) {
                    pod.nominated = (!s.nominated_node_name.is_empty()).then(|| s.nominated_node_name.into());
                }
                if want.history {
                    track_conditions(pod, t);
                }
            }
        }
        "PodDeleted" if want.pods => {
            let d: lines::PodDeleted = parse(o, line)?;
            if let Some(pod) = pod_mut(state, d.uid) {
                pod.deletion = Some((t, d.grace_ms));
            }
        }
        "PodRemoved" if want.pods => {
            let uid = match fast_uid(line) {
                Some(uid) => uid,
                None => parse::<lines::Removed>(o, line)?.uid,
            };
            if let Some(slot) = state.pods.get_mut(uid as usize) {
                *slot = None;
            }
        }
        "NodeCreated" if want.nodes || want.pods => {
            let n: lines::NodeCreated = parse(o, line)?;
            let api = n.node.into_owned();
            let name = api.metadata.name.clone();
            if let Some(a) = api.status.addresses.iter().find(|a| a.kind == "InternalIP") {
                state.node_ips.insert(name.clone(), a.address.clone());
            }
            if !want.nodes {
                return Ok(());
            }
            let node = NodeState {
                name: name.clone(),
                pool: n.pool.into_owned(),
                taints: api.spec.taints.clone(),
                unschedulable: api.spec.unschedulable.unwrap_or(false),
                api,
                created: t,
                ready: "True".into(),
                ready_since: t,
                kubelet_up: true,
                kubelet_since: t,
                memory_pressure: false,
                memory_since: None,
            };
            state.nodes.insert(name, node);
        }
        "NodeStatus" if want.nodes => {
            let s: lines::NodeStatus = parse(o, line)?;
            if let Some(n) = state.nodes.get_mut(s.name) {
                if n.ready != s.ready {
                    n.ready = s.ready.into();
                    n.ready_since = t;
                }
                if n.kubelet_up != s.kubelet_up {
                    n.kubelet_up = s.kubelet_up;
                    n.kubelet_since = t;
                }
                n.unschedulable = s.unschedulable;
                n.taints = s.taints.into_owned();
                if n.memory_pressure != s.memory_pressure.is_some() {
                    n.memory_pressure = s.memory_pressure.is_some();
                    n.memory_since = Some(s.memory_pressure.unwrap_or(t));
                }
            }
        }
        "NodeRemoved" if want.nodes => {
            let r: lines::NodeRemoved = parse(o, line)?;
            state.nodes.remove(r.name);
        }
        "JobTemplate" if want.jobs => {
            let tpl: lines::Template<ApiJobSpec> = parse(o, line)?;
            state.job_templates.insert(tpl.id, Arc::new(tpl.spec.into_owned()));
        }
        "JobCreated" if want.jobs || want.cronjobs => {
            let j: lines::JobCreated = parse(o, line)?;
            let ns = state.namespace(j.namespace);
            state.job_names.insert(j.uid, (ns, j.name.to_string()));
            if !want.jobs {
                return Ok(());
            }
            let spec = state.job_templates.get(&j.template).cloned().ok_or_else(|| o.error("unknown template id"))?;
            let job = JobState {
                uid: j.uid,
                namespace: state.namespace(j.namespace),
                name: j.name.to_string(),
                labels: j.labels.to_owned_map(),
                parallelism: spec.parallelism.unwrap_or(1).max(0) as u32,
                suspend: spec.suspend.unwrap_or(false),
                spec,
                owner: j.owner.map(|o| PodOwner { kind: o.kind.into(), name: o.name.into(), uid: o.uid }),
                created: t,
                phase: "Active".into(),
                active: 0,
                succeeded: 0,
                failed: 0,
                start_time: None,
                completion_time: None,
                conditions: Vec::new(),
            };
            let i = slot(o, j.uid)?;
            if state.jobs.len() <= i {
                state.jobs.resize_with(i + 1, || None);
            }
            state.jobs[i] = Some(job);
        }
        "JobStatus" if want.jobs => {
            let s: lines::JobStatus = parse(o, line)?;
            if let Some(Some(job)) = state.jobs.get_mut(s.uid as usize) {
                job_status(job, s, t);
            }
        }
        "JobRemoved" if want.jobs => {
            let r: lines::Removed = parse(o, line)?;
            if let Some(slot) = state.jobs.get_mut(r.uid as usize) {
                *slot = None;
            }
        }
        "CronJobCreated" if want.cronjobs => {
            let c: lines::CronJobCreated = parse(o, line)?;
            let api = c.cronjob.into_owned();
            let cj = CronJobState {
                uid: c.uid,
                suspend: api.spec.suspend.unwrap_or(false),
                api: Arc::new(api),
                // metav1.Time keeps whole seconds; the controller works from that.
                created: t - t.rem_euclid(1000),
                active: Vec::new(),
                last_schedule: None,
                last_successful: None,
            };
            let i = slot(o, c.uid)?;
            if state.cronjobs.len() <= i {
                state.cronjobs.resize_with(i + 1, || None);
            }
            state.cronjobs[i] = Some(cj);
        }
        "CronJobStatus" if want.cronjobs => {
            let s: lines::CronJobStatus = parse(o, line)?;
            let finished: Vec<u64> = match state.cronjobs.get(s.uid as usize) {
                Some(Some(cj)) => cj.active.iter().copied().filter(|j| !s.active.contains(j)).collect(),
                _ => Vec::new(),
            };
            // `SawCompletedJob`: lastSuccessfulTime is the completed Job's completionTime.
            let completed = finished
                .iter()
                .filter_map(|j| state.jobs.get(*j as usize).and_then(Option::as_ref))
                .filter_map(|j| j.completion_time)
                .max();
            if let Some(Some(cj)) = state.cronjobs.get_mut(s.uid as usize) {
                cj.active = s.active.into_owned();
                cj.last_schedule = s.last_schedule_time;
                cj.suspend = s.suspend;
                if completed.is_some() {
                    cj.last_successful = completed.max(cj.last_successful);
                }
            }
        }
        "CronJobRemoved" if want.cronjobs => {
            let r: lines::Removed = parse(o, line)?;
            if let Some(slot) = state.cronjobs.get_mut(r.uid as usize) {
                *slot = None;
            }
        }
        "ReplicaSetCreated" if want.apps => {
            let r: lines::ReplicaSetCreated = parse(o, line)?;
            let (spec, _) =
                state.pod_templates.get(&r.template).cloned().ok_or_else(|| o.error("unknown template id"))?;
            let template = crate::api::pod::PodTemplateSpec {
                metadata: crate::api::ObjectMeta {
                    labels: r.template_labels.to_owned_map(),
                    annotations: r.template_annotations.to_owned_map(),
                    ..Default::default()
                },
                spec: (*spec).clone(),
            };
            let rs = ReplicaSetState {
                uid: r.uid,
                namespace: state.namespace(r.namespace),
                name: r.name.to_string(),
                labels: r.labels.to_owned_map(),
                annotations: r.annotations.to_owned_map(),
                selector: r.selector.into_owned(),
                template,
                owner: r.owner.map(|o| PodOwner { kind: o.kind.into(), name: o.name.into(), uid: o.uid }),
                created: t,
                desired: r.replicas,
                min_ready_seconds: r.min_ready_seconds,
                replicas: 0,
                fully_labeled: 0,
                ready: 0,
                available: 0,
                failure: None,
            };
            state.replicasets.insert(r.uid, rs);
        }
        "ReplicaSetStatus" if want.apps => {
            let s: lines::ReplicaSetStatus = parse(o, line)?;
            if let Some(rs) = state.replicasets.get_mut(&s.uid) {
                rs.desired = s.desired;
                rs.replicas = s.replicas;
                rs.fully_labeled = s.fully_labeled;
                rs.ready = s.ready;
                rs.available = s.available;
                rs.failure = s.failure.map(|f| f.into_owned());
                rs.annotations.insert(crate::cluster::apps::REVISION_ANNOTATION.into(), s.revision.to_string());
            }
        }
        "ReplicaSetRemoved" if want.apps => {
            let r: lines::Removed = parse(o, line)?;
            state.replicasets.remove(&r.uid);
        }
        "DeploymentCreated" | "DeploymentUpdated" if want.apps => {
            let d: lines::DeploymentSpecLine = parse(o, line)?;
            let api = d.deployment.into_owned();
            match state.deployments.get_mut(&d.uid) {
                Some(existing) => existing.api = api,
                None => {
                    let state_line = DeploymentState {
                        uid: d.uid,
                        api,
                        created: t,
                        revision: 0,
                        replicas: 0,
                        updated: 0,
                        ready: 0,
                        available: 0,
                        unavailable: 0,
                        conditions: Vec::new(),
                    };
                    state.deployments.insert(d.uid, state_line);
                }
            }
        }
        "DeploymentStatus" if want.apps => {
            let s: lines::DeploymentStatus = parse(o, line)?;
            if let Some(d) = state.deployments.get_mut(&s.uid) {
                d.revision = s.revision;
                d.replicas = s.replicas;
                d.updated = s.updated;
                d.ready = s.ready;
                d.available = s.available;
                d.unavailable = s.unavailable;
                d.conditions = s
                    .conditions
                    .into_iter()
                    .map(|c| {
                        let (kind, status, reason) = (c.kind.to_string(), c.status.to_string(), c.reason.to_string());
                        (kind, status, reason, c.message.into_owned(), c.last_update, c.last_transition)
                    })
                    .collect();
            }
        }
        "DeploymentRemoved" if want.apps => {
            let r: lines::Removed = parse(o, line)?;
            state.deployments.remove(&r.uid);
        }
        "DaemonSetCreated" | "DaemonSetUpdated" if want.apps => {
            let d: lines::DaemonSetSpecLine = parse(o, line)?;
            let api = d.daemonset.into_owned();
            match state.daemonsets.get_mut(&d.uid) {
                Some(existing) => {
                    existing.api = api;
                    existing.generation = d.generation;
                }
                None => {
                    let ds = DaemonSetState { uid: d.uid, api, generation: d.generation, created: t, status: None };
                    state.daemonsets.insert(d.uid, ds);
                }
            }
        }
        "DaemonSetStatus" if want.apps => {
            let s: lines::DaemonSetStatus = parse(o, line)?;
            if let Some(d) = state.daemonsets.get_mut(&s.uid) {
                d.status = Some(s);
            }
        }
        "DaemonSetRemoved" if want.apps => {
            let r: lines::Removed = parse(o, line)?;
            state.daemonsets.remove(&r.uid);
        }
        "StatefulSetCreated" | "StatefulSetUpdated" if want.apps => {
            let d: lines::StatefulSetSpecLine = parse(o, line)?;
            let api = d.statefulset.into_owned();
            match state.statefulsets.get_mut(&d.uid) {
                Some(existing) => {
                    existing.api = api;
                    existing.generation = d.generation;
                }
                None => {
                    let s = StatefulSetState { uid: d.uid, api, generation: d.generation, created: t, status: None };
                    state.statefulsets.insert(d.uid, s);
                }
            }
        }
        "StatefulSetStatus" if want.apps => {
            let s: lines::StatefulSetStatus = parse(o, line)?;
            if let Some(d) = state.statefulsets.get_mut(&s.uid) {
                d.status = Some(lines::StatefulSetStatus {
                    current_revision: s.current_revision.into_owned().into(),
                    update_revision: s.update_revision.into_owned().into(),
                    ..s
                });
            }
        }
        "StatefulSetRemoved" if want.apps => {
            let r: lines::Removed = parse(o, line)?;
            state.statefulsets.remove(&r.uid);
        }
        "ServiceCreated" if want.services => {
            let c: lines::ServiceCreated = parse(o, line)?;
            state
                .services
                .insert(c.uid, ServiceState { uid: c.uid, api: Arc::new(c.service.into_owned()), created: t });
        }
        "ServiceRemoved" if want.services => {
            let r: lines::Removed = parse(o, line)?;
            state.services.remove(&r.uid);
        }
        "EndpointSlice" if want.services => {
            let e: lines::EndpointSlice = parse(o, line)?;
            let created = state.slices.get(&e.uid).map_or(t, |s| s.created);
            let slice = SliceState {
                uid: e.uid,
                namespace: state.namespace(e.namespace),
                name: e.name.to_string(),
                service: e.service.to_string(),
                service_uid: e.service_uid,
                created,
                updated: t,
                ports: e
                    .ports
                    .into_iter()
                    .map(|p| SlicePort {
                        name: p.name.into_owned(),
                        port: p.port,
                        protocol: p.protocol.into_owned(),
                        app_protocol: p.app_protocol.map(|a| a.into_owned()),
                    })
                    .collect(),
                endpoints: e
                    .endpoints
                    .into_iter()
                    .map(|x| SliceEndpoint {
                        ip: x.ip.into_owned(),
                        ready: x.ready,
                        serving: x.serving,
                        terminating: x.terminating,
                        node: x.node.into_owned(),
                        zone: x.zone.map(|z| z.into_owned()),
                        hostname: x.hostname.map(|h| h.into_owned()),
                        pod: x.pod.into_owned(),
                        pod_uid: x.pod_uid,
                    })
                    .collect(),
            };
            state.slices.insert(e.uid, slice);
        }
        "EndpointSliceRemoved" if want.services => {
            let r: lines::Removed = parse(o, line)?;
            state.slices.remove(&r.uid);
        }
        "PodDisruptionBudgetCreated" if want.budgets => {
            let c: lines::BudgetCreated = parse(o, line)?;
            let b = BudgetState {
                uid: c.uid,
                api: Arc::new(c.budget.into_owned()),
                created: t,
                observed: false,
                disruptions_allowed: 0,
                current_healthy: 0,
                desired_healthy: 0,
                expected_pods: 0,
                disrupted_pods: Vec::new(),
                condition: None,
            };
            state.budgets.insert(c.uid, b);
        }
        "PodDisruptionBudgetStatus" if want.budgets => {
            let s: lines::BudgetStatus = parse(o, line)?;
            if let Some(b) = state.budgets.get_mut(&s.uid) {
                b.observed = s.observed;
                b.disruptions_allowed = s.disruptions_allowed;
                b.current_healthy = s.current_healthy;
                b.desired_healthy = s.desired_healthy;
                b.expected_pods = s.expected_pods;
                b.disrupted_pods = s.disrupted_pods.into_iter().map(|(n, at)| (n.into_owned(), at)).collect();
                b.condition =
                    s.condition.map(|c| (c.status, c.reason.to_string(), c.message.into_owned(), c.last_transition));
            }
        }
        "PersistentVolumeClaimCreated" if want.storage => {
            let c: lines::ClaimCreated = parse(o, line)?;
            let claim = ClaimState {
                uid: c.uid,
                api: Arc::new(c.claim.into_owned()),
                created: t,
                phase: "Pending".into(),
                volume_name: None,
                capacity: None,
                access_modes: Vec::new(),
                annotations: BTreeMap::new(),
                finalizers: Vec::new(),
                deletion: None,
            };
            state.claims.insert(c.uid, claim);
        }
        "PersistentVolumeClaimStatus" if want.storage => {
            let s: lines::ClaimStatusLine = parse(o, line)?;
            if let Some(c) = state.claims.get_mut(&s.uid) {
                c.phase = s.phase.to_string();
                c.volume_name = s.volume_name.map(|v| v.into_owned());
                c.capacity = s.capacity.map(|v| v.into_owned());
                c.access_modes = s.access_modes.iter().map(|m| m.to_string()).collect();
                c.annotations = s.annotations.to_owned_map();
                c.finalizers = s.finalizers.into_iter().map(|f| f.into_owned()).collect();
                c.deletion = s.deletion;
            }
        }
        "PersistentVolumeClaimRemoved" if want.storage => {
            let r: lines::Removed = parse(o, line)?;
            state.claims.remove(&r.uid);
        }
        "PersistentVolumeCreated" if want.storage => {
            let c: lines::VolumeCreated = parse(o, line)?;
            let volume = VolumeState {
                uid: c.uid,
                api: Arc::new(c.volume.into_owned()),
                created: t,
                phase: "Pending".into(),
                claim_ref: None,
                annotations: BTreeMap::new(),
                finalizers: Vec::new(),
                deletion: None,
                reason: String::new(),
                message: String::new(),
            };
            state.volumes.insert(c.uid, volume);
        }
        "PersistentVolumeStatus" if want.storage => {
            let s: lines::VolumeStatusLine = parse(o, line)?;
            if let Some(v) = state.volumes.get_mut(&s.uid) {
                v.phase = s.phase.to_string();
                v.claim_ref = s.claim_ref.map(|c| (c.namespace.into_owned(), c.name.into_owned(), c.uid));
                v.annotations = s.annotations.to_owned_map();
                v.finalizers = s.finalizers.into_iter().map(|f| f.into_owned()).collect();
                v.deletion = s.deletion;
                v.reason = s.reason.into_owned();
                v.message = s.message.into_owned();
            }
        }
        "PersistentVolumeRemoved" if want.storage => {
            let r: lines::Removed = parse(o, line)?;
            state.volumes.remove(&r.uid);
        }
        "StorageClassCreated" if want.storage => {
            let c: lines::StorageClassCreated = parse(o, line)?;
            state.classes.insert(c.uid, Created { uid: c.uid, api: Arc::new(c.class.into_owned()), created: t });
        }
        "StorageClassRemoved" if want.storage => {
            let r: lines::Removed = parse(o, line)?;
            state.classes.remove(&r.uid);
        }
        "ConfigMapCreated" if want.storage => {
            let c: lines::ConfigMapCreated = parse(o, line)?;
            state
                .config_maps
                .insert(c.uid, Created { uid: c.uid, api: Arc::new(c.config_map.into_owned()), created: t });
        }
        "ConfigMapRemoved" if want.storage => {
            let r: lines::Removed = parse(o, line)?;
            state.config_maps.remove(&r.uid);
        }
        "SecretCreated" if want.storage => {
            let c: lines::SecretCreated = parse(o, line)?;
            state.secrets.insert(c.uid, Created { uid: c.uid, api: Arc::new(c.secret.into_owned()), created: t });
        }
        "SecretRemoved" if want.storage => {
            let r: lines::Removed = parse(o, line)?;
            state.secrets.remove(&r.uid);
        }
        // Lines of the kinds not asked for.
        _ => {}
    }
    Ok(())
}

/// A value of a flat JSON object.
#[derive(Clone, Copy)]
enum Flat<'a> {
    Str(&'a str),
    Num(i64),
    Bool,
}

/// Reads a flat JSON object as podsim writes it (no spaces, strings without escapes,
/// integers, booleans) without serde: the hot lines are read this way. `None` for
/// anything else; the caller then parses the line with serde_json.
fn flat<'a>(line: &'a [u8], mut field: impl FnMut(&'a [u8], Flat<'a>)) -> Option<()> {
    let mut i = 1;
    if line.first() != Some(&b'{') {
        return None;
    }
    let quoted = |i: usize| -> Option<(&'a [u8], usize)> {
        if line.get(i) != Some(&b'"') {
            return None;
        }
        let len = line[i + 1..].iter().position(|b| *b == b'"')?;
        let s = &line[i + 1..i + 1 + len];
        (!s.contains(&b'\\')).then_some((s, i + len + 2))
    };
    loop {
        let (key, next) = quoted(i)?;
        if line.get(next) != Some(&b':') {
            return None;
        }
        i = next + 1;
        let value = match line.get(i)? {
            b'"' => {
                let (s, next) = quoted(i)?;
                i = next;
                Flat::Str(std::str::from_utf8(s).ok()?)
            }
            b't' | b'f' => {
                let len = if line[i..].starts_with(b"true") {
                    4
                } else if line[i..].starts_with(b"false") {
                    5
                } else {
                    0
                };
                if len == 0 {
                    return None;
                }
                i += len;
                Flat::Bool
            }
            _ => {
                let len = line[i..].iter().take_while(|b| b.is_ascii_digit() || **b == b'-').count();
                let n = int(&line[i..i + len])?;
                i += len;
                Flat::Num(n)
            }
        };
        field(key, value);
        match line.get(i)? {
            b',' => i += 1,
            b'}' => return (i + 1 == line.len()).then_some(()),
            _ => return None,
        }
    }
}

fn fast_uid(line: &[u8]) -> Option<u64> {
    let mut uid = None;
    flat(line, |k, v| {
        if let (b"uid", Flat::Num(n)) = (k, v) {
            uid = u64::try_from(n).ok();
        }
    })?;
    uid
}

fn fast_pod_bound(line: &[u8]) -> Option<lines::PodBound<'_>> {
    let (mut t, mut uid, mut node) = (0, None, None);
    flat(line, |k, v| match (k, v) {
        (b"t", Flat::Num(n)) => t = n,
        (b"uid", Flat::Num(n)) => uid = u64::try_from(n).ok(),
        (b"node", Flat::Str(s)) => node = Some(s),
        _ => {}
    })?;
    Some(lines::PodBound { t, uid: uid?, node: node? })
}

fn fast_pod_status(line: &[u8]) -> Option<lines::PodStatus<'_>> {
    let mut s = lines::PodStatus {
        t: 0,
        uid: u64::MAX,
        phase: "",
        reason: "",
        start_time: None,
        disruption: "",
        pod_ip: "",
        nominated_node_name: "",
    };
    flat(line, |k, v| match (k, v) {
        (b"t", Flat::Num(n)) => s.t = n,
        (b"uid", Flat::Num(n)) => s.uid = u64::try_from(n).unwrap_or(u64::MAX),
        (b"phase", Flat::Str(p)) => s.phase = p,
        (b"reason", Flat::Str(r)) => s.reason = r,
        (b"startTime", Flat::Num(n)) => s.start_time = Some(n),
        (b"disruption", Flat::Str(d)) => s.disruption = d,
        (b"podIP", Flat::Str(ip)) => s.pod_ip = ip,
        (b"nominatedNodeName", Flat::Str(n)) => s.nominated_node_name = n,
        _ => {}
    })?;
    (s.uid != u64::MAX && !s.phase.is_empty()).then_some(s)
}

/// `map` as a shared map: the last one when equal (the pods of one manifest or stream
/// carry the same labels), else a new one that becomes the last.
fn shared(last: &mut Arc<BTreeMap<String, String>>, map: &Map) -> Arc<BTreeMap<String, String>> {
    let equal = last.len() == map.len() && last.iter().zip(map.iter()).all(|((a, b), (c, d))| a == c && b == d);
    if !equal {
        *last = Arc::new(map.to_owned_map());
    }
    last.clone()
}

fn pod_mut(state: &mut State, uid: u64) -> Option<&mut PodState> {
    state.pods.get_mut(uid as usize).and_then(Option::as_mut)
}

/// A Job's status line; its conditions follow its phase as the controller adds them.
fn job_status(job: &mut JobState, s: lines::JobStatus, t: i64) {
    job.active = s.active;
    job.succeeded = s.succeeded;
    job.failed = s.failed;
    job.start_time = s.start_time;
    job.completion_time = s.completion_time;
    job.parallelism = s.parallelism;
    job.suspend = s.suspend;
    if job.phase == s.phase {
        return;
    }
    let mut set =
        |kind: &str, status: bool, reason: &str, message: &str| match job.conditions.iter_mut().find(|c| c.0 == kind) {
            Some(c) if c.1 == status => {}
            Some(c) => *c = (kind.into(), status, reason.into(), message.into(), t),
            None => job.conditions.push((kind.into(), status, reason.into(), message.into(), t)),
        };
    match s.phase {
        "Suspended" => set("Suspended", true, "JobSuspended", "Job suspended"),
        "Active" if job.phase == "Suspended" => set("Suspended", false, "JobResumed", "Job resumed"),
        "FailureTarget" | "SuccessCriteriaMet" => set(s.phase, true, s.reason, &s.message),
        "Complete" | "Failed" => {
            // The controller records the interim condition first (it may be in the
            // same sync as the final one, hence the same status line).
            let interim = if s.phase == "Complete" { "SuccessCriteriaMet" } else { "FailureTarget" };
            set(interim, true, s.reason, &s.message);
            set(s.phase, true, s.reason, &s.message);
        }
        _ => {}
    }
    job.phase = s.phase.into();
}

fn apply_container(state: &mut State, c: &mut Containers, want: Want) -> Result<(), ViewError> {
    let t = c.ahead.take().expect("peeked");
    let r = &c.record;
    let uid: u64 = number(field(r, 3)).ok_or_else(|| c.error("uid is not a number"))?;
    let Some(Some(pod)) = state.pods.get_mut(uid as usize) else { return Ok(()) };
    let name = field(r, 4);
    let Some(i) =
        pod.spec.init_containers.iter().chain(pod.spec.containers.iter()).position(|s| s.name.as_bytes() == name)
    else {
        return Err(c.error("no such container in the pod's spec"));
    };
    let bad = |what: &str| c.error(&format!("{what} is not valid"));
    let kind = match field(r, 5) {
        b"Waiting" => CKind::Waiting,
        b"Running" => CKind::Running,
        b"Terminated" => CKind::Terminated,
        _ => return Err(bad("state")),
    };
    let text = |i: usize| std::str::from_utf8(field(r, i)).map_err(|_| bad("text"));
    let reason = state.symbols.intern(field(r, 6)).ok_or_else(|| bad("reason"))?;
    let message = if field(r, 7).is_empty() { "" } else { text(7)? };
    let cs = &mut pod.containers[i];
    cs.kind = kind;
    cs.reason = reason;
    if message.is_empty() {
        cs.message = None;
    } else if cs.message.as_deref() != Some(message) {
        cs.message = Some(message.into());
    }
    cs.exit_code = optional(field(r, 8)).map_err(|_| bad("exit_code"))?.unwrap_or(0);
    cs.started_at = optional(field(r, 9)).map_err(|_| bad("started_at_ms"))?;
    cs.finished_at = optional(field(r, 10)).map_err(|_| bad("finished_at_ms"))?;
    cs.restart_count = number(field(r, 11)).ok_or_else(|| bad("restart_count"))?;
    cs.ready = field(r, 12) == b"true";
    cs.started = field(r, 13) == b"true";
    let last_finished: Option<i64> = optional(field(r, 17)).map_err(|_| bad("last_finished_at_ms"))?;
    cs.last = match last_finished {
        None => None,
        Some(finished_at) => Some(LastState {
            reason: state.symbols.intern(field(r, 14)).ok_or_else(|| bad("last_reason"))?,
            exit_code: optional(field(r, 15)).map_err(|_| bad("last_exit_code"))?.unwrap_or(0),
            started_at: optional(field(r, 16)).map_err(|_| bad("last_started_at_ms"))?,
            finished_at,
        }),
    };
    if want.history {
        track_conditions(pod, t);
    }
    Ok(())
}

/// Recomputes the tracked conditions and keeps when each last changed.
fn track_conditions(pod: &mut PodState, t: i64) {
    if pod.start_time.is_none() {
        return;
    }
    let now = condition_statuses(pod);
    for (slot, status) in pod.conditions.iter_mut().zip(now) {
        match slot {
            Some((s, _)) if *s == status => {}
            _ => *slot = Some((status, t)),
        }
    }
}

/// PodReadyToStartContainers, Initialized, Ready, ContainersReady, as the kubelet's
/// generators (`kubelet/status/generate.go`) decide them.
pub fn condition_statuses(pod: &PodState) -> [bool; 4] {
    let terminal = matches!(pod.phase, "Succeeded" | "Failed");
    let has_run = |c: &CState| matches!(c.kind, CKind::Running | CKind::Terminated);
    let all = || pod.kinds.iter().zip(&pod.containers);
    let inits_done = all().all(|(k, c)| match k {
        ContainerKind::Init => c.kind == CKind::Terminated && c.exit_code == 0,
        ContainerKind::Sidecar => c.kind != CKind::None && c.started,
        ContainerKind::App => true,
    });
    let unknown_init = all().any(|(k, c)| *k != ContainerKind::App && c.kind == CKind::None);
    let app_started = all().any(|(k, c)| *k == ContainerKind::App && has_run(c));
    let initialized = inits_done || app_started || (pod.phase == "Succeeded" && !unknown_init);
    let containers_ready =
        !terminal && all().all(|(k, c)| *k == ContainerKind::Init || (c.kind != CKind::None && c.ready));
    let ready = containers_ready && pod.spec.readiness_gates.is_empty();
    // The sandbox is up once its network is (the pod has its address), and torn down
    // once the pod is terminal.
    [!terminal && pod.ip.is_some(), initialized, ready, containers_ready]
}
