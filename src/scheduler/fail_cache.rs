//! Pods of one template that ask only for cpu and memory, tried against the same nodes,
//! fail alike: the filters read nothing but the template and the nodes' fit rows. The
//! scheduler keeps the diagnosis of such a failure while no fit row changes (the
//! cluster's `fit_epoch`), so the next pod of the template skips the node-by-node
//! filtering and gets the same reasons, counts and preemption candidates. Everything that
//! follows the filters (PostFilter's dry run and its draw, the message, the queue) runs
//! for each pod as before: only the work of an attempt shrinks, never its outcome.

use super::Diagnosis;
use crate::cluster::template::PodTemplate;
use std::collections::BTreeMap;
use std::sync::Arc;

/// More templates than this failing within one epoch: start over (a stream whose copies
/// each have a template of their own gains nothing here).
const MAX_TEMPLATES: usize = 256;

#[derive(Default)]
pub struct FailCache {
    /// The fit epoch and node count the entries were computed at.
    epoch: (u64, usize),
    /// By template address; the `Arc` keeps the address from being reused meanwhile.
    failures: BTreeMap<usize, (Arc<PodTemplate>, Arc<Diagnosis>)>,
}

fn key(template: &Arc<PodTemplate>) -> usize {
    Arc::as_ptr(template) as usize
}

impl FailCache {
    /// The diagnosis of `template`'s failure at this epoch, if one was kept.
    /// Shared, not copied: a full cluster answers most attempts from here.
    pub fn get(&mut self, template: &Arc<PodTemplate>, epoch: (u64, usize)) -> Option<Arc<Diagnosis>> {
        if self.epoch != epoch {
            self.failures.clear();
            self.epoch = epoch;
            return None;
        }
        self.failures.get(&key(template)).map(|(_, d)| Arc::clone(d))
    }

    /// Keeps the diagnosis of `template`'s failure at `epoch`.
    pub fn put(&mut self, template: &Arc<PodTemplate>, epoch: (u64, usize), diagnosis: &Arc<Diagnosis>) {
        if self.epoch != epoch || self.failures.len() >= MAX_TEMPLATES {
            self.failures.clear();
            self.epoch = epoch;
        }
        self.failures.insert(key(template), (template.clone(), Arc::clone(diagnosis)));
    }
}
