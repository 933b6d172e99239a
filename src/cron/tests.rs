//! Table tests driven by `testdata/cron/*.json`. Each table test checks
//! every row, collects the mismatches and fails with all of them listed.

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use super::duration::parse_go_duration;
use super::missed::{most_recent_schedule_time, next_schedule_time, next_schedule_time_duration};
use super::*;

const KUBERNETES_CASES: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/cron/kubernetes_cases.json"));
const PARSE_CASES: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/cron/parse_cases.json"));
const NEXT_CASES: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/cron/next_cases.json"));
const TIMEZONE_CASES: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/cron/timezone_cases.json"));
const MISSED_CASES: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/cron/missed_cases.json"));

fn table(text: &str, key: &str) -> Vec<Value> {
    let doc: Value = serde_json::from_str(text).expect("test data is valid JSON");
    let rows = doc[key].as_array().expect("test data has the table").clone();
    assert!(!rows.is_empty(), "table {key} is empty");
    rows
}

fn text<'a>(case: &'a Value, key: &str) -> &'a str {
    case[key].as_str().unwrap_or_else(|| panic!("{key} missing in {case}"))
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap_or_else(|e| panic!("bad timestamp {s:?}: {e}"))
}

/// A timestamp field that may be null.
fn opt_ts(case: &Value, key: &str) -> Option<Timestamp> {
    case[key].as_str().map(ts)
}

fn zone(case: &Value) -> TimeZone {
    let name = case["tz"].as_str().unwrap_or("UTC");
    validate_time_zone(name).expect("test zone is valid")
}

fn go_duration(s: &str) -> SignedDuration {
    SignedDuration::from_nanos(parse_go_duration(s).expect("test duration is valid"))
}

fn missed_name(missed: MissedSchedules) -> &'static str {
    match missed {
        MissedSchedules::None => "none",
        MissedSchedules::Few => "few",
        MissedSchedules::Many => "many",
    }
}

fn finish(failures: Vec<String>) {
    assert!(failures.is_empty(), "{} failing rows:\n{}", failures.len(), failures.join("\n"));
}

/// Rows of kubernetes_cases.json for `group`.
fn kubernetes_group(group: &str) -> Vec<Value> {
    let rows: Vec<Value> = table(KUBERNETES_CASES, "cases").into_iter().filter(|c| c["group"] == group).collect();
    assert!(!rows.is_empty(), "no kubernetes cases for {group}");
    rows
}

fn check_kubernetes_most_recent(case: &Value) -> Result<(), String> {
    let schedule = Schedule::parse(text(case, "schedule")).map_err(|e| e.to_string())?;
    let got = most_recent_schedule_time(
        &schedule,
        &TimeZone::UTC,
        ts(text(case, "creationTimestamp")),
        opt_ts(case, "lastScheduleTime"),
        case["startingDeadlineSeconds"].as_i64(),
        case["includeStartingDeadlineSeconds"].as_bool().unwrap_or(false),
        ts(text(case, "now")),
    );
    let expected = &case["expected"];
    if expected["error"].as_bool() == Some(true) {
        return match got {
            Err(CronError::ScheduleGapTooSmall) => Ok(()),
            other => Err(format!("expected the gap error, got {other:?}")),
        };
    }
    let (earliest, most_recent, missed) = got.map_err(|e| e.to_string())?;
    let want_earliest = text(expected, "earliestTime");
    let earliest_ok = want_earliest == "(not asserted)" || ts(want_earliest) == earliest;
    let want = (opt_ts(expected, "mostRecentTime"), text(expected, "missedSchedules"));
    if earliest_ok && want == (most_recent, missed_name(missed)) {
        Ok(())
    } else {
        Err(format!("got ({earliest}, {most_recent:?}, {missed:?})"))
    }
}

fn check_kubernetes_duration(case: &Value) -> Result<(), String> {
    let schedule = Schedule::parse(text(case, "schedule")).map_err(|e| e.to_string())?;
    let got = next_schedule_time_duration(
        &schedule,
        &TimeZone::UTC,
        ts(text(case, "creationTimestamp")),
        opt_ts(case, "lastScheduleTime"),
        ts(text(case, "now")),
    );
    let want = go_duration(text(case, "expectedRequeueAfter"));
    (got == Some(want)).then_some(()).ok_or(format!("got {got:?}, want {want:?}"))
}

fn check_kubernetes_next(case: &Value) -> Result<(), String> {
    let schedule = Schedule::parse(text(case, "schedule")).map_err(|e| e.to_string())?;
    let got = next_schedule_time(
        &schedule,
        &TimeZone::UTC,
        ts(text(case, "creationTimestamp")),
        opt_ts(case, "lastScheduleTime"),
        case["startingDeadlineSeconds"].as_i64(),
        ts(text(case, "now")),
    );
    let ok = match (&case["expectedScheduledTime"], case["expectError"].as_bool(), &got) {
        (_, Some(true), Err(CronError::ScheduleGapTooSmall)) => true,
        (Value::Null, Some(false), Ok(None)) => true,
        // "non-nil (test only asserts schedule != nil)"
        (Value::String(s), Some(false), Ok(Some(_))) if s.starts_with("non-nil") => true,
        (Value::String(s), Some(false), Ok(Some(found))) => found.time == ts(s),
        _ => false,
    };
    ok.then_some(()).ok_or(format!("got {got:?}"))
}

/// Checks one table row; `Err` describes the mismatch.
type RowCheck = fn(&Value) -> Result<(), String>;

#[test]
fn kubernetes_vectors() {
    let checks: [(&str, RowCheck); 3] = [
        ("mostRecentScheduleTime", check_kubernetes_most_recent),
        ("nextScheduleTimeDuration", check_kubernetes_duration),
        ("nextScheduleTime", check_kubernetes_next),
    ];
    let mut failures = Vec::new();
    let mut count = 0;
    for (group, check) in checks {
        for case in kubernetes_group(group) {
            count += 1;
            assert!(case["source"].is_string(), "case keeps its source");
            if let Err(e) = check(&case) {
                failures.push(format!("{group} {:?}: {e}", case["name"]));
            }
        }
    }
    assert_eq!(count, 25, "every 6_cronjob_controller case is run");
    finish(failures);
}

/// Expected values of one field: a list, or "lo-hi".
fn expected_values(spec: &Value) -> Vec<u64> {
    match spec {
        Value::String(range) => {
            let (lo, hi) = range.split_once('-').expect("lo-hi");
            (lo.parse().expect("lo")..=hi.parse().expect("hi")).collect()
        }
        Value::Array(items) => items.iter().map(|v| v.as_u64().expect("u64")).collect(),
        other => panic!("bad field spec {other}"),
    }
}

fn values_of(bits: u64) -> Vec<u64> {
    (0..63).filter(|i| bits & (1 << i) != 0).collect()
}

fn check_accept(case: &Value) -> Result<(), String> {
    let schedule = Schedule::parse(text(case, "schedule")).map_err(|e| e.to_string())?;
    if let Some(seconds) = case["every_seconds"].as_i64() {
        let got = schedule.every_seconds();
        return (got == Some(seconds)).then_some(()).ok_or(format!("every_seconds {got:?}"));
    }
    let f = schedule.fields().ok_or("not a field schedule")?;
    let fields = [("minute", f.minute), ("hour", f.hour), ("dom", f.dom), ("month", f.month), ("dow", f.dow)];
    for (key, bits) in fields {
        if !case[key].is_null() && values_of(bits) != expected_values(&case[key]) {
            return Err(format!("{key} = {:?}", values_of(bits)));
        }
    }
    for (key, bits) in [("dom_star", f.dom), ("dow_star", f.dow)] {
        if let Some(star) = case[key].as_bool()
            && star != (bits & STAR_BIT != 0)
        {
            return Err(format!("{key} != {star}"));
        }
    }
    (f.second == 1).then_some(()).ok_or("seconds must be 0".into())
}

#[test]
fn parse_accepts() {
    let mut failures = Vec::new();
    for case in table(PARSE_CASES, "accept") {
        if let Err(e) = check_accept(&case) {
            failures.push(format!("{:?}: {e}", case["schedule"]));
        }
    }
    finish(failures);
}

#[test]
fn parse_rejects_with_messages() {
    let mut failures = Vec::new();
    for case in table(PARSE_CASES, "reject") {
        let schedule = text(&case, "schedule");
        let want = text(&case, "error");
        match Schedule::parse(schedule) {
            Err(e) if e.to_string() == want => {}
            other => failures.push(format!("{schedule:?}: got {other:?}\n   want {want}")),
        }
    }
    finish(failures);
}

fn check_next(case: &Value) -> Result<(), String> {
    let schedule = Schedule::parse(text(case, "schedule")).map_err(|e| e.to_string())?;
    let tz = zone(case);
    let mut after = ts(text(case, "after"));
    let expected = case["expect"].as_array().ok_or("expect missing")?;
    assert!(!expected.is_empty(), "a next case expects something");
    for want in expected {
        let got = schedule.next(after, &tz);
        let want = want.as_str().map(ts);
        if got != want {
            return Err(format!("after {after}: got {got:?}, want {want:?}"));
        }
        match got {
            Some(t) => after = t,
            None => break,
        }
    }
    Ok(())
}

#[test]
fn next_table() {
    let mut failures = Vec::new();
    for case in table(NEXT_CASES, "cases") {
        assert!(case["why"].is_string(), "every next case explains itself");
        if let Err(e) = check_next(&case) {
            failures.push(format!("{:?}: {e}", case["name"]));
        }
    }
    finish(failures);
}

#[test]
fn time_zone_table() {
    let mut failures = Vec::new();
    for case in table(TIMEZONE_CASES, "cases") {
        let name = text(&case, "name");
        match (validate_time_zone(name), case["error"].as_str()) {
            (Ok(tz), None) if tz.iana_name() == Some(name) => {}
            (Err(e), Some(want)) if e.to_string() == want => {}
            (got, want) => failures.push(format!("{name:?}: got {got:?}, want {want:?}")),
        }
    }
    finish(failures);
}

fn check_missed_most_recent(case: &Value, schedule: &Schedule, tz: &TimeZone) -> Result<(), String> {
    let got = most_recent_schedule_time(
        schedule,
        tz,
        ts(text(case, "creation")),
        opt_ts(case, "last"),
        case["sds"].as_i64(),
        case["include_sds"].as_bool().unwrap_or(false),
        ts(text(case, "now")),
    );
    let expect = &case["expect"];
    let ok = match (&got, expect["error"].as_str()) {
        (Err(e), Some(want)) => e.to_string() == want,
        (Ok((earliest, most_recent, missed)), None) => {
            *earliest == ts(text(expect, "earliest"))
                && *most_recent == opt_ts(expect, "most_recent")
                && missed_name(*missed) == text(expect, "missed")
        }
        _ => false,
    };
    ok.then_some(()).ok_or(format!("got {got:?}"))
}

fn check_missed_next(case: &Value, schedule: &Schedule, tz: &TimeZone) -> Result<(), String> {
    let got = next_schedule_time(
        schedule,
        tz,
        ts(text(case, "creation")),
        opt_ts(case, "last"),
        case["sds"].as_i64(),
        ts(text(case, "now")),
    )
    .map_err(|e| e.to_string())?;
    let expect = &case["expect"];
    let want = opt_ts(expect, "time").map(|time| (time, text(expect, "missed")));
    let got_pair = got.map(|s| (s.time, missed_name(s.missed)));
    (got_pair == want).then_some(()).ok_or(format!("got {got:?}"))
}

fn check_missed_duration(case: &Value, schedule: &Schedule, tz: &TimeZone) -> Result<(), String> {
    let got = next_schedule_time_duration(
        schedule,
        tz,
        ts(text(case, "creation")),
        opt_ts(case, "last"),
        ts(text(case, "now")),
    );
    let want = case["expect"]["requeue"].as_str().map(go_duration);
    (got == want).then_some(()).ok_or(format!("got {got:?}, want {want:?}"))
}

#[test]
fn missed_table() {
    let mut failures = Vec::new();
    for case in table(MISSED_CASES, "cases") {
        let schedule = Schedule::parse(text(&case, "schedule")).expect("valid schedule");
        let tz = zone(&case);
        let result = match text(&case, "fn") {
            "most_recent" => check_missed_most_recent(&case, &schedule, &tz),
            "next" => check_missed_next(&case, &schedule, &tz),
            "duration" => check_missed_duration(&case, &schedule, &tz),
            other => Err(format!("unknown fn {other}")),
        };
        if let Err(e) = result {
            failures.push(format!("{:?}: {e}", case["name"]));
        }
    }
    finish(failures);
}

/// A small deterministic generator (64-bit LCG) for the garbage test.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let len = u64::try_from(items.len()).unwrap_or(1);
        let index = usize::try_from(self.next() % len).unwrap_or(0);
        items[index]
    }
}

/// Random strings from pieces of the grammar and hostile characters never
/// panic; what parses yields a next time strictly later (or none), what
/// fails has a message.
#[test]
fn garbage_never_panics() {
    let pieces = [
        "*",
        "?",
        "/",
        "-",
        ",",
        " ",
        "\t",
        "0",
        "1",
        "7",
        "31",
        "59",
        "60",
        "99999999999999999999",
        "+",
        "L",
        "W",
        "#",
        "@",
        "@every ",
        "@daily",
        "TZ=",
        "jan",
        "SUN",
        "é",
        "\u{a0}",
        "µs",
        "h",
        ".",
        "1.5",
        "-0",
        "",
    ];
    let field_pieces = ["*", "?", "*/2", "1", "5", "0-6", "1-5", "/3", ",", "2", "MON", "jan", "10"];
    let zones = ["UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe"];
    let mut rng = Lcg(42);
    let mut parsed = 0;
    let mut rejected = 0;
    for round in 0..20_000 {
        let input: String = if round % 2 == 0 {
            (0..rng.next() % 14).map(|_| rng.pick(&pieces)).collect()
        } else {
            // Five fields built from grammar pieces: mostly valid.
            let field =
                |rng: &mut Lcg| -> String { (0..1 + rng.next() % 2).map(|_| rng.pick(&field_pieces)).collect() };
            (0..5).map(|_| field(&mut rng)).collect::<Vec<_>>().join(" ")
        };
        match Schedule::parse(&input) {
            Ok(schedule) => {
                parsed += 1;
                let tz = validate_time_zone(rng.pick(&zones)).expect("valid zone");
                let after = ts("2024-03-10T06:59:59.5Z");
                if let Some(next) = schedule.next(after, &tz) {
                    assert!(next > after, "{input:?}: {next} not after {after}");
                }
            }
            Err(e) => {
                rejected += 1;
                assert!(!e.to_string().is_empty(), "{input:?}: empty message");
            }
        }
    }
    assert!(parsed > 100 && rejected > 100, "parsed {parsed}, rejected {rejected}");
    for hostile in ["\u{0}", "@every \u{ff}", "* * * * \u{10ffff}", "1-\u{e9}", "*/\u{1f600}"] {
        assert!(Schedule::parse(hostile).is_err(), "{hostile:?}");
    }
}

/// Next stays correct at the edges of jiff's range instead of panicking.
#[test]
fn extreme_instants_do_not_panic() {
    let every = Schedule::parse("@every 1h").expect("valid");
    let spec = Schedule::parse("* * * * *").expect("valid");
    assert_eq!(every.next(Timestamp::MAX, &TimeZone::UTC), None);
    assert_eq!(spec.next(Timestamp::MAX, &TimeZone::UTC), None);
    let first = spec.next(Timestamp::MIN, &TimeZone::UTC).expect("a minute later");
    assert!(first > Timestamp::MIN);
}
