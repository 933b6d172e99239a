//! What one sync of a StatefulSet does, as `updateStatefulSet` decides it
//! (`pkg/controller/statefulset/stateful_set_control.go`, Kubernetes 1.31 to 1.34),
//! pure: from the set's pods, the ordinal range, the policy and the strategy, the pods
//! to create and to delete, in order.
//!
//! 1. Each ordinal in range, lowest first (`processReplica`): a pod that ended
//!    (Failed or Succeeded) is deleted, and its ordinal waits for the object to be
//!    gone (since 1.31, kubernetes/kubernetes#123809, without the old
//!    `RecreatingFailedPod` events); a missing pod is created; with OrderedReady the
//!    sync stops there, or at a pod that is terminating, not Running and Ready, or not
//!    yet available. A pod that still exists, even terminating on a node that stopped
//!    answering, is never replaced: at most one pod per ordinal.
//! 2. Pods of ordinals out of range, highest first (`processCondemned`): deleted; with
//!    OrderedReady one at a time, only once the others are healthy (the lowest
//!    unhealthy pod itself may go).
//! 3. With RollingUpdate, pods at an old revision from the highest ordinal down to the
//!    partition are deleted (the next syncs recreate them at the update revision):
//!    one at a time, waiting for each to be available again; with the
//!    `MaxUnavailableStatefulSet` gate, as many as `maxUnavailable` allows.

use crate::cluster::pod::PodPhase;
use std::sync::Arc;

/// What the sync reads of one pod of the set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodView<'a> {
    pub ordinal: u32,
    pub phase: PodPhase,
    /// Its `Ready` condition.
    pub ready: bool,
    /// Ready for `minReadySeconds` (`IsPodAvailable`).
    pub available: bool,
    /// Its `deletionTimestamp` is set.
    pub terminating: bool,
    /// Its `controller-revision-hash` label: its revision's name, borrowed from the
    /// pod (a copy per pod at every sync was an allocation per pod); compared with
    /// [`same_revision`].
    pub revision: &'a Arc<str>,
}

/// Whether two of a set's revision names are the same revision. Each name is one
/// `Arc`, its revision's own: a pod is given its revision's, and a revision that a pod
/// runs stays in the history (`truncateHistory` keeps it), so it is never made again
/// under the same name; the addresses tell. Compared as text, two names of different
/// revisions (half of the pods through a rolling update) were 7.5% of the instructions
/// of a rolling update of 2,000 pods; a debug build checks that the text agrees.
pub fn same_revision(a: &Arc<str>, b: &Arc<str>) -> bool {
    let same = Arc::ptr_eq(a, b);
    debug_assert_eq!(same, a == b, "a revision name held twice: {a}");
    same
}

impl PodView<'_> {
    /// `isRunningAndReady`.
    pub fn running_and_ready(&self) -> bool {
        self.phase == PodPhase::Running && self.ready
    }

    /// `isHealthy`: Running and Ready, not terminating.
    pub fn healthy(&self) -> bool {
        self.running_and_ready() && !self.terminating
    }

    /// `isUnavailable`: not healthy, or not ready for `minReadySeconds` yet.
    pub fn unavailable(&self) -> bool {
        !self.healthy() || !self.available
    }
}

/// One ordinal in range: its pod, or the revision a new pod would get
/// (`newVersionedStatefulSetPod`).
#[derive(Clone, Debug)]
enum Slot<'a> {
    Pod(&'a PodView<'a>),
    Missing { ordinal: u32, revision: &'a Arc<str> },
}

impl Slot<'_> {
    fn ordinal(&self) -> u32 {
        match self {
            Slot::Pod(p) => p.ordinal,
            Slot::Missing { ordinal, .. } => *ordinal,
        }
    }

    fn revision(&self) -> &Arc<str> {
        match self {
            Slot::Pod(p) => p.revision,
            Slot::Missing { revision, .. } => revision,
        }
    }

    fn terminating(&self) -> bool {
        matches!(self, Slot::Pod(p) if p.terminating)
    }

    /// A pod not yet created is unavailable.
    fn unavailable(&self) -> bool {
        match self {
            Slot::Pod(p) => p.unavailable(),
            Slot::Missing { .. } => true,
        }
    }
}

/// The rolling update's settings, as the strategy gives them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Update {
    OnDelete,
    /// `partition`: pods below `start + partition` keep the current revision;
    /// `max_unavailable`: with the gate, how many may be down at once (resolved).
    Rolling {
        partition: u32,
        max_unavailable: Option<u32>,
    },
}

/// What the sync looks at.
#[derive(Clone, Debug)]
pub struct Input<'a> {
    pub start: u32,
    pub replicas: u32,
    /// OrderedReady (not Parallel).
    pub monotonic: bool,
    /// Every pod of the set, any ordinal.
    pub pods: &'a [PodView<'a>],
    pub update: Update,
    pub update_revision: &'a Arc<str>,
    /// The revision a new pod of each ordinal gets, by ordinal - start.
    pub new_revisions: &'a [&'a Arc<str>],
}

/// An action of the sync.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Create the pod of this ordinal.
    Create(u32),
    /// Delete the pod of this ordinal (gracefully).
    Delete(u32),
}

/// One ordinal of phase 1: its action, and whether its pod reached the check of its
/// identity, storage and claims' retention (past the waits of OrderedReady).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Replica {
    pub ordinal: u32,
    pub op: Option<Op>,
    pub checked: bool,
}

/// The sync's actions by phase. In phase 1 each ordinal in range has at most one
/// action, in order; with Parallel they run in slow-start batches, and a failed create
/// ends the sync after its batch (phases 2 and 3 do not run then).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Phase 1, by ordinal in range (the ordinals processed, each with its action).
    pub replicas: Vec<Replica>,
    /// Phases 2 and 3, run when phase 1 completes.
    pub condemned: Vec<Op>,
    pub update: Vec<Op>,
}

impl Plan {
    /// No pod is created or deleted: the sync's pods are as it read them.
    pub fn changes_no_pod(&self) -> bool {
        self.replicas.iter().all(|r| r.op.is_none()) && self.condemned.is_empty() && self.update.is_empty()
    }
}

/// `updateStatefulSet`'s decisions.
pub fn plan(input: &Input) -> Plan {
    let mut plan = Plan::default();
    let end = input.start + input.replicas;
    let in_range = |o: u32| o >= input.start && o < end;
    // Each ordinal's pod (the first listed for it), the pods walked in the order of
    // their ordinals beside the range: a search per ordinal was the square of the
    // replicas at every sync, and a map of them a tenth of a rolling update's syncs
    // (the controller lists them in order already, which the stable sort keeps).
    let mut by_ordinal: Vec<&PodView> = input.pods.iter().filter(|p| in_range(p.ordinal)).collect();
    by_ordinal.sort_by_key(|p| p.ordinal);
    let mut listed = by_ordinal.into_iter().peekable();
    let slots: Vec<Slot> = (input.start..end)
        .map(|o| {
            let mut pod = None;
            while let Some(p) = listed.next_if(|p| p.ordinal == o) {
                pod = pod.or(Some(p));
            }
            match pod {
                Some(p) => Slot::Pod(p),
                None => Slot::Missing { ordinal: o, revision: input.new_revisions[(o - input.start) as usize] },
            }
        })
        .collect();
    let mut condemned: Vec<&PodView> = input.pods.iter().filter(|p| !in_range(p.ordinal)).collect();
    condemned.sort_by_key(|p| std::cmp::Reverse(p.ordinal));
    // The lowest unavailable pod: of the replicas, else of the condemned.
    let first_unavailable = slots
        .iter()
        .find(|s| s.unavailable())
        .map(Slot::ordinal)
        .or_else(|| condemned.iter().rev().find(|p| p.unavailable()).map(|p| p.ordinal));

    for slot in &slots {
        let (op, exit, checked) = process_replica(slot, input.monotonic);
        plan.replicas.push(Replica { ordinal: slot.ordinal(), op, checked });
        if exit && input.monotonic {
            return plan;
        }
    }
    for p in &condemned {
        if p.terminating {
            if input.monotonic {
                return plan;
            }
            continue;
        }
        // Waits while another pod is unhealthy; the lowest unhealthy one may go.
        if input.monotonic && p.unavailable() && first_unavailable != Some(p.ordinal) {
            return plan;
        }
        plan.condemned.push(Op::Delete(p.ordinal));
        if input.monotonic {
            return plan;
        }
    }
    let Update::Rolling { partition, max_unavailable } = input.update else { return plan };
    // The partition counts from the first ordinal, as an index into the replicas.
    let targets = slots.iter().enumerate().rev().take_while(|(i, _)| *i as u32 >= partition).map(|(_, s)| s);
    match max_unavailable {
        None => {
            for s in targets {
                if !same_revision(s.revision(), input.update_revision) && !s.terminating() {
                    plan.update.push(Op::Delete(s.ordinal()));
                    return plan;
                }
                if s.unavailable() {
                    return plan;
                }
            }
        }
        Some(max) => {
            // `updateStatefulSetAfterInvariantEstablished`: unavailable pods anywhere
            // in range count against maxUnavailable.
            let unavailable = slots.iter().filter(|s| s.unavailable()).count() as u32;
            let mut room = max.saturating_sub(unavailable);
            for s in targets {
                if room == 0 {
                    break;
                }
                if !same_revision(s.revision(), input.update_revision) && !s.terminating() {
                    plan.update.push(Op::Delete(s.ordinal()));
                    room -= 1;
                }
            }
        }
    }
    plan
}

/// `processReplica` of one ordinal in range: its action, whether an OrderedReady
/// sync stops at it, and whether its pod reaches the invariants' check.
fn process_replica(slot: &Slot, monotonic: bool) -> (Option<Op>, bool, bool) {
    let p = match slot {
        Slot::Missing { ordinal, .. } => return (Some(Op::Create(*ordinal)), true, false),
        Slot::Pod(p) => p,
    };
    if p.phase.is_terminal() {
        // Recreated on a later sync, once the object is gone.
        let op = (!p.terminating).then_some(Op::Delete(p.ordinal));
        return (op, true, false);
    }
    let exit = monotonic && (p.terminating || !p.running_and_ready() || !p.available);
    (None, exit, !exit)
}

/// `getStatefulSetMaxUnavailable`: the int or the percentage of the replicas rounded
/// down, at least 1 (1 when unset).
pub fn max_unavailable(value: Option<&crate::api::apps::IntOrString>, replicas: u32) -> u32 {
    let n = match value {
        None => 1,
        Some(v) => v.scaled(i64::from(replicas), false).unwrap_or(1),
    };
    n.clamp(1, i64::from(u32::MAX)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::apps::IntOrString;

    /// The revision named `name` ("web-old" or "web-new"): one `Arc` for each, as a
    /// set's pods share their revision's.
    fn rev(name: &str) -> &'static Arc<str> {
        static OLD: std::sync::LazyLock<Arc<str>> = std::sync::LazyLock::new(|| "web-old".into());
        static NEW: std::sync::LazyLock<Arc<str>> = std::sync::LazyLock::new(|| "web-new".into());
        match name {
            "web-old" => &OLD,
            "web-new" => &NEW,
            other => panic!("no revision {other}"),
        }
    }

    fn pod(ordinal: u32, phase: PodPhase, ready: bool, revision: &str) -> PodView<'static> {
        PodView { ordinal, phase, ready, available: ready, terminating: false, revision: rev(revision) }
    }

    fn up(ordinal: u32, revision: &str) -> PodView<'static> {
        pod(ordinal, PodPhase::Running, true, revision)
    }

    /// Phase 1's actions, by ordinal.
    fn ops(p: &Plan) -> Vec<(u32, Option<Op>)> {
        p.replicas.iter().map(|r| (r.ordinal, r.op)).collect()
    }

    fn run(pods: &[PodView], replicas: u32, monotonic: bool, update: Update) -> Plan {
        let new_revisions = vec![rev("web-new"); replicas as usize];
        plan(&Input {
            start: 0,
            replicas,
            monotonic,
            pods,
            update,
            update_revision: rev("web-new"),
            new_revisions: &new_revisions,
        })
    }

    const ROLLING: Update = Update::Rolling { partition: 0, max_unavailable: None };

    /// The pods listed out of ordinal order plan as listed in order, an ordinal listed
    /// twice counting its first pod either way.
    #[test]
    fn pods_listed_in_any_order_plan_alike() {
        let failed = pod(1, PodPhase::Failed, false, "web-old");
        let in_order = [up(0, "web-old"), up(1, "web-old"), failed.clone(), up(3, "web-new"), up(4, "web-old")];
        let shuffled = [up(4, "web-old"), up(1, "web-old"), up(3, "web-new"), failed.clone(), up(0, "web-old")];
        for (replicas, monotonic) in [(5, false), (5, true), (4, false), (3, true)] {
            let (a, b) = (run(&in_order, replicas, monotonic, ROLLING), run(&shuffled, replicas, monotonic, ROLLING));
            assert_eq!(a, b, "{replicas} replicas, monotonic {monotonic}");
        }
        // The first pod listed for ordinal 1 is the running one: nothing to replace.
        assert_eq!(ops(&run(&in_order, 2, true, Update::OnDelete)), [(0, None), (1, None)]);
        let failed_first = [up(0, "web-old"), failed, up(1, "web-old")];
        assert_eq!(ops(&run(&failed_first, 2, true, Update::OnDelete)), [(0, None), (1, Some(Op::Delete(1)))]);
    }

    #[test]
    fn ordered_ready_creates_one_pod_at_a_time_in_order() {
        let p = run(&[], 3, true, ROLLING);
        assert_eq!(ops(&p), [(0, Some(Op::Create(0)))]);
        let pending = [pod(0, PodPhase::Pending, false, "web-new")];
        assert_eq!(ops(&run(&pending, 3, true, ROLLING)), [(0, None)], "waits for web-0 to be Running and Ready");
        let p = run(&[up(0, "web-new")], 3, true, ROLLING);
        assert_eq!(ops(&p), [(0, None), (1, Some(Op::Create(1)))]);
        // Parallel creates every missing pod in one sync.
        let p = run(&pending, 3, false, ROLLING);
        assert_eq!(ops(&p), [(0, None), (1, Some(Op::Create(1))), (2, Some(Op::Create(2)))]);
    }

    #[test]
    fn a_pod_that_ended_is_deleted_and_its_ordinal_waits_for_the_object_to_go() {
        let failed = [pod(0, PodPhase::Failed, false, "web-new"), up(1, "web-new")];
        assert_eq!(ops(&run(&failed, 2, true, ROLLING)), [(0, Some(Op::Delete(0)))]);
        let mut terminating = failed.clone();
        terminating[0].terminating = true;
        assert_eq!(ops(&run(&terminating, 2, true, ROLLING)), [(0, None)]);
        let succeeded = [up(0, "web-new"), pod(1, PodPhase::Succeeded, false, "web-new")];
        assert_eq!(ops(&run(&succeeded, 2, false, ROLLING)), [(0, None), (1, Some(Op::Delete(1)))]);
    }

    #[test]
    fn a_pod_stuck_terminating_on_a_lost_node_is_never_replaced() {
        // web-1's node stopped answering: the taint manager deleted it, the kubelet
        // cannot confirm, so the object stays and so does the ordinal's gap.
        let mut lost = up(1, "web-new");
        lost.ready = false;
        lost.available = false;
        lost.terminating = true;
        let pods = [up(0, "web-new"), lost, up(2, "web-new")];
        for monotonic in [true, false] {
            let p = run(&pods, 3, monotonic, ROLLING);
            assert!(p.replicas.iter().all(|r| r.op.is_none()), "{p:?}");
            assert!(p.update.is_empty());
        }
        // Once the object is gone the ordinal is created again.
        let p = run(&[up(0, "web-new"), up(2, "web-new")], 3, true, ROLLING);
        assert_eq!(ops(&p).last(), Some(&(1, Some(Op::Create(1)))));
    }

    #[test]
    fn scale_down_removes_the_highest_ordinal_first_once_the_rest_is_healthy() {
        let pods = [up(0, "web-new"), up(1, "web-new"), up(2, "web-new"), up(3, "web-new")];
        assert_eq!(run(&pods, 2, true, ROLLING).condemned, [Op::Delete(3)]);
        assert_eq!(run(&pods, 2, false, ROLLING).condemned, [Op::Delete(3), Op::Delete(2)]);
        let mut waiting = pods.clone();
        waiting[3].terminating = true;
        assert!(run(&waiting, 2, true, ROLLING).condemned.is_empty(), "waits for web-3 to go");
        assert_eq!(run(&waiting, 2, false, ROLLING).condemned, [Op::Delete(2)]);
        // An unhealthy condemned pod that is the lowest unhealthy may go.
        let mut sick = pods.clone();
        sick[3].ready = false;
        sick[3].available = false;
        assert_eq!(run(&sick, 2, true, ROLLING).condemned, [Op::Delete(3)]);
        sick[2].ready = false;
        sick[2].available = false;
        assert!(run(&sick, 2, true, ROLLING).condemned.is_empty(), "web-2 is the first unhealthy");
    }

    #[test]
    fn rolling_update_goes_from_the_highest_ordinal_down_to_the_partition() {
        let old = [up(0, "web-old"), up(1, "web-old"), up(2, "web-old")];
        assert_eq!(run(&old, 3, true, ROLLING).update, [Op::Delete(2)]);
        let mid = [up(0, "web-old"), up(1, "web-old"), pod(2, PodPhase::Pending, false, "web-new")];
        assert!(run(&mid, 3, false, ROLLING).update.is_empty(), "waits for web-2 to be available");
        let mid = [up(0, "web-old"), up(1, "web-old"), up(2, "web-new")];
        assert_eq!(run(&mid, 3, true, ROLLING).update, [Op::Delete(1)]);
        let partitioned = Update::Rolling { partition: 2, max_unavailable: None };
        assert!(run(&mid, 3, true, partitioned).update.is_empty(), "ordinals below the partition keep theirs");
        assert!(run(&old, 3, true, Update::OnDelete).update.is_empty());
        // With the gate, maxUnavailable pods go at once, less those already down.
        let two = Update::Rolling { partition: 0, max_unavailable: Some(2) };
        assert_eq!(run(&old, 3, true, two).update, [Op::Delete(2), Op::Delete(1)]);
        let mut one_down = old.clone();
        one_down[0].ready = false;
        one_down[0].available = false;
        let p = run(&one_down, 3, false, two);
        assert_eq!(p.update, [Op::Delete(2)]);
    }

    /// `TestGetStatefulSetMaxUnavailable` (`stateful_set_utils_test.go`).
    #[test]
    fn max_unavailable_follows_upstream_vectors() {
        let v: serde_json::Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/kubernetes/workloads.json"
        )))
        .unwrap();
        let cases = v["6_statefulset"].as_array().unwrap();
        assert!(!cases.is_empty());
        for c in cases {
            let value = match &c["maxUnavailable"] {
                serde_json::Value::Null => None,
                serde_json::Value::Number(n) => Some(IntOrString::Int(n.as_i64().unwrap() as i32)),
                serde_json::Value::String(s) => Some(IntOrString::String(s.clone())),
                other => panic!("{other}"),
            };
            let replicas = c["replicas"].as_u64().unwrap() as u32;
            let want = c["expectedMaxUnavailable"].as_u64().unwrap() as u32;
            assert_eq!(max_unavailable(value.as_ref(), replicas), want, "{}", c["name"]);
        }
    }
}
