//! How kube-scheduler's FailedScheduling Events reach the API server: through client-go's
//! events.k8s.io recorder (`k8s.io/client-go/tools/events/event_broadcaster.go`), whose
//! cache folds isomorphic Events into a series.
//!
//! Upstream's `eventKey` is the event's type, action, reason, reporting controller and
//! instance, `regarding` and `related`: the note (message) is not part of it, so every
//! FailedScheduling of one pod is isomorphic and a series keeps the note of its first
//! occurrence. `recordToSink`: the first occurrence is created (no series); the second
//! starts a series (`series.count = 2`, `lastObservedTime`) and is written; later ones
//! only count in the cache. `finishSeries` (every `finishTime`, 6 minutes) writes a series
//! last observed more than 6 minutes ago a last time and drops it, and drops a singleton
//! older than 6 minutes, so the next occurrence starts afresh. `refreshExistingEventSeries`
//! (every `refreshTime`, 30 minutes) re-writes live series only to keep them from the
//! API server's TTL; podsim writes no row for it (see README, "what events.csv holds for
//! a repeated event").

use crate::cluster::PodId;
use crate::cluster::slab::IdMap;
use crate::engine::{Millis, SimTime};
use std::sync::Arc;

/// `finishTime`: the period of `finishSeries`, and how long a series (or a singleton) may
/// go unobserved before it is finished.
pub const FINISH_TIME: Millis = 6 * 60_000;

/// One cached Event of a pod: its note, when it was first recorded, and its series.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cached {
    pub note: Arc<str>,
    pub first: SimTime,
    /// `series.count` and `series.lastObservedTime`, once a second occurrence came.
    pub series: Option<(u32, SimTime)>,
}

/// What one occurrence asks the recorder to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Write {
    /// A new Event (count 1) with this note.
    Create,
    /// The series starts: the cached note, first recorded at `first`, count 2.
    SeriesStart { note: Arc<str>, first: SimTime },
    /// Only the cached series' count and last observation change.
    Nothing,
}

/// A series that ends: its note, first recording, final count and last observation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finished {
    pub pod: PodId,
    pub note: Arc<str>,
    pub first: SimTime,
    pub count: u32,
    pub last: SimTime,
}

impl Finished {
    pub fn series(&self) -> crate::trace::EventSeries {
        crate::trace::EventSeries { count: self.count, first: self.first, last: self.last }
    }
}

/// The recorder's cache of the scheduler's FailedScheduling Events, by pod.
#[derive(Default)]
pub struct SeriesCache {
    by_pod: IdMap<Cached>,
}

impl SeriesCache {
    pub fn is_empty(&self) -> bool {
        self.by_pod.is_empty()
    }

    /// The pod failed again at `now` with `note` (`recordToSink`).
    pub fn observe(&mut self, pod: PodId, note: &Arc<str>, now: SimTime) -> Write {
        match self.by_pod.get_mut(pod) {
            None => {
                self.by_pod.insert(pod, Cached { note: note.clone(), first: now, series: None });
                Write::Create
            }
            Some(c) => match &mut c.series {
                Some((count, last)) => {
                    *count += 1;
                    *last = now;
                    Write::Nothing
                }
                None => {
                    c.series = Some((2, now));
                    Write::SeriesStart { note: c.note.clone(), first: c.first }
                }
            },
        }
    }

    /// `finishSeries` at `now`: the series last observed before `now - finishTime` end
    /// (returned when their count grew since it was last written); singletons recorded
    /// before then are dropped.
    pub fn finish(&mut self, now: SimTime) -> Vec<Finished> {
        let mut out = Vec::new();
        self.by_pod.retain(|pod, c| {
            let seen = c.series.map_or(c.first, |(_, last)| last);
            // `Before(now - finishTime)`: strictly older.
            let done = seen.ms() + FINISH_TIME < now.ms();
            if done && let Some(f) = finished(pod, c) {
                out.push(f);
            }
            !done
        });
        out
    }

    /// The pod is gone: its series ends now, if it has news.
    pub fn forget(&mut self, pod: PodId) -> Option<Finished> {
        let c = self.by_pod.remove(pod)?;
        finished(pod, &c)
    }

    /// The run ends: every series with news is written.
    pub fn drain(&mut self) -> Vec<Finished> {
        let all = std::mem::take(&mut self.by_pod);
        all.iter().filter_map(|(pod, c)| finished(pod, c)).collect()
    }
}

/// The final write of a series whose count grew since it was last written (at its start,
/// with count 2: podsim writes no refresh rows).
fn finished(pod: PodId, c: &Cached) -> Option<Finished> {
    let (count, last) = c.series?;
    (count > 2).then(|| Finished { pod, note: c.note.clone(), first: c.first, count, last })
}

/// The next `finishSeries` tick after `now` (the recorder starts with the scheduler, at 0).
pub fn next_tick(now: SimTime) -> SimTime {
    SimTime::from_ms((now.ms() / FINISH_TIME + 1) * FINISH_TIME)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: u64 = 60_000;

    fn pod(index: u32) -> PodId {
        PodId { index, generation: 0 }
    }

    fn note(s: &str) -> Arc<str> {
        s.into()
    }

    #[test]
    fn first_is_created_second_starts_a_series_later_ones_only_count() {
        let mut c = SeriesCache::default();
        let p = pod(7);
        assert_eq!(c.observe(p, &note("a"), SimTime::from_ms(0)), Write::Create);
        assert_eq!(
            c.observe(p, &note("b"), SimTime::from_ms(MIN)),
            Write::SeriesStart { note: note("a"), first: SimTime::from_ms(0) }
        );
        assert_eq!(c.observe(p, &note("c"), SimTime::from_ms(2 * MIN)), Write::Nothing);
        assert_eq!(c.observe(p, &note("a"), SimTime::from_ms(3 * MIN)), Write::Nothing);
        // Last observed at 3 min: not finished at the 6-minute tick, nor at 9 min exactly.
        assert_eq!(c.finish(SimTime::from_ms(6 * MIN)), vec![]);
        assert_eq!(c.finish(SimTime::from_ms(9 * MIN)), vec![]);
        let done = c.finish(SimTime::from_ms(12 * MIN));
        assert_eq!(
            done,
            vec![Finished {
                pod: p,
                note: note("a"),
                first: SimTime::from_ms(0),
                count: 4,
                last: SimTime::from_ms(3 * MIN)
            }]
        );
        assert!(c.is_empty());
        // Finished: the next failure starts afresh.
        assert_eq!(c.observe(p, &note("d"), SimTime::from_ms(13 * MIN)), Write::Create);
    }

    #[test]
    fn singletons_are_dropped_and_unchanged_series_not_written_again() {
        let mut c = SeriesCache::default();
        let (p, q) = (pod(1), pod(2));
        assert_eq!(c.observe(p, &note("x"), SimTime::from_ms(0)), Write::Create);
        assert_eq!(c.observe(q, &note("y"), SimTime::from_ms(0)), Write::Create);
        assert_eq!(
            c.observe(q, &note("y"), SimTime::from_ms(MIN)),
            Write::SeriesStart { note: note("y"), first: SimTime::from_ms(0) }
        );
        assert_eq!(c.finish(SimTime::from_ms(12 * MIN)), vec![]);
        assert!(c.is_empty());
        assert_eq!(c.observe(p, &note("x"), SimTime::from_ms(12 * MIN)), Write::Create);
    }

    #[test]
    fn forget_and_drain_write_series_with_news() {
        let mut c = SeriesCache::default();
        let (p, q) = (pod(1), pod(2));
        for t in 0..3 {
            c.observe(p, &note("x"), SimTime::from_ms(t * MIN));
            c.observe(q, &note("y"), SimTime::from_ms(t * MIN));
        }
        assert_eq!(
            c.forget(p),
            Some(Finished {
                pod: p,
                note: note("x"),
                first: SimTime::from_ms(0),
                count: 3,
                last: SimTime::from_ms(2 * MIN)
            })
        );
        assert_eq!(c.forget(p), None);
        assert_eq!(c.drain().len(), 1);
        assert!(c.is_empty());
    }

    #[test]
    fn ticks_fall_on_multiples_of_six_minutes() {
        assert_eq!(next_tick(SimTime::from_ms(0)), SimTime::from_ms(6 * MIN));
        assert_eq!(next_tick(SimTime::from_ms(6 * MIN - 1)), SimTime::from_ms(6 * MIN));
        assert_eq!(next_tick(SimTime::from_ms(6 * MIN)), SimTime::from_ms(12 * MIN));
    }
}
