//! Manifest tables: each invalid manifest with the error Kubernetes reports
//! for it (most texts as `pkg/apis/batch/validation/validation_test.go` quotes
//! them), and valid manifests with their defaulted fields.

use super::*;
use crate::api::cronjob::CronJob;
use crate::api::job::Job;
use crate::api::validation::{validate_cronjob, validate_job};

const POD: &str = "{spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}";
const UID: &str = PLACEHOLDER_UID;

fn job_errors(yaml: &str) -> Vec<String> {
    let mut job: Job = serde_saphyr::from_str(yaml).unwrap_or_else(|e| panic!("{yaml}: {e}"));
    let mut errs = Vec::new();
    validate_job(&mut job, &mut errs);
    errs.iter().map(ToString::to_string).collect()
}

fn cronjob_errors(yaml: &str) -> Vec<String> {
    let mut cj: CronJob = serde_saphyr::from_str(yaml).unwrap_or_else(|e| panic!("{yaml}: {e}"));
    let mut errs = Vec::new();
    validate_cronjob(&mut cj, &mut errs);
    errs.iter().map(ToString::to_string).collect()
}

/// A Job named `pi` with a valid pod template and `fields` added to its spec.
fn job(fields: &str) -> String {
    format!("metadata: {{name: pi}}\nspec: {{{fields}{}template: {POD}}}", if fields.is_empty() { "" } else { ", " })
}

/// An Indexed Job with `completions` and `fields` added to its spec.
fn indexed(completions: u32, fields: &str) -> String {
    let sep = if fields.is_empty() { "" } else { ", " };
    job(&format!("completionMode: Indexed, completions: {completions}{sep}{fields}"))
}

/// A Job with a pod failure policy of the given rules.
fn pfp(rules: &str) -> String {
    job(&format!("podFailurePolicy: {{rules: [{rules}]}}"))
}

fn cronjob(fields: &str) -> String {
    scheduled("0 * * * *", fields)
}

/// A CronJob named `hourly` with a valid Job template, the given schedule and
/// `fields` added to its spec.
fn scheduled(schedule: &str, fields: &str) -> String {
    format!(
        "metadata: {{name: hourly}}\nspec: {{schedule: '{schedule}', {fields}jobTemplate: {{spec: {{template: {POD}}}}}}}"
    )
}

fn assert_reports(errs: &[String], want: &str, input: &str) {
    assert!(errs.iter().any(|e| e == want), "{input}\n  want {want}\n  got  {errs:#?}");
}

#[test]
fn job_fields_are_checked_as_kubernetes_checks_them() {
    let cases: Vec<(String, &str)> = vec![
        (job("parallelism: -1"), "spec.parallelism: Invalid value: -1: must be greater than or equal to 0"),
        (job("completions: -1"), "spec.completions: Invalid value: -1: must be greater than or equal to 0"),
        (
            job("activeDeadlineSeconds: -1"),
            "spec.activeDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0",
        ),
        (job("backoffLimit: -1"), "spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0"),
        (
            job("ttlSecondsAfterFinished: -1"),
            "spec.ttlSecondsAfterFinished: Invalid value: -1: must be greater than or equal to 0",
        ),
        (
            job("completionMode: Sometimes"),
            "spec.completionMode: Unsupported value: \"Sometimes\": supported values: \"NonIndexed\", \"Indexed\"",
        ),
        (
            job("completionMode: Indexed, parallelism: 2"),
            "spec.completions: Required value: when completion mode is Indexed",
        ),
        (
            indexed(2, "parallelism: 100001"),
            "spec.parallelism: Invalid value: 100001: must be less than or equal to 100000 when completion mode is Indexed",
        ),
        (
            job("backoffLimitPerIndex: 1"),
            "spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode",
        ),
        (job("maxFailedIndexes: 1"), "spec.maxFailedIndexes: Invalid value: 1: requires indexed completion mode"),
        (
            indexed(3, "backoffLimitPerIndex: -1"),
            "spec.backoffLimitPerIndex: Invalid value: -1: must be greater than or equal to 0",
        ),
        (
            indexed(3, "backoffLimitPerIndex: 1, maxFailedIndexes: -1"),
            "spec.maxFailedIndexes: Invalid value: -1: must be greater than or equal to 0",
        ),
        (
            indexed(3, "maxFailedIndexes: 1"),
            "spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified",
        ),
        (
            indexed(10, "backoffLimitPerIndex: 1, maxFailedIndexes: 11"),
            "spec.maxFailedIndexes: Invalid value: 11: must be less than or equal to completions",
        ),
        (
            indexed(100_001, "backoffLimitPerIndex: 1"),
            "spec.maxFailedIndexes: Required value: must be specified when completions is above 100000",
        ),
        (
            indexed(100_001, "backoffLimitPerIndex: 1, maxFailedIndexes: 1, parallelism: 50000"),
            "spec.parallelism: Invalid value: 50000: must be less than or equal to 10000 when completions are above 100000 and used with backoff limit per index",
        ),
        (
            indexed(100_001, "backoffLimitPerIndex: 1, maxFailedIndexes: 100001"),
            "spec.maxFailedIndexes: Invalid value: 100001: must be less than or equal to 100000",
        ),
        (
            indexed(100_001, "backoffLimitPerIndex: 1, maxFailedIndexes: 50000"),
            "spec.maxFailedIndexes: Invalid value: 50000: must be less than or equal to 10000 when completions are above 100000 and used with backoff limit per index",
        ),
        (
            job("podReplacementPolicy: Sometimes"),
            "spec.podReplacementPolicy: Unsupported value: \"Sometimes\": supported values: \"Failed\", \"TerminatingOrFailed\"",
        ),
        (
            job("podReplacementPolicy: ''"),
            "spec.podReplacementPolicy: Unsupported value: \"\": supported values: \"Failed\", \"TerminatingOrFailed\"",
        ),
    ];
    for (yaml, want) in &cases {
        assert_reports(&job_errors(yaml), want, yaml);
    }
}

#[test]
fn the_template_must_not_restart_always() {
    let template = |policy: &str| {
        format!("metadata: {{name: pi}}\nspec: {{template: {{spec: {{{policy}containers: [{{name: c, image: i}}]}}}}}}")
    };
    let required = "spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"";
    assert_eq!(job_errors(&template("")), [required]);
    assert_eq!(job_errors(&template("restartPolicy: Always, ")), [required]);
    assert_eq!(
        job_errors(&template("restartPolicy: Sometimes, ")),
        [
            "spec.template.spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
            "spec.template.spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"OnFailure\", \"Never\"",
        ]
    );
    assert!(job_errors(&template("restartPolicy: OnFailure, ")).is_empty());
    let no_image = "metadata: {name: pi}\nspec: {template: {spec: {restartPolicy: Never, containers: [{name: c}]}}}";
    assert_eq!(job_errors(no_image), ["spec.template.spec.containers[0].image: Required value"]);
}

#[test]
fn pod_failure_policies_are_checked_rule_by_rule() {
    let many_rules = vec!["{action: FailJob, onExitCodes: {operator: In, values: [1]}}"; 21].join(", ");
    let many_values: Vec<String> = (1..=256).map(|v| v.to_string()).collect();
    let many_values = format!("{{action: Count, onExitCodes: {{operator: In, values: [{}]}}}}", many_values.join(", "));
    let many_patterns = vec!["{type: T}"; 21].join(", ");
    let many_patterns = format!("{{action: Ignore, onPodConditions: [{many_patterns}]}}");
    let rule0 = "spec.podFailurePolicy.rules[0]";
    let cases: Vec<(String, String)> = vec![
        (
            pfp("{action: '', onExitCodes: {operator: In, values: [1]}}"),
            format!("{rule0}.action: Required value: valid values: [\"Count\" \"FailIndex\" \"FailJob\" \"Ignore\"]"),
        ),
        (
            pfp("{action: UnknownAction, onExitCodes: {operator: In, values: [1]}}"),
            format!("{rule0}.action: Unsupported value: \"UnknownAction\": supported values: \"Count\", \"FailIndex\", \"FailJob\", \"Ignore\""),
        ),
        (
            pfp("{action: FailIndex, onExitCodes: {operator: In, values: [1]}}"),
            format!("{rule0}.action: Invalid value: \"FailIndex\": requires the backoffLimitPerIndex to be set"),
        ),
        (
            pfp("{action: Ignore, onExitCodes: {operator: '', values: [1]}}"),
            format!("{rule0}.onExitCodes.operator: Required value: valid values: [\"In\" \"NotIn\"]"),
        ),
        (
            pfp("{action: Ignore, onExitCodes: {operator: UnknownOperator, values: [1]}}"),
            format!("{rule0}.onExitCodes.operator: Unsupported value: \"UnknownOperator\": supported values: \"In\", \"NotIn\""),
        ),
        (
            pfp("{action: Ignore, onExitCodes: {operator: In, values: [1]}}, {action: FailJob, onExitCodes: {containerName: xyz, operator: In, values: [5]}}"),
            "spec.podFailurePolicy.rules[1].onExitCodes.containerName: Invalid value: \"xyz\": must be one of the container or initContainer names in the pod template".to_string(),
        ),
        (
            pfp("{action: FailJob, onExitCodes: {operator: In, values: []}}"),
            format!("{rule0}.onExitCodes.values: Invalid value: []int32{{}}: at least one value is required"),
        ),
        (pfp(&many_values), format!("{rule0}.onExitCodes.values: Too many: 256: must have at most 255 items")),
        (
            pfp("{action: Ignore, onExitCodes: {operator: In, values: [1, 0, 2]}}"),
            format!("{rule0}.onExitCodes.values[1]: Invalid value: 0: must not be 0 for the In operator"),
        ),
        (
            pfp("{action: FailJob, onExitCodes: {operator: In, values: [12, 13, 13, 13]}}"),
            format!("{rule0}.onExitCodes.values[2]: Duplicate value: 13"),
        ),
        (
            pfp("{action: FailJob, onExitCodes: {operator: In, values: [19, 11]}}"),
            format!("{rule0}.onExitCodes.values: Invalid value: []int32{{19, 11}}: must be ordered"),
        ),
        (
            pfp("{action: FailJob, onExitCodes: {operator: In, values: [1]}, onPodConditions: [{type: DisruptionTarget}]}"),
            format!("{rule0}: Invalid value: specifying both OnExitCodes and OnPodConditions is not supported"),
        ),
        (
            pfp("{action: FailJob}"),
            format!("{rule0}: Invalid value: specifying one of OnExitCodes and OnPodConditions is required"),
        ),
        (pfp(&many_rules), "spec.podFailurePolicy.rules: Too many: 21: must have at most 20 items".to_string()),
        (pfp(&many_patterns), format!("{rule0}.onPodConditions: Too many: 21: must have at most 20 items")),
        (
            pfp("{action: Ignore, onPodConditions: [{type: '', status: 'True'}]}"),
            format!("{rule0}.onPodConditions[0].type: Invalid value: \"\": name part must be non-empty"),
        ),
        (
            pfp("{action: Ignore, onPodConditions: [{type: Invalid Condition Type}]}"),
            format!("{rule0}.onPodConditions[0].type: Invalid value: \"Invalid Condition Type\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
        ),
        (
            pfp("{action: Ignore, onPodConditions: [{type: DisruptionTarget, status: UnknownStatus}]}"),
            format!("{rule0}.onPodConditions[0].status: Unsupported value: \"UnknownStatus\": supported values: \"False\", \"True\", \"Unknown\""),
        ),
        (
            job("podReplacementPolicy: TerminatingOrFailed, podFailurePolicy: {rules: [{action: Ignore, onPodConditions: [{type: DisruptionTarget}]}]}"),
            "spec.podReplacementPolicy: Unsupported value: \"TerminatingOrFailed\": supported values: \"Failed\"".to_string(),
        ),
        (
            "metadata: {name: pi}\nspec: {podFailurePolicy: {rules: []}, template: {spec: {restartPolicy: OnFailure, containers: [{name: c, image: i}]}}}".to_string(),
            "spec.template.spec.restartPolicy: Invalid value: \"OnFailure\": only \"Never\" is supported when podFailurePolicy is specified".to_string(),
        ),
    ];
    for (yaml, want) in &cases {
        assert_reports(&job_errors(yaml), want, yaml);
    }
}

#[test]
fn fail_index_rules_need_backoff_limit_per_index() {
    let ok = indexed(
        3,
        "backoffLimitPerIndex: 1, podFailurePolicy: {rules: [{action: FailIndex, onExitCodes: {operator: In, values: [42]}}]}",
    );
    assert_eq!(job_errors(&ok), Vec::<String>::new());
}

#[test]
fn success_policies_are_checked_for_indexed_jobs() {
    let many = vec!["{succeededCount: 5}"; 21].join(", ");
    let long = "1".repeat(64 * 1024 + 1);
    let rule0 = "spec.successPolicy.rules[0]";
    let cases: Vec<(String, String)> = vec![
        (
            job("successPolicy: {rules: [{succeededCount: 1}]}"),
            "spec.successPolicy: Invalid value: batch.SuccessPolicy{Rules:[]batch.SuccessPolicyRule{batch.SuccessPolicyRule{SucceededIndexes:(*string)(nil), SucceededCount:1}}}: requires indexed completion mode".to_string(),
        ),
        (
            indexed(5, "successPolicy: {rules: []}"),
            "spec.successPolicy.rules: Required value: at least one rules must be specified when the successPolicy is specified".to_string(),
        ),
        (
            indexed(5, "successPolicy: {rules: [{}]}"),
            format!("{rule0}: Required value: at least one of succeededCount or succeededIndexes must be specified"),
        ),
        (
            indexed(5, "successPolicy: {rules: [{succeededIndexes: invalid-format}]}"),
            format!("{rule0}.succeededIndexes: Invalid value: \"invalid-format\": error parsing succeededIndexes: cannot convert string to integer for index: \"invalid\""),
        ),
        (
            indexed(5, "successPolicy: {rules: [{succeededIndexes: '1-7'}]}"),
            format!("{rule0}.succeededIndexes: Invalid value: \"1-7\": error parsing succeededIndexes: too large index: \"7\""),
        ),
        (
            indexed(5, "successPolicy: {rules: [{succeededIndexes: '3,1'}]}"),
            format!("{rule0}.succeededIndexes: Invalid value: \"3,1\": error parsing succeededIndexes: non-increasing order, previous: 3, current: 1"),
        ),
        (
            indexed(5, &format!("successPolicy: {{rules: [{{succeededIndexes: '{long}'}}]}}")),
            format!("{rule0}.succeededIndexes: Too long: must have at most 65536 bytes"),
        ),
        (
            indexed(5, "successPolicy: {rules: [{succeededCount: -1}]}"),
            format!("{rule0}.succeededCount: Invalid value: -1: must be greater than or equal to 0"),
        ),
        (
            indexed(5, "successPolicy: {rules: [{succeededCount: 6}]}"),
            format!("{rule0}.succeededCount: Invalid value: 6: must be less than or equal to 5 (the number of specified completions)"),
        ),
        (
            indexed(5, "successPolicy: {rules: [{succeededCount: 4, succeededIndexes: '0-2'}]}"),
            format!("{rule0}.succeededCount: Invalid value: 4: must be less than or equal to 3 (the number of indexes in the specified succeededIndexes field)"),
        ),
        (
            indexed(5, &format!("successPolicy: {{rules: [{many}]}}")),
            "spec.successPolicy.rules: Too many: 21: must have at most 20 items".to_string(),
        ),
    ];
    for (yaml, want) in &cases {
        assert_reports(&job_errors(yaml), want, yaml);
    }
    assert!(
        job_errors(&indexed(5, "successPolicy: {rules: [{succeededIndexes: '0,2-4', succeededCount: 2}]}")).is_empty()
    );
}

#[test]
fn selectors_and_generated_labels_are_checked() {
    let manual = |selector: &str, labels: &str| {
        format!(
            "metadata: {{name: pi}}\nspec: {{manualSelector: true, {selector}template: {{metadata: {{labels: {labels}}}, spec: {{restartPolicy: OnFailure, containers: [{{name: c, image: i}}]}}}}}}"
        )
    };
    let generated = |labels: &str| {
        format!(
            "metadata: {{name: pi}}\nspec: {{template: {{metadata: {{labels: {labels}}}, spec: {{restartPolicy: Never, containers: [{{name: c, image: i}}]}}}}}}"
        )
    };
    let cases: Vec<(String, String)> = vec![
        (manual("", "{a: b}"), "spec.selector: Required value".to_string()),
        (
            manual("selector: {matchLabels: {a: b}}, ", "{y: z}"),
            "spec.template.metadata.labels: Invalid value: map[string]string{\"y\":\"z\"}: `selector` does not match template `labels`".to_string(),
        ),
        (
            manual("selector: {matchExpressions: [{key: a, operator: Sometimes}]}, ", "{a: b}"),
            "spec.selector.matchExpressions[0].operator: Invalid value: \"Sometimes\": not a valid selector operator".to_string(),
        ),
        (
            manual("selector: {matchExpressions: [{key: a, operator: In}]}, ", "{a: b}"),
            "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'".to_string(),
        ),
        (
            manual("selector: {matchExpressions: [{key: a, operator: Exists, values: [b]}]}, ", "{a: b}"),
            "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'".to_string(),
        ),
        (
            job("selector: {matchLabels: {a: b}}"),
            format!("spec.selector: Invalid value: v1.LabelSelector{{MatchLabels:map[string]string{{\"a\":\"b\", \"batch.kubernetes.io/controller-uid\":\"{UID}\"}}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}}: `selector` not auto-generated"),
        ),
        (
            generated("{job-name: other}"),
            format!("spec.template.metadata.labels[job-name]: Invalid value: map[string]string{{\"batch.kubernetes.io/controller-uid\":\"{UID}\", \"batch.kubernetes.io/job-name\":\"pi\", \"controller-uid\":\"{UID}\", \"job-name\":\"other\"}}: must be 'pi'"),
        ),
        (
            generated("{batch.kubernetes.io/controller-uid: 1a2b3c}"),
            format!("spec.template.metadata.labels[batch.kubernetes.io/controller-uid]: Invalid value: map[string]string{{\"batch.kubernetes.io/controller-uid\":\"1a2b3c\", \"batch.kubernetes.io/job-name\":\"pi\", \"controller-uid\":\"{UID}\", \"job-name\":\"pi\"}}: must be '{UID}'"),
        ),
        (
            generated("{a: b c}"),
            "spec.template.metadata.labels: Invalid value: \"b c\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')".to_string(),
        ),
    ];
    for (yaml, want) in &cases {
        assert_reports(&job_errors(yaml), want, yaml);
    }
    assert!(job_errors(&manual("selector: {matchLabels: {a: b}}, ", "{a: b, c: d}")).is_empty());
    assert!(job_errors(&job("selector: {matchLabels: {batch.kubernetes.io/job-name: pi}}")).is_empty());
}

#[test]
fn names_must_fit_pod_names_and_labels() {
    let long = "a".repeat(62);
    let errs = job_errors(&format!(
        "metadata: {{name: {long}}}\nspec: {{completionMode: Indexed, completions: 10, template: {POD}}}"
    ));
    assert_eq!(
        errs,
        [format!(
            "metadata.name: Invalid value: \"{long}\": will not able to create pod with invalid DNS label: {long}-9"
        )]
    );
    let longer = "a".repeat(64);
    let errs = job_errors(&format!("metadata: {{name: {longer}}}\nspec: {{template: {POD}}}"));
    assert_reports(
        &errs,
        &format!("spec.template.metadata.labels: Invalid value: \"{longer}\": must be no more than 63 bytes"),
        &longer,
    );
    assert_reports(
        &job_errors(&format!("metadata: {{name: A}}\nspec: {{template: {POD}}}")),
        "metadata.name: Invalid value: \"A\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        "A",
    );
}

#[test]
fn job_defaults_are_applied() {
    let yaml = "metadata: {name: pi}\nspec: {template: {metadata: {labels: {app: pi}}, spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}";
    let mut plain: Job = serde_saphyr::from_str(yaml).unwrap();
    let mut errs = Vec::new();
    validate_job(&mut plain, &mut errs);
    assert!(errs.is_empty(), "{errs:?}");
    let s = &plain.spec;
    assert_eq!((s.completions, s.parallelism, s.backoff_limit), (Some(1), Some(1), Some(6)));
    assert_eq!(s.completion_mode.as_deref(), Some("NonIndexed"));
    assert_eq!((s.suspend, s.manual_selector), (Some(false), Some(false)));
    assert_eq!(s.pod_replacement_policy.as_deref(), Some("TerminatingOrFailed"));
    assert_eq!(s.template.spec.termination_grace_period_seconds, Some(30));
    assert_eq!(plain.metadata.labels.get("app").map(String::as_str), Some("pi"));
    assert!(s.selector.is_none() && !s.template.metadata.labels.contains_key(JOB_NAME_LABEL));

    let mut per_index: Job = serde_saphyr::from_str(&indexed(4, "parallelism: 2, backoffLimitPerIndex: 1")).unwrap();
    validate_job(&mut per_index, &mut errs);
    assert!(errs.is_empty(), "{errs:?}");
    let s = &per_index.spec;
    assert_eq!((s.completions, s.parallelism, s.backoff_limit), (Some(4), Some(2), Some(i32::MAX)));
    assert_eq!(s.completion_mode.as_deref(), Some("Indexed"));

    let mut work_queue: Job = serde_saphyr::from_str(&job("parallelism: 3")).unwrap();
    validate_job(&mut work_queue, &mut errs);
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!((work_queue.spec.completions, work_queue.spec.parallelism), (None, Some(3)));

    let mut with_policy: Job =
        serde_saphyr::from_str(&pfp("{action: Ignore, onPodConditions: [{type: DisruptionTarget}]}")).unwrap();
    validate_job(&mut with_policy, &mut errs);
    assert!(errs.is_empty(), "{errs:?}");
    let s = &with_policy.spec;
    assert_eq!(s.pod_replacement_policy.as_deref(), Some("Failed"));
    let pattern = &s.pod_failure_policy.as_ref().unwrap().rules[0].on_pod_conditions[0];
    assert_eq!(pattern.status.as_deref(), Some("True"));
}

#[test]
fn cronjob_fields_are_checked_as_kubernetes_checks_them() {
    let long = "a".repeat(53);
    let template = |fields: &str, pod: &str| {
        format!(
            "metadata: {{name: hourly}}\nspec: {{schedule: '@hourly', jobTemplate: {{spec: {{{fields}template: {pod}}}}}}}"
        )
    };
    let cases: Vec<(String, String)> = vec![
        (
            "metadata: {name: hourly}\nspec: {jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}}}".to_string(),
            "spec.schedule: Required value".to_string(),
        ),
        (
            scheduled("0 * * *", ""),
            "spec.schedule: Invalid value: \"0 * * *\": schedule \"0 * * *\" has 4 fields: expected exactly 5 (minute hour day-of-month month day-of-week)".to_string(),
        ),
        (
            scheduled("TZ=UTC 0 * * * *", ""),
            "spec.schedule: Invalid value: \"TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead".to_string(),
        ),
        (
            scheduled("CRON_TZ=UTC 0 * * * *", ""),
            "spec.schedule: Invalid value: \"CRON_TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead".to_string(),
        ),
        (cronjob("timeZone: '', "), "spec.timeZone: Invalid value: \"\": timeZone must be nil or non-empty string".to_string()),
        (cronjob("timeZone: Mars/Olympus, "), "spec.timeZone: Invalid value: \"Mars/Olympus\": unknown time zone Mars/Olympus".to_string()),
        (cronjob("timeZone: ../etc, "), "spec.timeZone: Invalid value: \"../etc\": unknown time zone ../etc".to_string()),
        (
            cronjob("startingDeadlineSeconds: -1, "),
            "spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0".to_string(),
        ),
        (
            cronjob("concurrencyPolicy: Sometimes, "),
            "spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: \"Allow\", \"Forbid\", \"Replace\"".to_string(),
        ),
        (
            cronjob("successfulJobsHistoryLimit: -1, "),
            "spec.successfulJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0".to_string(),
        ),
        (
            cronjob("failedJobsHistoryLimit: -1, "),
            "spec.failedJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0".to_string(),
        ),
        (
            cronjob("").replace("name: hourly", &format!("name: {long}")),
            format!("metadata.name: Invalid value: \"{long}\": must be no more than 52 characters"),
        ),
        (
            template("", "{spec: {containers: [{name: c, image: i}]}}"),
            "spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"".to_string(),
        ),
        (
            template("selector: {matchLabels: {a: b}}, ", POD),
            "spec.jobTemplate.spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"a\":\"b\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be auto-generated".to_string(),
        ),
        (
            template("manualSelector: true, ", POD),
            "spec.jobTemplate.spec.manualSelector: Unsupported value: true: supported values: \"nil\", \"false\"".to_string(),
        ),
        (
            template("parallelism: -1, ", POD),
            "spec.jobTemplate.spec.parallelism: Invalid value: -1: must be greater than or equal to 0".to_string(),
        ),
    ];
    for (yaml, want) in &cases {
        assert_reports(&cronjob_errors(yaml), want, yaml);
    }
}

#[test]
fn local_time_zones_are_refused_with_one_or_two_errors() {
    let explicit = "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones";
    assert_eq!(
        cronjob_errors(&cronjob("timeZone: Local, ")),
        [format!("spec.timeZone: Invalid value: \"Local\": {explicit}")]
    );
    assert_eq!(
        cronjob_errors(&cronjob("timeZone: local, ")),
        [
            format!("spec.timeZone: Invalid value: \"local\": {explicit}"),
            "spec.timeZone: Invalid value: \"local\": unknown time zone local".to_string(),
        ]
    );
}

#[test]
fn cronjob_defaults_are_applied() {
    let yaml = "metadata: {name: hourly}\nspec: {schedule: '@hourly', timeZone: Europe/Berlin, jobTemplate: {spec: {podFailurePolicy: {rules: [{action: Ignore, onPodConditions: [{type: DisruptionTarget}]}]}, template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}}}";
    let mut cj: CronJob = serde_saphyr::from_str(yaml).unwrap();
    let mut errs = Vec::new();
    validate_cronjob(&mut cj, &mut errs);
    assert!(errs.is_empty(), "{errs:?}");
    let s = &cj.spec;
    assert_eq!(s.concurrency_policy.as_deref(), Some("Allow"));
    assert_eq!(s.suspend, Some(false));
    assert_eq!(s.successful_jobs_history_limit, Some(DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT));
    assert_eq!(s.failed_jobs_history_limit, Some(DEFAULT_FAILED_JOBS_HISTORY_LIMIT));
    assert_eq!((DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT, DEFAULT_FAILED_JOBS_HISTORY_LIMIT), (3, 1));
    let job = &s.job_template.spec;
    assert_eq!(job.template.spec.termination_grace_period_seconds, Some(30));
    assert_eq!(job.pod_failure_policy.as_ref().unwrap().rules[0].on_pod_conditions[0].status.as_deref(), Some("True"));
    assert_eq!((job.completions, job.backoff_limit, job.completion_mode.as_deref()), (None, None, None));
}
