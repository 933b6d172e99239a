//! Simulated time on an axis: ticks at round times (10 s, 5 min, 1 h, 1 day...) rather than
//! round numbers of milliseconds, written as m:ss, h:mm or days by the span shown.

const SECOND: u64 = 1000;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

/// Tick spacings to choose from, shortest first.
const STEPS: [u64; 27] = [
    100,
    200,
    500,
    SECOND,
    2 * SECOND,
    5 * SECOND,
    10 * SECOND,
    15 * SECOND,
    30 * SECOND,
    MINUTE,
    2 * MINUTE,
    5 * MINUTE,
    10 * MINUTE,
    15 * MINUTE,
    30 * MINUTE,
    HOUR,
    2 * HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
    2 * DAY,
    7 * DAY,
    14 * DAY,
    28 * DAY,
    91 * DAY,
    364 * DAY,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    /// Minutes and seconds (spans under ten minutes).
    MinSec,
    /// Hours and minutes (spans under two days).
    HourMin,
    /// Days (longer spans).
    Days,
}

#[derive(Clone, Debug)]
pub(crate) struct TimeAxis {
    pub ticks: Vec<f64>,
    style: Style,
    step: u64,
}

impl TimeAxis {
    /// An axis for simulated times `from..to` (ms) with at most `max_ticks` ticks.
    pub fn new(from: u64, to: u64, max_ticks: usize) -> TimeAxis {
        let span = to.saturating_sub(from).max(1);
        let max_ticks = max_ticks.max(2) as u64;
        let step = STEPS.iter().copied().find(|s| span / s < max_ticks).unwrap_or(span.div_ceil(max_ticks));
        let style = if span < 10 * MINUTE {
            Style::MinSec
        } else if span < 2 * DAY {
            Style::HourMin
        } else {
            Style::Days
        };
        let first = from.div_ceil(step).saturating_mul(step);
        let ticks = (0..=max_ticks)
            .map_while(|k| k.checked_mul(step).and_then(|d| d.checked_add(first)))
            .take_while(|t| *t <= to)
            .map(|t| t as f64)
            .collect();
        TimeAxis { ticks, style, step }
    }

    /// The axis title, saying how times are written.
    pub fn label(&self) -> &'static str {
        match self.style {
            Style::MinSec => "simulated time (m:ss)",
            Style::HourMin => "simulated time (h:mm)",
            Style::Days => "simulated time (days)",
        }
    }

    /// A tick label.
    pub fn format(&self, ms: f64) -> String {
        let ms = if ms.is_finite() && ms > 0.0 { ms.round() as u64 } else { 0 };
        match self.style {
            Style::MinSec if self.step < SECOND => {
                format!("{}:{:02}.{}", ms / MINUTE, ms % MINUTE / SECOND, ms % SECOND / 100)
            }
            Style::MinSec => format!("{}:{:02}", ms / MINUTE, ms % MINUTE / SECOND),
            Style::HourMin => format!("{}:{:02}", ms / HOUR, ms % HOUR / MINUTE),
            Style::Days if ms % DAY == 0 => format!("{}d", ms / DAY),
            Style::Days => format!("{}d {:02}h", ms / DAY, ms % DAY / HOUR),
        }
    }
}

/// A simulated time written as the axis would, for notes: "1:05" (h:mm) or "3d 06h".
pub(crate) fn format_span(ms: u64) -> String {
    if ms >= 2 * DAY {
        format!("{}d {:02}h", ms / DAY, ms % DAY / HOUR)
    } else {
        format!("{}:{:02}", ms / HOUR, ms % HOUR / MINUTE)
    }
}

/// A unit for durations such as latencies, chosen by the largest value shown.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DurationUnit {
    pub ms: f64,
    pub name: &'static str,
}

impl DurationUnit {
    pub fn for_max(max_ms: u64) -> DurationUnit {
        let (ms, name) = if max_ms < SECOND {
            (1, "ms")
        } else if max_ms < 5 * MINUTE {
            (SECOND, "s")
        } else if max_ms < 5 * HOUR {
            (MINUTE, "min")
        } else if max_ms < 5 * DAY {
            (HOUR, "h")
        } else {
            (DAY, "days")
        };
        DurationUnit { ms: ms as f64, name }
    }

    /// A value in this unit with a precision that suits it: "850 ms", "12.5 s".
    pub fn format(&self, ms: f64) -> String {
        let v = ms / self.ms;
        if self.ms == 1.0 || v == 0.0 || v.abs() >= 100.0 {
            format!("{v:.0} {}", self.name)
        } else if v.abs() >= 10.0 {
            format!("{v:.1} {}", self.name)
        } else {
            format!("{v:.2} {}", self.name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(from: u64, to: u64) -> Vec<String> {
        let a = TimeAxis::new(from, to, 10);
        a.ticks.iter().map(|t| a.format(*t)).collect()
    }

    #[test]
    fn ticks_fall_on_round_times() {
        assert_eq!(labels(0, HOUR), ["0:00", "0:10", "0:20", "0:30", "0:40", "0:50", "1:00"]);
        assert_eq!(labels(0, 30 * MINUTE)[..3], ["0:00", "0:05", "0:10"]);
        assert_eq!(labels(0, 2 * MINUTE)[..3], ["0:00", "0:15", "0:30"]);
        assert_eq!(labels(0, 7 * DAY)[..3], ["0d", "1d", "2d"]);
        assert_eq!(labels(0, 3 * DAY)[..3], ["0d", "0d 12h", "1d"]);
        assert_eq!(labels(0, 800)[..3], ["0:00.0", "0:00.1", "0:00.2"]);
    }

    #[test]
    fn empty_and_reversed_spans_still_give_an_axis() {
        assert!(!TimeAxis::new(0, 0, 10).ticks.is_empty());
        assert!(TimeAxis::new(10, 0, 10).ticks.is_empty());
    }

    #[test]
    fn durations_choose_a_unit_by_their_largest_value() {
        assert_eq!(DurationUnit::for_max(900).format(850.0), "850 ms");
        assert_eq!(DurationUnit::for_max(60_000).format(12_500.0), "12.5 s");
        assert_eq!(DurationUnit::for_max(1000).format(1000.0), "1.00 s");
        assert_eq!(DurationUnit::for_max(HOUR).format(90_000.0), "1.50 min");
    }
}
