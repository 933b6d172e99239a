//! The CronJob controller (`pkg/controller/cronjob/cronjob_controllerv2.go`): on each
//! sync it reconciles its Jobs, trims the history, and starts the Job that is due,
//! then sleeps until the next start time plus 100 ms (`nextScheduleDelta`).

use crate::api::cronjob::CronJob as ApiCronJob;
use crate::cluster::job::{ConcurrencyPolicy, CronJob, JobPhase};
use crate::cluster::{CronJobId, JobId};
use crate::cron::{self, MissedSchedules};
use crate::engine::{SimTime, TimerToken};
use crate::sim::record::ObjectRef;
use crate::sim::{Event, Simulation};
use jiff::Timestamp;
use std::sync::Arc;

impl Simulation {
    /// The instant of simulated time `t`.
    pub(crate) fn wall(&self, t: SimTime) -> Timestamp {
        self.scenario.start + jiff::SignedDuration::from_millis(t.0 as i64)
    }

    /// Milliseconds from the run's start to `ts` (negative before it).
    pub(crate) fn sim_ms(&self, ts: Timestamp) -> i64 {
        ts.duration_since(self.scenario.start).as_millis() as i64
    }

    /// Runs `f` with the CronJob's `Next`, remembering its answers.
    fn with_next<R>(
        &mut self,
        id: CronJobId,
        f: impl FnOnce(&mut dyn FnMut(Timestamp) -> Option<Timestamp>) -> R,
    ) -> R {
        const MEMO: usize = 8;
        let cj = self.cluster.cronjobs.get_mut(id).expect("caller checked");
        let mut memo = std::mem::take(&mut cj.next_memo);
        let (schedule, tz) = (&cj.schedule, &cj.time_zone);
        let mut next = |t: Timestamp| {
            // `Next` starts from the whole second after `t`: that second is the key.
            let key = t.as_second() - i64::from(t.subsec_nanosecond() < 0);
            if let Some((_, hit)) = memo.iter().find(|(k, _)| *k == key) {
                return *hit;
            }
            let answer = schedule.next(t, tz);
            if memo.len() == MEMO {
                memo.remove(0);
            }
            memo.push((key, answer));
            answer
        };
        let result = f(&mut next);
        self.cluster.cronjobs.get_mut(id).expect("caller checked").next_memo = memo;
        result
    }

    /// A CronJob object is created.
    pub(crate) fn create_cronjob(&mut self, api: &ApiCronJob, copy: Option<u64>) {
        let name = match copy {
            Some(n) => format!("{}-{n}", api.metadata.name),
            None => api.metadata.name.clone(),
        };
        let namespace = self.cluster.intern_namespace(api.metadata.namespace());
        if self.cluster.cronjob_by_name.contains(&namespace, &name) {
            self.warn_once(format!("cronjob {namespace}/{name} already exists: the second create was refused"));
            return;
        }
        let spec = &api.spec;
        let (Ok(schedule), Ok(time_zone)) = (
            cron::Schedule::parse(&spec.schedule),
            spec.time_zone.as_deref().map_or(Ok(jiff::tz::TimeZone::UTC), cron::validate_time_zone),
        ) else {
            // Validation refused these already; a CronJob object never holds them.
            return;
        };
        let job_spec = self.compile_job_spec(&spec.job_template.spec, &spec.job_template.metadata);
        self.cluster.objects_created += 1;
        let cj = CronJob {
            uid: self.cluster.objects_created,
            namespace: namespace.clone(),
            name: Arc::from(name.as_str()),
            api: Arc::new(api.clone()),
            schedule,
            time_zone,
            starting_deadline: spec.starting_deadline_seconds,
            concurrency: match spec.concurrency_policy.as_deref() {
                Some("Forbid") => ConcurrencyPolicy::Forbid,
                Some("Replace") => ConcurrencyPolicy::Replace,
                _ => ConcurrencyPolicy::Allow,
            },
            suspended: spec.suspend.unwrap_or(false),
            successful_history: spec.successful_jobs_history_limit.unwrap_or(3).max(0) as u32,
            failed_history: spec.failed_jobs_history_limit.unwrap_or(1).max(0) as u32,
            job_spec: Arc::new(job_spec),
            job_labels: spec.job_template.metadata.labels.clone(),
            // metav1.Time has whole seconds.
            created: SimTime(self.now.0 - self.now.0 % 1000),
            last_schedule: None,
            active: Vec::new(),
            finished_ok: Default::default(),
            finished_failed: Default::default(),
            sync_timer: Default::default(),
            sync_at: None,
            next_memo: Vec::new(),
            reported: None,
        };
        let (suspended, shared_name) = (cj.suspended, cj.name.clone());
        let id = self.cluster.cronjobs.insert(cj);
        self.cluster.cronjob_by_name.insert(&namespace, &shared_name, id);
        self.counters.cronjobs.created += 1;
        self.record_cronjob_object(id);
        let to = if suspended { "Suspended" } else { "Active" };
        self.record_object_transition("CronJob", &namespace, &name, "", to, "");
        self.cronjob_enqueue(id, self.now);
    }

    /// Asks for a sync at `at`; an earlier pending one stands (the work queue's rule).
    pub(crate) fn cronjob_enqueue(&mut self, id: CronJobId, at: SimTime) {
        let Some(cj) = self.cluster.cronjobs.get_mut(id) else { return };
        if cj.sync_at.is_some_and(|t| t <= at) && cj.sync_timer.is_armed() {
            return;
        }
        cj.sync_at = Some(at);
        let token = cj.sync_timer.arm();
        self.queue.schedule(at.max(self.now), Event::CronJobSync { cronjob: id, token });
    }

    pub(crate) fn cronjob_sync_event(&mut self, id: CronJobId, token: TimerToken) {
        let Some(cj) = self.cluster.cronjobs.get_mut(id) else { return };
        if !cj.sync_timer.fire(token) {
            return;
        }
        cj.sync_at = None;
        self.cronjob_sync(id);
        self.report_cronjob_status(id);
    }

    /// `syncCronJob`.
    fn cronjob_sync(&mut self, id: CronJobId) {
        self.cronjob_reconcile(id);
        self.cronjob_cleanup_history(id);
        let Some(cj) = self.cluster.cronjobs.get(id) else { return };
        if cj.suspended {
            return; // No Job and no requeue: a resume (patch) enqueues it again.
        }
        let now = self.wall(self.now);
        let created = self.wall(cj.created);
        let last = cj.last_schedule.map(|ms| self.scenario.start + jiff::SignedDuration::from_millis(ms));
        let sds = cj.starting_deadline;
        let scheduled = self.with_next(id, |next| cron::next_schedule_time_with(next, created, last, sds, now));
        match scheduled {
            Err(e) => {
                let cj = self.cluster.cronjobs.get(id).expect("exists");
                let (ns, name) = (cj.namespace.clone(), cj.name.clone());
                self.object_event(
                    cronjob_ref(&ns, &name),
                    true,
                    "InvalidSchedule",
                    format_args!("invalid schedule: {e}"),
                );
                return;
            }
            Ok(None) => {}
            Ok(Some(s)) => self.cronjob_start(id, s.time, s.missed),
        }
        self.cronjob_requeue(id);
    }

    fn cronjob_requeue(&mut self, id: CronJobId) {
        let Some(cj) = self.cluster.cronjobs.get(id) else { return };
        let now = self.wall(self.now);
        let last = cj.last_schedule.map(|ms| self.scenario.start + jiff::SignedDuration::from_millis(ms));
        let created = self.wall(cj.created);
        if let Some(d) = self.with_next(id, |next| cron::next_schedule_time_duration_with(next, created, last, now)) {
            let at = self.now.after(d.as_millis().max(0) as u64);
            self.cronjob_enqueue(id, at);
        }
    }

    /// Starts the Job due at `scheduled`, unless the deadline passed, it already
    /// started, or the concurrency policy forbids it.
    fn cronjob_start(&mut self, id: CronJobId, scheduled: Timestamp, missed: MissedSchedules) {
        let Some(cj) = self.cluster.cronjobs.get(id) else { return };
        let (ns, name) = (cj.namespace.clone(), cj.name.clone());
        let now = self.wall(self.now);
        if missed == MissedSchedules::Many {
            self.object_event(
                cronjob_ref(&ns, &name),
                true,
                "TooManyMissedTimes",
                format_args!("{}", cron::TOO_MANY_MISSED_MESSAGE),
            );
        }
        let cj = self.cluster.cronjobs.get(id).expect("exists");
        if let Some(sds) = cj.starting_deadline
            && scheduled.checked_add(jiff::SignedDuration::from_secs(sds)).is_ok_and(|d| d < now)
        {
            self.counters.cronjobs.missed += 1;
            let when = rfc1123z(scheduled, &cj.time_zone);
            self.object_event(
                cronjob_ref(&ns, &name),
                true,
                "MissSchedule",
                format_args!("Missed scheduled time to start a job: {when}"),
            );
            return;
        }
        let scheduled_ms = self.sim_ms(scheduled);
        let job_name = format!("{name}-{}", scheduled.as_second().div_euclid(60));
        let exists = self.cluster.job_by_name.contains(&ns, &job_name);
        if exists || cj.last_schedule == Some(scheduled_ms) {
            return;
        }
        match cj.concurrency {
            ConcurrencyPolicy::Forbid if !cj.active.is_empty() => {
                self.counters.cronjobs.skipped += 1;
                self.object_event(
                    cronjob_ref(&ns, &name),
                    false,
                    "JobAlreadyActive",
                    format_args!(
                        "Not starting job because prior execution is running and concurrency policy is Forbid"
                    ),
                );
                return;
            }
            ConcurrencyPolicy::Replace => {
                for job in cj.active.clone() {
                    self.cronjob_delete_job(id, job);
                }
            }
            _ => {}
        }
        let cj = self.cluster.cronjobs.get(id).expect("exists");
        let (spec, mut labels) = (cj.job_spec.clone(), cj.job_labels.clone());
        labels.remove("controller-uid");
        let Some(job) = self.create_job_object(&ns, &job_name, labels, spec, Some(id), Some(scheduled_ms)) else {
            return;
        };
        let lateness = self.now.0 as i64 - scheduled_ms;
        self.counters.cronjobs.runs += 1;
        self.counters.cronjobs.lateness.record(lateness.max(0) as u64);
        let cj = self.cluster.cronjobs.get_mut(id).expect("exists");
        cj.active.push(job);
        cj.last_schedule = Some(scheduled_ms);
        self.object_event(cronjob_ref(&ns, &name), false, "SuccessfulCreate", format_args!("Created job {job_name}"));
    }

    /// Drops finished or vanished Jobs from `status.active` (`SawCompletedJob`).
    fn cronjob_reconcile(&mut self, id: CronJobId) {
        let Some(cj) = self.cluster.cronjobs.get(id) else { return };
        let (ns, name) = (cj.namespace.clone(), cj.name.clone());
        for job in cj.active.clone() {
            let state =
                self.cluster.jobs.get(job).map(|j| (j.phase, j.name.clone(), j.start_time.unwrap_or(j.created)));
            match state {
                None => {
                    self.cluster.cronjobs.get_mut(id).expect("exists").active.retain(|j| *j != job);
                }
                Some((phase, job_name, started)) if phase.is_finished() => {
                    let cj = self.cluster.cronjobs.get_mut(id).expect("exists");
                    cj.active.retain(|j| *j != job);
                    let key = (started, job_name.clone());
                    let condition = if phase == JobPhase::Complete {
                        cj.finished_ok.insert(key, job);
                        "Complete"
                    } else {
                        cj.finished_failed.insert(key, job);
                        "Failed"
                    };
                    self.object_event(
                        cronjob_ref(&ns, &name),
                        false,
                        "SawCompletedJob",
                        format_args!("Saw completed job: {job_name}, condition: {condition}"),
                    );
                }
                Some(_) => {}
            }
        }
    }

    /// `cleanupFinishedJobs`: the oldest finished Jobs beyond the history limits go.
    fn cronjob_cleanup_history(&mut self, id: CronJobId) {
        loop {
            let Some(cj) = self.cluster.cronjobs.get_mut(id) else { return };
            let victim = if cj.finished_ok.len() > cj.successful_history as usize {
                cj.finished_ok.pop_first()
            } else if cj.finished_failed.len() > cj.failed_history as usize {
                cj.finished_failed.pop_first()
            } else {
                return;
            };
            if let Some((_, job)) = victim {
                self.cronjob_delete_job(id, job);
            }
        }
    }

    fn cronjob_delete_job(&mut self, id: CronJobId, job: JobId) {
        let Some(cj) = self.cluster.cronjobs.get_mut(id) else { return };
        cj.active.retain(|j| *j != job);
        let (ns, name) = (cj.namespace.clone(), cj.name.clone());
        let Some(job_name) = self.cluster.jobs.get(job).map(|j| j.name.clone()) else { return };
        self.delete_job(job);
        self.object_event(cronjob_ref(&ns, &name), false, "SuccessfulDelete", format_args!("Deleted job {job_name}"));
    }

    /// A child Job changed (finished): the controller looks at its CronJob at once.
    pub(crate) fn cronjob_job_changed(&mut self, id: CronJobId) {
        self.cronjob_enqueue(id, self.now);
    }

    /// `kubectl patch cronjob ... spec.suspend`.
    pub(crate) fn cronjob_set_suspend(&mut self, id: CronJobId, suspend: bool) {
        let Some(cj) = self.cluster.cronjobs.get_mut(id) else { return };
        if cj.suspended == suspend {
            return;
        }
        cj.suspended = suspend;
        let (ns, name) = (cj.namespace.clone(), cj.name.clone());
        let (from, to) = if suspend { ("Active", "Suspended") } else { ("Suspended", "Active") };
        self.record_object_transition("CronJob", &ns, &name, from, to, "");
        self.cronjob_enqueue(id, self.now);
    }

    /// The CronJob is deleted, and with it its Jobs (cascading deletion).
    pub(crate) fn delete_cronjob(&mut self, id: CronJobId) {
        let Some(cj) = self.cluster.cronjobs.remove(id) else { return };
        self.record_cronjob_removed(cj.uid);
        self.cluster.cronjob_by_name.remove(&cj.namespace, &cj.name);
        for job in cj.active.iter().chain(cj.finished_ok.values()).chain(cj.finished_failed.values()) {
            self.delete_job(*job);
        }
    }
}

fn cronjob_ref<'a>(namespace: &'a str, name: &'a str) -> ObjectRef<'a> {
    ObjectRef { kind: "CronJob", namespace, name, node: "" }
}

/// Go's `time.RFC1123Z` in the CronJob's zone: `Mon, 02 Jan 2006 15:04:05 -0700`.
fn rfc1123z(t: Timestamp, tz: &jiff::tz::TimeZone) -> String {
    t.to_zoned_datetime(tz.clone()).strftime("%a, %d %b %Y %H:%M:%S %z").to_string()
}
