//! DefaultPreemption, pure: which pods to evict so that a pod that fits nowhere can run,
//! and on which node (`plugins/defaultpreemption/default_preemption.go`,
//! `framework/preemption/preemption.go`). The simulation supplies the nodes as
//! [`DryRun`]s; `postfilter.rs` carries the choice out.
//!
//! podsim has no PodDisruptionBudgets, so no candidate ever violates one: victims are
//! reprieved in one pass, and the first of Kubernetes' tie-breaks (fewest PDB violations)
//! is always a tie.

use super::profile::PreemptionArgs;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// A pod on a candidate node, as preemption weighs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PodInfo {
    pub priority: i32,
    /// `status.startTime` in ms; a pod not started yet counts as starting now
    /// (`GetPodStartTime`).
    pub start_time: u64,
}

/// `MoreImportantPod`: higher priority first, then the one that started earlier.
pub fn importance(a: &PodInfo, b: &PodInfo) -> Ordering {
    b.priority.cmp(&a.priority).then(a.start_time.cmp(&b.start_time))
}

/// `calculateNumCandidates`: `numNodes × percentage / 100`, at least the absolute
/// minimum, at most the number of nodes.
pub fn num_candidates(args: &PreemptionArgs, num_nodes: usize) -> usize {
    let n = num_nodes as i64 * args.min_candidate_nodes_percentage / 100;
    n.max(args.min_candidate_nodes_absolute).min(num_nodes as i64).max(0) as usize
}

/// A node under a dry run: Kubernetes' copy of a NodeInfo with `RemovePod`/`AddPod`,
/// and `RunFilterPluginsWithNominatedPods` for the preemptor.
pub trait DryRun {
    /// Why a filter rejects the preemptor.
    type Reason;
    /// Takes pod `i` (an index into the node's pods) off the node.
    fn remove(&mut self, pod: usize);
    /// Puts pod `i` back.
    fn add(&mut self, pod: usize);
    /// Runs the filters; on failure their reasons are in `out`.
    fn fits(&mut self, out: &mut Vec<Self::Reason>) -> bool;
}

/// What a dry run found on one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeOutcome<R> {
    /// The pods to evict (indexes into the node's pods), most important first.
    Victims(Vec<usize>),
    /// No pod on the node has a lower priority ("No preemption victims found for
    /// incoming pod").
    NoVictims,
    /// The pod does not fit even with every lower-priority pod gone.
    Unfit(Vec<R>),
}

/// `SelectVictimsOnNode`: takes every lower-priority pod off the node; if the preemptor
/// then fits, puts them back one at a time, most important first, keeping each that
/// still leaves room. The node is left as the last step had it; the caller restores it.
pub fn select_victims_on_node<D: DryRun>(
    preemptor_priority: i32,
    pods: &[PodInfo],
    node: &mut D,
) -> NodeOutcome<D::Reason> {
    let mut potential: Vec<usize> = (0..pods.len()).filter(|&i| pods[i].priority < preemptor_priority).collect();
    if potential.is_empty() {
        return NodeOutcome::NoVictims;
    }
    for &i in &potential {
        node.remove(i);
    }
    let mut reasons = Vec::new();
    if !node.fits(&mut reasons) {
        return NodeOutcome::Unfit(reasons);
    }
    // A stable sort: pods equal in importance keep the node's order (Go's sort.Slice
    // leaves that order unspecified).
    potential.sort_by(|&a, &b| importance(&pods[a], &pods[b]));
    let mut victims = Vec::new();
    for i in potential {
        node.add(i);
        reasons.clear();
        if !node.fits(&mut reasons) {
            node.remove(i);
            victims.push(i);
        }
    }
    // Kubernetes reports "expected at least one victim pod" as an error for the node;
    // it cannot be a candidate either way.
    if victims.is_empty() { NodeOutcome::NoVictims } else { NodeOutcome::Victims(victims) }
}

/// The node preemption settled on: an index into the potential nodes, and the victims
/// (indexes into that node's pods), most important first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub node: usize,
    pub victims: Vec<usize>,
}

/// `Evaluator.Preempt` after the eligibility check (the caller's): over the nodes where
/// preemption might help (`potential`: those that failed only for reasons removing pods
/// can resolve, in the scheduler's node order), `DryRunPreemption` from `offset` (a draw
/// in `0..potential`), one node at a time, until `calculateNumCandidates` candidates are
/// found (Kubernetes checks 16 nodes at a time and stops about there; one at a time is its
/// `parallelism = 1`, and deterministic); then `SelectCandidate`.
///
/// `examine(i)` runs `SelectVictimsOnNode` on potential node `i` and returns that node's
/// pods as preemption weighs them with the outcome. Without a candidate the error is the
/// `FitError` message over all `num_all_nodes` nodes, each reason worded by `reason`.
pub fn preempt<R>(
    num_all_nodes: usize,
    potential: usize,
    offset: usize,
    args: &PreemptionArgs,
    mut examine: impl FnMut(usize) -> (Vec<PodInfo>, NodeOutcome<R>),
    reason: impl Fn(&R) -> String,
) -> Result<Verdict, String> {
    let wanted = num_candidates(args, potential);
    let mut candidates: Vec<(usize, Vec<usize>, Vec<PodInfo>)> = Vec::new();
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    for k in 0..potential {
        if candidates.len() >= wanted.max(1) {
            break;
        }
        let node = (offset + k) % potential;
        match examine(node) {
            (pods, NodeOutcome::Victims(victims)) => {
                let infos = victims.iter().map(|&i| pods[i]).collect();
                candidates.push((node, victims, infos));
            }
            (_, NodeOutcome::NoVictims) => *statuses.entry(NO_VICTIMS.to_string()).or_default() += 1,
            (_, NodeOutcome::Unfit(reasons)) => {
                for r in &reasons {
                    *statuses.entry(reason(r)).or_default() += 1;
                }
            }
        }
    }
    let infos: Vec<Vec<PodInfo>> = candidates.iter().map(|(_, _, infos)| infos.clone()).collect();
    // Without a candidate every potential node was examined.
    let best = pick_one_node(&infos).ok_or_else(|| fit_error(num_all_nodes, potential, &statuses))?;
    let (node, victims, _) = candidates.swap_remove(best);
    Ok(Verdict { node, victims })
}

/// `pickOneNodeForPreemption` without PDBs: among the candidates (victims most important
/// first), the one whose most important victim has the lowest priority; then the lowest
/// sum of victim priorities; then the fewest victims; then the latest start among the
/// victims of the highest priority; then the first. Returns an index into `candidates`.
pub fn pick_one_node(candidates: &[Vec<PodInfo>]) -> Option<usize> {
    let score_fns: [fn(&[PodInfo]) -> i64; 4] =
        [lowest_top_priority, lowest_priority_sum, fewest_victims, latest_start_of_most_important];
    let mut remaining: Vec<usize> = (0..candidates.len()).collect();
    for f in score_fns {
        if remaining.len() <= 1 {
            break;
        }
        let best = remaining.iter().map(|&i| f(&candidates[i])).max()?;
        remaining.retain(|&i| f(&candidates[i]) == best);
    }
    remaining.first().copied()
}

fn lowest_top_priority(victims: &[PodInfo]) -> i64 {
    -i64::from(victims.first().map_or(i32::MIN, |p| p.priority))
}

/// Each priority is shifted by 2^31 so that a few negative-priority victims never beat
/// fewer of the same priority.
fn lowest_priority_sum(victims: &[PodInfo]) -> i64 {
    -victims.iter().map(|p| i64::from(p.priority) + (1i64 << 31)).sum::<i64>()
}

fn fewest_victims(victims: &[PodInfo]) -> i64 {
    -(victims.len() as i64)
}

fn latest_start_of_most_important(victims: &[PodInfo]) -> i64 {
    earliest_start_of_most_important(victims).map_or(i64::MIN, |t| t as i64)
}

/// `GetEarliestPodStartTime`: the earliest start among the victims that share the highest
/// priority.
fn earliest_start_of_most_important(victims: &[PodInfo]) -> Option<u64> {
    let top = victims.iter().map(|p| p.priority).max()?;
    victims.iter().filter(|p| p.priority == top).map(|p| p.start_time).min()
}

/// `FitError.Error()` for the nodes preemption looked at: `0/N nodes are available:
/// <count reason, ...>.`, each reason counted once per node that gave it, sorted as
/// strings; the nodes not `examined` count as "Preemption is not helpful for scheduling".
pub fn fit_error(num_all_nodes: usize, examined: usize, reasons: &BTreeMap<String, usize>) -> String {
    let mut all = reasons.clone();
    if num_all_nodes > examined {
        *all.entry(NOT_HELPFUL.to_string()).or_default() += num_all_nodes - examined;
    }
    let mut parts: Vec<String> = all.iter().filter(|(_, n)| **n > 0).map(|(r, n)| format!("{n} {r}")).collect();
    parts.sort();
    format!("0/{num_all_nodes} nodes are available: {}.", parts.join(", "))
}

/// What `preemption.go` says of nodes preemption cannot help.
pub const NOT_HELPFUL: &str = "Preemption is not helpful for scheduling";
/// What `default_preemption.go` says of a node without lower-priority pods.
pub const NO_VICTIMS: &str = "No preemption victims found for incoming pod";
/// `PodEligibleToPreemptOthers`' two refusals.
pub const NOT_ELIGIBLE_NEVER: &str = "not eligible due to preemptionPolicy=Never.";
pub const NOT_ELIGIBLE_TERMINATING: &str = "not eligible due to a terminating pod on the nominated node.";

#[cfg(test)]
mod tests;
