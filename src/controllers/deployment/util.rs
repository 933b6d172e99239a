//! The Deployment controller's pure rules (`pkg/controller/deployment/util/
//! deployment_util.go`, `rolling.go`, `sync.go`), each tested against Kubernetes'
//! own cases: rolling-update fenceposts, the new ReplicaSet's size, which old
//! ReplicaSets shrink and by how much, proportional scaling, history clean-up, and
//! when a rollout is complete, progressing or timed out.

use crate::api::apps::IntOrString;
use crate::cluster::apps::Strategy;
use crate::engine::SimTime;

/// A ReplicaSet as the rules read it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RsView {
    pub name: std::sync::Arc<str>,
    /// It has a deletion timestamp.
    pub deleting: bool,
    pub created: SimTime,
    pub revision: i64,
    /// `spec.replicas`.
    pub spec: i64,
    /// `status.replicas` and `status.availableReplicas`.
    pub replicas: i64,
    pub available: i64,
    /// `deployment.kubernetes.io/desired-replicas` and `max-replicas`.
    pub desired: Option<i64>,
    pub max: Option<i64>,
}

/// `ResolveFenceposts`: (surge, unavailable); both 0 makes unavailable 1.
pub fn resolve_fenceposts(surge: &IntOrString, unavailable: &IntOrString, desired: i64) -> Result<(i64, i64), String> {
    let surge = surge.scaled(desired, true)?;
    let unavailable = unavailable.scaled(desired, false)?;
    Ok(if surge == 0 && unavailable == 0 { (0, 1) } else { (surge, unavailable) })
}

/// `MaxSurge`.
pub fn max_surge(strategy: &Strategy, replicas: i64) -> i64 {
    match strategy {
        Strategy::Recreate => 0,
        Strategy::RollingUpdate { max_surge, max_unavailable } => {
            resolve_fenceposts(max_surge, max_unavailable, replicas).map_or(0, |(s, _)| s)
        }
    }
}

/// `MaxUnavailable`: capped at the replicas; 0 without RollingUpdate or replicas.
pub fn max_unavailable(strategy: &Strategy, replicas: i64) -> i64 {
    match strategy {
        Strategy::RollingUpdate { max_surge, max_unavailable } if replicas > 0 => {
            resolve_fenceposts(max_surge, max_unavailable, replicas).map_or(0, |(_, u)| u.min(replicas))
        }
        _ => 0,
    }
}

/// `MinAvailable`: 0 without RollingUpdate.
pub fn min_available(strategy: &Strategy, replicas: i64) -> i64 {
    match strategy {
        Strategy::Recreate => 0,
        Strategy::RollingUpdate { .. } => replicas - max_unavailable(strategy, replicas),
    }
}

/// `NewRSNewReplicas`: how big the new ReplicaSet may be now (`all`: every
/// ReplicaSet's `spec.replicas`, the new one included).
pub fn new_rs_new_replicas(strategy: &Strategy, replicas: i64, new_spec: i64, all: i64) -> i64 {
    match strategy {
        Strategy::Recreate => replicas,
        Strategy::RollingUpdate { .. } => {
            let max_total = replicas + max_surge(strategy, replicas);
            if all >= max_total { new_spec } else { new_spec + (max_total - all).min(replicas - new_spec).max(0) }
        }
    }
}

/// `reconcileNewReplicaSet`: the new ReplicaSet's size, if it changes.
pub fn reconcile_new(strategy: &Strategy, replicas: i64, new: &RsView, all_spec: i64) -> Option<i64> {
    if new.spec == replicas {
        return None;
    }
    if new.spec > replicas {
        return Some(replicas);
    }
    let size = new_rs_new_replicas(strategy, replicas, new.spec, all_spec);
    (size != new.spec).then_some(size)
}

/// `reconcileOldReplicaSets`: the new sizes of old ReplicaSets (by index into `old`,
/// sorted oldest first as the caller gives them), in the order they shrink.
pub fn reconcile_old(strategy: &Strategy, replicas: i64, old: &[RsView], new: Option<&RsView>) -> Vec<(usize, i64)> {
    let old_spec: i64 = old.iter().map(|r| r.spec).sum();
    if old_spec == 0 {
        return Vec::new();
    }
    let all_spec = old_spec + new.map_or(0, |n| n.spec);
    let min_available = min_available(strategy, replicas);
    let new_unavailable = new.map_or(0, |n| n.spec - n.available);
    let max_scaled_down = all_spec - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return Vec::new();
    }
    let mut sizes: Vec<i64> = old.iter().map(|r| r.spec).collect();
    cleanup_unhealthy(old, &mut sizes, max_scaled_down);
    let mut out: Vec<(usize, i64)> =
        (0..old.len()).filter(|i| sizes[*i] != old[*i].spec).map(|i| (i, sizes[i])).collect();
    // Unhealthy pods were not available: the available count stays as it was.
    let available = old.iter().map(|r| r.available).sum::<i64>() + new.map_or(0, |n| n.available);
    for (i, size) in scale_down_old(&sizes, old, available, min_available) {
        match out.iter_mut().find(|(j, _)| *j == i) {
            Some(entry) => entry.1 = size,
            None => out.push((i, size)),
        }
    }
    out
}

/// `cleanupUnhealthyReplicas`: old ReplicaSets lose their unavailable pods first,
/// oldest first, at most `max_cleanup` pods in all. Returns how many went.
pub fn cleanup_unhealthy(old: &[RsView], sizes: &mut [i64], max_cleanup: i64) -> i64 {
    let mut total = 0;
    for (i, rs) in old.iter().enumerate() {
        if total >= max_cleanup {
            break;
        }
        if sizes[i] == 0 || sizes[i] == rs.available {
            continue;
        }
        let down = (max_cleanup - total).min(sizes[i] - rs.available);
        sizes[i] -= down;
        total += down;
    }
    total
}

/// `scaleDownOldReplicaSetsForRollingUpdate`: old ReplicaSets shrink, oldest first, by
/// as many pods as are available beyond the minimum.
pub fn scale_down_old(sizes: &[i64], old: &[RsView], available: i64, min_available: i64) -> Vec<(usize, i64)> {
    let mut out = Vec::new();
    if available <= min_available {
        return out;
    }
    let mut left = available - min_available;
    for (i, _) in old.iter().enumerate() {
        if left <= 0 {
            break;
        }
        if sizes[i] == 0 {
            continue;
        }
        let down = sizes[i].min(left);
        out.push((i, sizes[i] - down));
        left -= down;
    }
    out
}

/// `getReplicaSetFraction`: how much a ReplicaSet grows or shrinks when its Deployment
/// is scaled to `replicas` (`status_replicas`: the Deployment's `status.replicas`).
pub fn replicaset_fraction(rs: &RsView, replicas: i64, surge: i64, status_replicas: i64) -> i64 {
    if replicas == 0 {
        return -rs.spec;
    }
    let allowed = replicas + surge;
    let annotated = rs.max.filter(|m| *m > 0).unwrap_or(status_replicas);
    if annotated == 0 {
        return 0;
    }
    // Go's math.Round: halves away from zero.
    let num = rs.spec * allowed;
    let rounded = (2 * num + annotated).div_euclid(2 * annotated);
    rounded - rs.spec
}

/// `scale`'s proportional part: the new sizes of `active` ReplicaSets (their spec > 0)
/// when the Deployment goes to `replicas` (RollingUpdate, several active sets).
/// `newer_first_ties`: sort ties newer first when scaling up, older first down.
pub fn proportional_scale(active: &[RsView], replicas: i64, surge: i64, status_replicas: i64) -> Vec<i64> {
    let allowed = if replicas > 0 { replicas + surge } else { 0 };
    let current: i64 = active.iter().map(|r| r.spec).sum();
    let to_add = allowed - current;
    let mut order: Vec<usize> = (0..active.len()).collect();
    // `ReplicaSetsBySizeNewer` (up) / `ReplicaSetsBySizeOlder` (down): largest first.
    order.sort_by(|a, b| {
        let (x, y) = (&active[*a], &active[*b]);
        let by_age = if to_add > 0 { y.created.cmp(&x.created) } else { x.created.cmp(&y.created) };
        y.spec.cmp(&x.spec).then(by_age).then(x.name.cmp(&y.name))
    });
    let mut sizes: Vec<i64> = active.iter().map(|r| r.spec).collect();
    let mut added = 0;
    for &i in &order {
        let rs = &active[i];
        let proportion = if rs.spec == 0 || to_add == added {
            0
        } else {
            let fraction = replicaset_fraction(rs, replicas, surge, status_replicas);
            if to_add > 0 { fraction.min(to_add - added) } else { fraction.max(to_add - added) }
        };
        sizes[i] = rs.spec + proportion;
        added += proportion;
    }
    // The leftover goes to the first ReplicaSet in that order.
    if let Some(&first) = order.first() {
        sizes[first] = (sizes[first] + to_add - added).max(0);
    }
    sizes
}

/// `cleanupDeployment`: which old ReplicaSets to delete (indexes into `old`), the
/// oldest revisions first, keeping `limit`; only empty ones go.
pub fn history_to_delete(old: &[RsView], limit: usize) -> Vec<usize> {
    let mut candidates: Vec<usize> = (0..old.len()).collect();
    if candidates.len() <= limit {
        return Vec::new();
    }
    candidates.sort_by(|a, b| {
        let (x, y) = (&old[*a], &old[*b]);
        x.revision.cmp(&y.revision).then(x.created.cmp(&y.created)).then(x.name.cmp(&y.name))
    });
    let surplus = candidates.len() - limit;
    let deletable = |r: &RsView| r.spec == 0 && r.replicas == 0 && !r.deleting;
    candidates.into_iter().filter(|i| deletable(&old[*i])).take(surplus).collect()
}

/// A Deployment's status counts (`DeploymentStatus`) as the progress checks read them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub replicas: i64,
    pub updated: i64,
    pub ready: i64,
    pub available: i64,
}

/// `DeploymentComplete`.
pub fn complete(replicas: i64, s: &Counts, observed: bool) -> bool {
    s.updated == replicas && s.replicas == replicas && s.available == replicas && observed
}

/// `DeploymentProgressing`: compared with the stored status, more pods updated, fewer
/// old ones, more ready or more available.
pub fn progressing(old: &Counts, new: &Counts) -> bool {
    let old_old = old.replicas - old.updated;
    let new_old = new.replicas - new.updated;
    new.updated > old.updated || new_old < old_old || new.ready > old.ready || new.available > old.available
}

/// `DeploymentTimedOut` for a Progressing condition with `reason`, last updated at
/// `last_update`.
pub fn timed_out(deadline: Option<u64>, reason: &str, last_update: SimTime, now: SimTime) -> bool {
    let Some(deadline) = deadline else { return false };
    match reason {
        "NewReplicaSetAvailable" => false,
        "ProgressDeadlineExceeded" => true,
        _ => last_update.after(deadline) < now,
    }
}

/// `rand.SafeEncodeString` of the decimal FNV-32a hash of `bytes` (and the collision
/// count, 8 bytes little-endian): the `pod-template-hash` (`controller.ComputeHash`).
pub fn template_hash(bytes: &[u8], collisions: u32) -> String {
    let mut h: u32 = 0x811c_9dc5;
    let mut feed = |b: u8| {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    };
    bytes.iter().copied().for_each(&mut feed);
    if collisions > 0 {
        u64::from(collisions).to_le_bytes().into_iter().for_each(&mut feed);
    }
    safe_encode(&h.to_string())
}

/// `rand.SafeEncodeString`: every character to `alphanums[c % 27]`.
pub fn safe_encode(s: &str) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    s.bytes().map(|b| char::from(ALPHANUMS[usize::from(b) % ALPHANUMS.len()])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn cases(section: &str, group: &str) -> Vec<Value> {
        let v: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/kubernetes/workloads.json"
        )))
        .unwrap();
        v[section].as_array().unwrap().iter().filter(|c| c["group"] == group).cloned().collect()
    }

    fn ios(v: &Value) -> IntOrString {
        match v {
            Value::String(s) => IntOrString::String(s.clone()),
            Value::Number(n) => IntOrString::Int(n.as_i64().unwrap() as i32),
            _ => IntOrString::Int(0),
        }
    }

    fn rolling(c: &Value) -> Strategy {
        Strategy::RollingUpdate { max_surge: ios(&c["maxSurge"]), max_unavailable: ios(&c["maxUnavailable"]) }
    }

    fn strategy(c: &Value) -> Strategy {
        if c["strategyType"] == "Recreate" { Strategy::Recreate } else { rolling(c) }
    }

    #[test]
    fn intstr_and_fenceposts_follow_kubernetes_cases() {
        let intstr = cases("2_deployment_util", "intstr");
        assert_eq!(intstr.len(), 8);
        for c in intstr {
            let got = ios(&c["input"]).scaled(c["total"].as_i64().unwrap(), c["roundUp"].as_bool().unwrap());
            match c["expectErr"].as_bool().unwrap() {
                true => assert!(got.is_err(), "{}", c["name"]),
                false => assert_eq!(got.unwrap(), c["expectVal"].as_i64().unwrap(), "{}", c["name"]),
            }
        }
        for c in cases("2_deployment_util", "ResolveFenceposts") {
            let got =
                resolve_fenceposts(&ios(&c["maxSurge"]), &ios(&c["maxUnavailable"]), c["desired"].as_i64().unwrap());
            match c["expectError"].as_bool().unwrap() {
                true => assert!(got.is_err(), "{}", c["name"]),
                false => assert_eq!(
                    got.unwrap(),
                    (c["expectSurge"].as_i64().unwrap(), c["expectUnavailable"].as_i64().unwrap()),
                    "{}",
                    c["name"]
                ),
            }
        }
        for (group, f) in
            [("MaxUnavailable", max_unavailable as fn(&Strategy, i64) -> i64), ("MinAvailable", min_available)]
        {
            let cs = cases("2_deployment_util", group);
            assert_eq!(cs.len(), 8);
            for c in cs {
                assert_eq!(
                    f(&strategy(&c), c["replicas"].as_i64().unwrap_or(0)),
                    c["expected"].as_i64().unwrap(),
                    "{group} {}",
                    c["name"]
                );
            }
        }
    }

    #[test]
    fn new_replicaset_size_follows_kubernetes_cases() {
        for c in cases("2_deployment_util", "NewRSNewReplicas") {
            let all: i64 = c["allRSs"].as_array().unwrap().iter().map(|r| r["spec.replicas"].as_i64().unwrap()).sum();
            let got = new_rs_new_replicas(
                &strategy(&c),
                c["depReplicas"].as_i64().unwrap(),
                c["newRSReplicas"].as_i64().unwrap(),
                all,
            );
            assert_eq!(got, c["expected"].as_i64().unwrap(), "{}", c["name"]);
        }
        let cs = cases("3_deployment_rolling", "reconcileNewReplicaSet");
        assert_eq!(cs.len(), 5);
        for c in cs {
            let new = RsView { spec: c["newReplicas"].as_i64().unwrap(), ..Default::default() };
            let all = new.spec + c["oldReplicas"].as_i64().unwrap();
            let got = reconcile_new(&rolling(&c), c["deploymentReplicas"].as_i64().unwrap(), &new, all);
            assert_eq!(got.is_some(), c["scaleExpected"].as_bool().unwrap(), "{}", c["name"]);
            if let Some(size) = got {
                assert_eq!(size, c["expectedNewReplicas"].as_i64().unwrap(), "{}", c["name"]);
            }
        }
    }

    #[test]
    fn old_replicasets_shrink_as_kubernetes_cases_say() {
        let cs = cases("3_deployment_rolling", "reconcileOldReplicaSets");
        assert_eq!(cs.len(), 5);
        for c in cs {
            let old = RsView {
                spec: c["oldReplicas"].as_i64().unwrap(),
                available: c["readyPodsFromOldRS"].as_i64().unwrap(),
                ..Default::default()
            };
            let new = RsView {
                spec: c["newReplicas"].as_i64().unwrap(),
                available: c["readyPodsFromNewRS"].as_i64().unwrap(),
                ..Default::default()
            };
            let got = reconcile_old(&rolling(&c), c["deploymentReplicas"].as_i64().unwrap(), &[old], Some(&new));
            assert_eq!(!got.is_empty(), c["scaleExpected"].as_bool().unwrap(), "{}", c["name"]);
            if let Some((_, size)) = got.last() {
                assert_eq!(*size, c["expectedOldReplicas"].as_i64().unwrap(), "{}", c["name"]);
            }
        }
        for c in cases("3_deployment_rolling", "cleanupUnhealthyReplicas") {
            let old = RsView {
                spec: c["oldReplicas"].as_i64().unwrap(),
                available: c["readyPods"].as_i64().unwrap(),
                ..Default::default()
            };
            let mut sizes = [old.spec];
            let got = cleanup_unhealthy(std::slice::from_ref(&old), &mut sizes, c["maxCleanupCount"].as_i64().unwrap());
            assert_eq!(got, c["cleanupCountExpected"].as_i64().unwrap(), "{}", c["name"]);
        }
        for c in cases("3_deployment_rolling", "scaleDownOldReplicaSetsForRollingUpdate") {
            let replicas = c["deploymentReplicas"].as_i64().unwrap();
            let s =
                Strategy::RollingUpdate { max_surge: IntOrString::Int(0), max_unavailable: ios(&c["maxUnavailable"]) };
            let old = RsView {
                spec: c["oldReplicas"].as_i64().unwrap(),
                available: c["readyPods"].as_i64().unwrap(),
                ..Default::default()
            };
            let got =
                scale_down_old(&[old.spec], std::slice::from_ref(&old), old.available, min_available(&s, replicas));
            assert_eq!(!got.is_empty(), c["scaleExpected"].as_bool().unwrap(), "{}", c["name"]);
            if let Some((_, size)) = got.first() {
                assert_eq!(*size, c["expectedOldReplicas"].as_i64().unwrap(), "{}", c["name"]);
            }
        }
    }

    #[test]
    fn completion_progress_and_deadline_follow_kubernetes_cases() {
        for c in cases("2_deployment_util", "DeploymentComplete") {
            let s = Counts {
                replicas: c["status.replicas"].as_i64().unwrap(),
                updated: c["status.updatedReplicas"].as_i64().unwrap(),
                ready: 0,
                available: c["status.availableReplicas"].as_i64().unwrap(),
            };
            let observed = c["observedGeneration_ge_generation"].as_bool().unwrap();
            assert_eq!(
                complete(c["spec.replicas"].as_i64().unwrap(), &s, observed),
                c["expected"].as_bool().unwrap(),
                "{}",
                c["name"]
            );
        }
        let counts = |v: &Value| Counts {
            replicas: v["replicas"].as_i64().unwrap_or(0),
            updated: v["updatedReplicas"].as_i64().unwrap_or(0),
            ready: v["readyReplicas"].as_i64().unwrap_or(0),
            available: v["availableReplicas"].as_i64().unwrap_or(0),
        };
        for c in cases("2_deployment_util", "DeploymentProgressing") {
            assert_eq!(
                progressing(&counts(&c["oldStatus"]), &counts(&c["newStatus"])),
                c["expected"].as_bool().unwrap(),
                "{}",
                c["name"]
            );
        }
        let time = |s: &Value| -> SimTime {
            s.as_str().map_or(SimTime::from_ms(0), |s| {
                SimTime::from_ms(s.parse::<jiff::Timestamp>().unwrap().as_millisecond() as u64)
            })
        };
        for c in cases("2_deployment_util", "DeploymentTimedOut") {
            // `MaxInt32` is no deadline (`HasProgressDeadline`).
            let deadline = c["progressDeadlineSeconds"].as_u64().filter(|s| *s != i32::MAX as u64).map(|s| s * 1000);
            let cond = &c["condition"];
            let got = timed_out(
                deadline,
                cond["reason"].as_str().unwrap_or(""),
                time(&cond["lastUpdateTime"]),
                time(&c["now"]),
            );
            assert_eq!(got, c["expected"].as_bool().unwrap(), "{}", c["name"]);
        }
    }

    #[test]
    fn proportional_scaling_follows_kubernetes_cases() {
        for c in cases("2_deployment_util", "getReplicaSetFraction") {
            let replicas = c["deployment.spec.replicas"].as_i64().unwrap();
            let s = rolling(&c);
            let max =
                c["rs.annotations"]["deployment.kubernetes.io/max-replicas"].as_str().and_then(|m| m.parse().ok());
            let rs = RsView { spec: c["rs.spec.replicas"].as_i64().unwrap(), max, ..Default::default() };
            let got = replicaset_fraction(
                &rs,
                replicas,
                max_surge(&s, replicas),
                c["deployment.status.replicas"].as_i64().unwrap(),
            );
            assert_eq!(got, c["expectedFraction"].as_i64().unwrap(), "{}", c["name"]);
        }
    }

    #[test]
    fn history_cleanup_follows_kubernetes_cases() {
        let cs = cases("4_deployment_sync", "cleanupDeployment");
        assert_eq!(cs.len(), 6);
        for c in cs {
            let old: Vec<RsView> = c["oldRSs"]
                .as_array()
                .unwrap()
                .iter()
                .enumerate()
                .map(|(i, r)| RsView {
                    name: r["name"].as_str().unwrap().into(),
                    revision: i as i64,
                    spec: r["spec.replicas"].as_i64().unwrap(),
                    replicas: r["status.replicas"].as_i64().unwrap(),
                    deleting: r["note"] == "deletionTimestamp set",
                    ..Default::default()
                })
                .collect();
            let got = history_to_delete(&old, c["revisionHistoryLimit"].as_u64().unwrap() as usize);
            assert_eq!(got.len() as i64, c["expectedDeletions"].as_i64().unwrap(), "{}", c["name"]);
        }
    }

    #[test]
    fn template_hashes_are_safe_encoded_decimals() {
        let v: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/kubernetes/workloads.json"
        )))
        .unwrap();
        for c in v["x_derived_safe_encode"].as_array().unwrap() {
            if let (Some(input), Some(output)) = (c["decimal"].as_str(), c["encoded"].as_str()) {
                assert_eq!(safe_encode(input), output);
            }
        }
        assert_eq!(safe_encode("2262704881"), "66b6c48dd5");
        assert_ne!(template_hash(b"a", 0), template_hash(b"a", 1));
    }
}
