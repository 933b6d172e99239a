//! Recording objects as the API would show them (`objects.jsonl`, `containers.csv`), so
//! that `podsim get` and `podsim describe` can rebuild any object at any instant of a
//! finished run. Each `report_*` writes a line only when what the API shows changed:
//! the value last written is kept beside the object (`reported`). A sink that does not
//! write these files (`run --no-objects`, the benches) is not handed them at all:
//! building the records was a tenth of a CronJob fleet's run.

use super::Ctx;
use crate::cluster::pod::{ContainerState, Owner, Pod, ReportedContainer, ReportedPod, Stage, WaitingReason};
use crate::cluster::template::ContainerKind;
use crate::cluster::{CronJobId, JobId, NodeId, PodId};
use crate::engine::time::format_go_duration;
use crate::trace::{ContainerRecord, LastTerminated, ObjectRecord, OwnerRecord};
use std::fmt::Write;

/// Keeps `value` as the one last written, in the box already there if there is one.
fn keep<T>(reported: &mut Option<Box<T>>, value: T) {
    match reported {
        Some(kept) => **kept = value,
        None => *reported = Some(Box::new(value)),
    }
}

impl Ctx<'_> {
    /// The pod object as created (its spec, labels and owner).
    pub fn record_pod_object(&mut self, id: PodId) {
        if !self.rec.records_objects {
            return;
        }
        let Some(pod) = self.cluster.pods.get(id) else { return };
        let owner = match pod.owner {
            Owner::Job { job, .. } => {
                self.cluster.jobs.get(job).map(|j| OwnerRecord { kind: "Job", name: &j.name, uid: j.uid })
            }
            Owner::ReplicaSet(rs) => {
                self.cluster.replicasets.get(rs).map(|r| OwnerRecord { kind: "ReplicaSet", name: &r.name, uid: r.uid })
            }
            Owner::DaemonSet(ds) => {
                self.cluster.daemonsets.get(ds).map(|d| OwnerRecord { kind: "DaemonSet", name: &d.name, uid: d.uid })
            }
            Owner::StatefulSet(s) => {
                self.cluster.statefulsets.get(s).map(|s| OwnerRecord { kind: "StatefulSet", name: &s.name, uid: s.uid })
            }
            Owner::None => None,
        };
        let generate_name = match pod.owner {
            // Controllers name their pods with generateName.
            Owner::Job { .. } | Owner::ReplicaSet(_) | Owner::DaemonSet(_) => {
                pod.name.rfind('-').map(|i| &pod.name[..=i])
            }
            // A StatefulSet names its pods itself (`<set>-<ordinal>`).
            Owner::None | Owner::StatefulSet(_) => None,
        };
        self.rec.sink.object(&ObjectRecord::PodCreated {
            time: self.now,
            uid: pod.uid,
            namespace: &pod.namespace,
            name: &pod.name,
            generate_name,
            spec: &pod.template.spec,
            priority: pod.priority,
            preempt_never: pod.preempt_never,
            labels: &pod.labels,
            annotations: &pod.annotations,
            owner,
        });
        // A new pod is Pending: the line says so; statuses follow when they change.
        if let Some(pod) = self.cluster.pods.get_mut(id) {
            pod.reported = Some(Box::new(ReportedPod {
                phase: pod.phase,
                ip: None,
                reason: None,
                start_time: None,
                disruption: None,
                nominated: None,
            }));
        }
    }

    /// `spec.nodeName` is set.
    pub fn record_pod_bound(&mut self, id: PodId) {
        if !self.rec.records_objects {
            return;
        }
        let Some(pod) = self.cluster.pods.get(id) else { return };
        let Some(node) = pod.node else { return };
        let node = &*self.cluster.node(node).name;
        self.rec.sink.object(&ObjectRecord::PodBound { time: self.now, uid: pod.uid, node });
    }

    /// Writes the pod-level status if it changed since it was last written.
    pub fn report_pod_status(&mut self, id: PodId) {
        if !self.rec.records_objects {
            return;
        }
        let Some(pod) = self.cluster.pods.get_mut(id) else { return };
        let now = ReportedPod {
            phase: pod.phase,
            ip: pod.ip,
            reason: pod.reason,
            start_time: pod.start_time,
            disruption: pod.disruption,
            nominated: pod.sched.shown_nominated,
        };
        if pod.reported.as_deref() == Some(&now) {
            return;
        }
        keep(&mut pod.reported, now);
        let uid = pod.uid;
        let nominated = now.nominated.map_or("", |n| &*self.cluster.node(n).name);
        self.rec.sink.object(&ObjectRecord::PodStatus {
            time: self.now,
            uid,
            phase: now.phase,
            reason: now.reason.unwrap_or(""),
            start_time: now.start_time,
            disruption: now.disruption.unwrap_or(""),
            ip: now.ip,
            nominated,
        });
    }

    /// A graceful deletion began (`deletionTimestamp`).
    pub fn record_pod_deleted(&mut self, id: PodId) {
        if !self.rec.records_objects {
            return;
        }
        self.report_pod_status(id);
        let Some(pod) = self.cluster.pods.get(id) else { return };
        let Some(d) = pod.deletion else { return };
        self.rec.sink.object(&ObjectRecord::PodDeleted { time: self.now, uid: pod.uid, grace_ms: d.grace });
    }

    /// The pod object is gone from the API.
    pub fn record_pod_removed(&mut self, id: PodId, pod: &Pod) {
        self.rec.kubelet_spam.forget(id);
        if !self.rec.records_objects {
            return;
        }
        self.rec.sink.object(&ObjectRecord::PodRemoved { time: self.now, uid: pod.uid });
    }

    /// Every container of the pod whose API status changed gets a row.
    pub fn report_containers(&mut self, id: PodId) {
        if !self.rec.records_objects {
            return;
        }
        let n = self.cluster.pods.get(id).map_or(0, |p| p.containers.len());
        for c in 0..n {
            self.report_container(id, c);
        }
        self.report_pod_status(id);
    }

    /// Writes the container's API status if it changed since it was last written.
    pub fn report_container(&mut self, id: PodId, c: usize) {
        if !self.rec.records_objects {
            return;
        }
        let Some(pod) = self.cluster.pods.get_mut(id) else { return };
        let kind = pod.template.containers[c].kind;
        let status = &mut pod.containers[c];
        if status.status_held {
            return; // The whole status update was refused (`set_container_state`).
        }
        let Some(state) = status.state else { return };
        // The kubelet reports a regular init container Ready once it exited 0
        // (`prober_manager.UpdatePodStatus`).
        let ready = match (kind, state) {
            (ContainerKind::Init, ContainerState::Terminated(t)) => t.exit_code == 0,
            (ContainerKind::Init, _) => false,
            _ => status.ready,
        };
        // The back-off a CrashLoopBackOff message names: the one being waited out, kept
        // while the state lasts (the container is created again before it runs).
        let backoff = match (state, status.stage, status.reported.as_deref()) {
            (ContainerState::Waiting(WaitingReason::CrashLoopBackOff), Stage::BackOff { restart_at }, _) => {
                restart_at.since(status.last_state.map_or(restart_at, |t| t.finished_at))
            }
            (ContainerState::Waiting(WaitingReason::CrashLoopBackOff), _, Some(r)) if r.state == Some(state) => {
                r.backoff
            }
            _ => 0,
        };
        let now = ReportedContainer {
            state: Some(state),
            last_state: status.last_state,
            restart_count: status.restart_count,
            ready,
            started: status.started,
            backoff,
        };
        if status.reported.as_deref() == Some(&now) {
            return;
        }
        keep(&mut status.reported, now);
        let pod = self.cluster.pods.get(id).expect("just read");
        let spec = &pod.template.containers[c];
        self.rec.msg.clear();
        waiting_message(&mut self.rec.msg, state, backoff, spec, (pod, self.cluster.api.seed));
        let (exit_code, started_at, finished_at) = match state {
            ContainerState::Waiting(_) => (None, None, None),
            ContainerState::Running { started_at } => (None, Some(started_at), None),
            ContainerState::Terminated(t) => (Some(t.exit_code), t.started_at, Some(t.finished_at)),
        };
        self.rec.sink.container(&ContainerRecord {
            time: self.now,
            namespace: &pod.namespace,
            pod: &pod.name,
            uid: pod.uid,
            container: &spec.name,
            state: state.name(),
            reason: state.reason(),
            message: &self.rec.msg,
            exit_code,
            started_at,
            finished_at,
            restart_count: now.restart_count,
            ready: now.ready,
            started: now.started,
            last: now.last_state.map(|t| LastTerminated {
                reason: t.reason.as_str(),
                exit_code: t.exit_code,
                started_at: t.started_at,
                finished_at: t.finished_at,
            }),
        });
    }

    /// The Node object as it joins.
    pub fn record_node_object(&mut self, node: NodeId, api: &crate::api::node::Node) {
        if !self.rec.records_objects {
            return;
        }
        let pool = self.cluster.node(node).pool.clone();
        // Its status follows with the Ready condition (`record_node_ready`).
        self.rec.sink.object(&ObjectRecord::NodeCreated { time: self.now, pool: &pool, node: api });
    }

    /// The node's condition, schedulability and taints now.
    pub fn report_node(&mut self, node: NodeId) {
        if !self.rec.records_objects {
            return;
        }
        let n = self.cluster.node(node);
        if !n.present {
            return;
        }
        self.rec.sink.object(&ObjectRecord::NodeStatus {
            time: self.now,
            name: &n.name,
            ready: n.ready,
            kubelet_up: n.kubelet_up,
            unschedulable: n.unschedulable,
            taints: &n.taints,
            memory_pressure: n.memory_pressure.map(|t| t.ms() as i64),
        });
    }

    pub fn record_node_removed(&mut self, node: NodeId) {
        if !self.rec.records_objects {
            return;
        }
        let name = &*self.cluster.node(node).name;
        self.rec.sink.object(&ObjectRecord::NodeRemoved { time: self.now, name });
    }

    pub fn record_job_object(&mut self, id: JobId) {
        if !self.rec.records_objects {
            return;
        }
        let Some(job) = self.cluster.jobs.get(id) else { return };
        let owner = job.owner.and_then(|cj| self.cluster.cronjobs.get(cj)).map(|cj| OwnerRecord {
            kind: "CronJob",
            name: &cj.name,
            uid: cj.uid,
        });
        self.rec.sink.object(&ObjectRecord::JobCreated {
            time: self.now,
            uid: job.uid,
            namespace: &job.namespace,
            name: &job.name,
            labels: &job.labels,
            spec: &job.spec.api,
            owner,
        });
    }

    /// Writes the Job's status if it changed (the controller writes it at each sync).
    pub fn report_job_status(&mut self, id: JobId) {
        if !self.rec.records_objects {
            return;
        }
        let Some(job) = self.cluster.jobs.get_mut(id) else { return };
        let now = crate::cluster::job::ReportedJob {
            phase: job.phase,
            active: job.active.len() as u32,
            succeeded: job.succeeded,
            failed: job.failed,
            start_time: job.start_time,
            finish_time: job.finish_time,
            parallelism: job.parallelism,
            suspended: job.suspended,
        };
        if job.reported == Some(now) {
            return;
        }
        job.reported = Some(now);
        let (reason, message) = match &job.verdict {
            Some(v) if !matches!(job.phase, crate::cluster::job::JobPhase::Active) => (v.reason, v.message.as_str()),
            _ => ("", ""),
        };
        self.rec.sink.object(&ObjectRecord::JobStatus {
            time: self.now,
            uid: job.uid,
            phase: now.phase,
            reason,
            message,
            active: now.active,
            succeeded: now.succeeded,
            failed: now.failed,
            start_time: now.start_time,
            completion_time: now.finish_time.filter(|_| now.phase == crate::cluster::job::JobPhase::Complete),
            parallelism: now.parallelism,
            suspend: now.suspended,
        });
    }

    pub fn record_job_removed(&mut self, uid: u64) {
        if !self.rec.records_objects {
            return;
        }
        self.rec.sink.object(&ObjectRecord::JobRemoved { time: self.now, uid });
    }

    pub fn record_cronjob_object(&mut self, id: CronJobId) {
        if !self.rec.records_objects {
            return;
        }
        let Some(cj) = self.cluster.cronjobs.get(id) else { return };
        self.rec.sink.object(&ObjectRecord::CronJobCreated { time: self.now, uid: cj.uid, cronjob: &cj.api });
        self.report_cronjob_status(id);
    }

    /// Writes the CronJob's status if it changed.
    pub fn report_cronjob_status(&mut self, id: CronJobId) {
        if !self.rec.records_objects {
            return;
        }
        let Some(cj) = self.cluster.cronjobs.get(id) else { return };
        let active: Vec<u64> = cj.active.iter().filter_map(|j| self.cluster.jobs.get(*j)).map(|j| j.uid).collect();
        let now = (active, cj.last_schedule, cj.suspended);
        if cj.reported.as_ref() == Some(&now) {
            return;
        }
        self.rec.sink.object(&ObjectRecord::CronJobStatus {
            time: self.now,
            uid: cj.uid,
            active: &now.0,
            last_schedule: now.1,
            suspend: now.2,
        });
        self.cluster.cronjobs.get_mut(id).expect("just read").reported = Some(now);
    }

    /// The Service as created (defaulted, with its ClusterIP).
    pub fn record_service_object(&mut self, id: crate::cluster::service::ServiceId) {
        if !self.rec.records_objects {
            return;
        }
        let Some(svc) = self.cluster.services.get(id) else { return };
        self.rec.sink.object(&ObjectRecord::ServiceCreated { time: self.now, uid: svc.uid, service: &svc.api });
    }

    pub fn record_service_removed(&mut self, uid: u64) {
        if !self.rec.records_objects {
            return;
        }
        self.rec.sink.object(&ObjectRecord::ServiceRemoved { time: self.now, uid });
    }

    /// The Service's EndpointSlice `index` as it is now.
    pub fn record_slice(&mut self, id: crate::cluster::service::ServiceId, index: usize) {
        if !self.rec.records_objects {
            return;
        }
        let Some(svc) = self.cluster.services.get(id) else { return };
        let Some(slice) = svc.endpoints.slices.get(index) else { return };
        self.rec.sink.object(&ObjectRecord::EndpointSlice {
            time: self.now,
            namespace: &svc.namespace,
            service: &svc.name,
            service_uid: svc.uid,
            slice,
        });
    }

    pub fn record_slice_removed(&mut self, uid: u64) {
        if !self.rec.records_objects {
            return;
        }
        self.rec.sink.object(&ObjectRecord::EndpointSliceRemoved { time: self.now, uid });
    }

    pub fn record_cronjob_removed(&mut self, uid: u64) {
        if !self.rec.records_objects {
            return;
        }
        self.rec.sink.object(&ObjectRecord::CronJobRemoved { time: self.now, uid });
    }
}

/// The message of a waiting container, in the kubelet's words.
fn waiting_message(
    out: &mut String,
    state: ContainerState,
    backoff: u64,
    spec: &crate::cluster::template::ContainerSpec,
    (pod, seed): (&Pod, u64),
) {
    let ContainerState::Waiting(reason) = state else { return };
    let image = &spec.image;
    let _ = match reason {
        WaitingReason::CrashLoopBackOff => {
            // `kuberuntime_manager.doBackOff`: "back-off %s restarting failed container=%s pod=%s",
            // the pod as `format.Pod` writes it (`<name>_<namespace>(<uid>)`).
            write!(
                out,
                "back-off {} restarting failed container={} pod={}_{}({})",
                format_go_duration(backoff),
                spec.name,
                pod.name,
                pod.namespace,
                crate::engine::rng::uuid(seed, "pod", pod.uid)
            )
        }
        WaitingReason::ErrImagePull => {
            write!(out, "failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\"")
        }
        WaitingReason::ImagePullBackOff => write!(out, "Back-off pulling image \"{image}\""),
        WaitingReason::ErrImageNeverPull => {
            write!(out, "Container image \"{image}\" is not present with pull policy of Never")
        }
        WaitingReason::ContainerCreating | WaitingReason::PodInitializing => Ok(()),
    };
}
