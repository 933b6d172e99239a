//! Pods: the API object at T (from the replayed state) and the `kubectl get pods` row
//! (`printPod`, `pkg/printers/internalversion/printers.go` v1.34).

use super::model::{self, Condition, ContainerState, ContainerStatus, Pod, Terminated};
use super::replay::{CKind, CState, PodState, State, Symbols, TRACKED, condition_statuses};
use crate::cluster::template::ContainerKind;
use crate::kubectl::duration::translate_timestamp_since;
use crate::kubelet::conditions::{self as kc, CondContainer, CondStatus};

/// The columns (`-o wide` adds the last four).
pub const HEADERS: [&str; 5] = ["NAME", "READY", "STATUS", "RESTARTS", "AGE"];
pub const WIDE_HEADERS: [&str; 4] = ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"];

/// Why the scheduler could not place a pod: (first failure, last message), from its
/// `FailedScheduling` Events.
pub type Unschedulable = Option<(i64, String)>;

/// The pod as the API server would return it at `state.at`.
pub fn to_api(state: &State, p: &PodState, unschedulable: Unschedulable) -> Pod {
    let spec = &p.spec;
    let meta = model::Meta {
        name: p.name.to_string(),
        namespace: p.namespace.to_string(),
        uid: state.uids.pod(p.uid),
        generate_name: p.generate_name.as_ref().map(|g| g.to_string()),
        labels: (*p.labels).clone(),
        annotations: (*p.annotations).clone(),
        created: Some(p.created),
        // The API server sets deletionTimestamp to the request plus the grace period.
        deletion: p.deletion.map(|(at, grace)| at + grace),
        deletion_grace_seconds: p.deletion.map(|(_, grace)| grace / 1000),
        // A ReplicaSet's, DaemonSet's or StatefulSet's pods name an apps/v1 owner with its uid, a
        // Job's a batch/v1 one.
        owner: p.owner.as_ref().map(|o| {
            let apps = matches!(o.kind.as_str(), "ReplicaSet" | "DaemonSet" | "StatefulSet");
            model::OwnerRef {
                api_version: if apps { "apps/v1" } else { "batch/v1" }.into(),
                kind: o.kind.clone(),
                name: o.name.clone(),
                uid: if apps { state.uids.apps(o.uid) } else { state.uids.job(o.uid) },
            }
        }),
    };
    let mut init_statuses = Vec::new();
    let mut statuses = Vec::new();
    let names = spec.init_containers.iter().chain(&spec.containers);
    for ((c, kind), spec_c) in p.containers.iter().zip(p.kinds.iter()).zip(names) {
        if c.kind == CKind::None {
            continue;
        }
        let status = container_status(&state.symbols, c, &spec_c.name, spec_c.image.as_deref().unwrap_or(""));
        if *kind == ContainerKind::App { statuses.push(status) } else { init_statuses.push(status) }
    }
    let (reason, message) = pod_reason(p);
    Pod {
        meta,
        spec: p.spec.clone(),
        node_name: p.node.as_ref().map(|n| n.to_string()),
        priority: Some(p.priority),
        preemption_policy: Some(if p.preempt_never { "Never" } else { "PreemptLowerPriority" }),
        status: model::PodStatus {
            phase: p.phase.to_string(),
            reason,
            message,
            conditions: conditions(p, unschedulable),
            init_container_statuses: init_statuses,
            container_statuses: statuses,
            start_time: p.start_time,
            // The kubelet's first status sets hostIP (and startTime).
            host_ip: match (&p.node, p.start_time) {
                (Some(n), Some(_)) => state.node_ips.get(&**n).cloned().unwrap_or_default(),
                _ => String::new(),
            },
            pod_ips: p.ip.iter().map(|ip| ip.to_string()).collect(),
            nominated_node_name: p.nominated.as_deref().unwrap_or("").to_string(),
            qos_class: super::qos::qos_class(spec).to_string(),
        },
    }
}

/// `status.reason` and `status.message`, in the kubelet's words.
fn pod_reason(p: &PodState) -> (String, String) {
    let Some(reason) = p.reason.as_deref() else { return (String::new(), String::new()) };
    let message = match reason {
        "DeadlineExceeded" => "Pod was active on the node longer than the specified deadline".to_string(),
        r if r.starts_with("OutOf") => {
            format!("Pod was rejected: Node didn't have enough resource: {}", &r["OutOf".len()..])
        }
        _ => String::new(),
    };
    (reason.to_string(), message)
}

fn container_status(symbols: &Symbols, c: &CState, name: &str, image: &str) -> ContainerStatus {
    let state = match c.kind {
        CKind::None => ContainerState::None,
        CKind::Waiting => ContainerState::Waiting {
            reason: symbols.name(c.reason).to_string(),
            message: c.message.as_deref().unwrap_or("").to_string(),
        },
        CKind::Running => ContainerState::Running { started_at: c.started_at },
        CKind::Terminated => ContainerState::Terminated(Terminated {
            exit_code: c.exit_code,
            signal: 0,
            reason: symbols.name(c.reason).to_string(),
            message: String::new(),
            started_at: c.started_at,
            finished_at: c.finished_at,
        }),
    };
    ContainerStatus {
        name: name.to_string(),
        image: image.to_string(),
        state,
        last_terminated: c.last.map(|l| Terminated {
            exit_code: l.exit_code,
            signal: 0,
            reason: symbols.name(l.reason).to_string(),
            message: String::new(),
            started_at: l.started_at,
            finished_at: Some(l.finished_at),
        }),
        ready: c.ready,
        started: Some(c.started),
        restart_count: c.restart_count,
    }
}

/// The pod's conditions in the order the kubelet writes them (PodReadyToStartContainers,
/// Initialized, Ready, ContainersReady, PodScheduled), then DisruptionTarget; before the
/// kubelet reports the pod, only PodScheduled (False while the scheduler finds no node).
fn conditions(p: &PodState, unschedulable: Unschedulable) -> Vec<Condition> {
    let mut out = Vec::new();
    if p.start_time.is_some() {
        let statuses = condition_statuses(p);
        let (init, ready, containers_ready) = kubelet_reasons(p);
        let explained = [None, Some(init), Some(ready), Some(containers_ready)];
        for (i, kind) in TRACKED.iter().enumerate() {
            let since = p.conditions[i].map(|(_, t)| t);
            let mut c = Condition { last_transition: since, ..Condition::new(kind, status_word(statuses[i])) };
            if let Some(Some(k)) = &explained[i] {
                // A True condition may carry a reason too (Initialized: PodCompleted).
                if k.status == statuses[i] || !statuses[i] {
                    c.reason = k.reason.unwrap_or("").to_string();
                    c.message = k.message.clone().unwrap_or_default();
                }
            }
            out.push(c);
        }
    }
    match (p.bound_at, unschedulable) {
        (Some(t), _) => out.push(Condition { last_transition: Some(t), ..Condition::new("PodScheduled", "True") }),
        (None, Some((since, message))) => out.push(Condition {
            reason: "Unschedulable".into(),
            message,
            last_transition: Some(since),
            ..Condition::new("PodScheduled", "False")
        }),
        (None, None) => {}
    }
    if let Some((reason, since)) = &p.disruption {
        out.push(Condition {
            reason: reason.to_string(),
            message: disruption_message(reason).into(),
            last_transition: Some(*since),
            ..Condition::new("DisruptionTarget", "True")
        });
    }
    out
}

fn status_word(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

/// The messages of `DisruptionTarget` by its reason.
fn disruption_message(reason: &str) -> &'static str {
    match reason {
        "DeletionByTaintManager" => "Taint manager: deleting due to NoExecute taint",
        "EvictionByEvictionAPI" => "Eviction API: evicting",
        "DeletionByPodGC" => "PodGC: node no longer exists",
        "PreemptionByScheduler" => "default-scheduler: preempting to accommodate a higher priority pod",
        "TerminationByKubelet" => "Pod was terminated in response to imminent node shutdown.",
        _ => "",
    }
}

/// Reasons and messages of Initialized, Ready and ContainersReady, from the kubelet's
/// own generators (`kubelet::conditions`).
fn kubelet_reasons(p: &PodState) -> (Option<kc::Condition>, Option<kc::Condition>, Option<kc::Condition>) {
    let names = p.spec.init_containers.iter().chain(&p.spec.containers).map(|c| c.name.as_str());
    let containers: Vec<CondContainer> = names
        .zip(p.kinds.iter())
        .zip(&p.containers)
        .map(|((name, kind), c)| CondContainer {
            name,
            kind: *kind,
            status: (c.kind != CKind::None).then_some(CondStatus {
                ready: c.ready,
                started: c.started,
                has_run: matches!(c.kind, CKind::Running | CKind::Terminated),
            }),
        })
        .collect();
    let phase = match p.phase {
        "Running" => crate::cluster::pod::PodPhase::Running,
        "Succeeded" => crate::cluster::pod::PodPhase::Succeeded,
        "Failed" => crate::cluster::pod::PodPhase::Failed,
        _ => crate::cluster::pod::PodPhase::Pending,
    };
    let gates: Vec<kc::GateStatus> = p.spec.readiness_gates.iter().map(|g| (g.condition_type.as_str(), None)).collect();
    (
        Some(kc::initialized(&containers, true, phase)),
        Some(kc::pod_ready(&containers, true, phase, &gates)),
        Some(kc::containers_ready(&containers, true, phase)),
    )
}

// ---------------------------------------------------------------------------------
// printPod

/// The cells of a pod's row: NAME READY STATUS RESTARTS AGE (+ wide columns).
pub fn row(pod: &Pod, now: i64, wide: bool) -> Vec<String> {
    let s = &pod.status;
    let spec = &pod.spec;
    let is_sidecar = |name: &str| spec.init_containers.iter().find(|c| c.name == name).is_some_and(|c| c.is_sidecar());
    let sidecars = spec.init_containers.iter().filter(|c| c.is_sidecar()).count();
    let total = spec.containers.len() + sidecars;
    let mut ready = 0;
    let mut restarts: u64 = 0;
    let mut last_restart: Option<i64> = None;
    let mut reason = if s.reason.is_empty() { s.phase.clone() } else { s.reason.clone() };
    if s.conditions.iter().any(|c| c.kind == "PodScheduled" && c.reason == "SchedulingGated") {
        reason = "SchedulingGated".into();
    }
    let later = |a: Option<i64>, b: Option<i64>| match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    };

    let mut initializing = false;
    let (mut sidecar_restarts, mut sidecar_last) = (0u64, None);
    for (i, c) in s.init_container_statuses.iter().enumerate() {
        restarts += u64::from(c.restart_count);
        let finished = c.last_terminated.as_ref().and_then(|t| t.finished_at);
        last_restart = later(last_restart, finished);
        let sidecar = is_sidecar(&c.name);
        if sidecar {
            sidecar_restarts += u64::from(c.restart_count);
            sidecar_last = later(sidecar_last, finished);
        }
        match &c.state {
            ContainerState::Terminated(t) if t.exit_code == 0 => continue,
            _ if sidecar && c.started == Some(true) => {
                if c.ready {
                    ready += 1;
                }
                continue;
            }
            ContainerState::Terminated(t) => {
                reason = if !t.reason.is_empty() {
                    format!("Init:{}", t.reason)
                } else if t.signal != 0 {
                    format!("Init:Signal:{}", t.signal)
                } else {
                    format!("Init:ExitCode:{}", t.exit_code)
                };
            }
            ContainerState::Waiting { reason: r, .. } if !r.is_empty() && r != "PodInitializing" => {
                reason = format!("Init:{r}");
            }
            _ => reason = format!("Init:{i}/{}", spec.init_containers.len()),
        }
        initializing = true;
        break;
    }

    let initialized = pod.condition("Initialized").is_some_and(|c| c.status == "True");
    if !initializing || initialized {
        restarts = sidecar_restarts;
        last_restart = sidecar_last;
        let mut has_running = false;
        for c in s.container_statuses.iter().rev() {
            restarts += u64::from(c.restart_count);
            last_restart = later(last_restart, c.last_terminated.as_ref().and_then(|t| t.finished_at));
            match &c.state {
                ContainerState::Waiting { reason: r, .. } if !r.is_empty() => reason = r.clone(),
                ContainerState::Terminated(t) if !t.reason.is_empty() => reason = t.reason.clone(),
                ContainerState::Terminated(t) => {
                    reason = if t.signal != 0 {
                        format!("Signal:{}", t.signal)
                    } else {
                        format!("ExitCode:{}", t.exit_code)
                    };
                }
                ContainerState::Running { .. } if c.ready => {
                    has_running = true;
                    ready += 1;
                }
                _ => {}
            }
        }
        if reason == "Completed" && has_running {
            let pod_ready = s.conditions.iter().any(|c| c.kind == "Ready" && c.status == "True");
            reason = if pod_ready { "Running".into() } else { "NotReady".into() };
        }
    }

    if pod.meta.deletion.is_some() && s.reason == "NodeLost" {
        reason = "Unknown".into();
    } else if pod.meta.deletion.is_some() && !matches!(s.phase.as_str(), "Succeeded" | "Failed") {
        reason = "Terminating".into();
    }

    let restarts_cell = match (restarts, last_restart) {
        (0, _) | (_, None) => restarts.to_string(),
        (n, Some(t)) => format!("{n} ({} ago)", translate_timestamp_since(now, Some(t))),
    };
    let mut cells = vec![
        pod.meta.name.clone(),
        format!("{ready}/{total}"),
        reason,
        restarts_cell,
        translate_timestamp_since(now, pod.meta.created),
    ];
    if wide {
        let none = || "<none>".to_string();
        cells.push(s.pod_ips.first().cloned().unwrap_or_else(none));
        cells.push(pod.node_name.clone().filter(|n| !n.is_empty()).unwrap_or_else(none));
        cells.push(if s.nominated_node_name.is_empty() { none() } else { s.nominated_node_name.clone() });
        cells.push(readiness_gates(pod));
    }
    cells
}

/// `<true>/<gates>`: gates whose first condition of that type is `True`.
fn readiness_gates(pod: &Pod) -> String {
    let gates = &pod.spec.readiness_gates;
    if gates.is_empty() {
        return "<none>".into();
    }
    let ok = gates.iter().filter(|g| pod.condition(&g.condition_type).is_some_and(|c| c.status == "True")).count();
    format!("{ok}/{}", gates.len())
}
