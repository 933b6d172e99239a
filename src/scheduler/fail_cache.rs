//! Pods of one template that ask only for cpu and memory, tried against the same nodes,
//! fail alike: the filters read nothing but the template and the nodes' fit rows. The
//! scheduler keeps the diagnosis of such a failure with the fit epoch it holds at, so
//! the next pod of the template skips the node-by-node filtering and gets the same
//! reasons, counts and preemption candidates. Everything that follows the filters
//! (PostFilter's dry run and its draw, the message, the queue) runs for each pod as
//! before: only the work of an attempt shrinks, never its outcome.
//!
//! On a full cluster the epoch moves at every ending pod and every binding, each of which
//! refreshes one row, while the pods waiting are retried in between. A failure on plain
//! rows only (no taint, no cordon: NodeResourcesFit alone rejects there) keeps its
//! verdict for each node, so that it can be brought up to date by reading again just the
//! rows refreshed since ([`FitLog`](crate::cluster::fit::FitLog)): a row that now fits
//! the pod, or is no longer plain, sends the pod through the full search instead.

use super::{Diagnosis, ROW_REASONS};
use crate::cluster::Cluster;
use crate::cluster::resources::{CPU, MEMORY};
use crate::cluster::template::PodTemplate;
use std::collections::BTreeMap;
use std::sync::Arc;

/// More templates than this kept at once: start over (a stream whose copies each have a
/// template of their own gains nothing here).
const MAX_TEMPLATES: usize = 256;

struct Entry {
    /// Keeps the address (the key) from being reused while the entry stands.
    _template: Arc<PodTemplate>,
    /// The fit epoch the diagnosis holds at.
    epoch: u64,
    /// Each node's `FitRow::misfits` bits, by node id (never 0: every node rejected the
    /// pod), when every node was a plain row; empty otherwise (then the entry holds at
    /// its epoch only).
    misfits: Vec<u8>,
    diagnosis: Arc<Diagnosis>,
}

#[derive(Default)]
pub struct FailCache {
    /// The node count the entries were computed for.
    nodes: usize,
    /// By template address.
    failures: BTreeMap<usize, Entry>,
}

fn key(template: &Arc<PodTemplate>) -> usize {
    Arc::as_ptr(template) as usize
}

impl FailCache {
    /// The diagnosis of `template`'s failure on the cluster as it is now (of `nodes`
    /// nodes), if one was kept and still holds. Shared, not copied: a full cluster
    /// answers most attempts from here.
    pub fn get(&mut self, template: &Arc<PodTemplate>, cluster: &Cluster, nodes: usize) -> Option<Arc<Diagnosis>> {
        if self.nodes != nodes {
            self.clear(nodes);
            return None;
        }
        let k = key(template);
        let entry = self.failures.get_mut(&k)?;
        if entry.epoch == cluster.fit_epoch {
            return Some(Arc::clone(&entry.diagnosis));
        }
        if !catch_up(entry, template, cluster) {
            self.failures.remove(&k);
            return None;
        }
        Some(Arc::clone(&entry.diagnosis))
    }

    /// Keeps the diagnosis of `template`'s failure on the cluster as it is now, on the
    /// nodes `list` (every one of which rejected the pod).
    pub fn put(
        &mut self,
        template: &Arc<PodTemplate>,
        cluster: &Cluster,
        list: &[super::NodeId],
        diagnosis: &Arc<Diagnosis>,
    ) {
        if self.nodes != list.len() || self.failures.len() >= MAX_TEMPLATES {
            self.clear(list.len());
        }
        let (cpu, memory) = (template.requests.get(CPU), template.requests.get(MEMORY));
        let mut misfits = Vec::new();
        if list.iter().all(|n| cluster.fit[n.0 as usize].plain) {
            misfits.resize(list.iter().map(|n| n.0 as usize + 1).max().unwrap_or(0), 0);
            for n in list {
                misfits[n.0 as usize] = cluster.fit[n.0 as usize].verdict(cpu, memory);
            }
        }
        let entry =
            Entry { _template: template.clone(), epoch: cluster.fit_epoch, misfits, diagnosis: Arc::clone(diagnosis) };
        self.failures.insert(key(template), entry);
    }

    /// The node list changed (a node joined or left): no failure kept holds.
    pub fn clear(&mut self, nodes: usize) {
        self.failures.clear();
        self.nodes = nodes;
    }
}

/// Brings `entry` to the cluster's fit epoch by reading the rows refreshed since; false
/// when it cannot (the log does not reach back, the failure was not on plain rows only,
/// or a refreshed row is not plain or now fits the pod).
fn catch_up(entry: &mut Entry, template: &PodTemplate, cluster: &Cluster) -> bool {
    let Some(changed) = cluster.fit_log.since(entry.epoch, cluster.fit_epoch) else { return false };
    if entry.misfits.is_empty() {
        return false;
    }
    let (cpu, memory) = (template.requests.get(CPU), template.requests.get(MEMORY));
    let mut moved = false;
    for id in changed {
        let row = &cluster.fit[id];
        let Some(was) = entry.misfits.get_mut(id).filter(|bits| **bits != 0) else { return false };
        let now = row.verdict(cpu, memory);
        if !row.plain || now == 0 {
            return false;
        }
        moved |= *was != now;
        *was = now;
    }
    if moved {
        let mut diagnosis = Diagnosis::clone(&entry.diagnosis);
        for (bit, reason) in ROW_REASONS.into_iter().enumerate() {
            let n = entry.misfits.iter().filter(|bits| *bits >> bit & 1 == 1).count();
            if n > 0 {
                diagnosis.reasons.insert(reason, n);
            } else {
                diagnosis.reasons.remove(&reason);
            }
        }
        entry.diagnosis = Arc::new(diagnosis);
    }
    entry.epoch = cluster.fit_epoch;
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::NodeId;
    use crate::cluster::fit::FitRow;
    use crate::scheduler::filter::Reason;

    const GI: i64 = 1 << 30;

    /// A pod of 2 cpu (in millicores) and 1 GiB.
    fn template() -> Arc<PodTemplate> {
        let (mut names, mut images) = (Default::default(), Default::default());
        let mut t = PodTemplate::compile(Arc::default(), &mut names, &mut images, Default::default());
        t.requests.set(CPU, 2000);
        t.requests.set(MEMORY, GI);
        Arc::new(t)
    }

    /// A plain node of 4 cpu and 4 GiB with `cpu` millicores and `memory` bytes taken.
    fn row(cpu: i64, memory: i64) -> FitRow {
        FitRow {
            allocatable_cpu: 4000,
            allocatable_memory: 4 * GI,
            requested_cpu: cpu,
            requested_memory: memory,
            free_pods: 10,
            plain: true,
            ..FitRow::default()
        }
    }

    /// Refreshes node `id`'s row as `Cluster::refresh_fit` does: a new epoch, logged.
    fn refresh(cluster: &mut Cluster, id: usize, to: FitRow) {
        cluster.fit[id] = to;
        cluster.fit_epoch += 1;
        cluster.fit_log.record(cluster.fit_epoch, id);
    }

    /// What the full search gives when every node rejects the pod for these reasons.
    fn failure(nodes: usize, reasons: &[(Reason, usize)]) -> Arc<Diagnosis> {
        Arc::new(Diagnosis {
            reasons: reasons.iter().cloned().collect(),
            potential: (0..nodes as u32).map(NodeId).collect(),
            nodes,
            ..Default::default()
        })
    }

    fn cluster() -> Cluster {
        let streams = crate::engine::Streams::new(1);
        let mut cluster =
            Cluster::new(Default::default(), &streams, crate::cluster::network::NetworkConfig::defaults(1));
        // Three full nodes: cpu on each, memory too on the last.
        cluster.fit = vec![row(3000, 0), row(3500, GI), row(4000, 4 * GI)];
        cluster.fit_epoch = 10;
        cluster
    }

    /// A failure kept on plain rows follows the rows refreshed since: a row that still
    /// rejects the pod recounts its reasons, one that fits it (or is no longer plain,
    /// or is older than the log) sends the pod through the full search.
    #[test]
    fn a_kept_failure_follows_the_rows_refreshed_since() {
        let cluster = cluster();
        let list: Vec<NodeId> = (0..3).map(NodeId).collect();
        let t = template();
        let mut cache = FailCache::default();
        let cpu = Reason::Insufficient(CPU);
        let memory = Reason::Insufficient(MEMORY);
        let first = failure(3, &[(cpu.clone(), 3), (memory.clone(), 1)]);
        cache.put(&t, &cluster, &list, &first);
        assert_eq!(cache.get(&t, &cluster, 3), Some(first.clone()), "the same epoch");
        assert_eq!(cache.get(&t, &cluster, 4), None, "another node count");

        // Node 2 frees its memory but not its cpu; node 0 is refreshed as it was.
        let mut cluster = self::cluster();
        cache.put(&t, &cluster, &list, &first);
        refresh(&mut cluster, 2, row(4000, 0));
        refresh(&mut cluster, 0, row(3000, 0));
        let now = cache.get(&t, &cluster, 3).expect("every row still rejects the pod");
        assert_eq!(*now, *failure(3, &[(cpu.clone(), 3)]));
        assert!(!Arc::ptr_eq(&now, &first));
        // Nothing moved: the same diagnosis, shared.
        refresh(&mut cluster, 1, row(3500, GI));
        assert!(Arc::ptr_eq(&cache.get(&t, &cluster, 3).expect("kept"), &now));

        // A node with room for the pod again: no answer, and the entry is gone.
        refresh(&mut cluster, 1, row(2000, GI));
        assert_eq!(cache.get(&t, &cluster, 3), None);
        refresh(&mut cluster, 1, row(3500, GI));
        assert_eq!(cache.get(&t, &cluster, 3), None, "dropped, not revived");

        // A row no longer plain (cordoned, tainted): the full filters must look.
        cache.put(&t, &cluster, &list, &now);
        refresh(&mut cluster, 0, FitRow { plain: false, ..row(3000, 0) });
        assert_eq!(cache.get(&t, &cluster, 3), None);

        // A failure kept longer ago than the log reaches.
        refresh(&mut cluster, 0, row(3000, 0));
        cache.put(&t, &cluster, &list, &now);
        for _ in 0..=64 {
            refresh(&mut cluster, 0, row(3000, 0));
        }
        assert_eq!(cache.get(&t, &cluster, 3), None);
    }

    /// A failure where some row was not plain holds at its own epoch only.
    #[test]
    fn a_failure_off_the_plain_rows_holds_at_its_epoch_only() {
        let mut cluster = cluster();
        cluster.fit[1].plain = false;
        let list: Vec<NodeId> = (0..3).map(NodeId).collect();
        let t = template();
        let mut cache = FailCache::default();
        let first = failure(3, &[(Reason::Insufficient(CPU), 3)]);
        cache.put(&t, &cluster, &list, &first);
        assert_eq!(cache.get(&t, &cluster, 3), Some(first));
        refresh(&mut cluster, 0, row(3000, 0));
        assert_eq!(cache.get(&t, &cluster, 3), None);
    }
}
