//! The attach/detach controller's reconciler (`pkg/controller/volume/attachdetach/reconciler`),
//! pure: its desired state of the world (which pods want which attachable volume on which
//! node), its actual state (where each volume is attached, whether the node still has it
//! mounted, since when it is unwanted there) and one pass of its loop: detaches first, so
//! that a volume whose pod moved is freed before the attaches, then attaches, each skipped
//! while an operation on the volume runs. The subsystem (`mod.rs`) runs a pass when the
//! loop would find something to do, carries out the operations and records their events.

use super::rules::{self, DetachReason, Undesired};
use crate::engine::{Millis, SimTime};
use std::collections::{BTreeMap, BTreeSet};

/// The pods that want a volume on a node (`nodeManaged.volumesToAttach`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wanted<P: Ord> {
    pub pods: BTreeSet<P>,
    /// The Multi-Attach error was reported for this entry (once until it is removed).
    pub multi_attach_reported: bool,
}

/// A volume attached to a node, or being detached from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub detaching: bool,
    /// `mountedByNode`: true from the attach ("assume mounted until proven otherwise"),
    /// then whatever the node's `volumesInUse` says.
    pub mounted_by_node: bool,
    /// The first pass that found it unwanted (`detachRequestedTime`).
    pub detach_requested: Option<SimTime>,
    /// Listed in the node's `status.volumesAttached` (`volumesToReportAsAttached`).
    pub reported: bool,
}

/// An operation a pass starts, or an error it reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action<V, N, P> {
    Attach {
        volume: V,
        node: N,
    },
    Detach {
        volume: V,
        node: N,
        reason: DetachReason,
    },
    /// The volume may not be attached to `node` while it is attached elsewhere: the pods
    /// waiting on `node`, and the pods that want it on the nodes where it is attached.
    MultiAttach {
        volume: V,
        node: N,
        waiting: Vec<P>,
        others: Vec<P>,
    },
}

/// What a pass reads of a node (from the controller's node informer).
pub trait NodeView<N> {
    /// `nodeIsHealthy`: the node exists and its `Ready` condition is True.
    fn healthy(&self, node: N) -> bool;
    /// The node has the `node.kubernetes.io/out-of-service` taint (any value or effect).
    fn out_of_service(&self, node: N) -> bool;
}

/// The operations running during a pass (see [`Reconciler::busy`]).
struct Busy<V, N> {
    at: BTreeSet<(V, N)>,
    volumes: BTreeSet<V>,
}

#[derive(Clone, Debug)]
pub struct Reconciler<V: Ord, N: Ord, P: Ord> {
    pub desired: BTreeMap<(V, N), Wanted<P>>,
    pub actual: BTreeMap<(V, N), Attachment>,
    /// Attach operations running.
    pub attaching: BTreeSet<(V, N)>,
    /// Volumes that may be attached to several nodes (`IsMultiAttachAllowed`).
    pub multi_attach: BTreeSet<V>,
    /// `maxWaitForUnmountDuration`.
    pub max_wait: Millis,
    /// `--disable-force-detach-on-timeout`.
    pub disable_force_detach_on_timeout: bool,
}

impl<V: Ord + Copy, N: Ord + Copy, P: Ord + Copy> Default for Reconciler<V, N, P> {
    fn default() -> Self {
        Reconciler {
            desired: BTreeMap::new(),
            actual: BTreeMap::new(),
            attaching: BTreeSet::new(),
            multi_attach: BTreeSet::new(),
            max_wait: rules::MAX_WAIT_FOR_UNMOUNT,
            disable_force_detach_on_timeout: false,
        }
    }
}

impl<V: Ord + Copy, N: Ord + Copy, P: Ord + Copy> Reconciler<V, N, P> {
    /// `AddPod`: the pod wants the volume on its node.
    pub fn add_pod(&mut self, volume: V, node: N, pod: P) {
        let wanted = self.desired.entry((volume, node));
        wanted.or_insert_with(|| Wanted { pods: BTreeSet::new(), multi_attach_reported: false }).pods.insert(pod);
    }

    /// `DeletePod`: an entry left without pods goes (and with it its reported error).
    pub fn remove_pod(&mut self, volume: V, node: N, pod: P) {
        if let Some(w) = self.desired.get_mut(&(volume, node)) {
            w.pods.remove(&pod);
            if w.pods.is_empty() {
                self.desired.remove(&(volume, node));
            }
        }
    }

    /// `SetVolumesMountedByNode`: the node's `volumesInUse` as the kubelet published it.
    pub fn set_mounted_by_node(&mut self, node: N, in_use: &BTreeSet<V>) {
        for ((v, n), a) in self.actual.iter_mut() {
            if *n == node {
                a.mounted_by_node = in_use.contains(v);
            }
        }
    }

    /// An attach finished: the volume is attached, assumed mounted, and reported.
    pub fn attached(&mut self, volume: V, node: N) {
        self.attaching.remove(&(volume, node));
        let a = Attachment { detaching: false, mounted_by_node: true, detach_requested: None, reported: true };
        self.actual.insert((volume, node), a);
    }

    /// A detach finished.
    pub fn detached(&mut self, volume: V, node: N) {
        self.actual.remove(&(volume, node));
    }

    /// The operations running, for a pass: by (volume, node), and the volumes with any.
    fn busy(&self) -> Busy<V, N> {
        let mut b = Busy { at: BTreeSet::new(), volumes: BTreeSet::new() };
        let detaching = self.actual.iter().filter(|(_, a)| a.detaching).map(|(k, _)| k);
        for (v, n) in self.attaching.iter().chain(detaching) {
            b.at.insert((*v, *n));
            b.volumes.insert(*v);
        }
        b
    }

    /// An operation on the volume runs: on this node, or on any node for a volume that
    /// may not be attached to several (`nestedpendingoperations` keys those by volume only).
    fn operation_pending(&self, busy: &Busy<V, N>, volume: V, node: N) -> bool {
        busy.at.contains(&(volume, node)) || (!self.multi_attach.contains(&volume) && busy.volumes.contains(&volume))
    }

    /// One pass of the loop at `now` (`reconcile`).
    pub fn pass(&mut self, now: SimTime, nodes: &impl NodeView<N>) -> Vec<Action<V, N, P>> {
        let mut actions = Vec::new();
        let mut busy = self.busy();
        self.detach_pass(now, nodes, &mut busy, &mut actions);
        self.attach_pass(&mut busy, &mut actions);
        actions
    }

    fn detach_pass(
        &mut self,
        now: SimTime,
        nodes: &impl NodeView<N>,
        busy: &mut Busy<V, N>,
        actions: &mut Vec<Action<V, N, P>>,
    ) {
        let unwanted: Vec<(V, N)> = self.actual.keys().filter(|k| !self.desired.contains_key(*k)).copied().collect();
        for (volume, node) in unwanted {
            if self.operation_pending(busy, volume, node) {
                continue;
            }
            let (max_wait, disable) = (self.max_wait, self.disable_force_detach_on_timeout);
            let a = self.actual.get_mut(&(volume, node)).expect("listed");
            let requested = *a.detach_requested.get_or_insert(now);
            let u = Undesired {
                elapsed: now.since(requested),
                max_wait,
                mounted_by_node: a.mounted_by_node,
                node_healthy: nodes.healthy(node),
                out_of_service: nodes.out_of_service(node),
                disable_force_detach_on_timeout: disable,
            };
            let Some(reason) = rules::detach_decision(u) else { continue };
            // `RemoveVolumeFromReportAsAttached`, then the detach.
            a.reported = false;
            a.detaching = true;
            busy.at.insert((volume, node));
            busy.volumes.insert(volume);
            actions.push(Action::Detach { volume, node, reason });
        }
    }

    fn attach_pass(&mut self, busy: &mut Busy<V, N>, actions: &mut Vec<Action<V, N, P>>) {
        let keys: Vec<(V, N)> = self.desired.keys().copied().collect();
        let mut attached_to: BTreeMap<V, Vec<N>> = BTreeMap::new();
        for (v, n) in self.actual.keys() {
            attached_to.entry(*v).or_default().push(*n);
        }
        for (volume, node) in keys {
            // Attached, wanted and no detach timer: nothing to do whatever runs (most
            // volumes at most passes; the cheap check first).
            if self.actual.get(&(volume, node)).is_some_and(|a| a.detach_requested.is_none()) {
                continue;
            }
            if self.operation_pending(busy, volume, node) {
                continue;
            }
            if let Some(a) = self.actual.get_mut(&(volume, node)) {
                // Attached and wanted: a detach timer that ran stops (`ResetDetachRequestTime`).
                a.detach_requested = None;
                continue;
            }
            if !self.multi_attach.contains(&volume) {
                let elsewhere: Vec<N> =
                    attached_to.get(&volume).into_iter().flatten().filter(|n| **n != node).copied().collect();
                if !elsewhere.is_empty() {
                    let wanted = self.desired.get(&(volume, node)).expect("listed");
                    if !wanted.multi_attach_reported {
                        let waiting = wanted.pods.iter().copied().collect();
                        let others = elsewhere
                            .iter()
                            .filter_map(|n| self.desired.get(&(volume, *n)))
                            .flat_map(|w| w.pods.iter().copied())
                            .collect();
                        actions.push(Action::MultiAttach { volume, node, waiting, others });
                        self.desired.get_mut(&(volume, node)).expect("listed").multi_attach_reported = true;
                    }
                    continue;
                }
            }
            self.attaching.insert((volume, node));
            busy.at.insert((volume, node));
            busy.volumes.insert(volume);
            actions.push(Action::Attach { volume, node });
        }
    }

    /// The next pass that would act without anything else changing: the one that
    /// force-detaches a volume still mounted on an unhealthy node once the wait for its
    /// unmount runs out. Every other change (a pod, an operation's end, a node's health
    /// or taints, its `volumesInUse`) asks for a pass of its own.
    pub fn next_timeout(&self, nodes: &impl NodeView<N>) -> Option<SimTime> {
        if self.disable_force_detach_on_timeout {
            return None;
        }
        self.actual
            .iter()
            .filter(|((_, n), a)| !a.detaching && a.mounted_by_node && !nodes.healthy(*n))
            .filter_map(|(_, a)| a.detach_requested)
            .map(|r| rules::timeout_pass(r, self.max_wait))
            .min()
    }

    /// The volumes the node's `status.volumesAttached` lists (the controller gathers
    /// them for every node in one walk).
    #[cfg(test)]
    pub fn reported(&self, node: N) -> impl Iterator<Item = V> + '_ {
        self.actual.iter().filter(move |((_, n), a)| *n == node && a.reported).map(|((v, _), _)| *v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::collections::BTreeMap;

    /// The nodes of a test: healthy unless said, tainted when said.
    #[derive(Default)]
    struct Nodes {
        unhealthy: BTreeSet<u32>,
        out_of_service: BTreeSet<u32>,
    }

    impl NodeView<u32> for Nodes {
        fn healthy(&self, node: u32) -> bool {
            !self.unhealthy.contains(&node)
        }
        fn out_of_service(&self, node: u32) -> bool {
            self.out_of_service.contains(&node)
        }
    }

    /// The upstream tests' harness: the loop every 10 ms, operations that finish at once
    /// (the fake attacher), and counts of the calls made.
    struct Harness {
        r: Reconciler<u32, u32, u32>,
        nodes: Nodes,
        now: SimTime,
        attach_calls: usize,
        detach_calls: usize,
        forced: Vec<DetachReason>,
        multi_attach: Vec<(u32, Vec<u32>)>,
    }

    impl Harness {
        /// The attaches and detaches so far, as the upstream table's expectations read.
        fn calls(&self) -> (Option<usize>, Option<usize>) {
            (Some(self.attach_calls), Some(self.detach_calls))
        }

        fn new(max_wait: Millis) -> Harness {
            let r = Reconciler { max_wait, ..Reconciler::default() };
            Harness {
                r,
                nodes: Nodes::default(),
                now: SimTime::from_ms(0),
                attach_calls: 0,
                detach_calls: 0,
                forced: Vec::new(),
                multi_attach: Vec::new(),
            }
        }

        /// Runs the loop for `ms`.
        fn run(&mut self, ms: Millis) {
            let end = self.now.after(ms);
            while self.now < end {
                for a in self.r.pass(self.now, &self.nodes) {
                    match a {
                        Action::Attach { volume, node } => {
                            self.attach_calls += 1;
                            self.r.attached(volume, node);
                        }
                        Action::Detach { volume, node, reason } => {
                            self.detach_calls += 1;
                            if reason != DetachReason::Unmounted {
                                self.forced.push(reason);
                            }
                            self.r.detached(volume, node);
                        }
                        Action::MultiAttach { node, waiting, .. } => self.multi_attach.push((node, waiting)),
                    }
                }
                self.now = self.now.after(10);
            }
        }

        fn attached_nodes(&self, volume: u32) -> usize {
            self.r.actual.keys().filter(|(v, _)| *v == volume).count()
        }
    }

    fn ms(text: &str) -> Millis {
        crate::engine::time::parse_duration(text).unwrap()
    }

    /// The `Test_Run_*` scenarios of `reconciler_test.go` (group 7 of the storage vectors),
    /// played on the pure reconciler: volume 1, nodes 1 and 2, pods 1 and 2.
    #[test]
    fn reconciler_runs_as_upstream_tests_expect() {
        let vectors: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/kubernetes/attach_detach.json"
        )))
        .unwrap();
        let mut seen = BTreeMap::new();
        for case in vectors["7_attach_detach_reconciler"].as_array().unwrap() {
            let name = case["test_func"].as_str().unwrap();
            if name == "Test_ReportMultiAttachError" {
                continue; // the messages: `rules::tests`
            }
            let c = &case["testConstants"];
            let short = ms(c["maxWaitForUnmountDuration"].as_str().unwrap());
            let long = ms(c["maxLongWaitForUnmountDuration"].as_str().unwrap());
            let expect = &case["expect"];
            let count = |key: &str| expect[key].as_u64().map(|n| n as usize);
            match name {
                "Test_Run_Positive_OneDesiredVolumeAttach" => {
                    let mut h = Harness::new(short);
                    h.r.add_pod(1, 1, 1);
                    h.run(100);
                    assert_eq!(h.calls(), (count("attachCalls"), count("detachCalls")));
                }
                "Test_Run_Positive_OneDesiredVolumeAttachThenDetachWithUnmountedVolume" => {
                    let mut h = Harness::new(short);
                    h.r.add_pod(1, 1, 1);
                    h.run(30);
                    h.r.remove_pod(1, 1, 1);
                    h.r.set_mounted_by_node(1, &BTreeSet::new());
                    h.run(30);
                    assert_eq!(h.calls(), (count("attachCalls"), count("detachCalls")));
                    assert!(h.forced.is_empty(), "a safe detach");
                }
                "Test_Run_Positive_OneDesiredVolumeAttachThenDetachWithMountedVolume" => {
                    let mut h = Harness::new(short);
                    h.nodes.unhealthy.insert(1); // absent from the lister
                    h.r.add_pod(1, 1, 1);
                    h.run(30);
                    h.r.remove_pod(1, 1, 1);
                    h.run(30);
                    assert_eq!(h.detach_calls, 0, "mounted: waits for the unmount first");
                    h.run(2 * short);
                    assert_eq!(h.calls(), (count("attachCalls"), count("detachCalls")));
                    assert_eq!(h.forced, vec![DetachReason::Timeout]);
                    assert_eq!(expect["forceDetachMetricReason"], "timeout");
                }
                "Test_Run_Negative_OneDesiredVolumeAttachThenDetachWithUnmountedVolumeUpdateStatusFail" => {
                    // The node status update fails: the API server of podsim does not fail
                    // writes, so the case only checks its expectation is the no-detach one.
                    assert_eq!(count("detachCalls"), Some(0));
                }
                "Test_Run_OneVolumeAttachAndDetachMultipleNodesWithReadWriteMany" => {
                    let mut h = Harness::new(short);
                    h.r.multi_attach.insert(1);
                    h.r.add_pod(1, 1, 1);
                    h.r.add_pod(1, 2, 2);
                    h.run(30);
                    assert_eq!(Some(h.attach_calls), count("attachCalls"));
                    assert_eq!(Some(h.attached_nodes(1)), count("attachedNodes"));
                    h.r.remove_pod(1, 1, 1);
                    h.r.set_mounted_by_node(1, &BTreeSet::new());
                    h.run(30);
                    assert_eq!(Some(h.detach_calls), count("detachCallsAfterFirstDelete"));
                    h.r.remove_pod(1, 2, 2);
                    h.r.set_mounted_by_node(2, &BTreeSet::new());
                    h.run(30);
                    assert_eq!(Some(h.detach_calls), count("detachCallsAfterSecondDelete"));
                }
                "Test_Run_OneVolumeAttachAndDetachMultipleNodesWithReadWriteOnce" => {
                    let mut h = Harness::new(short);
                    h.r.add_pod(1, 1, 1);
                    h.r.add_pod(1, 2, 2);
                    h.run(30);
                    assert_eq!(Some(h.attach_calls), count("attachCallsInitially"));
                    assert_eq!(Some(h.attached_nodes(1)), count("attachedNodes"));
                    assert_eq!(h.multi_attach, vec![(2, vec![2])], "reported once, for the other node's pod");
                    assert_eq!(expect["multiAttachErrorReportedOnOtherNode"], true);
                    h.r.remove_pod(1, 1, 1);
                    h.r.set_mounted_by_node(1, &BTreeSet::new());
                    h.run(30);
                    let after = &expect["afterDeletingPodOnAttachedNode"];
                    assert_eq!(h.detach_calls as u64, after["detachCalls"].as_u64().unwrap());
                    assert_eq!(h.attach_calls as u64, after["attachCalls"].as_u64().unwrap());
                    assert!(h.r.actual.contains_key(&(1, 2)), "now attached to the other node");
                }
                "Test_Run_OneVolumeDetachOnOutOfServiceTaintedNode" => {
                    let mut h = Harness::new(long);
                    h.nodes.out_of_service.insert(1);
                    h.r.add_pod(1, 1, 1);
                    h.run(30);
                    h.r.remove_pod(1, 1, 1);
                    h.run(30);
                    assert_eq!(h.calls(), (count("attachCalls"), count("detachCalls")));
                    assert_eq!(h.forced, vec![DetachReason::OutOfService]);
                    assert_eq!(expect["forceDetachMetricReason"], "out-of-service");
                }
                "Test_Run_OneVolumeDetachOnNoOutOfServiceTaintedNode" => {
                    let mut h = Harness::new(long);
                    h.nodes.unhealthy.insert(1); // no conditions: not Ready
                    h.r.add_pod(1, 1, 1);
                    h.run(30);
                    h.r.remove_pod(1, 1, 1);
                    h.run(300);
                    assert_eq!(h.calls(), (count("attachCalls"), count("detachCalls")));
                }
                "Test_Run_OneVolumeDetachOnUnhealthyNode" => {
                    let mut h = Harness::new(short);
                    h.r.add_pod(1, 1, 1);
                    h.run(30);
                    h.r.remove_pod(1, 1, 1);
                    h.run(5 * short);
                    assert_eq!(Some(h.detach_calls), count("detachCallsWhileReady"));
                    h.nodes.unhealthy.insert(1);
                    h.run(30);
                    assert_eq!(Some(h.detach_calls), count("detachCallsAfterNotReady"));
                }
                "Test_Run_OneVolumeDetachOnUnhealthyNodeWithForceDetachOnUnmountDisabled" => {
                    let mut h = Harness::new(short);
                    h.r.disable_force_detach_on_timeout = true;
                    h.r.add_pod(1, 1, 1);
                    h.run(30);
                    h.r.remove_pod(1, 1, 1);
                    h.run(5 * short);
                    assert_eq!(Some(h.detach_calls), count("detachCallsWhileReady"));
                    h.nodes.unhealthy.insert(1);
                    h.run(5 * short);
                    assert_eq!(Some(h.detach_calls), count("detachCallsAfterNotReady"));
                    h.nodes.out_of_service.insert(1);
                    h.run(30);
                    assert_eq!(Some(h.detach_calls), count("detachCallsAfterTaint"));
                    assert_eq!(h.forced, vec![DetachReason::OutOfService]);
                }
                other => panic!("a case this test does not know: {other}"),
            }
            *seen.entry(name.to_string()).or_insert(0) += 1;
        }
        assert_eq!(seen.len(), 10, "every Test_Run_* case played");
    }

    #[test]
    fn the_force_detach_pass_is_the_first_more_than_six_minutes_after_the_request() {
        let mut r: Reconciler<u32, u32, u32> = Reconciler::default();
        let mut nodes = Nodes::default();
        r.add_pod(1, 1, 1);
        assert_eq!(r.pass(SimTime::from_ms(1_000), &nodes), vec![Action::Attach { volume: 1, node: 1 }]);
        r.attached(1, 1);
        r.remove_pod(1, 1, 1);
        nodes.unhealthy.insert(1);
        assert!(r.pass(SimTime::from_ms(2_000), &nodes).is_empty(), "mounted: the request time starts");
        assert_eq!(r.next_timeout(&nodes), Some(SimTime::from_ms(362_100)));
        assert!(r.pass(SimTime::from_ms(362_000), &nodes).is_empty(), "exactly 6 minutes: not yet");
        let forced = r.pass(SimTime::from_ms(362_100), &nodes);
        assert_eq!(forced, vec![Action::Detach { volume: 1, node: 1, reason: DetachReason::Timeout }]);
        assert_eq!(r.reported(1).count(), 0, "no longer reported as attached");
        // Wanted again before the detach ends: the attach waits for it.
        r.add_pod(1, 2, 2);
        assert!(r.pass(SimTime::from_ms(362_200), &nodes).is_empty(), "the detach still runs");
        r.detached(1, 1);
        assert_eq!(r.pass(SimTime::from_ms(362_300), &nodes), vec![Action::Attach { volume: 1, node: 2 }]);
    }

    #[test]
    fn a_volume_wanted_again_stops_its_detach_timer() {
        let mut r: Reconciler<u32, u32, u32> = Reconciler::default();
        let nodes = Nodes { unhealthy: [1].into(), ..Nodes::default() };
        r.add_pod(1, 1, 1);
        r.pass(SimTime::from_ms(0), &nodes);
        r.attached(1, 1);
        r.remove_pod(1, 1, 1);
        r.pass(SimTime::from_ms(100), &nodes);
        assert!(r.next_timeout(&nodes).is_some());
        r.add_pod(1, 1, 3);
        assert!(r.pass(SimTime::from_ms(200), &nodes).is_empty());
        assert_eq!(r.next_timeout(&nodes), None, "ResetDetachRequestTime");
    }
}
