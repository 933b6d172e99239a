//! Cron schedules exactly as the Kubernetes CronJob controller evaluates them.
//!
//! Kubernetes parses `spec.schedule` with robfig/cron v3.0.1 `ParseStandard`
//! (`parser.go`, `spec.go`, `constantdelay.go`), validates it and
//! `spec.timeZone` in `pkg/apis/batch/validation/validation.go`, and turns
//! schedules into start times with the helpers of
//! `pkg/controller/cronjob/utils.go`. This module reproduces those three
//! layers:
//!
//! * [`Schedule::parse`] — the grammar and the validation messages,
//! * [`Schedule::next`] — robfig's `Next`, evaluated the way Go's `time`
//!   package walks wall clocks in a zone (daylight-saving gaps and folds
//!   included),
//! * [`validate_time_zone`] — `spec.timeZone` validation, against jiff's
//!   bundled tz database only (never the machine's, for determinism),
//! * [`most_recent_schedule_time`], [`next_schedule_time`] and
//!   [`next_schedule_time_duration`] — the controller's missed-start logic.
//!
//! The zone is always passed in: with `spec.timeZone` set, the controller
//! evaluates the schedule in that zone (it parses `"TZ=<zone> <schedule>"`);
//! without it, in kube-controller-manager's local zone, which a simulator
//! should pin (e.g. to UTC) for determinism.
//!
//! All time arithmetic is done on integer seconds and nanoseconds.

mod duration;
mod error;
mod gotime;
mod missed;
mod next;
mod parse;
mod zone;

#[cfg(test)]
mod tests;

pub use error::CronError;
pub use missed::{MissedSchedules, TOO_MANY_MISSED_MESSAGE, next_schedule_time_duration_with, next_schedule_time_with};
pub use zone::validate_time_zone;

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// A parsed CronJob schedule.
///
/// Either a field schedule (robfig's `SpecSchedule`: five fields, or one of
/// the `@yearly`…`@hourly` descriptors) or a constant delay (`@every`,
/// robfig's `ConstantDelaySchedule`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    kind: Kind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Spec(SpecFields),
    /// `@every`: the delay in whole seconds (at least 1).
    Every(i64),
}

/// Bit sets of a field schedule, one bit per allowed value, as in robfig's
/// `spec.go`. Bit 63 is robfig's "star bit": set when the field was written
/// as `*` or `?` without a step above 1; only day-of-month and day-of-week
/// look at it (see `next.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SpecFields {
    pub(crate) second: u64,
    pub(crate) minute: u64,
    pub(crate) hour: u64,
    pub(crate) dom: u64,
    pub(crate) month: u64,
    pub(crate) dow: u64,
}

/// robfig's `starBit` (`spec.go`).
pub(crate) const STAR_BIT: u64 = 1 << 63;

impl Schedule {
    /// Parses a schedule as Kubernetes accepts it for `spec.schedule`.
    ///
    /// Grammar of robfig/cron v3 `ParseStandard` (`parser.go`): five
    /// whitespace-separated fields or a descriptor. On top of that, like
    /// `validateScheduleFormat` in Kubernetes' batch validation, an empty
    /// schedule and any schedule containing `TZ` (`TZ=`/`CRON_TZ=`) are
    /// rejected. Never panics.
    pub fn parse(schedule: &str) -> Result<Schedule, CronError> {
        parse::parse_schedule(schedule)
    }

    /// The first activation strictly after `after`, evaluated in `tz`.
    ///
    /// robfig's `Next` (`spec.go` / `constantdelay.go`): the search starts at
    /// the next whole second after `after`; `None` stands for robfig's zero
    /// time, returned when nothing matches within five years.
    pub fn next(&self, after: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        match &self.kind {
            Kind::Spec(fields) => next::spec_next(fields, after, tz),
            Kind::Every(seconds) => next::every_next(*seconds, after),
        }
    }

    /// The delay of an `@every` schedule in whole seconds, `None` for a
    /// field schedule.
    #[cfg(test)]
    pub fn every_seconds(&self) -> Option<i64> {
        match self.kind {
            Kind::Every(seconds) => Some(seconds),
            Kind::Spec(_) => None,
        }
    }

    fn spec(fields: SpecFields) -> Schedule {
        Schedule { kind: Kind::Spec(fields) }
    }

    fn every(seconds: i64) -> Schedule {
        Schedule { kind: Kind::Every(seconds) }
    }

    /// The field bit sets, for tests of the parser.
    #[cfg(test)]
    pub(crate) fn fields(&self) -> Option<SpecFields> {
        match self.kind {
            Kind::Spec(fields) => Some(fields),
            Kind::Every(_) => None,
        }
    }
}
