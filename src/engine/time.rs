//! Simulated time: integer milliseconds since the scenario's `start`, never a float.

use std::fmt;
use std::num::NonZeroU64;

/// Milliseconds of simulated time since the scenario's `start` instant.
///
/// Kept as the count plus one in a `NonZeroU64`, so that `Option<SimTime>` is eight
/// bytes, not sixteen: a pod and its containers hold about twenty optional times, and
/// a 5,000-node cluster holds 175,000 pods. The order is the count's (adding one keeps
/// it); the largest instant is `u64::MAX - 1` ms, which is `NEVER`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(NonZeroU64);

/// A span of simulated time in milliseconds.
pub type Millis = u64;

pub const SECOND: Millis = 1_000;
pub const MINUTE: Millis = 60 * SECOND;
pub const HOUR: Millis = 60 * MINUTE;
pub const DAY: Millis = 24 * HOUR;

impl SimTime {
    pub const ZERO: SimTime = SimTime::from_ms(0);
    pub const NEVER: SimTime = SimTime::from_ms(u64::MAX - 1);

    /// The instant `ms` milliseconds after the start (`NEVER` at most).
    pub const fn from_ms(ms: u64) -> SimTime {
        SimTime(NonZeroU64::MIN.saturating_add(ms))
    }

    pub const fn ms(self) -> u64 {
        self.0.get() - 1
    }

    /// `self + d`, saturating at `NEVER` so that "never" stays never.
    pub fn after(self, d: Millis) -> SimTime {
        SimTime::from_ms(self.ms().saturating_add(d))
    }

    /// Time elapsed since `earlier` (0 if `earlier` is later).
    pub fn since(self, earlier: SimTime) -> Millis {
        self.ms().saturating_sub(earlier.ms())
    }
}

impl Default for SimTime {
    fn default() -> SimTime {
        SimTime::ZERO
    }
}

impl fmt::Debug for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SimTime({})", self.ms())
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_duration(self.ms()))
    }
}

/// Formats a span the way durations are written in scenarios: `0s`, `1h30m`, `2d3h`, `1.5s`.
pub fn format_duration(ms: Millis) -> String {
    if ms == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    let mut rest = ms;
    for (unit, size) in [("d", DAY), ("h", HOUR), ("m", MINUTE)] {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    if rest > 0 {
        let (s, frac) = (rest / SECOND, rest % SECOND);
        if frac == 0 {
            out.push_str(&format!("{s}s"));
        } else if s == 0 && out.is_empty() {
            out.push_str(&format!("{frac}ms"));
        } else {
            let frac = format!("{frac:03}");
            out.push_str(&format!("{s}.{}s", frac.trim_end_matches('0')));
        }
    }
    out
}

/// Why a duration string was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationError(pub String);

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const DURATION_HELP: &str = "expected a duration such as 500ms, 90s, 5m, 1h30m, 1.5h or 7d (units ms, s, m, h, d)";

/// Parses a scenario duration: one or more `<number><unit>` terms, units `ms`, `s`, `m`,
/// `h`, `d`, decimals allowed (`1.5h`), as Go's `time.ParseDuration` plus days.
/// A bare `0` is accepted, as in Go. The result is rounded to whole milliseconds.
pub fn parse_duration(text: &str) -> Result<Millis, DurationError> {
    let help = || DurationError(format!("invalid duration {text:?}: {DURATION_HELP}"));
    let ns = parse_nanos(text, false).ok_or_else(help)?;
    u64::try_from(ns.div_ceil(1_000_000)).map_err(|_| help())
}

const FINE_DURATION_HELP: &str = "expected a duration such as 250us, 2ms or 1.5ms (units us, µs, ms, s, m, h, d)";

/// A duration finer than the simulation's millisecond, in microseconds (rounded up):
/// [`parse_duration`]'s terms plus Go's `us` and `µs`, for the few settings that are
/// a fraction of a millisecond (a scheduling cycle).
pub fn parse_micros(text: &str) -> Result<u64, DurationError> {
    let help = || DurationError(format!("invalid duration {text:?}: {FINE_DURATION_HELP}"));
    let ns = parse_nanos(text, true).ok_or_else(help)?;
    u64::try_from(ns.div_ceil(1_000)).map_err(|_| help())
}

/// The terms of a duration added up in nanoseconds (so `1.5ms` is exact); `micros`
/// admits the `us` and `µs` units.
fn parse_nanos(text: &str, micros: bool) -> Option<u128> {
    let s = text.trim();
    if s == "0" {
        return Some(0);
    }
    if s.is_empty() {
        return None;
    }
    let mut total: u128 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let (num, tail) = rest.split_at(num_len);
        let unit_len = tail.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let unit_ns: u128 = match unit {
            "us" | "µs" if micros => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60 * 1_000_000_000,
            "h" => 3_600 * 1_000_000_000,
            "d" => 86_400 * 1_000_000_000,
            _ => return None,
        };
        total = total.checked_add(decimal_times(num, unit_ns)?)?;
        rest = tail;
    }
    Some(total)
}

/// `num * unit` for a decimal `num` such as `1.25`, exactly, in integer arithmetic.
fn decimal_times(num: &str, unit: u128) -> Option<u128> {
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if int.is_empty() && frac.is_empty() || frac.contains('.') {
        return None;
    }
    let int: u128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut value = int.checked_mul(unit)?;
    let mut scale = unit;
    for digit in frac.bytes() {
        scale /= 10;
        value = value.checked_add(u128::from(digit - b'0') * scale)?;
    }
    Some(value)
}

/// Serde adapter: a duration field written as `90s` in a scenario.
pub mod serde_duration {
    use super::{Millis, parse_duration};
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Millis, D::Error> {
        let text = DurationText::deserialize(d)?;
        parse_duration(&text.0).map_err(serde::de::Error::custom)
    }

    /// A duration written as a string, or a bare `0`.
    pub struct DurationText(pub String);

    impl<'de> Deserialize<'de> for DurationText {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_str(TextVisitor).map(DurationText)
        }
    }

    struct TextVisitor;

    impl serde::de::Visitor<'_> for TextVisitor {
        type Value = String;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a duration such as 90s, 5m or 1h30m")
        }
        fn visit_str<E>(self, v: &str) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_i64<E>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_f64<E>(self, v: f64) -> Result<String, E> {
            Ok(v.to_string())
        }
    }
}

/// Serde adapter for an optional duration field.
pub mod serde_opt_duration {
    use super::{Millis, parse_duration, serde_duration::DurationText};
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Millis>, D::Error> {
        match Option::<DurationText>::deserialize(d)? {
            None => Ok(None),
            Some(t) => parse_duration(&t.0).map(Some).map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_optional_time_is_one_word_and_keeps_the_order() {
        assert_eq!(std::mem::size_of::<Option<SimTime>>(), 8);
        assert_eq!(SimTime::from_ms(0), SimTime::ZERO);
        assert_eq!(SimTime::from_ms(42).ms(), 42);
        assert!(SimTime::from_ms(1) > SimTime::ZERO);
        assert_eq!(SimTime::from_ms(u64::MAX), SimTime::NEVER);
        assert_eq!(SimTime::NEVER.after(5), SimTime::NEVER);
        assert_eq!(SimTime::from_ms(10).since(SimTime::from_ms(25)), 0);
        assert_eq!(SimTime::default(), SimTime::ZERO);
    }

    #[test]
    fn parses_scenario_durations() {
        let cases: &[(&str, Millis)] = &[
            ("0", 0),
            ("0s", 0),
            ("500ms", 500),
            ("90s", 90_000),
            ("5m", 300_000),
            ("1h30m", 5_400_000),
            ("1.5h", 5_400_000),
            ("7d", 7 * DAY),
            ("2d3h4m5s6ms", 2 * DAY + 3 * HOUR + 4 * MINUTE + 5 * SECOND + 6),
            (".5s", 500),
            ("1.0001s", 1001), // sub-millisecond parts round up
        ];
        for (text, want) in cases {
            assert_eq!(parse_duration(text), Ok(*want), "{text}");
        }
    }

    #[test]
    fn refuses_malformed_durations() {
        for text in ["", "5 minutes", "5", "m", "1.2.3s", "5x", "-5s", "1e3s", "s5", "99999999999999999999d"] {
            let err = parse_duration(text).expect_err(text);
            assert!(err.0.contains("expected a duration"), "{text}: {err}");
        }
    }

    #[test]
    fn parses_durations_finer_than_a_millisecond() {
        for (text, want) in [("250us", 250), ("250µs", 250), ("1.5ms", 1_500), ("2ms", 2_000), ("0", 0), ("0.4us", 1)]
        {
            assert_eq!(super::parse_micros(text), Ok(want), "{text}");
        }
        for text in ["", "250", "5ns", "fast", "1..2ms"] {
            let err = super::parse_micros(text).expect_err(text);
            assert!(err.0.contains("units us, µs, ms"), "{err}");
        }
        // Microseconds are for the settings that ask for them.
        assert!(parse_duration("250us").is_err());
    }

    #[test]
    fn formats_durations_round_trip() {
        for ms in [0, 1, 999, 1000, 1500, 61_000, HOUR + 1, 3 * DAY + 2 * HOUR + 5 * MINUTE] {
            assert_eq!(parse_duration(&format_duration(ms)), Ok(ms), "{ms}");
        }
        assert_eq!(format_duration(5_400_000), "1h30m");
    }
}

/// A span as Go's `time.Duration.String()` prints it (`0s`, `500ms`, `1.5s`, `1m30s`,
/// `1h0m0s`): the kubelet's event messages use it.
pub fn format_go_duration(ms: Millis) -> String {
    if ms == 0 {
        return "0s".into();
    }
    if ms < SECOND {
        return format!("{ms}ms");
    }
    let (h, m) = (ms / HOUR, (ms % HOUR) / MINUTE);
    let (s, frac) = ((ms % MINUTE) / SECOND, ms % SECOND);
    let secs = if frac == 0 { format!("{s}s") } else { format!("{s}.{}s", format!("{frac:03}").trim_end_matches('0')) };
    match (h, m) {
        (0, 0) => secs,
        (0, m) => format!("{m}m{secs}"),
        (h, m) => format!("{h}h{m}m{secs}"),
    }
}

#[cfg(test)]
mod go_tests {
    use super::*;

    #[test]
    fn prints_like_go() {
        for (ms, want) in
            [(0, "0s"), (500, "500ms"), (1500, "1.5s"), (90_000, "1m30s"), (HOUR, "1h0m0s"), (HOUR + 1, "1h0m0.001s")]
        {
            assert_eq!(format_go_duration(ms), want);
        }
    }
}
