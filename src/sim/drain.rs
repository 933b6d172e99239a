//! `kubectl drain` (`staging/src/k8s.io/kubectl/pkg/drain/drain.go`, with the defaults
//! of `pkg/cmd/drain/drain.go`): cordon the node, then evict each of its pods through
//! the eviction API, all at once (kubectl evicts in one goroutine per pod). An eviction
//! a PodDisruptionBudget refuses (429 TooManyRequests) is tried again after
//! `EvictErrorRetryDelay`, 5 s, until it is allowed or the drain's `--timeout` runs out
//! (0 by default: never); kubectl prints each refusal on stderr, which the run records
//! as a Warning `TooManyRequests` on the pod in events.csv, in kubectl's words, and
//! counts in summary.json (`drains`). Another error ends that pod's eviction (kubectl
//! reports it and the drain fails); it is a warning of the run.
//!
//! Which pods: those holding the node, as podsim's drains always took them. kubectl's
//! filters are applied as `kubectl drain --ignore-daemonsets --force
//! --delete-emptydir-data` applies them: mirror pods and the pods of a DaemonSet that
//! still exists are skipped (`daemonSetFilter`: the DaemonSet would recreate them on the
//! cordoned node, which it tolerates); pods without a controller, orphans of a deleted
//! DaemonSet and pods with emptyDir volumes are evicted.

use super::Simulation;
use crate::apiserver::Ctx;
use crate::apiserver::eviction::Refused;
use crate::cluster::pod::Owner;
use crate::cluster::{Cluster, NodeId, PodId};
use crate::engine::{Millis, SimTime};
use crate::event::ScriptEvent;
use crate::trace::EventType;
use std::collections::BTreeMap;

/// `EvictErrorRetryDelay`: kubectl drain waits this long after a 429 before it tries
/// the eviction again.
pub const EVICT_ERROR_RETRY_DELAY: Millis = 5_000;

/// The annotation of a mirror pod (`kubernetes.io/config.mirror`): drain skips them.
const MIRROR_POD_ANNOTATION: &str = "kubernetes.io/config.mirror";

/// One `kubectl drain` in progress.
#[derive(Clone, Debug)]
pub struct Drain {
    /// `faults[fault]` started it.
    pub fault: usize,
    pub node: NodeId,
    /// `--timeout`: when the drain gives up (`None`: it does not).
    pub timeout: Option<(Millis, SimTime)>,
    /// Pods whose eviction is being retried, with the time of its first refusal.
    pub waiting: BTreeMap<PodId, SimTime>,
    /// A warning was recorded for this drain's first refusal.
    pub warned: bool,
}

/// Evictions waiting to be tried again, over every drain.
pub fn pending_retries(drains: &[Drain]) -> usize {
    drains.iter().map(|d| d.waiting.len()).sum()
}

/// kubectl's `mirrorPodFilter` (mirror pods are the kubelet's static pods, not the
/// API's to delete) and `daemonSetFilter` with `--ignore-daemonsets`.
fn skipped(cluster: &Cluster, pod: PodId) -> bool {
    cluster.pods.get(pod).is_none_or(|p| {
        p.annotations.contains_key(MIRROR_POD_ANNOTATION)
            || matches!(p.owner, Owner::DaemonSet(ds) if cluster.daemonsets.get(ds).is_some())
    })
}

impl Simulation {
    /// `faults[fault]`: cordon `node`, then evict its pods.
    pub(super) fn start_drain(&mut self, fault: usize, node: NodeId, timeout: Option<Millis>) {
        let (mut ctx, _, script) = self.ctx();
        ctx.cordon(node, true);
        let index = script.drains.len();
        let timeout = timeout.map(|t| (t, ctx.now.after(t)));
        script.drains.push(Drain { fault, node, timeout, waiting: BTreeMap::new(), warned: false });
        ctx.rec.counters.drains.drains += 1;
        for pod in ctx.cluster.node(node).pods.clone() {
            if !skipped(ctx.cluster, pod) {
                evict(&mut ctx, &mut script.drains[index], index, pod);
            }
        }
    }

    /// The eviction of `pod` by drain `drain` is tried again.
    pub(super) fn evict_retry(&mut self, drain: usize, pod: PodId) {
        let (mut ctx, _, script) = self.ctx();
        let d = &mut script.drains[drain];
        // kubectl looks at its deadline before each attempt.
        if let Some((timeout, deadline)) = d.timeout
            && ctx.now >= deadline
        {
            d.waiting.remove(&pod);
            ctx.rec.counters.drains.timed_out += 1;
            let (node, fault) = (ctx.cluster.node(d.node).name.clone(), d.fault);
            let what = ctx.cluster.pods.get(pod).map(|p| (p.name.clone(), p.namespace.clone()));
            if let Some((name, ns)) = what {
                let limit = crate::engine::time::format_go_duration(timeout);
                ctx.warn_once(format!(
                    "faults[{fault}] drain node/{node}: error when evicting pods/\"{name}\" -n \"{ns}\": global timeout reached: {limit}"
                ));
            }
            return;
        }
        evict(&mut ctx, d, drain, pod);
    }
}

/// One attempt of `evictPods`' loop for a pod.
fn evict(ctx: &mut Ctx, d: &mut Drain, index: usize, pod: PodId) {
    match ctx.evict_pod(pod) {
        Ok(evicted) => {
            if let Some(since) = d.waiting.remove(&pod) {
                let blocked = ctx.now.since(since);
                let c = &mut ctx.rec.counters.drains;
                c.longest_blocked_ms = c.longest_blocked_ms.max(blocked);
            }
            if evicted {
                ctx.rec.counters.drains.evicted += 1;
            }
        }
        Err(Refused { code: 429, reason, message, cause }) => {
            ctx.rec.counters.drains.refused += 1;
            let Some(p) = ctx.cluster.pods.get(pod) else { return };
            let (name, ns) = (p.name.clone(), p.namespace.clone());
            let delay = crate::engine::time::format_go_duration(EVICT_ERROR_RETRY_DELAY);
            ctx.pod_event(
                pod,
                EventType::Warning,
                reason,
                format_args!("error when evicting pods/\"{name}\" -n \"{ns}\" (will retry after {delay}): {message}"),
            );
            if !d.warned {
                d.warned = true;
                let node = ctx.cluster.node(d.node).name.clone();
                ctx.warn_once(format!(
                    "faults[{}] drain node/{node}: blocked by a PodDisruptionBudget at {} (pods/\"{name}\" -n \"{ns}\": {message} {cause}); \
                     retried every {delay} as kubectl drain does (events.csv: TooManyRequests)",
                    d.fault, ctx.now
                ));
            }
            d.waiting.entry(pod).or_insert(ctx.now);
            ctx.at(EVICT_ERROR_RETRY_DELAY, ScriptEvent::EvictRetry { drain: index as u32, pod });
        }
        Err(Refused { reason, message, .. }) => {
            // Any other error ends this pod's eviction: kubectl reports it and the drain
            // fails once the other pods are done.
            ctx.rec.counters.drains.refused += 1;
            d.waiting.remove(&pod);
            let Some(p) = ctx.cluster.pods.get(pod) else { return };
            let (name, ns) = (p.name.clone(), p.namespace.clone());
            let line = format!("error when evicting pods/\"{name}\" -n \"{ns}\": {message}");
            ctx.pod_event(pod, EventType::Warning, reason, format_args!("{line}"));
            let node = ctx.cluster.node(d.node).name.clone();
            ctx.warn_once(format!("faults[{}] drain node/{node}: {line}", d.fault));
        }
    }
}
