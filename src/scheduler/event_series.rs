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

// The recorder's cache holds one slot per pod; the scheduler keeps it in the pod's own
// record (`Queued`), so that a failed attempt finds the pod's spot, message and series
// in one place. These functions are the cache's rules on one slot.

/// The pod failed again at `now` with `note` (`recordToSink`).
pub fn observe(slot: &mut Option<Cached>, note: &Arc<str>, now: SimTime) -> Write {
    match slot {
        None => {
            *slot = Some(Cached { note: note.clone(), first: now, series: None });
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

/// `finishSeries` at `now` for one pod: a series last observed before `now - finishTime`
/// ends (returned when its count grew since it was last written) and a singleton
/// recorded before then is dropped; either empties the slot.
pub fn finish(pod: PodId, slot: &mut Option<Cached>, now: SimTime) -> Option<Finished> {
    let c = slot.as_ref()?;
    let seen = c.series.map_or(c.first, |(_, last)| last);
    // `Before(now - finishTime)`: strictly older.
    if seen.ms() + FINISH_TIME >= now.ms() {
        return None;
    }
    forget(pod, slot)
}

/// The pod is gone, or the run ends: its series ends now, if it has news.
pub fn forget(pod: PodId, slot: &mut Option<Cached>) -> Option<Finished> {
    let c = slot.take()?;
    finished(pod, &c)
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
        let (p, mut c) = (pod(7), None);
        assert_eq!(observe(&mut c, &note("a"), SimTime::from_ms(0)), Write::Create);
        assert_eq!(
            observe(&mut c, &note("b"), SimTime::from_ms(MIN)),
            Write::SeriesStart { note: note("a"), first: SimTime::from_ms(0) }
        );
        assert_eq!(observe(&mut c, &note("c"), SimTime::from_ms(2 * MIN)), Write::Nothing);
        assert_eq!(observe(&mut c, &note("a"), SimTime::from_ms(3 * MIN)), Write::Nothing);
        // Last observed at 3 min: not finished at the 6-minute tick, nor at 9 min exactly.
        assert_eq!(finish(p, &mut c, SimTime::from_ms(6 * MIN)), None);
        assert_eq!(finish(p, &mut c, SimTime::from_ms(9 * MIN)), None);
        assert!(c.is_some());
        let done = finish(p, &mut c, SimTime::from_ms(12 * MIN));
        assert_eq!(
            done,
            Some(Finished {
                pod: p,
                note: note("a"),
                first: SimTime::from_ms(0),
                count: 4,
                last: SimTime::from_ms(3 * MIN)
            })
        );
        assert!(c.is_none());
        // Finished: the next failure starts afresh.
        assert_eq!(observe(&mut c, &note("d"), SimTime::from_ms(13 * MIN)), Write::Create);
    }

    #[test]
    fn singletons_are_dropped_and_unchanged_series_not_written_again() {
        let (p, q) = (pod(1), pod(2));
        let (mut a, mut b) = (None, None);
        assert_eq!(observe(&mut a, &note("x"), SimTime::from_ms(0)), Write::Create);
        assert_eq!(observe(&mut b, &note("y"), SimTime::from_ms(0)), Write::Create);
        assert_eq!(
            observe(&mut b, &note("y"), SimTime::from_ms(MIN)),
            Write::SeriesStart { note: note("y"), first: SimTime::from_ms(0) }
        );
        assert_eq!(finish(p, &mut a, SimTime::from_ms(12 * MIN)), None);
        assert_eq!(finish(q, &mut b, SimTime::from_ms(12 * MIN)), None);
        assert!(a.is_none() && b.is_none());
        assert_eq!(observe(&mut a, &note("x"), SimTime::from_ms(12 * MIN)), Write::Create);
    }

    #[test]
    fn forgetting_writes_a_series_with_news() {
        let (p, q) = (pod(1), pod(2));
        let (mut a, mut b) = (None, None);
        for t in 0..3 {
            observe(&mut a, &note("x"), SimTime::from_ms(t * MIN));
        }
        for t in 0..2 {
            observe(&mut b, &note("y"), SimTime::from_ms(t * MIN));
        }
        assert_eq!(
            forget(p, &mut a),
            Some(Finished {
                pod: p,
                note: note("x"),
                first: SimTime::from_ms(0),
                count: 3,
                last: SimTime::from_ms(2 * MIN)
            })
        );
        assert_eq!(forget(p, &mut a), None);
        // Written at its start with count 2 and not grown since: nothing more to write.
        assert_eq!(forget(q, &mut b), None);
        assert!(b.is_none());
    }

    #[test]
    fn ticks_fall_on_multiples_of_six_minutes() {
        assert_eq!(next_tick(SimTime::from_ms(0)), SimTime::from_ms(6 * MIN));
        assert_eq!(next_tick(SimTime::from_ms(6 * MIN - 1)), SimTime::from_ms(6 * MIN));
        assert_eq!(next_tick(SimTime::from_ms(6 * MIN)), SimTime::from_ms(12 * MIN));
    }
}
