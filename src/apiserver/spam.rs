//! The kubelet's event spam filter (client-go `EventSourceObjectSpamFilter`,
//! `tools/record/events_cache.go`): the events one source (the kubelet of a node) records
//! about one object (a pod) draw on a token bucket of 25 that refills one token every
//! 300 s (`defaultSpamBurst`, `defaultSpamQPS`); an event, or a repeat that would bump
//! an event's count, finds the bucket empty and is dropped. That is why `kubectl
//! describe` shows a crash loop's `BackOff` at most every five minutes once the first 25
//! events are spent.
//!
//! The bucket is `golang.org/x/time/rate`'s, kept in integer milliseconds of refill (a
//! token is 300,000 of them) instead of float64 tokens. Go's client keeps the buckets in
//! an LRU cache of 4,096 objects; podsim keeps one per pod until the pod is removed.

use crate::engine::SimTime;
use std::collections::BTreeMap;

/// `defaultSpamBurst`.
const BURST: u64 = 25;
/// One token per `1/defaultSpamQPS` = 300 s, in ms.
const TOKEN: u64 = 300_000;

#[derive(Clone, Copy, Debug)]
struct Bucket {
    /// Milliseconds of refill held (`TOKEN` per token), at `at`.
    held: u64,
    at: SimTime,
}

impl Bucket {
    fn held_at(&self, now: SimTime) -> u64 {
        (self.held + now.since(self.at)).min(BURST * TOKEN)
    }
}

/// The kubelet's buckets, by pod uid.
#[derive(Debug, Default)]
pub struct SpamFilter {
    buckets: BTreeMap<u64, Bucket>,
}

impl SpamFilter {
    /// Whether an event about pod `uid` at `now` passes (`TryAccept`), taking its token.
    pub fn accept(&mut self, uid: u64, now: SimTime) -> bool {
        let bucket = self.buckets.entry(uid).or_insert(Bucket { held: BURST * TOKEN, at: now });
        let held = bucket.held_at(now);
        let accepted = held >= TOKEN;
        *bucket = Bucket { held: if accepted { held - TOKEN } else { held }, at: now };
        accepted
    }

    /// The first instant from `now` at which an event about `uid` would pass, if no
    /// other event takes a token first.
    pub fn next_accept(&self, uid: u64, now: SimTime) -> SimTime {
        match self.buckets.get(&uid) {
            None => now,
            Some(b) => now.after(TOKEN.saturating_sub(b.held_at(now))),
        }
    }

    /// The pod is gone: its bucket with it.
    pub fn forget(&mut self, uid: u64) {
        self.buckets.remove(&uid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_five_at_once_then_one_every_five_minutes() {
        let mut f = SpamFilter::default();
        let t0 = SimTime::from_ms(1_000);
        assert_eq!((0..30).filter(|_| f.accept(7, t0)).count(), 25);
        assert_eq!(f.next_accept(7, t0), SimTime::from_ms(301_000));
        assert!(!f.accept(7, SimTime::from_ms(300_999)));
        assert!(f.accept(7, SimTime::from_ms(301_000)));
        assert!(!f.accept(7, SimTime::from_ms(301_000)));
        assert!(f.accept(8, t0), "another pod has its own bucket");
        // Refilled to the burst, never beyond.
        assert_eq!((0..30).filter(|_| f.accept(7, SimTime::from_ms(100_000_000))).count(), 25);
    }
}
