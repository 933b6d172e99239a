//! What the kubelet does next with a pod (`computePodActions`, `kuberuntime_manager.go`),
//! as a pure function of the pod's containers.

use crate::cluster::pod::{ContainerStatus, Stage};
use crate::cluster::template::{ContainerKind, PodTemplate, RestartPolicy};
use crate::kubelet::phase::should_restart;

/// The next step for a pod that is not being terminated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PodActions {
    /// Start these containers (none: wait for something to happen).
    Start(Vec<usize>),
    /// Every regular container is done and will not run again: stop the sidecars.
    Complete,
}

/// Init containers run one at a time in order; a sidecar lets the next one start once
/// it is `started`; app containers start together once every init container is done.
pub fn compute(template: &PodTemplate, containers: &[ContainerStatus]) -> PodActions {
    for (i, c) in containers.iter().enumerate().take(template.first_app) {
        match template.containers[i].kind {
            ContainerKind::Sidecar if !c.has_started => return start_if_idle(i, c),
            ContainerKind::Init if !c.completed => return start_if_idle(i, c),
            _ => {}
        }
    }
    let app = template.app_containers();
    let all_done = app.clone().all(|i| containers[i].stage == Stage::Exited);
    if all_done {
        return PodActions::Complete;
    }
    PodActions::Start(app.filter(|i| containers[*i].stage == Stage::Idle).collect())
}

fn start_if_idle(i: usize, c: &ContainerStatus) -> PodActions {
    PodActions::Start(if c.stage == Stage::Idle { vec![i] } else { Vec::new() })
}

/// Whether a container that just exited is started again (`ShouldContainerBeRestarted`):
/// sidecars always while the pod runs; regular init containers only after a failure
/// the policy retries; app containers as their (or the pod's) policy says.
pub fn restarts(
    kind: ContainerKind,
    container_policy: Option<RestartPolicy>,
    pod_policy: RestartPolicy,
    exit_code: i32,
) -> bool {
    match kind {
        ContainerKind::Sidecar => true,
        ContainerKind::Init => exit_code != 0 && should_restart(container_policy, pod_policy, exit_code),
        ContainerKind::App => should_restart(container_policy, pod_policy, exit_code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::pod::{Container, PodSpec};
    use crate::cluster::Images;
    use crate::cluster::resources::ResourceNames;
    use crate::engine::SimTime;
    use std::sync::Arc;

    fn template(inits: &[(&str, bool)], apps: &[&str]) -> PodTemplate {
        let c = |name: &str, sidecar: bool| Container {
            name: name.into(),
            image: Some("i".into()),
            restart_policy: sidecar.then(|| "Always".into()),
            ..Default::default()
        };
        let spec = PodSpec {
            init_containers: inits.iter().map(|(n, s)| c(n, *s)).collect(),
            containers: apps.iter().map(|n| c(n, false)).collect(),
            ..Default::default()
        };
        PodTemplate::compile(Arc::new(spec), &mut ResourceNames::default(), &mut Images::default(), Default::default())
    }

    fn statuses(n: usize) -> Vec<ContainerStatus> {
        (0..n).map(|_| ContainerStatus::unseen()).collect()
    }

    #[test]
    fn init_containers_run_one_at_a_time_then_apps_together() {
        let t = template(&[("a", false), ("b", false)], &["x", "y"]);
        let mut s = statuses(4);
        assert_eq!(compute(&t, &s), PodActions::Start(vec![0]));
        s[0].stage = Stage::Running { started_at: SimTime::from_ms(0) };
        assert_eq!(compute(&t, &s), PodActions::Start(vec![]), "wait for a");
        s[0].stage = Stage::Exited;
        s[0].completed = true;
        assert_eq!(compute(&t, &s), PodActions::Start(vec![1]));
        s[1].stage = Stage::Exited;
        s[1].completed = true;
        assert_eq!(compute(&t, &s), PodActions::Start(vec![2, 3]));
        s[2].stage = Stage::Exited;
        s[3].stage = Stage::Exited;
        assert_eq!(compute(&t, &s), PodActions::Complete);
    }

    #[test]
    fn a_sidecar_unblocks_the_next_init_once_started_and_keeps_running() {
        let t = template(&[("log", true), ("setup", false)], &["app"]);
        let mut s = statuses(3);
        assert_eq!(compute(&t, &s), PodActions::Start(vec![0]));
        s[0].stage = Stage::Running { started_at: SimTime::from_ms(0) };
        assert_eq!(compute(&t, &s), PodActions::Start(vec![]), "not started yet (startup probe)");
        s[0].has_started = true;
        assert_eq!(compute(&t, &s), PodActions::Start(vec![1]));
        s[1].completed = true;
        s[1].stage = Stage::Exited;
        assert_eq!(compute(&t, &s), PodActions::Start(vec![2]));
        s[2].stage = Stage::Exited;
        assert_eq!(compute(&t, &s), PodActions::Complete, "the sidecar does not block completion");
    }

    #[test]
    fn restart_rules_by_kind() {
        use ContainerKind::*;
        use RestartPolicy::*;
        assert!(restarts(Sidecar, None, Never, 0));
        assert!(!restarts(Init, None, Always, 0), "a completed init container is done");
        assert!(restarts(Init, None, Always, 1));
        assert!(!restarts(Init, None, Never, 1));
        assert!(restarts(App, None, Always, 0));
        assert!(!restarts(App, None, OnFailure, 0));
        assert!(restarts(App, None, OnFailure, 137));
        assert!(!restarts(App, Some(Never), Always, 1), "the container's own policy wins");
    }
}
