//! Thinning long series to what a chart can show: a year of one-minute samples is half a
//! million points for some 1,300 pixel columns. Each column keeps its first, lowest,
//! highest and last sample (in time order), so peaks and dips survive and the drawing
//! looks the same while the SVG stays small.

/// Columns a series is thinned to (about one and a half per pixel of the widest chart).
pub(crate) const COLUMNS: usize = 2000;

/// The indexes of `xs` (times, in order) to keep, judged by `y`.
pub(crate) fn keep(xs: &[u64], y: impl Fn(usize) -> f64) -> Vec<usize> {
    let n = xs.len();
    if n <= COLUMNS * 4 {
        return (0..n).collect();
    }
    let (first, last) = (xs[0], xs[n - 1]);
    let span = last.saturating_sub(first).max(1);
    // Times out of order (a hand-edited file) only make columns shorter, never a panic.
    let column = |i: usize| (xs[i].saturating_sub(first) as u128 * COLUMNS as u128 / (span as u128 + 1)) as usize;
    let mut kept = Vec::with_capacity(COLUMNS * 4);
    let mut start = 0;
    while start < n {
        let c = column(start);
        let mut end = start + 1;
        while end < n && column(end) == c {
            end += 1;
        }
        let (mut lo, mut hi) = (start, start);
        for i in start..end {
            if y(i) < y(lo) {
                lo = i;
            }
            if y(i) > y(hi) {
                hi = i;
            }
        }
        let mut group = [start, lo, hi, end - 1];
        group.sort_unstable();
        for i in group {
            if kept.last() != Some(&i) {
                kept.push(i);
            }
        }
        start = end;
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_series_are_kept_whole() {
        let xs: Vec<u64> = (0..100).collect();
        assert_eq!(keep(&xs, |i| i as f64).len(), 100);
    }

    #[test]
    fn long_series_keep_their_extremes() {
        let xs: Vec<u64> = (0..1_000_000).collect();
        let y = |i: usize| {
            if i == 123_457 {
                1000.0
            } else if i == 654_321 {
                -5.0
            } else {
                (i % 7) as f64
            }
        };
        let kept = keep(&xs, y);
        assert!(kept.len() <= COLUMNS * 4);
        assert!(kept.contains(&123_457) && kept.contains(&654_321));
        assert!(kept.windows(2).all(|w| w[0] < w[1]));
        assert_eq!((kept[0], kept[kept.len() - 1]), (0, 999_999));
    }
}
