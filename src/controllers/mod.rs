//! Controllers: Job, CronJob, node lifecycle. Each reacts to changes of the objects it
//! watches, as its Kubernetes counterpart does.

pub mod cronjob;
pub mod job;
pub mod nodelifecycle;
pub mod podgc;

use crate::cluster::PodId;
use crate::cluster::pod::{Owner, Pod};
use crate::sim::Simulation;

/// The controllers' own state.
#[derive(Default)]
pub struct Controllers {
    pub nodes: nodelifecycle::NodeLifecycle,
    pub podgc: podgc::PodGc,
}

impl Simulation {
    /// A pod reached a terminal phase, or began terminating: its owner may act.
    pub(crate) fn controllers_pod_finished(&mut self, id: PodId) {
        if let Some(Owner::Job { job, .. }) = self.cluster.pods.get(id).map(|p| p.owner) {
            self.job_pod_changed(job);
        }
    }

    /// A pod of an `OnFailure` Job restarted a container: restarts count towards its limit.
    pub(crate) fn controllers_pod_restarted(&mut self, id: PodId) {
        if let Some(Owner::Job { job, .. }) = self.cluster.pods.get(id).map(|p| p.owner)
            && self.cluster.jobs.get(job).is_some_and(|j| j.spec.on_failure)
        {
            self.job_pod_changed(job);
        }
    }

    /// A pod left the API: an owner that had not counted it yet counts it now.
    pub(crate) fn controllers_pod_removed(&mut self, id: PodId, pod: &Pod) {
        if let Owner::Job { job, .. } = pod.owner {
            self.job_pod_removed(job, id, pod);
        }
    }

    /// `kubectl delete job|cronjob`.
    pub(crate) fn delete_controller_object(&mut self, kind: &str, namespace: &str, name: &str) {
        match kind {
            "Job" => match self.cluster.job_by_name.get(namespace, name) {
                Some(id) => self.delete_job(id),
                None => self.warn_once(format!("delete job/{namespace}/{name}: no such Job at {}", self.now)),
            },
            "CronJob" => match self.cluster.cronjob_by_name.get(namespace, name) {
                Some(id) => self.delete_cronjob(id),
                None => self.warn_once(format!("delete cronjob/{namespace}/{name}: no such CronJob at {}", self.now)),
            },
            _ => {}
        }
    }

    /// `kubectl patch`: `spec.suspend` of Jobs and CronJobs, `spec.parallelism` of Jobs.
    pub(crate) fn patch_object(
        &mut self,
        kind: &str,
        namespace: &str,
        name: &str,
        set: &[(String, serde_json::Value)],
    ) {
        let suspend = set.iter().find(|(k, _)| k == "spec.suspend").and_then(|(_, v)| v.as_bool());
        let parallelism =
            set.iter().find(|(k, _)| k == "spec.parallelism").and_then(|(_, v)| v.as_u64()).map(|p| p as u32);
        match kind {
            "Job" => match self.cluster.job_by_name.get(namespace, name) {
                Some(id) => self.job_patch(id, suspend, parallelism),
                None => self.warn_once(format!("patch job/{namespace}/{name}: no such Job at {}", self.now)),
            },
            "CronJob" => match (self.cluster.cronjob_by_name.get(namespace, name), suspend) {
                (Some(id), Some(s)) => self.cronjob_set_suspend(id, s),
                (Some(_), None) => {}
                (None, _) => {
                    self.warn_once(format!("patch cronjob/{namespace}/{name}: no such CronJob at {}", self.now))
                }
            },
            _ => self.warn_once(format!("patch {kind}/{namespace}/{name}: only Jobs and CronJobs can be patched")),
        }
    }
}
