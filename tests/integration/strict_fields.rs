//! Strict field validation, as kubectl asks the API server for it since 1.27: a field
//! the kind's schema does not have refuses the manifest (exit 2, file:line, the
//! upstream `strict decoding error`), a real field podsim does not model is a note;
//! lowercase enum values are refused with the API server's messages.

use super::robustness::podsim;

const NODES: &str = "nodes:\n  - name: worker\n    count: 2\n    capacity: {cpu: \"4\", memory: 16Gi, pods: 110}\n";

/// A scenario reading `m.yaml`, and the manifest.
fn scenario_with(manifest: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let scenario = format!("name: strict\nduration: 1m\n{NODES}workloads:\n  - manifest: m.yaml\n");
    std::fs::write(dir.path().join("scenario.yaml"), scenario).unwrap();
    std::fs::write(dir.path().join("m.yaml"), manifest).unwrap();
    dir
}

/// `validate` of the manifest alone and of the scenario, and `run`, all exit 2 with
/// every fragment on stderr, and leave no output folder.
fn refused(manifest: &str, fragments: &[&str]) {
    let dir = scenario_with(manifest);
    for args in [&["validate", "m.yaml"][..], &["validate", "scenario.yaml"], &["run", "scenario.yaml", "--out", "out"]]
    {
        let (code, _, stderr) = podsim(dir.path(), args);
        assert_eq!(code, 2, "{args:?}: exit {code}:\n{stderr}\n--- manifest ---\n{manifest}");
        for f in fragments {
            assert!(stderr.contains(f), "{args:?}: stderr lacks {f:?}:\n{stderr}");
        }
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert!(!dir.path().join("out").exists(), "an output folder was left behind");
}

fn pod(spec: &str) -> String {
    format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n{spec}")
}

const PREFIX_POD: &str = "Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: ";

#[test]
fn a_misspelt_restart_policy_is_refused_not_defaulted() {
    refused(
        &pod("  restartpolicy: Never\n  containers:\n  - name: c\n    image: busybox\n"),
        &["m.yaml:6:18: ", &format!("{PREFIX_POD}unknown field \"spec.restartpolicy\"")],
    );
}

#[test]
fn a_misspelt_field_in_a_container_is_named_with_its_index() {
    refused(
        &pod(
            "  containers:\n  - name: a\n    image: busybox\n  - name: c\n    image: busybox\n    imagePullpolicy: Always\n",
        ),
        &["m.yaml:11:22: ", &format!("{PREFIX_POD}unknown field \"spec.containers[1].imagePullpolicy\"")],
    );
}

#[test]
fn resources_request_is_refused_and_every_unknown_field_listed() {
    refused(
        &pod(
            "  containers:\n  - name: c\n    image: busybox\n    resources:\n      request: {cpu: 500m}\n  restartpolicy: Never\n",
        ),
        &[
            "m.yaml:10:16: ",
            &format!(
                "{PREFIX_POD}unknown field \"spec.containers[0].resources.request\", unknown field \"spec.restartpolicy\""
            ),
        ],
    );
}

#[test]
fn a_jobs_backofflimit_is_refused() {
    refused(
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  backofflimit: 2\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox}]\n",
        &[
            "m.yaml:5:17: ",
            "Job in version \"v1\" cannot be handled as a Job: strict decoding error: unknown field \"spec.backofflimit\"",
        ],
    );
}

#[test]
fn an_unknown_field_in_a_deployment_template_is_refused() {
    refused(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata:\n      labels: {app: web}\n      containers: [{name: c, image: nginx}]\n    spec:\n      containers: [{name: c, image: nginx}]\n",
        &[
            "m.yaml:9:19: ",
            "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.template.metadata.containers\"",
        ],
    );
}

#[test]
fn an_inline_object_is_refused_at_its_place_in_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = format!(
        "name: strict\n{NODES}workloads:\n  - object:\n      apiVersion: v1\n      kind: Pod\n      metadata: {{name: p}}\n      spec:\n        containers: [{{name: c, image: i, command: [sleep]}}]\n        restartpolicy: Never\n"
    );
    std::fs::write(dir.path().join("scenario.yaml"), scenario).unwrap();
    let (code, _, stderr) = podsim(dir.path(), &["validate", "scenario.yaml"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "scenario.yaml:13:24: workloads[0].object: {PREFIX_POD}unknown field \"spec.restartpolicy\""
        )),
        "{stderr}"
    );
}

#[test]
fn a_key_given_twice_is_a_duplicate_field() {
    refused(
        &pod("  restartPolicy: Never\n  restartPolicy: Always\n  containers: [{name: c, image: busybox}]\n"),
        &["m.yaml:7:3: ", "strict decoding error: duplicate field \"restartPolicy\""],
    );
}

#[test]
fn a_misspelt_field_of_a_kind_podsim_skips_is_refused_too() {
    refused(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndatas: {a: b}\n---\n",
        &[
            "m.yaml:4:8: ",
            "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"datas\"",
        ],
    );
}

#[test]
fn a_lowercase_operator_is_refused_with_the_api_servers_message() {
    refused(
        &pod(
            "  containers: [{name: c, image: busybox}]\n  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        nodeSelectorTerms:\n        - matchExpressions:\n          - {key: zone, operator: in, values: [a]}\n",
        ),
        &[
            "m.yaml:12:35: ",
            "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: \"in\": not a valid selector operator",
        ],
    );
    refused(
        &pod("  containers: [{name: c, image: busybox}]\n  tolerations: [{key: gpu, operator: exists}]\n"),
        &["spec.tolerations[0].operator: Unsupported value: \"exists\": supported values: \"Equal\", \"Exists\""],
    );
}

#[test]
fn a_lowercase_restart_policy_is_refused() {
    refused(
        &pod("  restartPolicy: never\n  containers:\n  - name: c\n    image: busybox\n    imagePullPolicy: always\n"),
        &[
            "m.yaml:6:18: spec.restartPolicy: Unsupported value: \"never\": supported values: \"Always\", \"OnFailure\", \"Never\"",
            "m.yaml:10:22: spec.containers[0].imagePullPolicy: Unsupported value: \"always\": supported values: \"Always\", \"IfNotPresent\", \"Never\"",
        ],
    );
}

#[test]
fn an_invalid_label_value_is_refused() {
    refused(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: web-}\nspec:\n  containers: [{name: c, image: busybox}]\n",
        &["m.yaml:5:11: metadata.labels: Invalid value: \"web-\": a valid label must be an empty string"],
    );
}

#[test]
fn a_real_field_podsim_does_not_model_is_a_note() {
    let dir = scenario_with(&pod(
        "  restartPolicy: Never\n  securityContext: {runAsUser: 1000}\n  containers:\n  - name: c\n    image: busybox\n    command: [sleep, \"5\"]\n",
    ));
    let (code, stdout, stderr) = podsim(dir.path(), &["validate", "m.yaml"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("not simulated: Pod spec.containers[].command (in 1 object(s))"), "{stdout}");
    assert!(stdout.contains("not simulated: Pod spec.securityContext (in 1 object(s))"), "{stdout}");
    let (code, _, stderr) = podsim(dir.path(), &["run", "scenario.yaml", "--out", "out"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("spec.containers[].command"), "{stderr}");
}

#[test]
fn a_misspelt_key_of_a_node_pools_taint_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = "name: strict\nnodes:\n  - name: gpu\n    count: 1\n    capacity: {cpu: \"4\", memory: 16Gi, pods: 110}\n    taints: [{key: gpu, vaule: \"true\", effect: NoSchedule}]\n";
    std::fs::write(dir.path().join("scenario.yaml"), scenario).unwrap();
    let (code, _, stderr) = podsim(dir.path(), &["validate", "scenario.yaml"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("scenario.yaml:6:32: nodes[0].taints[0].vaule: unknown field \"vaule\" in a taint"),
        "{stderr}"
    );
}
