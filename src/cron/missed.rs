//! The CronJob controller's pure schedule helpers from Kubernetes
//! `pkg/controller/cronjob/utils.go` (≈ v1.28–v1.31, the version with
//! `missedSchedulesType`): `mostRecentScheduleTime`, `nextScheduleTime` and
//! `nextScheduleTimeDuration`.
//!
//! Go's zero time (robfig's "no activation within five years") is `None`
//! here. Where Go would go on computing with the zero time, these functions
//! stop: `t1` absent gives the same "less than 1 second" error Go gives for
//! a schedule that never fires, and the most-recent loop ends at the first
//! absent activation instead of looping from year 1.

use jiff::{SignedDuration, Timestamp};

#[cfg(test)]
use super::Schedule;
use super::error::CronError;
#[cfg(test)]
use jiff::tz::TimeZone;

/// utils.go `nextScheduleDelta`: requeues are padded by 100 ms so that a
/// slightly early wake-up still finds the schedule due.
pub const NEXT_SCHEDULE_DELTA: SignedDuration = SignedDuration::from_millis(100);

/// The Warning event `TooManyMissedTimes` that `nextScheduleTime` records on
/// [`MissedSchedules::Many`].
pub const TOO_MANY_MISSED_MESSAGE: &str =
    "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew";

const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// utils.go `missedSchedulesType`: an estimate of how many start times were
/// missed since the earliest time considered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MissedSchedules {
    None,
    /// 1 to 100.
    Few,
    /// More than 100.
    Many,
}

/// A start time that is due, as returned by [`next_schedule_time`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scheduled {
    pub time: Timestamp,
    /// [`MissedSchedules::Many`] means the controller records the Warning
    /// event `TooManyMissedTimes` ([`TOO_MANY_MISSED_MESSAGE`]) and still
    /// starts the Job.
    pub missed: MissedSchedules,
}

/// utils.go `mostRecentScheduleTime`.
///
/// Returns the earliest time considered (last schedule time, else creation
/// time, moved up to `now - startingDeadlineSeconds` when `include_sds`),
/// the most recent activation in `(earliest, now]` (or `None`), and the
/// missed-schedules estimate. The estimate divides the time since the first
/// activation by the gap between the first two activations, and the search
/// for the most recent one starts two gaps before `now`: for irregular
/// schedules it can therefore miss activations, exactly as Kubernetes does.
#[cfg(test)]
pub fn most_recent_schedule_time(
    schedule: &Schedule,
    tz: &TimeZone,
    creation: Timestamp,
    last_schedule: Option<Timestamp>,
    starting_deadline_seconds: Option<i64>,
    include_sds: bool,
    now: Timestamp,
) -> Result<(Timestamp, Option<Timestamp>, MissedSchedules), CronError> {
    let mut next = |t: Timestamp| schedule.next(t, tz);
    most_recent_schedule_time_with(&mut next, creation, last_schedule, starting_deadline_seconds, include_sds, now)
}

/// [`most_recent_schedule_time`] with the schedule's `Next` given as a function, so
/// that a caller may remember its answers (they never change).
pub fn most_recent_schedule_time_with(
    next: &mut dyn FnMut(Timestamp) -> Option<Timestamp>,
    creation: Timestamp,
    last_schedule: Option<Timestamp>,
    starting_deadline_seconds: Option<i64>,
    include_sds: bool,
    now: Timestamp,
) -> Result<(Timestamp, Option<Timestamp>, MissedSchedules), CronError> {
    let mut earliest = last_schedule.unwrap_or(creation);
    if let Some(sds) = starting_deadline_seconds.filter(|_| include_sds) {
        // "controller is not going to schedule anything below this point"
        if let Some(deadline) = scheduling_deadline(now, sds)
            && deadline > earliest
        {
            earliest = deadline;
        }
    }
    let t1 = next(earliest).ok_or(CronError::ScheduleGapTooSmall)?;
    if now < t1 {
        return Ok((earliest, None, MissedSchedules::None));
    }
    let t2 = next(t1).ok_or(CronError::ScheduleGapTooSmall)?;
    if now < t2 {
        return Ok((earliest, Some(t1), MissedSchedules::None));
    }
    let gap = round_to_seconds(nanos_between(t2, t1));
    if gap < 1 {
        return Err(CronError::ScheduleGapTooSmall);
    }
    let elapsed = nanos_between(now, t1) / NANOS_PER_SECOND;
    let missed_count = elapsed / gap + 1;
    let potential_earliest = add_nanos(t1, (missed_count - 2) * gap * NANOS_PER_SECOND)?;
    let most_recent = last_activation_until(next, potential_earliest, now);
    Ok((earliest, most_recent, classify(missed_count)))
}

/// utils.go `nextScheduleTime`: the start time due now, if any, with
/// `includeStartingDeadlineSeconds = true`. An error of
/// [`most_recent_schedule_time`] is passed on.
#[cfg(test)]
pub fn next_schedule_time(
    schedule: &Schedule,
    tz: &TimeZone,
    creation: Timestamp,
    last_schedule: Option<Timestamp>,
    starting_deadline_seconds: Option<i64>,
    now: Timestamp,
) -> Result<Option<Scheduled>, CronError> {
    let mut next = |t: Timestamp| schedule.next(t, tz);
    next_schedule_time_with(&mut next, creation, last_schedule, starting_deadline_seconds, now)
}

/// [`next_schedule_time`] with `Next` given as a function.
pub fn next_schedule_time_with(
    next: &mut dyn FnMut(Timestamp) -> Option<Timestamp>,
    creation: Timestamp,
    last_schedule: Option<Timestamp>,
    starting_deadline_seconds: Option<i64>,
    now: Timestamp,
) -> Result<Option<Scheduled>, CronError> {
    let (_, most_recent, missed) =
        most_recent_schedule_time_with(next, creation, last_schedule, starting_deadline_seconds, true, now)?;
    Ok(most_recent.filter(|time| *time <= now).map(|time| Scheduled { time, missed }))
}

/// utils.go `nextScheduleTimeDuration`: how long until the controller should
/// look at the CronJob again, [`NEXT_SCHEDULE_DELTA`] included. Computed
/// without startingDeadlineSeconds. After an error, or when there is no
/// most recent time but start times were missed, it aims at the first
/// activation after `now`; with nothing missed, at the first after the
/// earliest time. `None` when the schedule has no activation left (Go would
/// compute a nonsensical negative duration from its zero time).
#[cfg(test)]
pub fn next_schedule_time_duration(
    schedule: &Schedule,
    tz: &TimeZone,
    creation: Timestamp,
    last_schedule: Option<Timestamp>,
    now: Timestamp,
) -> Option<SignedDuration> {
    let mut next = |t: Timestamp| schedule.next(t, tz);
    next_schedule_time_duration_with(&mut next, creation, last_schedule, now)
}

/// [`next_schedule_time_duration`] with `Next` given as a function.
pub fn next_schedule_time_duration_with(
    next: &mut dyn FnMut(Timestamp) -> Option<Timestamp>,
    creation: Timestamp,
    last_schedule: Option<Timestamp>,
    now: Timestamp,
) -> Option<SignedDuration> {
    let result = most_recent_schedule_time_with(next, creation, last_schedule, None, false, now);
    let base = match result {
        Err(_) => now,
        Ok((_, Some(most_recent), _)) => most_recent,
        Ok((earliest, None, MissedSchedules::None)) => earliest,
        Ok((_, None, _)) => now,
    };
    let next = next(base)?;
    let wake = next.checked_add(NEXT_SCHEDULE_DELTA).ok()?;
    Some(wake.duration_since(now))
}

/// `now - sds seconds`, with Go's wrapping `time.Second * Duration(sds)`;
/// `None` if the result leaves jiff's range.
fn scheduling_deadline(now: Timestamp, sds: i64) -> Option<Timestamp> {
    let back = SignedDuration::from_nanos(sds.wrapping_mul(1_000_000_000));
    now.checked_sub(back).ok()
}

/// The last activation `<= now`, walking from `from` (utils.go's loop).
fn last_activation_until(
    next: &mut dyn FnMut(Timestamp) -> Option<Timestamp>,
    from: Timestamp,
    now: Timestamp,
) -> Option<Timestamp> {
    let mut most_recent = None;
    let mut cursor = next(from);
    while let Some(t) = cursor.filter(|t| *t <= now) {
        most_recent = Some(t);
        cursor = next(t);
    }
    most_recent
}

/// utils.go: `numberOfMissedSchedules > 100` is many, `> 0` few.
fn classify(missed_count: i128) -> MissedSchedules {
    match missed_count {
        n if n > 100 => MissedSchedules::Many,
        n if n > 0 => MissedSchedules::Few,
        _ => MissedSchedules::None,
    }
}

fn nanos_between(later: Timestamp, earlier: Timestamp) -> i128 {
    later.as_nanosecond() - earlier.as_nanosecond()
}

/// Go's `Duration.Round(time.Second)` in whole seconds: halves round away
/// from zero.
fn round_to_seconds(nanos: i128) -> i128 {
    let whole = nanos / NANOS_PER_SECOND;
    let rest = nanos % NANOS_PER_SECOND;
    if 2 * rest.abs() < NANOS_PER_SECOND { whole } else { whole + rest.signum() }
}

fn add_nanos(t: Timestamp, nanos: i128) -> Result<Timestamp, CronError> {
    Timestamp::from_nanosecond(t.as_nanosecond() + nanos).map_err(|_| CronError::TimeOutOfRange)
}
