//! Kubernetes' behaviour where podsim once differed from it: each test names the upstream
//! source of the rule and checks the exact times of the transitions and events.

use crate::common::{load_text, run};

/// One 4-CPU node.
const ONE_NODE: &str = r#"
name: fidelity
nodes:
  - name: worker
    capacity: {cpu: "4", memory: 16Gi}
"#;

/// A pod with one init container (2 s) and an app container, on a node that crashes at
/// 1m and comes back at 2m.
fn reinit_scenario(policy: &str) -> String {
    format!(
        "{ONE_NODE}duration: 10m
workloads:
  - object:
      apiVersion: v1
      kind: Pod
      metadata: {{name: web}}
      spec:
        restartPolicy: {policy}
        initContainers: [{{name: init, image: busybox}}]
        containers: [{{name: app, image: nginx}}]
behaviors:
  - match: {{container: init}}
    startup: 1s
    runFor: 2s
  - match: {{container: app}}
    startup: 1s
faults:
  - {{at: 1m, node: worker-0, action: crash, for: 1m}}
"
    )
}

/// A recreated sandbox runs the init containers again; since Kubernetes 1.32 the kubelet
/// reports the pod `Pending` until they are done (`getPhase`, `pkg/kubelet/kubelet_pods.go`,
/// with `podHasInitialized` = a regular container started in the current sandbox:
/// `HasAnyActiveRegularContainerStarted`, `pkg/kubelet/container/helpers.go`).
#[test]
fn a_recreated_sandbox_reinitializes_a_restart_always_pod_in_pending() {
    let o = run(load_text(&reinit_scenario("Always")));
    assert_eq!(
        o.rows("default,web"),
        vec![
            "0,Pod,default,web,,Pending,,",
            "0,Container,default,web/init,,Waiting,PodInitializing,worker-0",
            "0,Container,default,web/app,,Waiting,PodInitializing,worker-0",
            "1000,Container,default,web/init,Waiting,Running,,worker-0",
            "3000,Container,default,web/init,Running,Terminated,Completed,worker-0",
            "4000,Container,default,web/app,Waiting,Running,,worker-0",
            "4000,Pod,default,web,Pending,Running,,worker-0",
            "120000,Container,default,web/app,Running,Waiting,PodInitializing,worker-0",
            "121000,Container,default,web/init,Terminated,Running,,worker-0",
            "121000,Pod,default,web,Running,Pending,,worker-0",
            "123000,Container,default,web/init,Running,Terminated,Completed,worker-0",
            "123000,Pod,default,web,Pending,Running,,worker-0",
            "124000,Container,default,web/app,Waiting,Running,,worker-0",
        ],
        "{}",
        o.transitions
    );
}

/// Unless the pod restarts `Always`, the status manager refuses an update that moves an
/// init container that succeeded out of `Terminated` (`checkContainerStateTransition`,
/// `pkg/kubelet/status/status_manager.go`; the API server's
/// `ValidateInitContainerStateTransition` the same): while the init container runs again
/// the API keeps its old status, and the pod stays `Running`.
#[test]
fn an_on_failure_pod_keeps_its_init_status_while_the_new_sandbox_reinitializes() {
    let o = run(load_text(&reinit_scenario("OnFailure")));
    assert_eq!(
        o.rows("default,web")[7..],
        [
            "120000,Container,default,web/app,Running,Waiting,PodInitializing,worker-0",
            "124000,Container,default,web/app,Waiting,Running,,worker-0",
        ],
        "{}",
        o.transitions
    );
    // containers.csv: the init container's new run shows once it is over (restart 1).
    let init: Vec<&str> = o.containers.lines().filter(|l| l.contains(",init,")).collect();
    assert_eq!(init.len(), 4, "{}", o.containers);
    assert!(
        init[3].starts_with(
            "123000,default,web,1,init,Terminated,Completed,,0,121000,123000,1,true,false,Completed,0,1000,3000"
        ),
        "{}",
        init[3]
    );
}

/// `activeDeadlineSeconds` runs out at 1m: the kubelet records `DeadlineExceeded` and
/// kills the pod with its grace period (`activeDeadlineHandler`,
/// `pkg/kubelet/active_deadline.go`), but the API shows `Failed` (reason
/// `DeadlineExceeded`) only once the last container has stopped, 10 s later
/// (`mergePodStatus`, `pkg/kubelet/status/status_manager.go`).
#[test]
fn a_pod_past_its_active_deadline_fails_once_its_containers_stopped() {
    let o = run(load_text(&format!(
        "{ONE_NODE}workloads:
  - object:
      apiVersion: v1
      kind: Pod
      metadata: {{name: slow}}
      spec:
        activeDeadlineSeconds: 60
        containers: [{{name: app, image: nginx}}]
behaviors:
  - match: {{container: app}}
    terminationTime: 10s
"
    )));
    assert_eq!(
        o.rows("default,slow"),
        vec![
            "0,Pod,default,slow,,Pending,,",
            "0,Container,default,slow/app,,Waiting,ContainerCreating,worker-0",
            "0,Container,default,slow/app,Waiting,Running,,worker-0",
            "0,Pod,default,slow,Pending,Running,,worker-0",
            "70000,Container,default,slow/app,Running,Terminated,Error,worker-0",
            "70000,Pod,default,slow,Running,Failed,DeadlineExceeded,worker-0",
        ],
        "{}",
        o.transitions
    );
    let events: Vec<&str> = o.event_rows("default,slow").into_iter().filter(|e| !e.contains(",Scheduled,")).collect();
    assert_eq!(
        events.iter().map(|e| e.split(',').take(3).collect::<Vec<_>>().join(",")).collect::<Vec<_>>(),
        vec![
            "0,Normal,Pulling",
            "0,Normal,Pulled",
            "0,Normal,Created",
            "0,Normal,Started",
            "60000,Normal,DeadlineExceeded",
            "60000,Normal,Killing"
        ],
        "{}",
        o.events
    );
}

/// A Job's pod on a node that stops reporting: the node is `Unknown` at 1m55s and the
/// node lifecycle controller marks its pods not ready then (`MarkPodsNotReady`); the pod is
/// evicted when its 300 s toleration of the unreachable taint (added at 2m) runs out, at
/// 7m. The Job controller counts a terminating pod as failed at its finish time, which
/// for a pod whose containers never reported an end is when Ready turned False
/// (`getFinishedTime`, `pkg/controller/job/backoff_utils.go`), five minutes earlier: the
/// 10 s back-off is long over, and the replacement comes with the next sync, 1 s later.
#[test]
fn a_job_replaces_a_pod_evicted_from_a_dead_node_within_the_sync_batch() {
    let o = run(load_text(
        r#"
name: evicted-job-pod
duration: 15m
nodes:
  - name: big
    capacity: {cpu: "4", memory: 16Gi}
  - name: small
    capacity: {cpu: "1", memory: 16Gi}
workloads:
  - object:
      apiVersion: batch/v1
      kind: Job
      metadata: {name: crunch}
      spec:
        template:
          spec:
            restartPolicy: Never
            containers: [{name: work, image: busybox, resources: {requests: {cpu: "2"}}}]
behaviors:
  - match: {container: work}
    runFor: 30m
faults:
  - {at: 1m, node: big-0, action: crash}
"#,
    ));
    let at = |reason: &str| -> Vec<u64> {
        o.event_rows(&format!(",{reason},")).iter().map(|r| r.split(',').next().unwrap().parse().unwrap()).collect()
    };
    // The node's event, then the pod's (`MarkPodsNotReady`).
    assert_eq!(at("NodeNotReady"), vec![115_000, 115_000], "{}", o.events);
    assert_eq!(
        o.event_rows(",NodeNotReady,Pod,"),
        ["115000,Warning,NodeNotReady,Pod,default,crunch-dmzcp,big-0,Node is not ready"],
        "{}",
        o.events
    );
    assert_eq!(at("TaintManagerEviction"), vec![420_000], "{}", o.events);
    assert_eq!(at("SuccessfulCreate"), vec![0, 421_000], "{}", o.events);
}

/// The prober records a Warning `Unhealthy` for every failed probe (`prober.probe`,
/// `pkg/kubelet/prober/prober.go`): a liveness probe every 10 s with failureThreshold 3,
/// failing from 61 s, fails at 70, 80 and 90 s, and the third failure kills the
/// container, so `kubectl describe` shows `(x3 over 20s)` before `Killing`. The
/// readiness probe (every 5 s) fails at 0 s, before the container answers at 2 s, and
/// from 65 s on. (Killing's message has a comma, so its field is cut there.)
#[test]
fn every_failed_probe_records_unhealthy() {
    let o = run(load_text(&format!(
        "{ONE_NODE}duration: 100s
workloads:
  - object:
      apiVersion: v1
      kind: Pod
      metadata: {{name: web}}
      spec:
        terminationGracePeriodSeconds: 5
        containers:
          - name: app
            image: nginx
            livenessProbe: {{httpGet: {{path: /healthz, port: 80}}, periodSeconds: 10, failureThreshold: 3}}
            readinessProbe: {{httpGet: {{path: /ready, port: 80}}, periodSeconds: 5}}
behaviors:
  - match: {{container: app}}
    readyAfter: 2s
    unhealthyAfter: 61s
"
    )));
    let probe_events: Vec<String> = o
        .event_rows("default,web")
        .iter()
        .filter(|e| e.contains(",Unhealthy,") || e.contains(",Killing,"))
        .map(|e| {
            let f: Vec<&str> = e.split(',').collect();
            format!("{} {} {}", f[0], f[2], f[7].trim_start_matches('"').split(':').next().unwrap())
        })
        .collect();
    assert_eq!(
        probe_events,
        [
            "0 Unhealthy Readiness probe failed",
            "65000 Unhealthy Readiness probe failed",
            "70000 Unhealthy Liveness probe failed",
            "70000 Unhealthy Readiness probe failed",
            "75000 Unhealthy Readiness probe failed",
            "80000 Unhealthy Liveness probe failed",
            "80000 Unhealthy Readiness probe failed",
            "85000 Unhealthy Readiness probe failed",
            "90000 Unhealthy Liveness probe failed",
            "90000 Unhealthy Readiness probe failed",
            "90000 Killing Container app failed liveness probe",
            // The container exits at once (no terminationTime) and restarts: its first
            // readiness probe, before it answers.
            "90000 Unhealthy Readiness probe failed",
        ],
        "{}",
        o.events
    );
}

/// Deleting a pod with a sidecar at 1m: the kubelet records `Killing` for every container
/// when it starts killing the pod (`killContainer` records it before the sidecar waits for
/// its turn, `pkg/kubelet/kuberuntime/kuberuntime_container.go`); the app stops in 5 s,
/// then the sidecar gets SIGTERM and stops in 3 s.
#[test]
fn graceful_deletion_records_killing_for_every_container_at_once() {
    let o = run(load_text(&format!(
        "{ONE_NODE}workloads:
  - object:
      apiVersion: v1
      kind: Pod
      metadata: {{name: web}}
      spec:
        initContainers: [{{name: proxy, image: envoy, restartPolicy: Always}}]
        containers: [{{name: app, image: nginx}}]
behaviors:
  - match: {{container: app}}
    terminationTime: 5s
  - match: {{container: proxy}}
    terminationTime: 3s
actions:
  - {{at: 1m, delete: pod/web}}
"
    )));
    let killing: Vec<String> = o
        .event_rows(",Killing,")
        .iter()
        .map(|e| format!("{} {}", e.split(',').next().unwrap(), e.rsplit(',').next().unwrap()))
        .collect();
    assert_eq!(killing, ["60000 Stopping container app", "60000 Stopping container proxy"], "{}", o.events);
    assert_eq!(
        o.rows("default,web")[6..],
        [
            "65000,Container,default,web/app,Running,Terminated,Error,worker-0",
            "68000,Container,default,web/proxy,Running,Terminated,Error,worker-0",
            "68000,Pod,default,web,Running,Failed,,worker-0",
        ],
        "{}",
        o.transitions
    );
}

/// `attempts:` times a recovery exactly: an init container that fails its first three
/// runs (crash-loop back-off 0 s, 10 s, 20 s: `doBackOff`, `kuberuntime_manager.go`)
/// succeeds on the fourth, at 36 s, and the app starts when it is done.
#[test]
fn an_init_container_succeeds_on_its_fourth_attempt() {
    let o = run(load_text(&format!(
        "{ONE_NODE}duration: 1m
workloads:
  - object:
      apiVersion: v1
      kind: Pod
      metadata: {{name: web}}
      spec:
        initContainers: [{{name: migrate, image: busybox}}]
        containers: [{{name: app, image: nginx}}]
behaviors:
  - match: {{container: migrate}}
    runFor: 2s
    attempts: [{{exitCode: 1}}, {{exitCode: 1}}, {{exitCode: 1}}]
"
    )));
    let migrate: Vec<u64> = crate::common::times(&o.rows("web/migrate,Waiting,Running"));
    assert_eq!(migrate, [0, 14_000, 36_000], "{}", o.transitions);
    assert_eq!(
        o.rows("web/migrate,Running,Terminated"),
        [
            "2000,Container,default,web/migrate,Running,Terminated,Error,worker-0",
            "4000,Container,default,web/migrate,Running,Terminated,Error,worker-0",
            "16000,Container,default,web/migrate,Running,Terminated,Error,worker-0",
            "38000,Container,default,web/migrate,Running,Terminated,Completed,worker-0",
        ],
        "{}",
        o.transitions
    );
    assert_eq!(o.rows("Pod,default,web,Pending,Running"), ["38000,Pod,default,web,Pending,Running,,worker-0"]);
}

/// A Job's pods count their runs together: "fail twice, then succeed" fails the first two
/// pods (replaced after the Job's back-off, 10 s then 20 s from each failure:
/// `backoff_utils.go`) and the third succeeds. An action fixes the registry at 10m
/// (`patch: behavior/registry`): the next pull, the back-off's retry at 10m16s, succeeds.
#[test]
fn behaviors_change_by_attempt_and_by_action() {
    let o = run(load_text(&format!(
        "{ONE_NODE}duration: 15m
workloads:
  - object:
      apiVersion: batch/v1
      kind: Job
      metadata: {{name: flaky}}
      spec:
        template:
          spec:
            restartPolicy: Never
            containers: [{{name: work, image: busybox}}]
  - object:
      apiVersion: v1
      kind: Pod
      metadata: {{name: puller}}
      spec:
        containers: [{{name: app, image: \"registry.example/app:2\"}}]
behaviors:
  - match: {{container: work}}
    runFor: 10s
    attempts: [{{exitCode: 1}}, {{exitCode: 1}}]
  - name: registry
    match: {{image: \"registry.example/*\"}}
    imagePull: 1s
    imagePullFails: 1
actions:
  - {{at: 10m, patch: behavior/registry, set: {{imagePullFails: 0}}}}
"
    )));
    let ends: Vec<&str> = o.rows("/work,Running,Terminated").iter().map(|r| r.rsplit(',').nth(1).unwrap()).collect();
    assert_eq!(ends, ["Error", "Error", "Completed"], "{}", o.transitions);
    assert_eq!(crate::common::times(&o.rows("/work,Running,Terminated")), [11_000, 31_000, 61_000]);
    let created: Vec<u64> = crate::common::times(&o.rows(",Pending,,"));
    assert_eq!(created, [0, 0, 21_000, 51_000], "{}", o.transitions);
    assert_eq!(
        o.rows("Job,default,flaky,SuccessCriteriaMet,Complete"),
        ["62000,Job,default,flaky,SuccessCriteriaMet,Complete,CompletionsReached,"]
    );
    let pulls: Vec<u64> = crate::common::times(&o.rows("puller/app,Waiting,Waiting,ErrImagePull"));
    assert_eq!(pulls, [1_000, 33_000, 74_000, 155_000, 316_000], "{}", o.transitions);
    assert_eq!(o.rows("puller/app,Waiting,Running"), ["617000,Container,default,puller/app,Waiting,Running,,worker-0"]);
}

/// A change to a behavior names an existing behavior and its real fields.
#[test]
fn behavior_changes_are_validated() {
    let scenario = |attempt: &str, action: &str| {
        format!(
            "{ONE_NODE}behaviors:
  - name: registry
    match: {{image: \"r/*\"}}
    attempts: [{attempt}]
actions:
  - {action}
"
        )
    };
    let err = |text: &str| {
        podsim::scenario::load("t.yaml", text, &|_: &str| Err("no files".to_string())).unwrap_err().to_string()
    };
    let e = err(&scenario("{exitCod: 1}", "{at: 1m, patch: behavior/registry, set: {imagePullFails: 0}}"));
    assert!(e.contains("t.yaml:9:") && e.contains("unknown field `exitCod`"), "{e}");
    let e = err(&scenario("{exitCode: 1}", "{at: 1m, patch: behavior/nope, set: {imagePullFails: 0}}"));
    assert!(e.contains("no behavior is named \"nope\""), "{e}");
    let e = err(&scenario("{exitCode: 1}", "{at: 1m, patch: behavior/registry, set: {imagePullFail: 0}}"));
    assert!(e.contains("actions[0].set") && e.contains("unknown field `imagePullFail`"), "{e}");
}

/// One pod named `name` with one container `app` (nginx) and the given lifecycle, grace
/// period and behavior fields.
fn hook_pod(name: &str, grace: u32, lifecycle: &str) -> String {
    format!(
        "  - object:
      apiVersion: v1
      kind: Pod
      metadata: {{name: {name}}}
      spec:
        terminationGracePeriodSeconds: {grace}
        containers: [{{name: app, image: \"nginx:1.27\", lifecycle: {lifecycle}}}]
"
    )
}

/// `preStop` (`killContainer` and `executePreStopHook`,
/// `pkg/kubelet/kuberuntime/kuberuntime_container.go`): the hook runs first and its time
/// counts against the grace period, in whole seconds (the kubelet subtracts
/// `int64(elapsed.Seconds())`); a hook longer than the grace is cut off when the grace
/// runs out, then the stop signal still gets the minimum window of 2 s; a failing hook
/// records `FailedPreStopHook` and the stop signal follows.
#[test]
fn pre_stop_hooks_count_against_the_grace_period() {
    let o = run(load_text(&format!(
        "{ONE_NODE}duration: 5m
workloads:
{}{}{}{}behaviors:
  - match: {{pod: quick}}
    preStop: 5s
    terminationTime: 3s
  - match: {{pod: slow}}
    preStop: 20s
    terminationTime: 1m
  - match: {{pod: partial}}
    preStop: 2500ms
    terminationTime: 1m
  - match: {{pod: failing}}
    preStop: 1s
    preStopFails: 1
    terminationTime: 1s
actions:
  - {{at: 1m, delete: pod/quick}}
  - {{at: 1m, delete: pod/slow}}
  - {{at: 1m, delete: pod/partial}}
  - {{at: 1m, delete: pod/failing}}
",
        hook_pod("quick", 30, "{preStop: {exec: {command: [nginx, -s, quit]}}}"),
        hook_pod("slow", 10, "{preStop: {httpGet: {path: /drain, port: 80}}}"),
        hook_pod("partial", 30, "{preStop: {exec: {command: [drain]}}}"),
        hook_pod("failing", 30, "{preStop: {exec: {command: [drain]}}}"),
    )));
    // quick: hook 60-65 s, SIGTERM at 65 s, exits 3 s later with 143.
    // slow: hook cut off at 70 s (grace 10 s), SIGKILL 2 s later.
    // partial: hook 60-62.5 s counts 2 s, so the 28 s left run to 90.5 s.
    // failing: hook fails at 61 s, SIGTERM, exits at 62 s.
    assert_eq!(
        o.rows(",Running,Terminated,"),
        [
            "62000,Container,default,failing/app,Running,Terminated,Error,worker-0",
            "68000,Container,default,quick/app,Running,Terminated,Error,worker-0",
            "72000,Container,default,slow/app,Running,Terminated,Error,worker-0",
            "90500,Container,default,partial/app,Running,Terminated,Error,worker-0",
        ],
        "{}",
        o.transitions
    );
    let exits: Vec<&str> = o.rows(",Running,Terminated,").iter().map(|r| r.split(',').nth(3).unwrap()).collect();
    assert_eq!(exits, ["failing/app", "quick/app", "slow/app", "partial/app"]);
    assert_eq!(
        o.event_rows(",FailedPreStopHook,"),
        ["61000,Warning,FailedPreStopHook,Pod,default,failing,worker-0,PreStopHook failed"],
        "{}",
        o.events
    );
    assert_eq!(o.event_rows(",Killing,").len(), 4, "{}", o.events);
    assert!(o.event_rows(",Killing,").iter().all(|e| e.starts_with("60000,")), "{}", o.events);
}

/// `postStart` (`startContainer`, step 4): the container is started (`Started`), then
/// the kubelet waits for the hook, and reports it running only once the hook returned,
/// with `startedAt` when it started. A failing hook records `FailedPostStartHook` and
/// kills the container (`Killing` with the message "FailedPostStartHook", the pod's
/// grace); it restarts as its restart policy says: here the second run's hook succeeds.
#[test]
fn post_start_hooks_hold_the_container_until_they_return() {
    let o = run(load_text(&format!(
        "{ONE_NODE}duration: 2m
workloads:
{}{}behaviors:
  - match: {{pod: ok}}
    startup: 1s
    postStart: 3s
  - match: {{pod: broken}}
    startup: 1s
    postStart: 2s
    terminationTime: 1s
    attempts: [{{postStartFails: 1}}]
",
        hook_pod("ok", 30, "{postStart: {exec: {command: [warm-up]}}}"),
        hook_pod("broken", 30, "{postStart: {httpGet: {path: /init, port: 80}}}"),
    )));
    assert_eq!(
        o.rows("ok/app,"),
        [
            "0,Container,default,ok/app,,Waiting,ContainerCreating,worker-0",
            "4000,Container,default,ok/app,Waiting,Running,,worker-0",
        ],
        "{}",
        o.transitions
    );
    assert_eq!(o.rows("Pod,default,ok,Pending,Running"), ["4000,Pod,default,ok,Pending,Running,,worker-0"]);
    let ok_events: Vec<&str> =
        o.event_rows("default,ok,").iter().map(|e| e.split(',').take(3).last().unwrap()).collect();
    assert_eq!(ok_events, ["Scheduled", "Pulling", "Pulled", "Created", "Started"], "{}", o.events);
    assert_eq!(o.event_rows(",Started,Pod,default,ok,")[0].split(',').next(), Some("1000"));

    let broken: Vec<String> = o
        .event_rows("default,broken,")
        .iter()
        .map(|e| {
            let f: Vec<&str> = e.split(',').collect();
            format!("{} {} {}", f[0], f[2], f[7])
        })
        .filter(|e| !e.contains("Scheduled") && !e.contains("Pull"))
        .collect();
    assert_eq!(
        broken,
        [
            "0 Created Created container: app",
            "1000 Started Started container app",
            "3000 FailedPostStartHook PostStartHook failed",
            "3000 Killing FailedPostStartHook",
            "4000 Created Created container: app",
            "5000 Started Started container app",
        ],
        "{}",
        o.events
    );
    assert_eq!(
        o.rows("broken/app,"),
        [
            "0,Container,default,broken/app,,Waiting,ContainerCreating,worker-0",
            "4000,Container,default,broken/app,Waiting,Terminated,Error,worker-0",
            // Restarted at once (the first back-off is 0): the API shows the last
            // state until the new run is reported, after its hook.
            "7000,Container,default,broken/app,Terminated,Running,,worker-0",
        ],
        "{}",
        o.transitions
    );
}

/// The API server's rules for hooks (`validateLifecycle`, `validateHandler`,
/// `validateSleepAction`): one action, a sleep within the grace period, no hooks on a
/// regular init container; each error names its file, line and field.
#[test]
fn lifecycle_hooks_are_validated() {
    let err = |spec: &str| {
        let text = format!(
            "{ONE_NODE}workloads:
  - object:
      apiVersion: v1
      kind: Pod
      metadata: {{name: web}}
      spec:
{spec}"
        );
        podsim::scenario::load("t.yaml", &text, &|_: &str| Err("no files".to_string())).unwrap_err().to_string()
    };
    let e = err("        containers: [{name: app, image: nginx, lifecycle: {preStop: {sleep: {seconds: 40}}}}]\n");
    assert!(
        e.contains("t.yaml:12:")
            && e.contains("spec.containers[0].lifecycle.preStop.sleep: Invalid value: 40: must be non-negative and less than terminationGracePeriodSeconds (30)"),
        "{e}"
    );
    let e = err("        containers: [{name: app, image: nginx, lifecycle: {postStart: {}}}]\n");
    assert!(e.contains("spec.containers[0].lifecycle.postStart: Required value: must specify a handler type"), "{e}");
    let e = err(
        "        containers: [{name: app, image: nginx, lifecycle: {postStart: {exec: {command: [a]}, sleep: {seconds: 1}}}}]\n",
    );
    assert!(e.contains("lifecycle.postStart.sleep: Forbidden: may not specify more than 1 handler type"), "{e}");
    let e = err("        initContainers: [{name: init, image: busybox, lifecycle: {preStop: {exec: {command: [a]}}}}]
        containers: [{name: app, image: nginx}]\n");
    assert!(
        e.contains("spec.initContainers[0].lifecycle: Forbidden: may not be set for init containers without restartPolicy=Always"),
        "{e}"
    );
}

/// A pod on a node that crashes at 1m (one of two: a zone whose every node is down
/// evicts nothing), under the control plane `kubernetes` describes.
fn crash_with(kubernetes: &str) -> crate::common::Outcome {
    run(load_text(&format!(
        "name: crash
duration: 10m
nodes:
  - name: worker
    capacity: {{cpu: \"4\", memory: 16Gi}}
  - name: spare
    capacity: {{cpu: \"1\", memory: 16Gi}}
{kubernetes}
workloads:
  - object:
      apiVersion: v1
      kind: Pod
      metadata: {{name: web}}
      spec:
        nodeName: worker-0
        containers: [{{name: app, image: nginx}}]
faults:
  - {{at: 1m, node: worker-0, action: crash}}
"
    )))
}

fn event_times(o: &crate::common::Outcome, reason: &str) -> Vec<u64> {
    // The node's events (a pod's NodeNotReady comes with its node's).
    crate::common::times(
        &o.event_rows(&format!(",{reason},"))
            .into_iter()
            .filter(|e| !e.contains(",Pod,") || reason != "NodeNotReady")
            .collect::<Vec<_>>(),
    )
}

/// `kubernetes.version` picks that version's defaults: `--node-monitor-grace-period` was
/// 40 s until 1.31 and is 50 s since 1.32 (`pkg/controller/nodelifecycle/config/v1alpha1/
/// defaults.go`, kubernetes/kubernetes#126287), so a node that stops reporting at 1m is
/// `NodeNotReady` at the first 5 s monitor pass after 1m40s, or after 1m50s. The flags
/// override the defaults: a 20 s grace, a 10 s monitor period, and 60 s default
/// tolerations (`--default-unreachable-toleration-seconds`, the DefaultTolerationSeconds
/// admission plugin) that evict the pod 60 s after the NoExecute taint, one pass after.
#[test]
fn the_kubernetes_section_sets_the_version_and_the_control_plane_flags() {
    let latest = crash_with("");
    assert_eq!(event_times(&latest, "NodeNotReady"), [115_000], "{}", latest.events);
    assert_eq!(event_times(&latest, "TaintManagerEviction"), [420_000], "{}", latest.events);

    let v131 = crash_with("kubernetes: {version: \"1.31\"}");
    assert_eq!(event_times(&v131, "NodeNotReady"), [105_000], "{}", v131.events);
    assert_eq!(event_times(&v131, "TaintManagerEviction"), [410_000], "{}", v131.events);
    assert_eq!(event_times(&crash_with("kubernetes: {version: v1.32.3}"), "NodeNotReady"), [115_000]);

    let flags = crash_with(
        "kubernetes:
  version: \"1.33\"
  kube-apiserver: {default-unreachable-toleration-seconds: 60}
  kube-controller-manager: {node-monitor-grace-period: 20s, node-monitor-period: 10s}",
    );
    assert_eq!(event_times(&flags, "NodeNotReady"), [90_000], "{}", flags.events);
    assert_eq!(event_times(&flags, "TaintManagerEviction"), [160_000], "{}", flags.events);
}

/// A pod too big for the one small node, and a tainted node added every 2 s from 1s to
/// 29s: each addition is a NodeAdd that NodeResourcesFit's QueueingHint says may help
/// (the new node has room), so the pod leaves the unschedulable pool for the backoffQ and
/// is tried again when its back-off ends, counted from its last failure
/// (`getBackoffTime`, `pkg/scheduler/backend/queue/scheduling_queue.go`:
/// `podInitialBackoffSeconds` doubled per failed attempt, at most
/// `podMaxBackoffSeconds`; `calculateBackoffDuration`). Each attempt fails on one more
/// tainted node, so each FailedScheduling is new. An addition while the pod is in the
/// backoffQ changes nothing.
fn backoff_with(kubernetes: &str) -> crate::common::Outcome {
    let adds: String =
        (0..15).map(|i| format!("  - {{at: {}s, action: add, pool: tainted, count: 1}}\n", 1 + 2 * i)).collect();
    run(load_text(&format!(
        "name: backoff
duration: 40s
{kubernetes}
nodes:
  - name: small
    capacity: {{cpu: \"1\", memory: 4Gi}}
  - name: tainted
    count: 0
    capacity: {{cpu: \"4\", memory: 16Gi}}
    taints: [{{key: dedicated, value: batch, effect: NoSchedule}}]
workloads:
  - object:
      apiVersion: v1
      kind: Pod
      metadata: {{name: big}}
      spec:
        containers: [{{name: app, image: busybox, resources: {{requests: {{cpu: \"2\"}}}}}}]
faults:
{adds}"
    )))
}

/// kube-scheduler's pod back-off, defaults and configured. With the defaults (1 s
/// doubled, at most 10 s) the failures after the first are at the later of the addition
/// and the end of the back-off: 1s (the 1 s back-off is over at the addition), 3s (1 + 2),
/// 7s (the addition at 5s waits until 3 + 4), 15s (7 + 8), 25s and 35s (10 s at most).
/// With `podInitialBackoffSeconds: 2` and `podMaxBackoffSeconds: 8`: 2s, 6s (2 + 4),
/// 14s (6 + 8), 22s and 30s (8 s at most); the last addition is at 29s. The events.k8s.io
/// recorder writes the first failure, the second (which starts the series) and, at the
/// end of the run, the series with its count and last failure (`event_series.csv`).
#[test]
fn the_scheduler_backs_off_as_its_configuration_says() {
    let defaults = backoff_with("");
    assert_eq!(event_times(&defaults, "FailedScheduling"), [0, 1_000, 40_000], "{}", defaults.events);
    assert_eq!(defaults.event_series.lines().nth(2).map(|l| l.split_once(',').unwrap().1), Some("7,0,35000"));
    let configured =
        backoff_with("kubernetes:\n  kube-scheduler: {podInitialBackoffSeconds: 2, podMaxBackoffSeconds: 8}");
    assert_eq!(event_times(&configured, "FailedScheduling"), [0, 2_000, 40_000], "{}", configured.events);
    assert_eq!(configured.event_series.lines().nth(2).map(|l| l.split_once(',').unwrap().1), Some("6,0,30000"));
    // The series keeps its first words; the last attempt's are the summary's.
    let summary: serde_json::Value = serde_json::from_str(&configured.summary).unwrap();
    let last = "0/16 nodes are available: 1 Insufficient cpu, 15 node(s) had untolerated taint {dedicated: batch}.";
    let at_end = summary["failures"]["unschedulable_at_end"].as_object().unwrap();
    assert!(at_end.keys().any(|m| m.starts_with(last)), "{at_end:?}");
}

/// A node's kubelet reports its version (`VersionInfo`, `pkg/kubelet/nodestatus/setters.go`):
/// the scenario's Kubernetes version, `v1.31.0` for 1.31, and the OS and architecture its
/// labels name.
#[test]
fn the_kubelet_reports_the_scenario_s_version_in_node_info() {
    let node_info = |o: &crate::common::Outcome| -> Vec<String> {
        o.objects
            .lines()
            .filter(|l| l.contains("\"NodeCreated\""))
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["node"]["status"]["nodeInfo"].to_string()
            })
            .collect()
    };
    let o = run(load_text(&format!("{ONE_NODE}kubernetes: {{version: \"1.31\"}}\n")));
    assert_eq!(node_info(&o), [r#"{"architecture":"amd64","kubeletVersion":"v1.31.0","operatingSystem":"linux"}"#]);
    let o = run(load_text(
        "name: given
nodes:
  - name: arm
    capacity: {cpu: \"4\", memory: 16Gi}
    labels: {kubernetes.io/arch: arm64}
",
    ));
    assert_eq!(node_info(&o), [r#"{"architecture":"arm64","kubeletVersion":"v1.34.0","operatingSystem":"linux"}"#]);
}

/// `--terminated-pod-gc-threshold`: the pod GC deletes the oldest terminated pods beyond
/// it at its next 20 s pass (`gcTerminated`, `pkg/controller/podgc/gc_controller.go`);
/// 0 turns it off.
#[test]
fn the_terminated_pod_gc_threshold_is_a_flag() {
    let scenario = |threshold: &str| {
        format!(
            "{ONE_NODE}duration: 2m
kubernetes:
  kube-controller-manager: {{terminated-pod-gc-threshold: {threshold}}}
workloads:
  - arrivals:
      interarrival: 1s
      count: 4
      object:
        apiVersion: v1
        kind: Pod
        metadata: {{name: done}}
        spec:
          restartPolicy: Never
          containers: [{{name: app, image: busybox}}]
behaviors:
  - match: {{container: app}}
    runFor: 5s
"
        )
    };
    let removed = |o: &crate::common::Outcome| -> Vec<String> {
        o.objects.lines().filter(|l| l.contains("\"PodRemoved\"")).map(str::to_string).collect()
    };
    // done-1 and done-2 (uids 1 and 2), the oldest, go at the pass at 20 s.
    let o = run(load_text(&scenario("2")));
    assert_eq!(
        removed(&o),
        [r#"{"op":"PodRemoved","t":20000,"uid":1}"#, r#"{"op":"PodRemoved","t":20000,"uid":2}"#],
        "{}",
        o.transitions
    );
    assert!(removed(&run(load_text(&scenario("0")))).is_empty());
    assert!(removed(&run(load_text(&scenario("12500")))).is_empty());
}

/// The section is checked: a version podsim does not follow, a misspelt flag, values
/// out of range; each error names its file, line and field.
#[test]
fn the_kubernetes_section_is_validated() {
    let err = |section: &str| {
        let text = format!("{ONE_NODE}kubernetes:\n{section}");
        podsim::scenario::load("t.yaml", &text, &|_: &str| Err("no files".to_string())).unwrap_err().to_string()
    };
    let e = err("  version: \"1.29\"\n");
    assert!(
        e.contains("t.yaml:7:")
            && e.contains("kubernetes.version: Unsupported value: \"1.29\": supported values: \"1.31\" to \"1.34\""),
        "{e}"
    );
    let e = err("  kube-controller-manager: {node-monitor-grace: 20s}\n");
    assert!(e.contains("unknown field `node-monitor-grace`"), "{e}");
    let e = err("  kube-controller-manager: {node-monitor-grace-period: 0s}\n");
    assert!(e.contains("kubernetes.kube-controller-manager.node-monitor-grace-period: Invalid value: \"0s\""), "{e}");
    let e = err("  kube-apiserver: {default-not-ready-toleration-seconds: -1}\n");
    assert!(e.contains("kubernetes.kube-apiserver.default-not-ready-toleration-seconds: Invalid value: -1"), "{e}");
    let e = err("  kube-scheduler: {podInitialBackoffSeconds: 20}\n");
    assert!(
        e.contains("kubernetes.kube-scheduler.podMaxBackoffSeconds: Invalid value: 10: must be greater than or equal to PodInitialBackoffSeconds"),
        "{e}"
    );
}
