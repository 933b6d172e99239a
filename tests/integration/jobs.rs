//! Jobs and CronJobs: each scenario's expected Job and CronJob transitions.

use crate::common::*;

/// (time, message) of the events of one object with a reason.
fn events_of(o: &Outcome, kind_name: &str, reason: &str) -> Vec<(u64, String)> {
    o.events
        .lines()
        .skip(1)
        .filter(|l| l.contains(kind_name) && l.contains(&format!(",{reason},")))
        .map(|l| {
            let time = l.split(',').next().unwrap().parse().unwrap();
            (time, l.rsplit(',').next().unwrap().to_string())
        })
        .collect()
}

#[test]
fn a_flaky_job_with_never_fails_at_the_seventh_failure_and_waits_out_the_back_off() {
    let o = run(load_scenario("batch-flaky"));
    let failed_at = times(&o.rows("Job,default,flaky-never,FailureTarget,Failed,BackoffLimitExceeded"));
    assert_eq!(failed_at.len(), 1);
    let failures = o.rows("Pod,default,flaky-never-").iter().filter(|r| r.contains(",Running,Failed,")).count();
    assert_eq!(failures, 7, "backoffLimit 6: the Job fails at the 7th counted failure");
    // The first failure is replaced after the 10 s back-off (1 s of it is the sync batching).
    let first_failure = times(
        &o.rows("Pod,default,flaky-never-").into_iter().filter(|r| r.contains(",Running,Failed,")).collect::<Vec<_>>(),
    )[0];
    let creations =
        times(&o.rows("Pod,default,flaky-never-").into_iter().filter(|r| r.contains(",,Pending,")).collect::<Vec<_>>());
    let next = creations.iter().copied().find(|t| *t > first_failure).unwrap();
    assert_eq!(next - first_failure, 10_000);
    // OnFailure restarts in place and completes.
    assert_eq!(o.rows("Job,default,flaky-onfailure,SuccessCriteriaMet,Complete,CompletionsReached").len(), 1);
    assert!(o.rows("flaky-onfailure-").iter().any(|r| r.contains("Terminated,Running")), "containers restart in place");
    assert!(o.summary.contains("\"BackoffLimitExceeded\": 1"), "{}", o.summary);
}

#[test]
fn an_indexed_job_retries_each_index_with_its_own_back_off() {
    let o = run(load_scenario("indexed-per-index-backoff"));
    let created = events_of(&o, "Job,default,shards,", "SuccessfulCreate");
    let shard7: Vec<u64> =
        created.iter().filter(|(_, m)| m.starts_with("Created pod: shards-7-")).map(|(t, _)| *t).collect();
    assert_eq!(shard7.len(), 3, "index 7: the first try and backoffLimitPerIndex 2 retries");
    let failures7 = times(
        &o.rows("Pod,default,shards-7-").into_iter().filter(|r| r.contains(",Running,Failed,")).collect::<Vec<_>>(),
    );
    assert_eq!(failures7.len(), 3);
    // Per-index back-off: 10 s after the first failure, 20 s after the second.
    assert_eq!(shard7[1] - failures7[0], 10_000);
    assert_eq!(shard7[2] - failures7[1], 20_000);
    assert_eq!(o.rows("Job,default,shards,FailureTarget,Failed,FailedIndexes").len(), 1);
    // Every index got at least one pod named <job>-<index>-<suffix>.
    for i in 0..12 {
        assert!(created.iter().any(|(_, m)| m.starts_with(&format!("Created pod: shards-{i}-"))), "index {i}");
    }
}

#[test]
fn a_pod_failure_policy_ignores_disruptions_and_fails_on_exit_42() {
    let o = run(load_scenario("job-failure-policy"));
    assert_eq!(
        o.rows("Job,default,guarded,SuccessCriteriaMet,Complete,CompletionsReached").len(),
        1,
        "evictions are ignored"
    );
    // Pods evicted by the drain at 5 m end Failed but are replaced only once terminated
    // (podReplacementPolicy Failed), after their 15 s of termination.
    let evicted = o
        .rows("Pod,default,guarded-")
        .into_iter()
        .filter(|r| r.starts_with("315000,") && r.contains(",Running,Failed,"))
        .count();
    assert!(evicted >= 1, "{:?}", o.rows("Pod,default,guarded-"));
    let replacements =
        events_of(&o, "Job,default,guarded,", "SuccessfulCreate").into_iter().filter(|(t, _)| *t > 300_000).count();
    assert_eq!(replacements, evicted);
    assert!(events_of(&o, "Job,default,guarded,", "SuccessfulCreate").iter().all(|(t, _)| *t == 0 || *t >= 316_000));
    let bug = events_of(&o, "Job,default,guarded-bug,", "PodFailurePolicy");
    assert_eq!(bug.len(), 1);
    assert!(
        bug[0].1.starts_with("Container train for pod default/guarded-bug-")
            && bug[0].1.ends_with("failed with exit code 42 matching FailJob rule at index 0"),
        "{bug:?}"
    );
    assert_eq!(o.rows("Job,default,guarded-bug,FailureTarget,Failed,PodFailurePolicy").len(), 1);
}

/// Milliseconds from the scenario's start (2026-03-01T00:00:00Z) to a UTC instant.
fn at(utc: &str) -> u64 {
    let start: jiff::Timestamp = "2026-03-01T00:00:00Z".parse().unwrap();
    let t: jiff::Timestamp = utc.parse().unwrap();
    t.duration_since(start).as_millis() as u64
}

#[test]
fn nightly_cronjobs_follow_daylight_saving_like_kubernetes() {
    let o = run(load_scenario("cronjob-nightly-dst"));
    let starts = |cj: &str| -> Vec<u64> {
        events_of(&o, &format!("CronJob,default,{cj},"), "SuccessfulCreate").iter().map(|(t, _)| *t).collect()
    };
    let (ny, report, berlin) = (starts("backup-ny"), starts("report-ny"), starts("backup-berlin"));
    // 02:30 New York: EST (UTC-5) before 8 March, skipped that day, EDT (UTC-4) after.
    assert!(ny.contains(&(at("2026-03-07T07:30:00Z") + 100)));
    assert!(
        !ny.iter().any(|t| (at("2026-03-08T00:00:00Z")..at("2026-03-09T00:00:00Z")).contains(t)),
        "02:30 does not exist on 8 March"
    );
    assert!(ny.contains(&(at("2026-03-09T06:30:00Z") + 100)));
    // 01:30 New York happens twice on 1 November: it starts twice.
    assert!(
        report.contains(&(at("2026-11-01T05:30:00Z") + 100)) && report.contains(&(at("2026-11-01T06:30:00Z") + 100))
    );
    // 02:30 Berlin: skipped on 29 March, twice on 25 October.
    assert!(!berlin.iter().any(|t| (at("2026-03-29T00:00:00Z")..at("2026-03-30T00:00:00Z")).contains(t)));
    assert!(
        berlin.contains(&(at("2026-10-25T00:30:00Z") + 100)) && berlin.contains(&(at("2026-10-25T01:30:00Z") + 100))
    );
    // Job names are <cronjob>-<scheduled time in Unix minutes>.
    let name = events_of(&o, "CronJob,default,report-ny,", "SuccessfulCreate")[0].1.clone();
    assert_eq!(name, "Created job report-ny-29539110", "2026-03-01T06:30Z = 1772346600 s = 29539110 min");
    // History: 3 successful Jobs kept, the older deleted with their pods.
    assert!(!events_of(&o, "CronJob,default,backup-ny,", "SuccessfulDelete").is_empty());
    let live_jobs = o.summary.contains("\"unfinished\": 0");
    assert!(live_jobs, "{}", o.summary);
}

#[test]
fn forbid_skips_while_a_run_is_active_and_replace_deletes_it() {
    let o = run(load_scenario("cronjob-forbid"));
    let skipped = events_of(&o, "CronJob,default,sync-forbid,", "JobAlreadyActive");
    assert!(skipped.len() >= 5, "{skipped:?}");
    // A skipped start runs as soon as the active Job ends, when within startingDeadlineSeconds.
    let created = events_of(&o, "CronJob,default,sync-forbid,", "SuccessfulCreate");
    let late = created.iter().filter(|(t, _)| (t % 600_000) != 100).count();
    assert!(late >= 1, "{created:?}");
    for (t, m) in &created {
        let minutes: u64 = m.rsplit('-').next().unwrap().parse().unwrap();
        let scheduled = minutes * 60_000 - 1_767_225_600_000;
        assert!(*t - scheduled <= 300_000, "{m} started {} ms late", t - scheduled);
    }
    let replaced = events_of(&o, "CronJob,default,sync-replace,", "SuccessfulDelete");
    assert!(replaced.len() >= 10, "{replaced:?}");
    assert!(o.summary.contains("\"skipped_starts\": "), "{}", o.summary);
}

#[test]
fn a_poisson_stream_of_jobs_queues_on_a_small_cluster() {
    let o = run(load_scenario("job-stream"));
    let summary: serde_json::Value = serde_json::from_str(&o.summary).unwrap();
    let jobs = &summary["jobs"];
    assert!(jobs["created"].as_u64().unwrap() > 400, "{jobs}");
    assert!(jobs["completed"].as_u64().unwrap() > 400);
    assert!(jobs["deleted"].as_u64().unwrap() > 300, "ttlSecondsAfterFinished deletes finished Jobs");
    assert!(summary["latency_ms"]["scheduling"]["p90"].as_u64().unwrap() > 60_000, "pods queue for CPU");
    assert!(summary["nodes"]["cpu_requested_fraction"].as_f64().unwrap() > 0.5);
}
