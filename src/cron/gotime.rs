//! The parts of Go's `time` package (`src/time/time.go`) that robfig's
//! `SpecSchedule.Next` relies on, on whole Unix seconds in one zone.
//!
//! Go reads wall-clock fields by adding the zone offset in force at the
//! instant. `time.Date` builds an instant from possibly out-of-range wall
//! fields: it normalises them (month into year; seconds, minutes and hours
//! into days; days roll across months), then guesses the offset with the
//! wall time read as UTC, `o1 = offset(wall)`, and settles on
//! `unix = wall - offset(wall - o1)`. That rule is not symmetric: a wall time
//! in a spring-forward gap moves *back* by the gap in zones west of Greenwich
//! (New York 02:30 → 01:30 EST) and *forward* east of it (Berlin 02:30 →
//! 03:30 CEST); a wall time in an autumn fold takes the *earlier* instant
//! west (01:30 EDT) and the *later* one east (02:30 CET).

use jiff::Timestamp;
use jiff::tz::TimeZone;

const SECONDS_PER_DAY: i64 = 86_400;

/// Wall-clock fields of an instant in a zone, as Go's `Year()`, `Month()`,
/// `Day()`, `Hour()`, `Minute()`, `Second()` and `Weekday()` give them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Wall {
    pub(crate) year: i64,
    /// 1-12.
    pub(crate) month: i64,
    /// 1-31.
    pub(crate) day: i64,
    pub(crate) hour: i64,
    pub(crate) minute: i64,
    pub(crate) second: i64,
    /// 0 = Sunday … 6 = Saturday.
    pub(crate) weekday: i64,
}

/// A zone in which Go-style wall-clock arithmetic is done. Every method
/// returns `None` when an instant leaves jiff's range (years ±9999).
pub(crate) struct Zone<'a> {
    tz: &'a TimeZone,
    /// The offset of a zone that has only one (UTC, fixed offsets): no lookups.
    fixed: Option<i64>,
}

impl<'a> Zone<'a> {
    pub(crate) fn new(tz: &'a TimeZone) -> Zone<'a> {
        let fixed = tz.to_fixed_offset().ok().map(|o| i64::from(o.seconds()));
        Zone { tz, fixed }
    }

    /// The UTC offset in seconds in force at `unix` (Go's `loc.lookup`).
    fn offset(&self, unix: i64) -> Option<i64> {
        if let Some(fixed) = self.fixed {
            return Some(fixed);
        }
        let ts = Timestamp::from_second(unix).ok()?;
        Some(i64::from(self.tz.to_offset(ts).seconds()))
    }

    /// The zone's offset (seconds east of UTC) at `unix`.
    pub(crate) fn offset_at(&self, unix: i64) -> Option<i64> {
        self.offset(unix)
    }

    /// Wall-clock fields of the instant `unix`.
    pub(crate) fn wall(&self, unix: i64) -> Option<Wall> {
        let local = unix.checked_add(self.offset(unix)?)?;
        let days = local.div_euclid(SECONDS_PER_DAY);
        let secs = local.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        Some(Wall {
            year,
            month,
            day,
            hour: secs / 3600,
            minute: secs % 3600 / 60,
            second: secs % 60,
            weekday: (days + 4).rem_euclid(7),
        })
    }

    /// Go's `time.Date(year, month, day, hour, min, sec, 0, loc)`.
    pub(crate) fn date(&self, year: i64, month: i64, day: i64, clock: (i64, i64, i64)) -> Option<i64> {
        let wall = wall_as_utc(year, month, day, clock)?;
        let guess = self.offset(wall)?;
        let offset = self.offset(wall.checked_sub(guess)?)?;
        wall.checked_sub(offset)
    }

    /// Go's `t.AddDate(years, months, days)`: the same clock on a shifted
    /// calendar date, through `time.Date` (so it normalises the same way).
    pub(crate) fn add_date(&self, unix: i64, years: i64, months: i64, days: i64) -> Option<i64> {
        let w = self.wall(unix)?;
        self.date(w.year + years, w.month + months, w.day + days, (w.hour, w.minute, w.second))
    }
}

/// Go's `t.Truncate(d)` for whole-second `d`: it rounds down on the absolute
/// time since year 1, whose distance to the Unix epoch (62135596800 s) is a
/// multiple of every divisor of a day, so rounding the Unix seconds agrees.
pub(crate) fn truncate(unix: i64, seconds: i64) -> i64 {
    unix - unix.rem_euclid(seconds)
}

/// The wall time read as if it were UTC, after Go's normalisation.
fn wall_as_utc(year: i64, month: i64, day: i64, clock: (i64, i64, i64)) -> Option<i64> {
    let month0 = month.checked_sub(1)?;
    let year = year.checked_add(month0.div_euclid(12))?;
    let month = month0.rem_euclid(12) + 1;
    let days = days_from_civil(year, month, 1).checked_add(day.checked_sub(1)?)?;
    let (hour, minute, second) = clock;
    let in_day = hour * 3600 + minute * 60 + second;
    days.checked_mul(SECONDS_PER_DAY)?.checked_add(in_day)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1-12).
/// Howard Hinnant's `days_from_civil`.
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
/// Howard Hinnant's `civil_from_days`.
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tz(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    fn unix(s: &str) -> i64 {
        s.parse::<Timestamp>().unwrap().as_second()
    }

    #[test]
    fn civil_round_trip() {
        for days in [-719_468, -1, 0, 1, 11_016, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn date_normalises_like_go() {
        let utc = TimeZone::UTC;
        let zone = Zone::new(&utc);
        // Month 13 is January of the next year; day 0 is the last day of
        // the previous month; hour 24 is midnight of the next day.
        assert_eq!(zone.date(2023, 13, 1, (0, 0, 0)), Some(unix("2024-01-01T00:00:00Z")));
        assert_eq!(zone.date(2024, 3, 0, (0, 0, 0)), Some(unix("2024-02-29T00:00:00Z")));
        assert_eq!(zone.date(2024, 1, 31, (24, 0, 0)), Some(unix("2024-02-01T00:00:00Z")));
        // AddDate(0, 1, 0) from January 31 overflows into March (2024 is a
        // leap year: Feb 31 = Mar 2).
        let jan31 = unix("2024-01-31T10:00:00Z");
        assert_eq!(zone.add_date(jan31, 0, 1, 0), Some(unix("2024-03-02T10:00:00Z")));
    }

    #[test]
    fn date_in_gap_and_fold_follows_go() {
        // New York, 2024-03-10 02:30 does not exist. wall = 02:30Z; offset
        // there is EST (-5h); wall + 5h = 07:30Z is after the 07:00Z switch,
        // so EDT (-4h) is used: 02:30 + 4h = 06:30Z, i.e. 01:30 EST.
        let ny = tz("America/New_York");
        let z = Zone::new(&ny);
        assert_eq!(z.date(2024, 3, 10, (2, 30, 0)), Some(unix("2024-03-10T06:30:00Z")));
        // New York, 2024-11-03 01:30 happens twice; offset at 01:30Z is EDT,
        // 01:30 + 4h = 05:30Z is still EDT: the earlier instant.
        assert_eq!(z.date(2024, 11, 3, (1, 30, 0)), Some(unix("2024-11-03T05:30:00Z")));
        // Berlin, 2024-03-31 02:30 does not exist. Offset at 02:30Z is CEST
        // (+2h); 02:30 - 2h = 00:30Z is before the 01:00Z switch, so CET
        // (+1h): 02:30 - 1h = 01:30Z, i.e. 03:30 CEST.
        let berlin = tz("Europe/Berlin");
        let z = Zone::new(&berlin);
        assert_eq!(z.date(2024, 3, 31, (2, 30, 0)), Some(unix("2024-03-31T01:30:00Z")));
        // Berlin, 2024-10-27 02:30 happens twice; offset at 02:30Z is CET,
        // 02:30 - 1h = 01:30Z is CET too: the later instant.
        assert_eq!(z.date(2024, 10, 27, (2, 30, 0)), Some(unix("2024-10-27T01:30:00Z")));
    }

    #[test]
    fn wall_fields_and_truncate() {
        let ny = tz("America/New_York");
        let w = Zone::new(&ny).wall(unix("2024-11-03T06:30:00Z")).unwrap();
        let expected = Wall { year: 2024, month: 11, day: 3, hour: 1, minute: 30, second: 0, weekday: 0 };
        assert_eq!(w, expected);
        assert_eq!(truncate(unix("2024-11-03T06:30:59Z"), 60), unix("2024-11-03T06:30:00Z"));
        assert_eq!(truncate(-1, 60), -60);
    }
}
