//! Objects entering the cluster: nodes at the start, workload submissions and arrival
//! streams, and pods created as the API server creates them (names, admission).

use super::{Event, Simulation};
use crate::api::object::Object;
use crate::api::pod::Pod as ApiPod;
use crate::cluster::node::{Node, NodeReady};
use crate::cluster::pod::{ContainerStatus, Owner, Pod, PodPhase, SchedulingState};
use crate::cluster::resources::{CPU, MEMORY};
use crate::cluster::template::PodTemplate;
use crate::cluster::{NodeId, PodId};
use crate::engine::{SimTime, Timer};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The alphabet of generated name suffixes (apimachinery `util/rand.String`): no vowels,
/// no look-alike characters.
const NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// What a new pod is made of.
pub struct PodRequest {
    pub namespace: String,
    pub name: String,
    pub generate_name: Option<String>,
    pub labels: Arc<BTreeMap<String, String>>,
    pub annotations: Arc<BTreeMap<String, String>>,
    pub template: Arc<PodTemplate>,
    pub owner: Owner,
}

impl Simulation {
    pub(crate) fn build_nodes(&mut self) {
        let entries = self.scenario.nodes.clone();
        for entry in &entries {
            self.add_node(&entry.node, &entry.pool);
        }
    }

    pub(crate) fn add_node(&mut self, api: &crate::api::node::Node, pool: &str) -> NodeId {
        let id = NodeId(self.cluster.nodes.len() as u32);
        let allocatable = self.cluster.resources.vector(&api.status.allocatable);
        let allocatable_pods = api.status.allocatable.get("pods").map_or(110, |q| q.value());
        let name: Arc<str> = Arc::from(api.metadata.name.as_str());
        self.counters.cpu_allocatable.add(self.now.0, allocatable.get(CPU));
        self.counters.memory_allocatable.add(self.now.0, allocatable.get(MEMORY));
        self.cluster.nodes.push(Node {
            name: name.clone(),
            pool: Arc::from(pool),
            labels: api.metadata.labels.clone(),
            taints: api.spec.taints.clone(),
            unschedulable: api.spec.unschedulable.unwrap_or(false),
            allocatable,
            allocatable_pods,
            requested: Default::default(),
            nonzero_cpu: 0,
            nonzero_memory: 0,
            pods: Vec::new(),
            resident: Vec::new(),
            host_ports: Vec::new(),
            images: BTreeMap::new(),
            pull_queue: Default::default(),
            pulls_in_flight: 0,
            kubelet_up: true,
            ready: NodeReady::True,
            present: true,
        });
        for image in &api.status.images {
            for name in &image.names {
                let image_id = self.cluster.images.intern(name);
                self.cluster.image_present(id, image_id, image.size_bytes);
            }
        }
        self.cluster.node_by_name.insert(name, id);
        self.cluster.refresh_fit(id);
        self.scheduler.node_list.push(id);
        self.counters.nodes_ready += 1;
        self.record_node_added(id, api);
        self.record_node_ready(id, "", NodeReady::True.as_str(), "KubeletReady");
        id
    }

    /// `scenario.submissions[i]` reaches the API server.
    pub(crate) fn submit(&mut self, i: usize) {
        let scenario = self.scenario.clone();
        let manifest = &scenario.submissions[i].manifest;
        self.create_object(&manifest.object, None);
    }

    /// Creates what a manifest describes; `copy` numbers the copies of an arrival stream.
    pub(crate) fn create_object(&mut self, object: &Object, copy: Option<(u64, &Arc<PodTemplate>)>) {
        match object {
            Object::Pod(pod) => {
                let template = match copy {
                    Some((_, t)) => t.clone(),
                    None => Arc::new(self.compile(pod)),
                };
                let request = pod_request(pod, template, copy.map(|(n, _)| n));
                self.create_pod(request);
            }
            Object::Job(job) => self.create_job(job, copy.map(|(n, _)| n)),
            Object::CronJob(cj) => self.create_cronjob(cj, copy.map(|(n, _)| n)),
            Object::PriorityClass(pc) => self.create_priority_class(pc),
            Object::Node(_) => {}
        }
    }

    pub(crate) fn compile(&mut self, pod: &ApiPod) -> PodTemplate {
        PodTemplate::compile(Arc::new(pod.spec.clone()), &mut self.cluster.resources, &mut self.cluster.images)
    }

    /// The next copy of an arrival stream is due after a draw of its interarrival time.
    pub(crate) fn schedule_next_arrival(&mut self, i: usize) {
        let stream = &self.scenario.arrivals[i];
        if stream.count.is_some_and(|c| self.arrival_count[i] >= c) {
            return;
        }
        let gap = stream.interarrival.sample(&mut self.arrival_rng[i]);
        let base = if self.arrival_count[i] == 0 { SimTime(stream.start) } else { self.now };
        let at = base.after(gap);
        if stream.until.is_some_and(|u| at.0 > u) {
            return;
        }
        self.queue.schedule(at, Event::Arrival(i as u32));
    }

    pub(crate) fn arrive(&mut self, i: usize) {
        self.arrival_count[i] += 1;
        let n = self.arrival_count[i];
        let scenario = self.scenario.clone();
        let object = &scenario.arrivals[i].manifest.object;
        let template = match object {
            Object::Pod(pod) => Some(self.arrival_template(i, pod)),
            _ => None,
        };
        let template = match template {
            Some(t) => t,
            None => Arc::new(self.dummy_template()),
        };
        self.create_object(object, Some((n, &template)));
        self.schedule_next_arrival(i);
    }

    /// Copies of one stream share one compiled template.
    fn arrival_template(&mut self, i: usize, pod: &ApiPod) -> Arc<PodTemplate> {
        if let Some(t) = self.arrival_templates.get(&i) {
            return t.clone();
        }
        let t = Arc::new(self.compile(pod));
        self.arrival_templates.insert(i, t.clone());
        t
    }

    fn dummy_template(&mut self) -> PodTemplate {
        PodTemplate::compile(Arc::new(Default::default()), &mut self.cluster.resources, &mut self.cluster.images)
    }

    /// `prefix` and a random `generateName` suffix, as the API server makes one.
    pub(crate) fn generated_name(&mut self, prefix: &str) -> String {
        let mut name = String::with_capacity(prefix.len() + 5);
        name.push_str(prefix);
        name.extend(
            (0..5).map(|_| char::from(NAME_ALPHABET[self.names_rng.below(NAME_ALPHABET.len() as u64) as usize])),
        );
        name
    }

    /// Creates a pod as the API server would: a name, admission defaults, then the
    /// scheduler's queue (or, with `spec.nodeName`, straight to that node's kubelet).
    pub(crate) fn create_pod(&mut self, req: PodRequest) -> Option<PodId> {
        let name = match (&req.name[..], &req.generate_name) {
            ("", Some(prefix)) => loop {
                let candidate = self.generated_name(prefix);
                if self.cluster.find_pod(&req.namespace, &candidate).is_none() {
                    break candidate;
                }
            },
            (name, _) => name.to_string(),
        };
        if self.cluster.find_pod(&req.namespace, &name).is_some() {
            self.warn_once(format!(
                "pod {}/{name} already exists: the second create was refused (AlreadyExists)",
                req.namespace
            ));
            return None;
        }
        let admitted = match self.admit_priority(&req.template) {
            Ok(a) => a,
            Err(reason) => {
                self.pod_refused(&req, &reason);
                return None;
            }
        };
        let namespace = self.cluster.intern_namespace(&req.namespace);
        let behaviors: Vec<usize> = (0..req.template.containers.len())
            .map(|c| self.behavior_index(&req.namespace, &name, &req.template, c))
            .collect();
        self.cluster.pods_created += 1;
        let pod = Pod {
            uid: self.cluster.pods_created,
            namespace: namespace.clone(),
            name: Arc::from(name.as_str()),
            labels: req.labels,
            annotations: req.annotations,
            owner: req.owner,
            priority: admitted.priority,
            preempt_never: admitted.preempt_never,
            created: self.now,
            phase: PodPhase::Pending,
            reason: None,
            node: None,
            scheduled_at: None,
            start_time: None,
            running_at: None,
            finished_at: None,
            deletion: None,
            termination: None,
            terminal: false,
            initialized_once: false,
            ready: false,
            disruption: None,
            containers: behaviors.into_iter().map(ContainerStatus::new).collect(),
            sched: SchedulingState::default(),
            deadline_timer: Timer::default(),
            eviction_timer: Timer::default(),
            sandbox_lost: false,
            counted: false,
            reported: None,
            template: req.template,
        };
        let (node_name, shared_name) = (pod.template.spec.node_name.clone(), pod.name.clone());
        let id = self.cluster.pods.insert(pod);
        self.cluster.pod_by_name.insert(&namespace, &shared_name, id);
        self.counters.pods_created += 1;
        self.counters.unscheduled += 1;
        self.outage_tick();
        self.record_pod_created(id);
        match node_name {
            Some(node) => self.bind_by_name(id, &node),
            None => self.scheduler_enqueue(id),
        }
        Some(id)
    }

    /// The API server refused to create the pod (`admission.NewForbidden`): a Job's
    /// controller records `FailedCreate` and retries; anyone else sees the error, which
    /// the run reports as a warning (there is no object to hang an event on).
    fn pod_refused(&mut self, req: &PodRequest, reason: &str) {
        // The API server names the pod before generating a name, so a generated pod
        // goes by its prefix.
        let name = match (&req.name[..], &req.generate_name) {
            ("", Some(prefix)) => prefix.as_str(),
            (name, _) => name,
        };
        let message = format!("pods {name:?} is forbidden: {reason}");
        match req.owner {
            Owner::Job { job, .. } => self.job_create_failed(job, &message),
            Owner::None => self.warn_once(message),
        }
    }

    /// The behavior a container follows: the first whose globs match it.
    fn behavior_index(&self, namespace: &str, pod: &str, template: &PodTemplate, c: usize) -> usize {
        let spec = &template.containers[c];
        self.behaviors
            .iter()
            .position(|b| b.matcher.matches(namespace, pod, &spec.name, &spec.image))
            .unwrap_or(usize::MAX)
    }

    /// A pod with `spec.nodeName` skips the scheduler; the kubelet admits it if it fits.
    fn bind_by_name(&mut self, id: PodId, node: &str) {
        match self.cluster.node_by_name.get(node).copied() {
            Some(n) if self.cluster.node(n).present => self.bind_without_scheduler(id, n),
            _ => self.warn_once(format!(
                "pod {} names node {node:?}, which does not exist: it stays Pending",
                self.pod_label(id)
            )),
        }
    }

    pub(crate) fn pod_label(&self, id: PodId) -> String {
        self.cluster.pods.get(id).map_or_else(|| "?".into(), |p| p.to_string())
    }

    pub(crate) fn warn_once(&mut self, message: String) {
        if !self.warnings.contains(&message) && self.warnings.len() < 100 {
            self.warnings.push(message);
        }
    }
}

/// A pod of a manifest or of an arrival stream (copies are named `<name>-<n>`).
fn pod_request(pod: &ApiPod, template: Arc<PodTemplate>, copy: Option<u64>) -> PodRequest {
    let name = match (copy, pod.metadata.name.is_empty()) {
        (Some(n), false) => format!("{}-{n}", pod.metadata.name),
        _ => pod.metadata.name.clone(),
    };
    PodRequest {
        namespace: pod.metadata.namespace().to_string(),
        name,
        generate_name: pod.metadata.generate_name.clone(),
        labels: Arc::new(pod.metadata.labels.clone()),
        annotations: Arc::new(pod.metadata.annotations.clone()),
        template,
        owner: Owner::None,
    }
}
