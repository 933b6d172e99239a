//! Schedule grammar of robfig/cron v3.0.1 `ParseStandard` (`parser.go`,
//! bounds in `spec.go`), plus the extra rejections of Kubernetes'
//! `validateScheduleFormat` / `ValidateCronJobSpec`
//! (`pkg/apis/batch/validation/validation.go`).
//!
//! robfig details reproduced on purpose, because Kubernetes accepts what
//! they accept:
//! * fields are split with Go's `strings.Fields` (any Unicode white space)
//!   and lists with `strings.FieldsFunc(',')`, so empty list items vanish
//!   (`1,,2` is `1,2`; a lone `,` is an empty set that never matches);
//! * a part whose range side starts with `*` or `?` is the full range and
//!   anything after its `-` is ignored (`*-5` is `*`);
//! * `N/step` means `N-max/step`; a step above 1 clears the star bit, so
//!   `*/2` counts as restricted for the day-of-month/day-of-week rule while
//!   `*/1` does not;
//! * numbers go through Go's `strconv.Atoi`: a leading `+` is allowed,
//!   leading zeros too; names are case-insensitive (JAN-DEC, SUN-SAT);
//! * `?` is allowed in every field and means `*`.

use super::duration::parse_go_duration;
use super::error::{CronError, CronField, FieldProblem};
use super::{STAR_BIT, Schedule, SpecFields};

/// Inclusive bounds of a field and its names (robfig `spec.go`).
struct Bounds {
    field: CronField,
    min: u64,
    max: u64,
    names: &'static [(&'static str, u64)],
}

const MINUTES: Bounds = Bounds { field: CronField::Minute, min: 0, max: 59, names: &[] };
const HOURS: Bounds = Bounds { field: CronField::Hour, min: 0, max: 23, names: &[] };
const DOM: Bounds = Bounds { field: CronField::DayOfMonth, min: 1, max: 31, names: &[] };
const MONTHS: Bounds = Bounds {
    field: CronField::Month,
    min: 1,
    max: 12,
    names: &[
        ("jan", 1),
        ("feb", 2),
        ("mar", 3),
        ("apr", 4),
        ("may", 5),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("oct", 10),
        ("nov", 11),
        ("dec", 12),
    ],
};
const DOW: Bounds = Bounds {
    field: CronField::DayOfWeek,
    min: 0,
    max: 6,
    names: &[("sun", 0), ("mon", 1), ("tue", 2), ("wed", 3), ("thu", 4), ("fri", 5), ("sat", 6)],
};

/// Entry point behind [`Schedule::parse`].
pub(crate) fn parse_schedule(schedule: &str) -> Result<Schedule, CronError> {
    if schedule.is_empty() {
        return Err(CronError::EmptySchedule);
    }
    // validation.go: `strings.Contains(schedule, "TZ")` is refused for new
    // objects ("use timeZone field instead"), before robfig would strip a
    // leading TZ=/CRON_TZ=.
    if schedule.contains("TZ") {
        return Err(CronError::TimeZoneInSchedule { schedule: schedule.to_string() });
    }
    if schedule.starts_with('@') {
        return parse_descriptor(schedule);
    }
    parse_fields(schedule)
}

/// robfig `parseDescriptor`: exact, case-sensitive names.
fn parse_descriptor(descriptor: &str) -> Result<Schedule, CronError> {
    let all_dom = full(&DOM);
    let all_months = full(&MONTHS);
    let all_dow = full(&DOW);
    let all_hours = full(&HOURS);
    let at_midnight = |dom, month, dow| SpecFields { second: 1, minute: 1, hour: 1, dom, month, dow };
    let fields = match descriptor {
        "@yearly" | "@annually" => at_midnight(1 << 1, 1 << 1, all_dow),
        "@monthly" => at_midnight(1 << 1, all_months, all_dow),
        "@weekly" => at_midnight(all_dom, all_months, 1),
        "@daily" | "@midnight" => at_midnight(all_dom, all_months, all_dow),
        "@hourly" => SpecFields { hour: all_hours, ..at_midnight(all_dom, all_months, all_dow) },
        _ => return parse_every(descriptor),
    };
    Ok(Schedule::spec(fields))
}

/// `@every <duration>` (robfig `parseDescriptor` + `Every`): the duration is
/// everything after exactly one space; below one second it becomes one
/// second (zero and negative included); fractions of a second are dropped.
fn parse_every(descriptor: &str) -> Result<Schedule, CronError> {
    let Some(text) = descriptor.strip_prefix("@every ") else {
        return Err(CronError::UnknownDescriptor { descriptor: descriptor.to_string() });
    };
    let nanos =
        parse_go_duration(text).map_err(|reason| CronError::InvalidDuration { text: text.to_string(), reason })?;
    Ok(Schedule::every(nanos.max(1_000_000_000) / 1_000_000_000))
}

/// Five fields; robfig's seconds field is the fixed default `0`.
fn parse_fields(schedule: &str) -> Result<Schedule, CronError> {
    let fields: Vec<&str> = schedule.split_whitespace().collect();
    let [minute, hour, dom, month, dow] = fields[..] else {
        return Err(CronError::FieldCount { schedule: schedule.to_string(), found: fields.len() });
    };
    Ok(Schedule::spec(SpecFields {
        second: 1,
        minute: parse_field(minute, &MINUTES)?,
        hour: parse_field(hour, &HOURS)?,
        dom: parse_field(dom, &DOM)?,
        month: parse_field(month, &MONTHS)?,
        dow: parse_field(dow, &DOW)?,
    }))
}

/// robfig `getField`: the union of the comma-separated parts; empty parts
/// are skipped, as `strings.FieldsFunc` does.
fn parse_field(field: &str, bounds: &Bounds) -> Result<u64, CronError> {
    field.split(',').filter(|part| !part.is_empty()).try_fold(0, |bits, part| Ok(bits | parse_part(part, bounds)?))
}

/// robfig `getRange`: `*`, `?`, `a`, `a-b`, each optionally `/step`.
fn parse_part(part: &str, bounds: &Bounds) -> Result<u64, CronError> {
    let fail = |problem| CronError::Field { field: bounds.field, expr: part.to_string(), problem };
    let (range, step_text, slashes) = split_step(part);
    let (mut start, mut end, star, single) = parse_range(range, bounds).map_err(fail)?;
    let mut extra = if star { STAR_BIT } else { 0 };
    let step = match (step_text, slashes) {
        (None, _) => 1,
        (Some(text), 1) => {
            let step = parse_number(text, bounds.field).map_err(fail)?;
            if single {
                end = bounds.max;
            }
            if step > 1 {
                extra = 0;
            }
            step
        }
        _ => return Err(fail(FieldProblem::TooManySlashes)),
    };
    check_range(&mut start, end, step, bounds).map_err(fail)?;
    Ok(bits(start, end, step) | extra)
}

/// Splits `range/step`; also returns the number of slashes, since robfig
/// rejects more than one only after parsing the range.
fn split_step(part: &str) -> (&str, Option<&str>, usize) {
    let slashes = part.matches('/').count();
    match part.split_once('/') {
        Some((range, step)) => (range, Some(step), slashes),
        None => (part, None, 0),
    }
}

/// The range side: (start, end, star bit, written as a single value).
/// Like robfig, the start is parsed before the hyphens are counted, and the
/// end only when there is exactly one hyphen.
fn parse_range(range: &str, bounds: &Bounds) -> Result<(u64, u64, bool, bool), FieldProblem> {
    let sides: Vec<&str> = range.split('-').collect();
    let low = sides.first().copied().unwrap_or("");
    let single = sides.len() == 1;
    if low == "*" || low == "?" {
        return Ok((bounds.min, bounds.max, true, single));
    }
    let start = parse_value(low, bounds)?;
    let end = match sides[..] {
        [_] => start,
        [_, high] => parse_value(high, bounds)?,
        _ => return Err(FieldProblem::TooManyHyphens),
    };
    Ok((start, end, false, single))
}

/// robfig's bound checks, in its order.
fn check_range(start: &mut u64, end: u64, step: u64, bounds: &Bounds) -> Result<(), FieldProblem> {
    if *start < bounds.min {
        return Err(FieldProblem::BelowMinimum { value: *start, min: bounds.min });
    }
    if end > bounds.max {
        return Err(FieldProblem::AboveMaximum { value: end, max: bounds.max });
    }
    if *start > end {
        return Err(FieldProblem::ReversedRange { start: *start, end });
    }
    if step == 0 {
        return Err(FieldProblem::ZeroStep);
    }
    Ok(())
}

/// robfig `parseIntOrName`: a name of the field (any case) or a number.
fn parse_value(text: &str, bounds: &Bounds) -> Result<u64, FieldProblem> {
    let named = bounds.names.iter().find(|(name, _)| name.eq_ignore_ascii_case(text));
    match named {
        Some((_, value)) => Ok(*value),
        None => parse_number(text, bounds.field),
    }
}

/// robfig `mustParseInt`: Go's `strconv.Atoi`, then non-negative.
fn parse_number(text: &str, field: CronField) -> Result<u64, FieldProblem> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'+') => (false, &text[1..]),
        Some(b'-') => (true, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(not_a_number(text, field));
    }
    let too_large = || FieldProblem::TooLarge { token: text.to_string() };
    let magnitude: i128 = digits.parse().map_err(|_| too_large())?;
    let value = if negative { -magnitude } else { magnitude };
    let value = i64::try_from(value).map_err(|_| too_large())?;
    u64::try_from(value).map_err(|_| FieldProblem::Negative { value })
}

/// A token that is no number: point out modifiers of other cron dialects
/// (`L`, `W`, `#`) that robfig's standard parser does not support.
fn not_a_number(text: &str, field: CronField) -> FieldProblem {
    match unsupported_modifier(text, field) {
        Some(modifier) => FieldProblem::UnsupportedModifier { token: text.to_string(), modifier },
        None => FieldProblem::NotANumber { token: text.to_string() },
    }
}

fn unsupported_modifier(text: &str, field: CronField) -> Option<char> {
    let upper = text.to_ascii_uppercase();
    let day_field = matches!(field, CronField::DayOfMonth | CronField::DayOfWeek);
    if upper.contains('#') {
        return Some('#');
    }
    if !day_field {
        return None;
    }
    if upper == "L" || upper == "LW" {
        return Some('L');
    }
    let day_like = |head: &str| {
        !head.is_empty()
            && (head.bytes().all(|c| c.is_ascii_digit()) || DOW.names.iter().any(|(n, _)| n.eq_ignore_ascii_case(head)))
    };
    if upper.strip_suffix('L').is_some_and(day_like) {
        return Some('L');
    }
    if upper.strip_suffix('W').is_some_and(day_like) {
        return Some('W');
    }
    None
}

/// robfig `getBits`: every `step`-th value from `start` to `end`.
fn bits(start: u64, end: u64, step: u64) -> u64 {
    let mut out = 0;
    let mut value = start;
    while value <= end {
        out |= 1 << value;
        match value.checked_add(step) {
            Some(next) => value = next,
            None => break,
        }
    }
    out
}

/// robfig `all`: the whole range plus the star bit.
fn full(bounds: &Bounds) -> u64 {
    bits(bounds.min, bounds.max, 1) | STAR_BIT
}
