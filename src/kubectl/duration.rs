//! Human-readable durations as printed by kubectl and the API server's table
//! printers.
//!
//! Upstream: `staging/src/k8s.io/apimachinery/pkg/util/duration/duration.go`
//! (`HumanDuration`, `ShortHumanDuration`) and `translateTimestampSince` in
//! `pkg/printers/internalversion/printers.go`.
//!
//! All inputs are milliseconds. Go works in nanoseconds, but every threshold
//! is a whole number of seconds and Go truncates toward zero, so truncating
//! nanoseconds to milliseconds first never changes the result.

const MS_PER_SECOND: i64 = 1_000;
const MS_PER_MINUTE: i64 = 60 * MS_PER_SECOND;
const MS_PER_HOUR: i64 = 60 * MS_PER_MINUTE;
const HOURS_PER_DAY: i64 = 24;
const DAYS_PER_YEAR: i64 = 365;

/// Largest `time.Duration` in Go (`math.MaxInt64` ns), in milliseconds.
/// `time.Since` saturates to it instead of overflowing.
const GO_MAX_DURATION_MS: i64 = i64::MAX / 1_000_000;

/// `duration.HumanDuration`: the AGE / LAST SEEN / "(… ago)" text.
///
/// Up to ~2 s in the future still prints `0s` (clock-skew tolerance);
/// further in the future prints `<invalid>`. Years are 365-day years.
pub fn human_duration(ms: i64) -> String {
    // Go: int(d.Seconds()) truncates toward zero, like Rust's `/`.
    let seconds = ms / MS_PER_SECOND;
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 2 * 60 {
        return format!("{seconds}s");
    }
    let minutes = ms / MS_PER_MINUTE;
    if minutes < 3 * 60 {
        return minutes_text(minutes, seconds);
    }
    hours_text(ms / MS_PER_HOUR, minutes)
}

/// Minutes range of `HumanDuration`: `2m`, `2m1s` … `9m59s`, then `10m` … `179m`.
fn minutes_text(minutes: i64, seconds: i64) -> String {
    if minutes >= 10 {
        return format!("{minutes}m");
    }
    with_remainder(minutes, "m", seconds % 60, "s")
}

/// Hour and longer ranges of `HumanDuration`.
fn hours_text(hours: i64, minutes: i64) -> String {
    let days = hours / HOURS_PER_DAY;
    let years = days / DAYS_PER_YEAR;
    if hours < 8 {
        with_remainder(hours, "h", minutes % 60, "m")
    } else if hours < 48 {
        format!("{hours}h")
    } else if hours < 8 * HOURS_PER_DAY {
        with_remainder(days, "d", hours % HOURS_PER_DAY, "h")
    } else if hours < 2 * DAYS_PER_YEAR * HOURS_PER_DAY {
        format!("{days}d")
    } else if hours < 8 * DAYS_PER_YEAR * HOURS_PER_DAY {
        with_remainder(years, "y", days % DAYS_PER_YEAR, "d")
    } else {
        format!("{years}y")
    }
}

/// `<major><unit>` followed by `<minor><unit>` unless the minor part is 0.
fn with_remainder(major: i64, major_unit: &str, minor: i64, minor_unit: &str) -> String {
    if minor == 0 { format!("{major}{major_unit}") } else { format!("{major}{major_unit}{minor}{minor_unit}") }
}

/// `duration.ShortHumanDuration`: one unit only (`59s`, `1m`, `23h`, `364d`, `1y`).
/// Not used by the printers kubectl shows today; kept for completeness.
#[cfg(test)]
pub fn short_human_duration(ms: i64) -> String {
    let seconds = ms / MS_PER_SECOND;
    let minutes = ms / MS_PER_MINUTE;
    let hours = ms / MS_PER_HOUR;
    if seconds < -1 {
        "<invalid>".to_string()
    } else if seconds < 0 {
        "0s".to_string()
    } else if seconds < 60 {
        format!("{seconds}s")
    } else if minutes < 60 {
        format!("{minutes}m")
    } else if hours < HOURS_PER_DAY {
        format!("{hours}h")
    } else if hours < HOURS_PER_DAY * DAYS_PER_YEAR {
        format!("{}d", hours / HOURS_PER_DAY)
    } else {
        // Go divides float hours; at millisecond resolution the integer
        // quotient is identical.
        format!("{}y", hours / HOURS_PER_DAY / DAYS_PER_YEAR)
    }
}

/// `metav1.Time` keeps whole seconds only: its JSON form is RFC 3339 without
/// fraction and its protobuf form drops nanoseconds
/// (`apimachinery/pkg/apis/meta/v1/time.go`, `time_proto.go`). Go's
/// `Time.Unix()` rounds toward the past, hence the floor.
pub fn truncate_to_seconds(ms: i64) -> i64 {
    ms.saturating_sub(ms.rem_euclid(MS_PER_SECOND))
}

/// `translateTimestampSince` (printers.go): `<unknown>` for a zero
/// timestamp (`None`), else `HumanDuration(now - timestamp)`.
///
/// `then_ms` is the timestamp as the simulator keeps it; it is truncated to
/// whole seconds first because kubectl only ever sees the `metav1.Time`
/// form. `now_ms` is not truncated (it is the printing process's clock).
pub fn translate_timestamp_since(now_ms: i64, then_ms: Option<i64>) -> String {
    match then_ms {
        None => "<unknown>".to_string(),
        Some(then) => {
            let since = now_ms.saturating_sub(truncate_to_seconds(then));
            human_duration(since.clamp(-GO_MAX_DURATION_MS, GO_MAX_DURATION_MS))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const VECTORS: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/kubectl/durations.json"));

    fn vectors() -> Value {
        serde_json::from_str(VECTORS).expect("durations.json parses")
    }

    /// Go's nanosecond input converted to our millisecond input (truncating
    /// toward zero, which preserves every whole-second threshold).
    fn ns_to_ms(case: &Value) -> i64 {
        case["d_ns"].as_i64().expect("d_ns") / 1_000_000
    }

    fn check_table(table: &str, f: fn(i64) -> String) {
        let v = vectors();
        let cases = v[table]["cases"].as_array().expect("cases");
        assert!(!cases.is_empty());
        for case in cases {
            let want = case["want"].as_str().expect("want");
            assert_eq!(f(ns_to_ms(case)), want, "{table} {case}");
        }
    }

    #[test]
    fn human_duration_upstream_table() {
        check_table("HumanDuration", human_duration);
    }

    #[test]
    fn human_duration_upstream_boundaries() {
        check_table("HumanDurationBoundaries", human_duration);
    }

    #[test]
    fn short_human_duration_upstream_boundaries() {
        check_table("ShortHumanDurationBoundaries", short_human_duration);
    }

    #[test]
    fn translate_timestamp_since_upstream_table() {
        // A whole-second "now": the upstream test builds timestamps without
        // the metav1 truncation, which only agrees on whole seconds.
        let now = 1_700_000_000_000_i64;
        let v = vectors();
        let cases = v["translateTimestampSince"]["cases"].as_array().expect("cases");
        assert!(!cases.is_empty());
        for case in cases {
            let want = case["want"].as_str().expect("want");
            let then = if let Some(days) = case["age_days"].as_i64() {
                Some(now - days * 24 * MS_PER_HOUR)
            } else {
                case["age_s"].as_f64().map(|s| now - (s * 1000.0).round() as i64)
            };
            assert_eq!(translate_timestamp_since(now, then), want, "{case}");
        }
    }

    #[test]
    fn metav1_time_truncates_to_whole_seconds() {
        // kubectl-printing.md 7.3: created at 10:00:00.7, printed at
        // 10:00:59.5 -> creationTimestamp 10:00:00 -> AGE 59s.
        let created = 36_000_700;
        let now = 36_059_500;
        assert_eq!(translate_timestamp_since(now, Some(created)), "59s");
        assert_eq!(truncate_to_seconds(-1), -1000);
        assert_eq!(truncate_to_seconds(1999), 1000);
    }

    #[test]
    fn extreme_inputs_do_not_panic() {
        assert_eq!(human_duration(i64::MIN), "<invalid>");
        assert_eq!(short_human_duration(i64::MIN), "<invalid>");
        // 292 years is where Go's time.Since saturates.
        assert_eq!(translate_timestamp_since(i64::MAX, Some(i64::MIN)), "292y");
        assert_eq!(translate_timestamp_since(i64::MIN, Some(i64::MAX)), "<invalid>");
    }
}
