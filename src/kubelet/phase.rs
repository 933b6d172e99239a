//! The pod phase exactly as the kubelet computes it (`getPhase`, `pkg/kubelet/kubelet_pods.go`,
//! with the ContainerRestartRules gate on, as in 1.35).

use crate::cluster::pod::PodPhase;
use crate::cluster::template::{ContainerKind, RestartPolicy};

/// A container status reduced to what `getPhase` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusView {
    Running {
        started: bool,
    },
    Terminated {
        exit_code: i32,
    },
    /// Waiting, with the exit code of the last termination if there was one.
    Waiting {
        last_exit: Option<i32>,
    },
}

/// One container of the pod, in spec order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhaseContainer {
    pub kind: ContainerKind,
    /// A container-level `restartPolicy` (not for sidecars).
    pub restart_policy: Option<RestartPolicy>,
    /// `None`: the kubelet has no status for it.
    pub status: Option<StatusView>,
}

/// `ContainerShouldRestart` (`pkg/api/v1/pod/util.go`): the container's own policy if
/// it has one, else the pod's.
pub fn should_restart(container: Option<RestartPolicy>, pod: RestartPolicy, exit_code: i32) -> bool {
    container.unwrap_or(pod).restarts(exit_code)
}

#[derive(Default)]
struct Counts {
    pending_regular_init: u32,
    failed_init_not_restartable: u32,
    pending_restartable_init: u32,
    unknown: u32,
    running: u32,
    waiting: u32,
    stopped: u32,
    succeeded: u32,
    stopped_not_restartable: u32,
}

/// `getPhase(pod, statuses, podIsTerminal, podHasInitialized)`.
pub fn get_phase(
    pod_policy: RestartPolicy,
    containers: impl IntoIterator<Item = PhaseContainer>,
    pod_is_terminal: bool,
    pod_has_initialized: bool,
) -> PodPhase {
    let mut n = Counts::default();
    for c in containers {
        match c.kind {
            ContainerKind::Init => count_regular_init(&c, pod_policy, &mut n),
            ContainerKind::Sidecar => count_sidecar(&c, &mut n),
            ContainerKind::App => count_regular(&c, pod_policy, &mut n),
        }
    }
    if n.failed_init_not_restartable > 0 {
        return PodPhase::Failed;
    }
    if n.pending_regular_init > 0 || (n.pending_restartable_init > 0 && !pod_has_initialized) {
        return PodPhase::Pending;
    }
    if n.waiting > 0 {
        return PodPhase::Pending;
    }
    if n.running > 0 && n.unknown == 0 {
        return PodPhase::Running;
    }
    if n.running == 0 && n.stopped > 0 && n.unknown == 0 {
        if pod_is_terminal || n.stopped == n.stopped_not_restartable {
            return if n.stopped == n.succeeded { PodPhase::Succeeded } else { PodPhase::Failed };
        }
        return PodPhase::Running;
    }
    PodPhase::Pending
}

fn count_regular_init(c: &PhaseContainer, pod_policy: RestartPolicy, n: &mut Counts) {
    let failed_exit = match c.status {
        None | Some(StatusView::Running { .. }) => {
            n.pending_regular_init += 1;
            return;
        }
        Some(StatusView::Terminated { exit_code: 0 }) | Some(StatusView::Waiting { last_exit: Some(0) }) => return,
        Some(StatusView::Terminated { exit_code }) | Some(StatusView::Waiting { last_exit: Some(exit_code) }) => {
            exit_code
        }
        Some(StatusView::Waiting { last_exit: None }) => {
            n.pending_regular_init += 1;
            return;
        }
    };
    if !should_restart(c.restart_policy, pod_policy, failed_exit) {
        n.failed_init_not_restartable += 1;
    }
}

fn count_sidecar(c: &PhaseContainer, n: &mut Counts) {
    match c.status {
        None => n.unknown += 1,
        Some(StatusView::Running { started }) => {
            n.running += 1;
            if !started {
                n.pending_restartable_init += 1;
            }
        }
        Some(StatusView::Terminated { .. }) | Some(StatusView::Waiting { last_exit: Some(_) }) => {}
        Some(StatusView::Waiting { last_exit: None }) => {
            n.pending_restartable_init += 1;
            n.waiting += 1;
        }
    }
}

fn count_regular(c: &PhaseContainer, pod_policy: RestartPolicy, n: &mut Counts) {
    match c.status {
        None => n.unknown += 1,
        Some(StatusView::Running { .. }) => n.running += 1,
        Some(StatusView::Terminated { exit_code }) => {
            n.stopped += 1;
            if exit_code == 0 {
                n.succeeded += 1;
            }
            if !should_restart(c.restart_policy, pod_policy, exit_code) {
                n.stopped_not_restartable += 1;
            }
        }
        Some(StatusView::Waiting { last_exit: Some(exit_code) }) => {
            n.stopped += 1;
            if !should_restart(c.restart_policy, pod_policy, exit_code) {
                n.stopped_not_restartable += 1;
            }
        }
        Some(StatusView::Waiting { last_exit: None }) => n.waiting += 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn vectors(section: &str) -> Vec<Value> {
        let all: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/kubernetes/vectors.json"
        )))
        .unwrap();
        all[section].as_array().unwrap().clone()
    }

    /// The state codes of the vectors (`_meta.container_state_codes`).
    pub fn status_of(code: &str) -> StatusView {
        match code {
            "running" | "notStarted" => StatusView::Running { started: false },
            "started" => StatusView::Running { started: true },
            "stopped" | "succeeded" => StatusView::Terminated { exit_code: 0 },
            "failed" => StatusView::Terminated { exit_code: -1 },
            "waiting" => StatusView::Waiting { last_exit: None },
            "waitingLastTermZero" => StatusView::Waiting { last_exit: Some(0) },
            "waitingLastTermNonZero" => StatusView::Waiting { last_exit: Some(-1) },
            other => panic!("unknown state code {other}"),
        }
    }

    fn container(spec: &Value, init: bool, statuses: &Value) -> PhaseContainer {
        let name = spec["name"].as_str().unwrap();
        let rp = spec["restartPolicy"].as_str();
        let kind = match (init, rp) {
            (true, Some("Always")) => ContainerKind::Sidecar,
            (true, _) => ContainerKind::Init,
            (false, _) => ContainerKind::App,
        };
        let restart_policy =
            if kind == ContainerKind::Sidecar { None } else { rp.map(|p| RestartPolicy::parse(Some(p))) };
        PhaseContainer { kind, restart_policy, status: statuses[name].as_str().map(status_of) }
    }

    #[test]
    fn every_kubernetes_phase_case() {
        let cases = vectors("1_pod_phase");
        assert_eq!(cases.len(), 79);
        for case in cases {
            let mut containers: Vec<PhaseContainer> = case["initContainers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| container(c, true, &case["statuses"]))
                .collect();
            containers
                .extend(case["containers"].as_array().unwrap().iter().map(|c| container(c, false, &case["statuses"])));
            let policy = RestartPolicy::parse(case["restartPolicy"].as_str());
            let got = get_phase(
                policy,
                containers.iter().copied(),
                case["podIsTerminal"] == true,
                case["podHasInitialized"] == true,
            );
            assert_eq!(got.as_str(), case["expectedPhase"], "{} / {}", case["test_func"], case["name"]);
        }
    }
}
