//! Sets of completion indexes of Indexed Jobs, in the compressed interval form
//! Kubernetes writes in `status.completedIndexes`, `status.failedIndexes` and
//! reads in `successPolicy.rules[].succeededIndexes`: increasing intervals
//! separated by `,`, an interval being `a` or `a-b`, e.g. `"1,3-5,7"`.
//!
//! Upstream: `pkg/controller/job/indexed_job_utils.go` (`orderedIntervals`,
//! its `String`, `parseIndexesFromString`, `firstPendingIndexes`,
//! `getCompletionIndex`) and `validateIndexesFormat` / `parseIndexInterval`
//! in `pkg/apis/batch/validation/validation.go` for the strict form with its
//! error messages.
//!
//! An [`IndexSet`] always holds sorted, disjoint, non-adjacent intervals.

use std::fmt;

/// An inclusive interval of indexes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interval {
    pub first: u32,
    pub last: u32,
}

/// A set of completion indexes as ordered intervals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexSet {
    intervals: Vec<Interval>,
}

/// Why a strict index list was refused; [`fmt::Display`] gives Kubernetes'
/// text (which the API server puts after "error parsing succeededIndexes: ").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IndexFormatError {
    /// `1-2-3`.
    TooManyParts { fragment: String },
    /// Not a Go `strconv.Atoi` integer (an empty fragment included).
    NotAnInteger { text: String },
    /// An index at or above `completions`.
    TooLarge { text: String },
    /// `5-3`, `3-3`, or an interval not after the previous one.
    NonIncreasing { previous: i64, current: i64 },
}

impl fmt::Display for IndexFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IndexFormatError::TooManyParts { fragment } => write!(
                f,
                "the fragment {fragment:?} violates the requirement that an index interval can have at most two parts separated by '-'"
            ),
            IndexFormatError::NotAnInteger { text } => {
                write!(f, "cannot convert string to integer for index: {text:?}")
            }
            IndexFormatError::TooLarge { text } => write!(f, "too large index: {text:?}"),
            IndexFormatError::NonIncreasing { previous, current } => {
                write!(f, "non-increasing order, previous: {previous}, current: {current}")
            }
        }
    }
}

impl std::error::Error for IndexFormatError {}

impl IndexSet {
    pub fn new() -> IndexSet {
        IndexSet::default()
    }

    /// The set covering the given intervals, in any order; intervals with
    /// `last < first` are empty.
    pub fn from_intervals(intervals: impl IntoIterator<Item = (u32, u32)>) -> IndexSet {
        let mut all: Vec<Interval> =
            intervals.into_iter().filter(|(a, b)| a <= b).map(|(first, last)| Interval { first, last }).collect();
        all.sort_unstable_by_key(|i| i.first);
        IndexSet { intervals: coalesce(all) }
    }

    /// The set of the given indexes, in any order, duplicates allowed.
    pub fn from_indexes(indexes: impl IntoIterator<Item = u32>) -> IndexSet {
        IndexSet::from_intervals(indexes.into_iter().map(|i| (i, i)))
    }

    /// The strict form the API server accepts (`validateIndexesFormat`):
    /// every interval below `completions`, each after the previous one. The
    /// empty string is the empty set.
    pub fn parse(text: &str, completions: u32) -> Result<IndexSet, IndexFormatError> {
        if text.is_empty() {
            return Ok(IndexSet::new());
        }
        let mut parsed: Vec<Interval> = Vec::new();
        for fragment in text.split(',') {
            let (first, last) = parse_interval(fragment, completions)?;
            if let Some(prev) = parsed.last()
                && prev.last >= first
            {
                return Err(IndexFormatError::NonIncreasing { previous: prev.last.into(), current: first.into() });
            }
            parsed.push(Interval { first, last });
        }
        Ok(IndexSet { intervals: coalesce(parsed) })
    }

    /// The forgiving form the controller reads its own status and the
    /// success policy with (`parseIndexesFromString`): unreadable intervals
    /// are skipped, reading stops at the first interval starting at or above
    /// `completions`, and an end beyond it is cut to `completions − 1`.
    pub fn parse_lenient(text: &str, completions: u32) -> IndexSet {
        let mut found = Vec::new();
        for fragment in text.split(',') {
            let mut limits = fragment.split('-');
            let Some(first) = limits.next().and_then(go_atoi) else { continue };
            if first >= i64::from(completions) {
                break;
            }
            let last = match limits.next() {
                None => first,
                Some(t) => match go_atoi(t) {
                    Some(v) => v.min(i64::from(completions) - 1),
                    None => continue,
                },
            };
            if let (Ok(a), Ok(b)) = (u32::try_from(first), u32::try_from(last)) {
                found.push((a, b));
            }
        }
        IndexSet::from_intervals(found)
    }

    pub fn is_empty(&self) -> bool {
        self.intervals.is_empty()
    }

    /// Adds `index`, keeping the intervals disjoint and non-adjacent; whether it was
    /// new. A Job's succeeded indexes are kept this way as its pods succeed: building
    /// the set again from every index at each sync made an Indexed Job of 50,000
    /// completions spend four fifths of its run sorting.
    pub fn insert(&mut self, index: u32) -> bool {
        let at = self.intervals.partition_point(|i| i.last < index);
        if self.intervals.get(at).is_some_and(|i| i.first <= index) {
            return false;
        }
        // The interval before ends below `index`, the one at `at` starts above it.
        let joins_before = at > 0 && self.intervals[at - 1].last + 1 == index;
        let joins_after = self.intervals.get(at).is_some_and(|i| i.first - 1 == index);
        match (joins_before, joins_after) {
            (true, true) => {
                self.intervals[at - 1].last = self.intervals[at].last;
                self.intervals.remove(at);
            }
            (true, false) => self.intervals[at - 1].last = index,
            (false, true) => self.intervals[at].first = index,
            (false, false) => self.intervals.insert(at, Interval { first: index, last: index }),
        }
        true
    }

    /// `total`: how many indexes the set holds.
    pub fn total(&self) -> u64 {
        self.intervals.iter().map(|i| u64::from(i.last - i.first) + 1).sum()
    }

    /// `has`: binary search over the intervals.
    #[cfg(test)]
    pub fn contains(&self, index: u32) -> bool {
        let at = self.intervals.partition_point(|i| i.last < index);
        self.intervals.get(at).is_some_and(|i| i.first <= index)
    }

    /// `withOrderedIndexes`: this set plus `indexes` (any order).
    pub fn with_indexes(&self, indexes: impl IntoIterator<Item = u32>) -> IndexSet {
        self.merge(&IndexSet::from_indexes(indexes))
    }

    /// `merge`: the union of two sets.
    pub fn merge(&self, other: &IndexSet) -> IndexSet {
        let mut all: Vec<Interval> = self.intervals.iter().chain(&other.intervals).copied().collect();
        all.sort_unstable_by_key(|i| i.first);
        IndexSet { intervals: coalesce(all) }
    }

    /// How many indexes of `self` are also in `other` (the overlap count of
    /// `matchSucceededIndexesRule`, a walk over both interval lists).
    pub fn count_common(&self, other: &IndexSet) -> u64 {
        let (mut a, mut b, mut common) = (0, 0, 0u64);
        while let (Some(x), Some(y)) = (self.intervals.get(a), other.intervals.get(b)) {
            let (lo, hi) = (x.first.max(y.first), x.last.min(y.last));
            if lo <= hi {
                common += u64::from(hi - lo) + 1;
            }
            if x.last <= y.last {
                a += 1;
            }
            if y.last <= x.last {
                b += 1;
            }
        }
        common
    }
}

/// Sorted intervals to disjoint, non-adjacent ones.
fn coalesce(sorted: Vec<Interval>) -> Vec<Interval> {
    let mut out: Vec<Interval> = Vec::with_capacity(sorted.len());
    for next in sorted {
        match out.last_mut() {
            Some(prev) if u64::from(next.first) <= u64::from(prev.last) + 1 => prev.last = prev.last.max(next.last),
            _ => out.push(next),
        }
    }
    out
}

/// `parseIndexInterval`: `a` or `a-b` with `a < b`, both below `completions`.
fn parse_interval(fragment: &str, completions: u32) -> Result<(u32, u32), IndexFormatError> {
    let limits: Vec<&str> = fragment.split('-').collect();
    let [first_text, rest @ ..] = limits.as_slice() else {
        return Err(IndexFormatError::NotAnInteger { text: String::new() });
    };
    if rest.len() > 1 {
        return Err(IndexFormatError::TooManyParts { fragment: fragment.to_string() });
    }
    let first = bounded_index(first_text, completions)?;
    let Some(last_text) = rest.first() else {
        return Ok((first, first));
    };
    let last = bounded_index(last_text, completions)?;
    if first >= last {
        return Err(IndexFormatError::NonIncreasing { previous: first.into(), current: last.into() });
    }
    Ok((first, last))
}

/// One number of an interval: an integer below `completions`. Fragments are
/// split at `-`, so a number here is never negative.
fn bounded_index(text: &str, completions: u32) -> Result<u32, IndexFormatError> {
    let value = go_atoi(text).ok_or_else(|| IndexFormatError::NotAnInteger { text: text.to_string() })?;
    if value >= i64::from(completions) {
        return Err(IndexFormatError::TooLarge { text: text.to_string() });
    }
    u32::try_from(value).map_err(|_| IndexFormatError::NotAnInteger { text: text.to_string() })
}

/// Go's `strconv.Atoi` on a 64-bit platform: an optional sign and decimal
/// digits (leading zeros allowed), within `i64`.
pub fn go_atoi(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let signed = if text.starts_with('+') { digits } else { text };
    signed.parse::<i64>().ok()
}

/// `orderedIntervals.String`: `a`, `a,b` for two neighbours, `a-b` for more.
impl fmt::Display for IndexSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, i) in self.intervals.iter().enumerate() {
            if n > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}", i.first)?;
            if i.last > i.first {
                let sep = if i.last == i.first + 1 { ',' } else { '-' };
                write!(f, "{sep}{}", i.last)?;
            }
        }
        Ok(())
    }
}

/// `firstPendingIndexes`: up to `count` of the lowest indexes below
/// `completions` that are not in `non_pending` (the succeeded and failed
/// indexes, those of active pods, and of terminating pods when only failed
/// pods are replaced).
pub fn first_pending_indexes(non_pending: &IndexSet, count: usize, completions: u32) -> Vec<u32> {
    let mut out = Vec::with_capacity(count.min(completions as usize));
    let mut candidate: u32 = 0;
    let mut taken = non_pending.intervals.iter().peekable();
    while out.len() < count && candidate < completions {
        match taken.peek() {
            Some(i) if i.last < candidate => {
                taken.next();
            }
            Some(i) if i.first <= candidate => match i.last.checked_add(1) {
                Some(next) => candidate = next,
                None => break,
            },
            _ => {
                out.push(candidate);
                candidate += 1;
            }
        }
    }
    out
}

/// `getCompletionIndex`: the index a pod's annotation names, `None` when it
/// is absent, not an integer, or negative.
#[cfg(test)]
pub fn completion_index(annotation: Option<&str>) -> Option<u32> {
    annotation.and_then(go_atoi).and_then(|v| u32::try_from(v).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(intervals: &[(u32, u32)]) -> IndexSet {
        IndexSet::from_intervals(intervals.iter().copied())
    }

    #[test]
    fn formats_as_the_controller_writes_status() {
        for (intervals, want) in [
            (&[][..], ""),
            (&[(0, 0)][..], "0"),
            (&[(1, 2)][..], "1,2"),
            (&[(1, 3), (5, 5), (7, 9)][..], "1-3,5,7-9"),
            (&[(0, 0), (2, 2), (4, 5), (7, 8), (10, 12)][..], "0,2,4,5,7,8,10-12"),
        ] {
            assert_eq!(set(intervals).to_string(), want);
        }
    }

    #[test]
    fn strict_parse_accepts_and_normalises() {
        let parsed = IndexSet::parse("0,1,3-5,7", 10).unwrap();
        assert_eq!(parsed, set(&[(0, 1), (3, 5), (7, 7)]));
        assert_eq!(parsed.total(), 6);
        assert_eq!(IndexSet::parse("", 0).unwrap(), IndexSet::new());
        assert_eq!(IndexSet::parse("+1,02", 3).unwrap(), set(&[(1, 2)]));
    }

    /// The messages of `parseIndexInterval` / `validateIndexesFormat`, as the
    /// batch validation tests quote them.
    #[test]
    fn strict_parse_errors_carry_kubernetes_wording() {
        for (text, completions, want) in [
            ("invalid-format", 5, "cannot convert string to integer for index: \"invalid\""),
            (
                "1-2-3",
                5,
                "the fragment \"1-2-3\" violates the requirement that an index interval can have at most two parts separated by '-'",
            ),
            ("5", 5, "too large index: \"5\""),
            ("1-7", 5, "too large index: \"7\""),
            ("3-1", 5, "non-increasing order, previous: 3, current: 1"),
            ("2-2", 5, "non-increasing order, previous: 2, current: 2"),
            ("1-3,2", 5, "non-increasing order, previous: 3, current: 2"),
            ("1,,2", 5, "cannot convert string to integer for index: \"\""),
            ("-1", 5, "cannot convert string to integer for index: \"\""),
            ("99999999999999999999", 5, "cannot convert string to integer for index: \"99999999999999999999\""),
        ] {
            assert_eq!(IndexSet::parse(text, completions).unwrap_err().to_string(), want, "{text}");
        }
    }

    /// `TestCalculateSucceededIndexes`, status part (`indexed_job_utils_test.go`).
    #[test]
    fn lenient_parse_as_the_controller_reads_status() {
        for (text, completions, want) in [
            ("0-5,8-10", 8, set(&[(0, 5)])),
            ("0-5,8-10", 10, set(&[(0, 5), (8, 9)])),
            ("0,4,5,10-12", 13, set(&[(0, 0), (4, 5), (10, 12)])),
            ("3,4,6", 9, set(&[(3, 4), (6, 6)])),
            ("2,7,8", 9, set(&[(2, 2), (7, 8)])),
            ("2-7", 10, set(&[(2, 7)])),
            ("0,1-foo,bar", 4, set(&[(0, 0)])),
            ("invalid-form", 10, IndexSet::new()),
            ("", 10, IndexSet::new()),
        ] {
            assert_eq!(IndexSet::parse_lenient(text, completions), want, "{text}");
        }
    }

    /// `TestCalculateSucceededIndexes`, new succeeded pods merged into the status.
    #[test]
    fn with_indexes_merges_new_indexes() {
        for (prev, new, want) in [
            ("0,4,5,10-12", vec![2, 7, 8], "0,2,4,5,7,8,10-12"),
            ("3,4,6", vec![2, 7, 8], "2-4,6-8"),
            ("2,7,8", vec![3, 4, 6], "2-4,6-8"),
            ("2-7", vec![0, 3, 5, 9], "0,2-7,9"),
            ("", vec![10, 5, 5], "5,10"),
        ] {
            assert_eq!(IndexSet::parse_lenient(prev, 13).with_indexes(new).to_string(), want, "{prev}");
        }
    }

    /// Indexes added one at a time, in any order and again, give the set built from
    /// all of them at once (the form Kubernetes writes), and say whether each was new.
    #[test]
    fn inserting_indexes_one_at_a_time_keeps_the_ordered_intervals() {
        let mut rng = crate::engine::Streams::new(7).stream(crate::engine::Stream::Placement);
        for round in 0..200 {
            let span = 1 + round % 40;
            let (mut set, mut seen) = (IndexSet::new(), std::collections::BTreeSet::new());
            for _ in 0..span * 2 {
                let index = rng.below(span as u64) as u32;
                assert_eq!(set.insert(index), seen.insert(index), "{index} into {set}");
                assert_eq!(set, IndexSet::from_indexes(seen.iter().copied()), "after {index}");
            }
            assert_eq!(set.total(), seen.len() as u64);
        }
        let mut set = set(&[(1, 2), (4, 4)]);
        assert!(set.insert(3), "joins both neighbours");
        assert_eq!(set.to_string(), "1-4");
        assert!(set.insert(0) && set.insert(u32::MAX) && !set.insert(2));
        assert_eq!(set.to_string(), format!("0-4,{}", u32::MAX));
    }

    /// `TestIntervalsHaveIndex`.
    #[test]
    fn contains_finds_indexes_in_intervals() {
        let two = set(&[(2, 4), (6, 8)]);
        for (s, index, want) in [
            (IndexSet::new(), 4, false),
            (set(&[(2, 4), (5, 7)]), 1, false),
            (two.clone(), 9, false),
            (two.clone(), 5, false),
            (two.clone(), 2, true),
            (two, 8, true),
        ] {
            assert_eq!(s.contains(index), want, "{s} has {index}");
        }
    }

    /// count, completions, active, succeeded, failed, expected.
    type Case = (usize, u32, &'static [u32], &'static [(u32, u32)], &'static [(u32, u32)], &'static [u32]);

    /// `TestFirstPendingIndexes`: non-pending = succeeded ∪ active ∪ failed.
    #[test]
    fn first_pending_indexes_skips_taken_ones() {
        let cases: [Case; 6] = [
            (5, 3, &[], &[], &[], &[0, 1, 2]),
            (2, 5, &[], &[], &[], &[0, 1]),
            (3, 10, &[0, 1], &[], &[], &[2, 3, 4]),
            (6, 6, &[6], &[(4, 5)], &[], &[0, 1, 2, 3]),
            (5, 20, &[3, 5, 8], &[(2, 4), (9, 9)], &[], &[0, 1, 6, 7, 10]),
            (5, 20, &[3, 9], &[(1, 1), (5, 5), (9, 9)], &[(2, 2), (6, 7)], &[0, 4, 8, 10, 11]),
        ];
        for (count, completions, active, succeeded, failed, want) in cases {
            let non_pending = set(succeeded).with_indexes(active.iter().copied()).merge(&set(failed));
            assert_eq!(first_pending_indexes(&non_pending, count, completions), want);
        }
        assert!(first_pending_indexes(&set(&[(0, u32::MAX)]), 3, u32::MAX).is_empty());
    }

    #[test]
    fn completion_index_reads_only_non_negative_integers() {
        for (annotation, want) in
            [(None, None), (Some("3"), Some(3)), (Some("-2"), None), (Some("invalid"), None), (Some(""), None)]
        {
            assert_eq!(completion_index(annotation), want, "{annotation:?}");
        }
    }

    #[test]
    fn count_common_counts_the_overlap() {
        assert_eq!(set(&[(1, 3), (5, 7)]).count_common(&set(&[(2, 4), (6, 9)])), 4);
        assert_eq!(set(&[(0, 9)]).count_common(&set(&[(3, 3), (5, 6)])), 3);
        assert_eq!(set(&[]).count_common(&set(&[(3, 3)])), 0);
    }
}
