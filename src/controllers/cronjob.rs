//! The CronJob controller (`pkg/controller/cronjob/cronjob_controllerv2.go`): on each
//! sync it reconciles its Jobs, trims the history, and starts the Job that is due,
//! then sleeps until the next start time plus 100 ms (`nextScheduleDelta`).

use crate::api::cronjob::CronJob as ApiCronJob;
use crate::apiserver::record::ObjectRef;
use crate::apiserver::{Change, Ctx, Kind, Watches};
use crate::cluster::job::{ConcurrencyPolicy, CronJob, JobPhase};
use crate::cluster::{Cluster, CronJobId, JobId};
use crate::cron::{self, MissedSchedules};
use crate::engine::{SimTime, TimerToken};
use crate::event::CronJobEvent;
use crate::trace::EventType;
use jiff::Timestamp;
use std::sync::Arc;

/// The CronJob controller. Its per-CronJob state (the sync timer, the memo of `Next`)
/// lives in the CronJob object, in fields only it writes.
pub struct CronJobController {
    /// The wall-clock instant of simulated time 0.
    start: Timestamp,
}

impl CronJobController {
    /// The change kinds the controller watches: new CronJobs, and Jobs that finish.
    pub const WATCHES: Watches = Watches::of(&[Kind::CronJobCreated, Kind::JobFinished]);

    pub fn new(start: Timestamp) -> CronJobController {
        CronJobController { start }
    }

    pub fn handle(&mut self, ctx: &mut Ctx, event: CronJobEvent) {
        match event {
            CronJobEvent::Sync { cronjob, token } => self.cronjob_sync_event(ctx, cronjob, token),
        }
    }

    pub fn observe(&mut self, ctx: &mut Ctx, change: &Change) {
        match change {
            Change::CronJobCreated(id) => self.cronjob_enqueue(ctx, *id, ctx.now),
            // A child Job finished: the controller looks at its CronJob at once.
            Change::JobFinished(job) => {
                if let Some(cj) = ctx.cluster.jobs.get(*job).and_then(|j| j.owner) {
                    self.cronjob_enqueue(ctx, cj, ctx.now);
                }
            }
            _ => {}
        }
    }

    /// The instant of simulated time `t`.
    fn wall(&self, t: SimTime) -> Timestamp {
        self.start + jiff::SignedDuration::from_millis(t.ms() as i64)
    }

    /// Milliseconds from the run's start to `ts` (negative before it).
    fn sim_ms(&self, ts: Timestamp) -> i64 {
        ts.duration_since(self.start).as_millis() as i64
    }

    /// Asks for a sync at `at`; an earlier pending one stands (the work queue's rule).
    fn cronjob_enqueue(&mut self, ctx: &mut Ctx, id: CronJobId, at: SimTime) {
        let Some(cj) = ctx.cluster.cronjobs.get_mut(id) else { return };
        let Some(token) = cj.sync_timer.arm_unless_due_by(&mut cj.sync_at, at) else { return };
        ctx.schedule(at.max(ctx.now), CronJobEvent::Sync { cronjob: id, token });
    }

    fn cronjob_sync_event(&mut self, ctx: &mut Ctx, id: CronJobId, token: TimerToken) {
        let Some(cj) = ctx.cluster.cronjobs.get_mut(id) else { return };
        if !cj.sync_timer.fire(token) {
            return;
        }
        cj.sync_at = None;
        self.cronjob_sync(ctx, id);
        ctx.report_cronjob_status(id);
    }

    /// `syncCronJob`.
    fn cronjob_sync(&mut self, ctx: &mut Ctx, id: CronJobId) {
        self.cronjob_reconcile(ctx, id);
        self.cronjob_cleanup_history(ctx, id);
        let Some(cj) = ctx.cluster.cronjobs.get(id) else { return };
        if cj.suspended {
            return; // No Job and no requeue: a resume (patch) enqueues it again.
        }
        let now = self.wall(ctx.now);
        let created = self.wall(cj.created);
        let last = cj.last_schedule.map(|ms| self.start + jiff::SignedDuration::from_millis(ms));
        let sds = cj.starting_deadline;
        let scheduled = with_next(ctx.cluster, id, |next| cron::next_schedule_time_with(next, created, last, sds, now));
        match scheduled {
            Err(e) => {
                let cj = ctx.cluster.cronjobs.get(id).expect("exists");
                let (ns, name) = (cj.namespace.clone(), cj.name.clone());
                ctx.object_event(
                    cronjob_ref(&ns, &name),
                    EventType::Warning,
                    "InvalidSchedule",
                    format_args!("invalid schedule: {e}"),
                );
                return;
            }
            Ok(None) => {}
            Ok(Some(s)) => self.cronjob_start(ctx, id, s.time, s.missed),
        }
        self.cronjob_requeue(ctx, id);
    }

    fn cronjob_requeue(&mut self, ctx: &mut Ctx, id: CronJobId) {
        let Some(cj) = ctx.cluster.cronjobs.get(id) else { return };
        let now = self.wall(ctx.now);
        let last = cj.last_schedule.map(|ms| self.start + jiff::SignedDuration::from_millis(ms));
        let created = self.wall(cj.created);
        if let Some(d) =
            with_next(ctx.cluster, id, |next| cron::next_schedule_time_duration_with(next, created, last, now))
        {
            let at = ctx.now.after(d.as_millis().max(0) as u64);
            self.cronjob_enqueue(ctx, id, at);
        }
    }

    /// Starts the Job due at `scheduled`, unless the deadline passed, it already
    /// started, or the concurrency policy forbids it.
    fn cronjob_start(&mut self, ctx: &mut Ctx, id: CronJobId, scheduled: Timestamp, missed: MissedSchedules) {
        let Some(cj) = ctx.cluster.cronjobs.get(id) else { return };
        let (ns, name) = (cj.namespace.clone(), cj.name.clone());
        let now = self.wall(ctx.now);
        if missed == MissedSchedules::Many {
            ctx.object_event(
                cronjob_ref(&ns, &name),
                EventType::Warning,
                "TooManyMissedTimes",
                format_args!("{}", cron::TOO_MANY_MISSED_MESSAGE),
            );
        }
        let cj = ctx.cluster.cronjobs.get(id).expect("exists");
        if let Some(sds) = cj.starting_deadline
            && scheduled.checked_add(jiff::SignedDuration::from_secs(sds)).is_ok_and(|d| d < now)
        {
            ctx.rec.counters.cronjobs.missed += 1;
            let when = rfc1123z(scheduled, &cj.time_zone);
            ctx.object_event(
                cronjob_ref(&ns, &name),
                EventType::Warning,
                "MissSchedule",
                format_args!("Missed scheduled time to start a job: {when}"),
            );
            return;
        }
        let scheduled_ms = self.sim_ms(scheduled);
        // `<cronjob>-<minutes since the epoch>`, joined rather than formatted (`format!`
        // took 850 instructions a Job on a fleet of them).
        let job_name = [&*name, "-", itoa::Buffer::new().format(scheduled.as_second().div_euclid(60))].concat();
        let exists = ctx.cluster.job_by_name.contains(&ns, &job_name);
        if exists || cj.last_schedule == Some(scheduled_ms) {
            return;
        }
        match cj.concurrency {
            ConcurrencyPolicy::Forbid if !cj.active.is_empty() => {
                ctx.rec.counters.cronjobs.skipped += 1;
                ctx.object_event(
                    cronjob_ref(&ns, &name),
                    EventType::Normal,
                    "JobAlreadyActive",
                    format_args!(
                        "Not starting job because prior execution is running and concurrency policy is Forbid"
                    ),
                );
                return;
            }
            ConcurrencyPolicy::Replace => {
                for job in cj.active.clone() {
                    self.cronjob_delete_job(ctx, id, job);
                }
            }
            _ => {}
        }
        let cj = ctx.cluster.cronjobs.get(id).expect("exists");
        let (spec, mut labels) = (cj.job_spec.clone(), cj.job_labels.clone());
        labels.remove("controller-uid");
        let Some(job) = ctx.create_job(&ns, &job_name, labels, spec, Some(id)) else {
            return;
        };
        let lateness = ctx.now.ms() as i64 - scheduled_ms;
        ctx.rec.counters.cronjobs.runs += 1;
        ctx.rec.counters.cronjobs.lateness.record(lateness.max(0) as u64);
        let cj = ctx.cluster.cronjobs.get_mut(id).expect("exists");
        cj.active.push(job);
        cj.last_schedule = Some(scheduled_ms);
        ctx.object_event(cronjob_ref(&ns, &name), EventType::Normal, "SuccessfulCreate", ["Created job ", &*job_name]);
    }

    /// Drops finished or vanished Jobs from `status.active` (`SawCompletedJob`).
    fn cronjob_reconcile(&mut self, ctx: &mut Ctx, id: CronJobId) {
        let Some(cj) = ctx.cluster.cronjobs.get(id) else { return };
        let (ns, name) = (cj.namespace.clone(), cj.name.clone());
        for job in cj.active.clone() {
            let state = ctx.cluster.jobs.get(job).map(|j| (j.phase, j.name.clone(), j.start_time.unwrap_or(j.created)));
            match state {
                None => {
                    ctx.cluster.cronjobs.get_mut(id).expect("exists").active.retain(|j| *j != job);
                }
                Some((phase, job_name, started)) if phase.is_finished() => {
                    let cj = ctx.cluster.cronjobs.get_mut(id).expect("exists");
                    cj.active.retain(|j| *j != job);
                    let key = (started, job_name.clone());
                    let condition = if phase == JobPhase::Complete {
                        cj.finished_ok.insert(key, job);
                        "Complete"
                    } else {
                        cj.finished_failed.insert(key, job);
                        "Failed"
                    };
                    ctx.object_event(
                        cronjob_ref(&ns, &name),
                        EventType::Normal,
                        "SawCompletedJob",
                        ["Saw completed job: ", &*job_name, ", condition: ", condition],
                    );
                }
                Some(_) => {}
            }
        }
    }

    /// `cleanupFinishedJobs`: the oldest finished Jobs beyond the history limits go.
    fn cronjob_cleanup_history(&mut self, ctx: &mut Ctx, id: CronJobId) {
        loop {
            let Some(cj) = ctx.cluster.cronjobs.get_mut(id) else { return };
            let victim = if cj.finished_ok.len() > cj.successful_history as usize {
                cj.finished_ok.pop_first()
            } else if cj.finished_failed.len() > cj.failed_history as usize {
                cj.finished_failed.pop_first()
            } else {
                return;
            };
            if let Some((_, job)) = victim {
                self.cronjob_delete_job(ctx, id, job);
            }
        }
    }

    fn cronjob_delete_job(&mut self, ctx: &mut Ctx, id: CronJobId, job: JobId) {
        let Some(cj) = ctx.cluster.cronjobs.get_mut(id) else { return };
        cj.active.retain(|j| *j != job);
        let (ns, name) = (cj.namespace.clone(), cj.name.clone());
        let Some(job_name) = ctx.cluster.jobs.get(job).map(|j| j.name.clone()) else { return };
        ctx.delete_job(job);
        ctx.object_event(cronjob_ref(&ns, &name), EventType::Normal, "SuccessfulDelete", ["Deleted job ", &*job_name]);
    }

    /// `kubectl patch cronjob ... spec.suspend`.
    pub fn set_suspend(&mut self, ctx: &mut Ctx, id: CronJobId, suspend: bool) {
        let Some(cj) = ctx.cluster.cronjobs.get_mut(id) else { return };
        if cj.suspended == suspend {
            return;
        }
        cj.suspended = suspend;
        let (ns, name) = (cj.namespace.clone(), cj.name.clone());
        let (from, to) = if suspend { ("Active", "Suspended") } else { ("Suspended", "Active") };
        ctx.record_object_transition("CronJob", &ns, &name, from, to, "");
        self.cronjob_enqueue(ctx, id, ctx.now);
    }
}

fn cronjob_ref<'a>(namespace: &'a str, name: &'a str) -> ObjectRef<'a> {
    ObjectRef::of("CronJob", namespace, name)
}

/// Go's `time.RFC1123Z` in the CronJob's zone: `Mon, 02 Jan 2006 15:04:05 -0700`.
fn rfc1123z(t: Timestamp, tz: &jiff::tz::TimeZone) -> String {
    t.to_zoned_datetime(tz.clone()).strftime("%a, %d %b %Y %H:%M:%S %z").to_string()
}

/// Runs `f` with the CronJob's `Next`, remembering its answers.
fn with_next<R>(
    cluster: &mut Cluster,
    id: CronJobId,
    f: impl FnOnce(&mut dyn FnMut(Timestamp) -> Option<Timestamp>) -> R,
) -> R {
    const MEMO: usize = 8;
    let cj = cluster.cronjobs.get_mut(id).expect("caller checked");
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
    cluster.cronjobs.get_mut(id).expect("caller checked").next_memo = memo;
    result
}

/// A CronJob object as created from a manifest (copies are named `<name>-<n>`);
/// `None` when its schedule or zone is invalid (validation refused these already).
pub fn compile(cluster: &mut Cluster, api: &ApiCronJob, copy: Option<u64>, now: SimTime) -> Option<CronJob> {
    let name = match copy {
        Some(n) => format!("{}-{n}", api.metadata.name),
        None => api.metadata.name.clone(),
    };
    let namespace = cluster.intern_namespace(api.metadata.namespace());
    let spec = &api.spec;
    let (Ok(schedule), Ok(time_zone)) = (
        cron::Schedule::parse(&spec.schedule),
        spec.time_zone.as_deref().map_or(Ok(jiff::tz::TimeZone::UTC), cron::validate_time_zone),
    ) else {
        return None;
    };
    let job_spec = super::job::sync::compile_spec(cluster, &spec.job_template.spec);
    Some(CronJob {
        uid: 0,
        namespace,
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
        created: SimTime::from_ms(now.ms() - now.ms() % 1000),
        last_schedule: None,
        active: Vec::new(),
        finished_ok: Default::default(),
        finished_failed: Default::default(),
        sync_timer: Default::default(),
        sync_at: None,
        next_memo: Vec::new(),
        reported: None,
    })
}
