//! The rolling update's decision for one sync (`rollingUpdate`, `findUpdatedPodsOnNode`,
//! `pkg/controller/daemon/update.go`), pure: given each node's pods (those not
//! terminating), which old pods to delete and which nodes get a new pod now. The
//! manage loop creates the replacements of deleted pods; this only paces them.
//!
//! Upstream walks the nodes in Go map order, which is random; the caller passes them
//! in an order drawn from a seeded stream.

/// A daemon pod as the rolling update sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PodView<P> {
    pub id: P,
    /// Its revision hash (or template generation) is the DaemonSet's current one.
    pub updated: bool,
    /// Ready for `minReadySeconds` (`IsPodAvailable`).
    pub available: bool,
}

/// One node: whether it should run the pod, and its daemon pods not terminating (a
/// list of [`PodView`]s, or a slice of one list for all the nodes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot<N, V> {
    pub node: N,
    pub should_run: bool,
    pub pods: V,
}

/// What the sync does: pods to delete, nodes to create a pod on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan<N, P> {
    pub delete: Vec<P>,
    pub create: Vec<N>,
}

/// A node's new pod and old pod, each if any.
type NewAndOld<P> = (Option<PodView<P>>, Option<PodView<P>>);

/// `findUpdatedPodsOnNode`: at most one new and one old pod; `None` when a node has
/// more (the manage loop cleans it up first).
fn split<P: Copy>(pods: &[PodView<P>]) -> Option<NewAndOld<P>> {
    let (mut new, mut old) = (None, None);
    for p in pods {
        let slot = if p.updated { &mut new } else { &mut old };
        if slot.is_some() {
            return None;
        }
        *slot = Some(*p);
    }
    Some((new, old))
}

/// `rollingUpdate`: with no surge, delete old pods while fewer than `max_unavailable`
/// nodes are without an available new pod (an old pod that is not available is
/// always replaced); with a surge, start a new pod beside an old one on up to
/// `max_surge` nodes and delete the old pod once the new one is available.
pub fn rolling_update<N: Copy, P: Copy, V: AsRef<[PodView<P>]>>(
    slots: &[Slot<N, V>],
    max_surge: i64,
    max_unavailable: i64,
    desired: i64,
) -> Plan<N, P> {
    if max_surge == 0 {
        return without_surge(slots, max_unavailable);
    }
    let mut plan = Plan { delete: Vec::new(), create: Vec::new() };
    let (mut surging, mut available) = (0i64, 0i64);
    let mut sunset: Vec<P> = Vec::new();
    let mut candidates: Vec<N> = Vec::new();
    for slot in slots {
        let Some((new, old)) = split(slot.pods.as_ref()) else {
            surging += 1;
            continue;
        };
        // Availability of every node, those being sunset included.
        if old.map_or(new.is_some_and(|n| n.available), |o| o.available) {
            available += 1;
        }
        match (new, old) {
            (_, None) => {}
            (None, Some(o)) if !o.available => {
                if slot.should_run {
                    plan.create.push(slot.node);
                } else {
                    plan.delete.push(o.id);
                }
            }
            (None, Some(o)) => {
                if !slot.should_run {
                    sunset.push(o.id);
                } else if surging < max_surge {
                    candidates.push(slot.node);
                }
            }
            (Some(n), Some(o)) => {
                if n.available {
                    plan.delete.push(o.id);
                } else {
                    surging += 1;
                }
            }
        }
    }
    // Pods on nodes that should no longer run one go only while more than the desired
    // number are available, so that availability never drops below it.
    let deletable = (available - desired).clamp(0, sunset.len() as i64) as usize;
    plan.delete.extend_from_slice(&sunset[..deletable]);
    let room = (max_surge - surging).clamp(0, candidates.len() as i64) as usize;
    plan.create.extend_from_slice(&candidates[..room]);
    plan
}

fn without_surge<N: Copy, P: Copy, V: AsRef<[PodView<P>]>>(slots: &[Slot<N, V>], max_unavailable: i64) -> Plan<N, P> {
    let mut unavailable = 0i64;
    let mut replace: Vec<P> = Vec::new();
    let mut candidates: Vec<P> = Vec::new();
    for slot in slots {
        let Some((new, old)) = split(slot.pods.as_ref()) else {
            unavailable += 1;
            continue;
        };
        match (new, old) {
            // Nothing, or both: the manage loop creates or deletes; unavailable meanwhile.
            (None, None) | (Some(_), Some(_)) => unavailable += 1,
            (Some(n), None) => {
                if !n.available {
                    unavailable += 1;
                }
            }
            (None, Some(o)) => {
                if !o.available {
                    replace.push(o.id);
                } else if unavailable < max_unavailable {
                    candidates.push(o.id);
                }
            }
        }
    }
    let room = (max_unavailable - unavailable).clamp(0, candidates.len() as i64) as usize;
    replace.extend_from_slice(&candidates[..room]);
    Plan { delete: replace, create: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(id: u32, updated: bool, available: bool) -> PodView<u32> {
        PodView { id, updated, available }
    }

    /// A node of the tests, its pods a list of its own.
    type TestSlot = Slot<u32, Vec<PodView<u32>>>;

    fn slot(node: u32, pods: Vec<PodView<u32>>) -> TestSlot {
        Slot { node, should_run: true, pods }
    }

    /// `TestDaemonSetUpdatesPods` (`update_test.go`): five nodes, maxUnavailable 2:
    /// two old pods go, then (the new ones not yet ready) nothing more, then two more.
    #[test]
    fn max_unavailable_paces_the_replacement() {
        let old: Vec<TestSlot> = (0..5).map(|n| slot(n, vec![pod(n, false, true)])).collect();
        assert_eq!(rolling_update(&old, 0, 2, 5).delete, [0, 1]);
        // Nodes 0 and 1 have new pods not yet available: no more room.
        let mut step = old.clone();
        step[0].pods = vec![pod(10, true, false)];
        step[1].pods = vec![pod(11, true, false)];
        assert_eq!(rolling_update(&step, 0, 2, 5), Plan::default());
        // They turn available: two more go.
        step[0].pods[0].available = true;
        step[1].pods[0].available = true;
        assert_eq!(rolling_update(&step, 0, 2, 5).delete, [2, 3]);
    }

    /// `TestDaemonSetUpdatesWhenNewPodIsNotReady` / `...AllOldPodsNotReady`: an old pod
    /// that is not available is replaced whatever the budget.
    #[test]
    fn unavailable_old_pods_are_replaced_at_once() {
        let slots: Vec<TestSlot> = (0..5).map(|n| slot(n, vec![pod(n, false, false)])).collect();
        assert_eq!(rolling_update(&slots, 0, 1, 5).delete, [0, 1, 2, 3, 4]);
        // A node with no pod, or one terminating, counts against the budget.
        let mut slots: Vec<TestSlot> = (0..3).map(|n| slot(n, vec![pod(n, false, true)])).collect();
        slots[0].pods.clear();
        assert_eq!(rolling_update(&slots, 0, 1, 3), Plan::default());
        assert_eq!(rolling_update(&slots, 0, 2, 3).delete, [1]);
        // Two pods on a node: the manage loop's business, unavailable meanwhile.
        slots[0].pods = vec![pod(7, false, true), pod(8, false, true)];
        assert_eq!(rolling_update(&slots, 0, 1, 3), Plan::default());
    }

    /// `TestDaemonSetUpdatesSomeOldPodsNotReady` with surge, and the surge branch of
    /// `rollingUpdate`: new pods beside old ones on `maxSurge` nodes, the old one
    /// deleted once the new is available.
    #[test]
    fn surge_starts_new_pods_beside_old_ones() {
        let slots: Vec<TestSlot> = (0..4).map(|n| slot(n, vec![pod(n, false, true)])).collect();
        assert_eq!(rolling_update(&slots, 2, 0, 4), Plan { delete: vec![], create: vec![0, 1] });
        let mut step = slots.clone();
        step[0].pods.push(pod(10, true, true));
        step[1].pods.push(pod(11, true, false));
        // Node 0's new pod is available: its old pod goes; node 1 still surging, so
        // one more node may surge.
        assert_eq!(rolling_update(&step, 2, 0, 4), Plan { delete: vec![0], create: vec![2] });
        // An unavailable old pod gets its replacement without waiting for room.
        let mut broken = slots.clone();
        broken[3].pods[0].available = false;
        assert_eq!(rolling_update(&broken, 1, 0, 4), Plan { delete: vec![], create: vec![3, 0] });
        // A node that should no longer run the pod: its old pod goes only while more
        // than the desired number are available.
        let mut sunset = slots.clone();
        sunset[0].should_run = false;
        assert_eq!(rolling_update(&sunset, 1, 0, 3), Plan { delete: vec![0], create: vec![1] });
        assert_eq!(rolling_update(&sunset, 1, 0, 4), Plan { delete: vec![], create: vec![1] });
    }
}
