//! robfig/cron v3.0.1 `SpecSchedule.Next` (`spec.go`) and
//! `ConstantDelaySchedule.Next` (`constantdelay.go`).
//!
//! The field search walks wall-clock fields of the zone the way robfig does
//! it with Go's `time` package (see `gotime.rs`): months with
//! `AddDate(0, 1, 0)`, days with `AddDate(0, 0, 1)` plus robfig's
//! correction when midnight moved, hours with `Add(1h)` on the instant,
//! minutes and seconds with `Add`. Consequences worth knowing:
//! * a wall time skipped by a spring-forward gap does not fire that day
//!   (`30 2 * * *` in New York skips 2024-03-10);
//! * minute-specific schedules inside an autumn fold fire in both
//!   occurrences (`30 1 * * *` in New York fires at 05:30Z and 06:30Z on
//!   2024-11-03);
//! * in zones with 30-minute shifts (Australia/Lord_Howe) hourly stepping
//!   lands on :30 after the shift, so `0 2` / `0 3` can be skipped on the
//!   change days although that wall time exists.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::gotime::{Wall, Zone, truncate};
use super::{STAR_BIT, SpecFields};

/// Safety net against endless loops on pathological zones; a real five-year
/// search takes far fewer steps (at most a few hundred thousand).
const MAX_STEPS: u32 = 5_000_000;

/// `ConstantDelaySchedule.Next`: `t + delay - t.Nanosecond()`.
pub(crate) fn every_next(delay_seconds: i64, after: Timestamp) -> Option<Timestamp> {
    let next = floor_second(after).checked_add(delay_seconds)?;
    Timestamp::from_second(next).ok()
}

/// `SpecSchedule.Next` evaluated in `tz`; `None` is robfig's zero time.
pub(crate) fn spec_next(fields: &SpecFields, after: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
    if never_matches(fields) {
        // robfig would search five years and return the zero time.
        return None;
    }
    let zone = Zone::new(tz);
    // "Start at the earliest possible time (the upcoming second)."
    let start = floor_second(after).checked_add(1)?;
    let search = Search { fields, zone, t: start, added: false, steps: 0, last_wall: std::cell::Cell::new(None) };
    let found = search.run()?;
    Timestamp::from_second(found).ok()
}

/// The whole second at or before `ts` (Go's `Nanosecond()` is never
/// negative, jiff's sub-second part may be).
fn floor_second(ts: Timestamp) -> i64 {
    let seconds = ts.as_second();
    if ts.subsec_nanosecond() < 0 { seconds - 1 } else { seconds }
}

/// A field with no allowed value (e.g. written as a lone `,`), or days that
/// can never match, make the schedule fire never.
fn never_matches(f: &SpecFields) -> bool {
    let empty = |bits: u64| bits & !STAR_BIT == 0;
    let days_empty =
        if (f.dom | f.dow) & STAR_BIT != 0 { empty(f.dom) || empty(f.dow) } else { empty(f.dom) && empty(f.dow) };
    empty(f.minute) || empty(f.hour) || empty(f.month) || days_empty
}

/// robfig `dayMatches`: if either day field carries the star bit both must
/// match, otherwise either may.
fn day_matches(f: &SpecFields, w: &Wall) -> bool {
    let dom = has(f.dom, w.day);
    let dow = has(f.dow, w.weekday);
    if (f.dom | f.dow) & STAR_BIT != 0 { dom && dow } else { dom || dow }
}

fn has(bits: u64, value: i64) -> bool {
    (0..63).contains(&value) && bits & (1 << value) != 0
}

/// Whether a field loop found its value or hit robfig's `goto WRAP`.
enum Step {
    Found,
    Wrap,
}

struct Search<'a> {
    fields: &'a SpecFields,
    zone: Zone<'a>,
    /// The candidate instant, in whole Unix seconds.
    t: i64,
    /// robfig's `added`: a field was already incremented, so lower fields
    /// start from zero instead of from the current time.
    added: bool,
    steps: u32,
    last_wall: std::cell::Cell<Option<(i64, Wall)>>,
}

impl Search<'_> {
    fn run(mut self) -> Option<i64> {
        let year_limit = self.wall()?.year + 5;
        loop {
            if self.wall()?.year > year_limit {
                return None;
            }
            if let Step::Wrap = self.months()? {
                continue;
            }
            if let Step::Wrap = self.days()? {
                continue;
            }
            if let Step::Wrap = self.hours()? {
                continue;
            }
            if let Step::Wrap = self.minutes()? {
                continue;
            }
            if let Step::Wrap = self.seconds()? {
                continue;
            }
            return Some(self.t);
        }
    }

    /// The wall clock at `t`; the search asks several times per instant, so the last
    /// answer is kept.
    fn wall(&self) -> Option<Wall> {
        if let Some((t, w)) = self.last_wall.get()
            && t == self.t
        {
            return Some(w);
        }
        let w = self.zone.wall(self.t)?;
        self.last_wall.set(Some((self.t, w)));
        Some(w)
    }

    /// Counts a step; `None` once the safety net is reached.
    fn tick(&mut self) -> Option<()> {
        self.steps += 1;
        (self.steps < MAX_STEPS).then_some(())
    }

    /// Resets the lower fields the first time anything is incremented.
    fn reset(&mut self, to: impl FnOnce(&Zone, Wall) -> Option<i64>) -> Option<()> {
        if !self.added {
            self.added = true;
            self.t = to(&self.zone, self.wall()?)?;
        }
        Some(())
    }

    fn months(&mut self) -> Option<Step> {
        while !has(self.fields.month, self.wall()?.month) {
            self.tick()?;
            self.reset(|z, w| z.date(w.year, w.month, 1, (0, 0, 0)))?;
            self.t = self.zone.add_date(self.t, 0, 1, 0)?;
            if self.wall()?.month == 1 {
                return Some(Step::Wrap);
            }
        }
        Some(Step::Found)
    }

    fn days(&mut self) -> Option<Step> {
        while !day_matches(self.fields, &self.wall()?) {
            self.tick()?;
            self.reset(|z, w| z.date(w.year, w.month, w.day, (0, 0, 0)))?;
            self.t = self.zone.add_date(self.t, 0, 0, 1)?;
            self.t = self.back_to_midnight()?;
            if self.wall()?.day == 1 {
                return Some(Step::Wrap);
            }
        }
        Some(Step::Found)
    }

    /// robfig's daylight-saving correction after `AddDate(0, 0, 1)`: when the
    /// hour is no longer 0, add the hours up to 24 if it is past noon,
    /// otherwise subtract it.
    fn back_to_midnight(&self) -> Option<i64> {
        let hour = self.wall()?.hour;
        let shift = match hour {
            0 => 0,
            h if h > 12 => (24 - h) * 3600,
            h => -h * 3600,
        };
        self.t.checked_add(shift)
    }

    fn hours(&mut self) -> Option<Step> {
        while !has(self.fields.hour, self.wall()?.hour) {
            self.tick()?;
            self.reset(|z, w| z.date(w.year, w.month, w.day, (w.hour, 0, 0)))?;
            self.t = self.t.checked_add(3600)?;
            if self.wall()?.hour == 0 {
                return Some(Step::Wrap);
            }
        }
        Some(Step::Found)
    }

    fn minutes(&mut self) -> Option<Step> {
        while !has(self.fields.minute, self.wall()?.minute) {
            self.tick()?;
            let t = self.t;
            self.reset(|_, _| Some(truncate(t, 60)))?;
            let minute = self.wall()?.minute;
            self.t = self.jump(minute, self.fields.minute, 60)?;
            if self.wall()?.minute == 0 {
                return Some(Step::Wrap);
            }
        }
        Some(Step::Found)
    }

    /// robfig adds one unit (a minute, a second) per loop turn until the field
    /// matches or wraps to 0. Where the zone's offset is the same at both ends,
    /// no turn in between can match or wrap, so jump to the next allowed value
    /// (or to the wrap) at once; otherwise take one step, as robfig does.
    fn jump(&self, current: i64, bits: u64, unit: i64) -> Option<i64> {
        let next = (current + 1..60).find(|v| has(bits, *v)).unwrap_or(60);
        let candidate = self.t.checked_add((next - current) * unit)?;
        let step = self.t.checked_add(unit)?;
        if next - current > 1 && self.zone.offset_at(candidate) == self.zone.offset_at(self.t) {
            Some(candidate)
        } else {
            Some(step)
        }
    }

    fn seconds(&mut self) -> Option<Step> {
        while !has(self.fields.second, self.wall()?.second) {
            self.tick()?;
            // Truncate(time.Second) is a no-op on whole seconds.
            let t = self.t;
            self.reset(|_, _| Some(t))?;
            let second = self.wall()?.second;
            self.t = self.jump(second, self.fields.second, 1)?;
            if self.wall()?.second == 0 {
                return Some(Step::Wrap);
            }
        }
        Some(Step::Found)
    }
}
