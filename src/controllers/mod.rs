//! Controllers: Job, CronJob, node lifecycle. Each reacts to changes of the objects it
//! watches, as its Kubernetes counterpart does.

pub mod nodelifecycle;

use crate::api::cronjob::CronJob;
use crate::api::job::Job;
use crate::cluster::PodId;
use crate::cluster::pod::Pod;
use crate::sim::Simulation;

/// The controllers' own state.
#[derive(Default)]
pub struct Controllers {}

impl Simulation {
    pub(crate) fn create_job(&mut self, job: &Job, _copy: Option<u64>) {
        self.warn_once(format!("Job {:?}: Jobs are not simulated yet; it was skipped", job.metadata.name));
    }

    pub(crate) fn create_cronjob(&mut self, cj: &CronJob, _copy: Option<u64>) {
        self.warn_once(format!("CronJob {:?}: CronJobs are not simulated yet; it was skipped", cj.metadata.name));
    }

    /// A pod reached a terminal phase: its owner may act.
    pub(crate) fn controllers_pod_finished(&mut self, _id: PodId) {}

    /// A pod left the API.
    pub(crate) fn controllers_pod_removed(&mut self, _id: PodId, _pod: &Pod) {}

    pub(crate) fn delete_controller_object(&mut self, kind: &str, namespace: &str, name: &str) {
        self.warn_once(format!("delete {kind}/{namespace}/{name}: not simulated yet"));
    }

    pub(crate) fn patch_object(
        &mut self,
        kind: &str,
        namespace: &str,
        name: &str,
        _set: &[(String, serde_json::Value)],
    ) {
        self.warn_once(format!("patch {kind}/{namespace}/{name}: not simulated yet"));
    }
}
