//! Errors of schedule parsing, time-zone validation and the controller
//! helpers. Each message says what is wrong and what is expected; where
//! Kubernetes has a fixed wording (validation.go, utils.go) it is kept inside
//! the message so that it can be recognised.

use std::fmt;

/// A field of a five-field schedule, in the order they are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CronField {
    Minute,
    Hour,
    DayOfMonth,
    Month,
    DayOfWeek,
}

impl CronField {
    /// How the field is called in messages.
    fn name(self) -> &'static str {
        match self {
            CronField::Minute => "minute",
            CronField::Hour => "hour",
            CronField::DayOfMonth => "day-of-month",
            CronField::Month => "month",
            CronField::DayOfWeek => "day-of-week",
        }
    }

    /// What a single value of the field may be (robfig `spec.go` bounds).
    fn expected(self) -> &'static str {
        match self {
            CronField::Minute => "a number 0-59",
            CronField::Hour => "a number 0-23",
            CronField::DayOfMonth => "a number 1-31",
            CronField::Month => "a number 1-12 or a name JAN-DEC",
            CronField::DayOfWeek => "a number 0-6 (0 is Sunday) or a name SUN-SAT",
        }
    }
}

impl fmt::Display for CronField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What is wrong with one comma-separated part of a field (robfig
/// `getRange`, `mustParseInt`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldProblem {
    /// Neither a number nor a known name.
    NotANumber {
        token: String,
    },
    /// A cron modifier of other cron dialects (`L`, `W`, `#`) that robfig's
    /// standard parser does not know.
    UnsupportedModifier {
        token: String,
        modifier: char,
    },
    /// Digits beyond Go's `int` range.
    TooLarge {
        token: String,
    },
    /// A negative number (only reachable in a step such as `*/-1`).
    Negative {
        value: i64,
    },
    BelowMinimum {
        value: u64,
        min: u64,
    },
    AboveMaximum {
        value: u64,
        max: u64,
    },
    /// `a-b` with `a > b`.
    ReversedRange {
        start: u64,
        end: u64,
    },
    /// `/0`.
    ZeroStep,
    /// `a-b-c`.
    TooManyHyphens,
    /// `a/b/c`.
    TooManySlashes,
}

/// Every error of this module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CronError {
    /// `spec.schedule` is empty (Kubernetes: "Required value").
    EmptySchedule,
    /// The schedule contains `TZ` (validation.go rejects `TZ=`/`CRON_TZ=`
    /// for new objects).
    TimeZoneInSchedule { schedule: String },
    /// Not exactly five fields.
    FieldCount { schedule: String, found: usize },
    /// A field part is malformed or out of range.
    Field { field: CronField, expr: String, problem: FieldProblem },
    /// `@something` that is not a known descriptor.
    UnknownDescriptor { descriptor: String },
    /// `@every` with something Go's `time.ParseDuration` rejects.
    InvalidDuration { text: String, reason: String },
    /// `spec.timeZone` set to the empty string.
    EmptyTimeZone,
    /// `spec.timeZone` set to `Local` (any case).
    LocalTimeZone { name: String },
    /// `spec.timeZone` not in the tz database.
    UnknownTimeZone { name: String },
    /// utils.go `mostRecentScheduleTime`: the schedule has fewer than two
    /// activations one second or more apart (e.g. `59 23 31 2 *`).
    ScheduleGapTooSmall,
    /// An instant beyond what `jiff::Timestamp` represents (year ±9999).
    TimeOutOfRange,
}

impl fmt::Display for CronError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CronError::EmptySchedule => f.write_str(
                "schedule is empty: expected five fields \"minute hour day-of-month month \
                 day-of-week\" (e.g. \"0 * * * *\") or a descriptor such as @hourly",
            ),
            CronError::TimeZoneInSchedule { schedule } => write!(
                f,
                "schedule {schedule:?} contains TZ: cannot use TZ or CRON_TZ in schedule, \
                 use timeZone field instead"
            ),
            CronError::FieldCount { schedule, found } => fmt_field_count(f, schedule, *found),
            CronError::Field { field, expr, problem } => fmt_field(f, *field, expr, problem),
            CronError::UnknownDescriptor { descriptor } => write!(
                f,
                "unrecognized descriptor {descriptor:?}: expected one of @yearly, @annually, \
                 @monthly, @weekly, @daily, @midnight, @hourly or \"@every <duration>\""
            ),
            CronError::InvalidDuration { text, reason } => write!(
                f,
                "@every duration {text:?}: {reason}; expected a Go duration such as 90s, \
                 1h30m or 1.5h"
            ),
            CronError::EmptyTimeZone => f.write_str(
                "timeZone must be nil or non-empty string: expected an IANA time zone name \
                 such as \"Europe/Berlin\", or no timeZone at all",
            ),
            CronError::LocalTimeZone { name } => write!(
                f,
                "timeZone {name:?} is not allowed: timeZone must be an explicit time zone as \
                 defined in https://www.iana.org/time-zones (e.g. \"Europe/Berlin\")"
            ),
            CronError::UnknownTimeZone { name } => write!(
                f,
                "unknown time zone {name:?}: expected an IANA time zone name, spelled with \
                 its exact case, such as \"America/New_York\" or \"UTC\""
            ),
            CronError::ScheduleGapTooSmall => f.write_str(
                "time difference between two schedules is less than 1 second: the schedule \
                 does not fire twice within five years (e.g. February 31)",
            ),
            CronError::TimeOutOfRange => {
                f.write_str("time out of range: expected instants between the years -9999 and 9999")
            }
        }
    }
}

impl std::error::Error for CronError {}

fn fmt_field_count(f: &mut fmt::Formatter<'_>, schedule: &str, found: usize) -> fmt::Result {
    write!(
        f,
        "schedule {schedule:?} has {found} fields: expected exactly 5 \
         (minute hour day-of-month month day-of-week)"
    )?;
    if found == 6 {
        f.write_str("; a seconds field is not supported")?;
    }
    Ok(())
}

fn fmt_field(f: &mut fmt::Formatter<'_>, field: CronField, expr: &str, problem: &FieldProblem) -> fmt::Result {
    write!(f, "{field} field {expr:?}: ")?;
    fmt_problem(f, field, problem)?;
    write!(f, "; expected {}, a range a-b, a step */n, a-b/n or a/n, or a comma-separated list", field.expected())
}

fn fmt_problem(f: &mut fmt::Formatter<'_>, field: CronField, problem: &FieldProblem) -> fmt::Result {
    match problem {
        FieldProblem::NotANumber { token } if token.is_empty() => f.write_str("a number is missing"),
        FieldProblem::NotANumber { token } => write!(f, "{token:?} is not a number or name"),
        FieldProblem::UnsupportedModifier { token, modifier } => write!(
            f,
            "{token:?} uses the {modifier:?} modifier, which Kubernetes (robfig/cron standard \
             parser) does not support"
        ),
        FieldProblem::TooLarge { token } => write!(f, "{token:?} is too large"),
        FieldProblem::Negative { value } => write!(f, "negative number {value} not allowed"),
        FieldProblem::BelowMinimum { value, min } => {
            write!(f, "value {value} is below the minimum {min}")
        }
        FieldProblem::AboveMaximum { value, max } => {
            write!(f, "value {value} is above the maximum {max}")?;
            if field == CronField::DayOfWeek && *value == 7 {
                f.write_str(" (Sunday is 0 or SUN; 7 is not accepted)")?;
            }
            Ok(())
        }
        FieldProblem::ReversedRange { start, end } => {
            write!(f, "range start {start} is beyond its end {end}")
        }
        FieldProblem::ZeroStep => f.write_str("step must be a positive number"),
        FieldProblem::TooManyHyphens => f.write_str("too many hyphens"),
        FieldProblem::TooManySlashes => f.write_str("too many slashes"),
    }
}
