//! The pod conditions the kubelet writes (`pkg/kubelet/status/generate.go`):
//! `Initialized`, `ContainersReady` and `Ready`.

use crate::cluster::pod::PodPhase;
use crate::cluster::template::ContainerKind;

/// A container's status flags as the condition generators read them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CondStatus {
    pub ready: bool,
    pub started: bool,
    /// Running now or terminated: for `HasAnyRegularContainerStarted`.
    pub has_run: bool,
}

#[derive(Clone, Copy, Debug)]
pub struct CondContainer<'a> {
    pub name: &'a str,
    pub kind: ContainerKind,
    pub status: Option<CondStatus>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub kind: &'static str,
    pub status: bool,
    pub reason: Option<&'static str>,
    pub message: Option<String>,
}

impl Condition {
    fn yes(kind: &'static str) -> Condition {
        Condition { kind, status: true, reason: None, message: None }
    }

    fn no(kind: &'static str, reason: &'static str, message: Option<String>) -> Condition {
        Condition { kind, status: false, reason: Some(reason), message }
    }
}

/// Go's `fmt.Sprintf("%s", []string{...})`: `[a b]`.
fn go_list(names: &[&str]) -> String {
    format!("[{}]", names.join(" "))
}

fn messages(parts: &[(&str, &[&str])]) -> Option<String> {
    let texts: Vec<String> = parts
        .iter()
        .filter(|(_, names)| !names.is_empty())
        .map(|(what, names)| format!("containers with {what} status: {}", go_list(names)))
        .collect();
    (!texts.is_empty()).then(|| texts.join(", "))
}

/// `GenerateContainersReadyCondition`. `statuses_known` is false when the kubelet has
/// no statuses at all (a nil list).
pub fn containers_ready(containers: &[CondContainer], statuses_known: bool, phase: PodPhase) -> Condition {
    const KIND: &str = "ContainersReady";
    if !statuses_known {
        return Condition::no(KIND, "UnknownContainerStatuses", None);
    }
    let (mut unknown, mut unready) = (Vec::new(), Vec::new());
    for c in containers.iter().filter(|c| c.kind != ContainerKind::Init) {
        match c.status {
            None => unknown.push(c.name),
            Some(s) if !s.ready => unready.push(c.name),
            Some(_) => {}
        }
    }
    if phase == PodPhase::Succeeded && unknown.is_empty() {
        return Condition::no(KIND, "PodCompleted", None);
    }
    if phase == PodPhase::Failed {
        return Condition::no(KIND, "PodFailed", None);
    }
    match messages(&[("unknown", &unknown), ("unready", &unready)]) {
        Some(m) => Condition::no(KIND, "ContainersNotReady", Some(m)),
        None => Condition::yes(KIND),
    }
}

/// The status of a readiness-gate condition on the pod, when it exists.
pub type GateStatus<'a> = (&'a str, Option<&'a str>);

/// `GeneratePodReadyCondition`: containers ready and every readiness gate `True`.
pub fn pod_ready(
    containers: &[CondContainer],
    statuses_known: bool,
    phase: PodPhase,
    gates: &[GateStatus],
) -> Condition {
    let cr = containers_ready(containers, statuses_known, phase);
    if !cr.status {
        return Condition { kind: "Ready", ..cr };
    }
    let unready: Vec<String> = gates
        .iter()
        .filter_map(|(gate, status)| match status {
            None => Some(format!("corresponding condition of pod readiness gate \"{gate}\" does not exist.")),
            Some("True") => None,
            Some(s) => Some(format!("the status of pod readiness gate \"{gate}\" is not \"True\", but {s}")),
        })
        .collect();
    if unready.is_empty() {
        Condition::yes("Ready")
    } else {
        Condition::no("Ready", "ReadinessGatesNotReady", Some(unready.join(", ")))
    }
}

/// `GeneratePodInitializedCondition`.
pub fn initialized(containers: &[CondContainer], statuses_known: bool, phase: PodPhase) -> Condition {
    const KIND: &str = "Initialized";
    let inits: Vec<&CondContainer> = containers.iter().filter(|c| c.kind != ContainerKind::App).collect();
    if inits.is_empty() {
        return Condition::yes(KIND);
    }
    if !statuses_known {
        return Condition::no(KIND, "UnknownContainerStatuses", None);
    }
    let (mut unknown, mut incomplete) = (Vec::new(), Vec::new());
    for c in &inits {
        match (c.status, c.kind) {
            (None, _) => unknown.push(c.name),
            (Some(s), ContainerKind::Sidecar) if !s.started => incomplete.push(c.name),
            (Some(s), ContainerKind::Init) if !s.ready => incomplete.push(c.name),
            _ => {}
        }
    }
    if phase == PodPhase::Succeeded && unknown.is_empty() {
        return Condition { kind: KIND, status: true, reason: Some("PodCompleted"), message: None };
    }
    let regular_started =
        containers.iter().any(|c| c.kind == ContainerKind::App && c.status.is_some_and(|s| s.has_run));
    if regular_started {
        return Condition::yes(KIND);
    }
    match messages(&[("unknown", &unknown), ("incomplete", &incomplete)]) {
        Some(m) => Condition::no(KIND, "ContainersNotInitialized", Some(m)),
        None => Condition::yes(KIND),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn status_of(code: &str) -> CondStatus {
        match code {
            "ready" => CondStatus { ready: true, started: true, has_run: true },
            "notReady" => CondStatus { ready: false, started: true, has_run: true },
            "started" => CondStatus { ready: false, started: true, has_run: true },
            "notStarted" => CondStatus { ready: false, started: false, has_run: true },
            "running" => CondStatus { ready: false, started: false, has_run: true },
            other => panic!("unknown state code {other}"),
        }
    }

    #[test]
    fn every_kubernetes_condition_case() {
        let all: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/kubernetes/vectors.json"
        )))
        .unwrap();
        let cases = all["4_pod_conditions"].as_array().unwrap();
        assert_eq!(cases.len(), 35);
        for case in cases {
            let statuses = &case["containerStatuses"];
            let known = !statuses.is_null();
            let name_of = |c: &Value| c.as_str().or(c["name"].as_str()).unwrap().to_string();
            let mut specs: Vec<(String, ContainerKind)> = case["initContainers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        name_of(c),
                        if c["restartPolicy"] == "Always" { ContainerKind::Sidecar } else { ContainerKind::Init },
                    )
                })
                .collect();
            specs.extend(case["containers"].as_array().unwrap().iter().map(|c| (name_of(c), ContainerKind::App)));
            let containers: Vec<CondContainer> = specs
                .iter()
                .map(|(n, k)| CondContainer { name: n, kind: *k, status: statuses[n.as_str()].as_str().map(status_of) })
                .collect();
            let phase = match case["podPhase"].as_str().unwrap() {
                "Running" => PodPhase::Running,
                "Succeeded" => PodPhase::Succeeded,
                "Pending" => PodPhase::Pending,
                _ => PodPhase::Failed,
            };
            let gates: Vec<String> = case["readinessGates"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|g| g.as_str().unwrap().to_string())
                .collect();
            let conds: Vec<(String, String)> = case["podConditions"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| (c["type"].as_str().unwrap().to_string(), c["status"].as_str().unwrap().to_string()))
                .collect();
            let gate_status: Vec<GateStatus> = gates
                .iter()
                .map(|g| (g.as_str(), conds.iter().find(|(k, _)| k == g).map(|(_, v)| v.as_str())))
                .collect();
            let expected = &case["expected"];
            let got = match expected["type"].as_str().unwrap() {
                "ContainersReady" => containers_ready(&containers, known, phase),
                "Ready" => pod_ready(&containers, known, phase, &gate_status),
                _ => initialized(&containers, known, phase),
            };
            let ctx = format!("{} {:?}", case["test_func"], case);
            assert_eq!(got.status, expected["status"] == "True", "{ctx}");
            assert_eq!(got.reason, expected["reason"].as_str(), "{ctx}");
            if let Some(m) = expected["message"].as_str() {
                assert_eq!(got.message.as_deref(), Some(m), "{ctx}");
            }
        }
    }
}
