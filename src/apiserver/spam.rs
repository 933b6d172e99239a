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
//!
//! The kubelet's buckets are filed by pod id (its slot), not in a tree by uid: every
//! pod's Events pass here, and with 18,000 pods alive the tree's search was 1% of a run.
//! The volume controllers' few objects keep theirs by uid.

use crate::cluster::PodId;
use crate::cluster::slab::IdMap;
use crate::engine::SimTime;
use std::collections::BTreeMap;

/// `defaultSpamBurst`.
const BURST: u64 = 25;
/// One token per `1/defaultSpamQPS` = 300 s, in ms.
const TOKEN: u64 = 300_000;

#[derive(Clone, Copy, Debug)]
pub struct Bucket {
    /// Milliseconds of refill held (`TOKEN` per token), at `at`.
    held: u64,
    at: SimTime,
}

impl Bucket {
    fn held_at(&self, now: SimTime) -> u64 {
        (self.held + now.since(self.at)).min(BURST * TOKEN)
    }
}

/// Where a filter keeps its buckets, by object.
pub trait Buckets: Default {
    type Key: Copy;
    fn bucket(&self, key: Self::Key) -> Option<&Bucket>;
    fn bucket_mut(&mut self, key: Self::Key) -> Option<&mut Bucket>;
    fn file(&mut self, key: Self::Key, bucket: Bucket);
    fn forget(&mut self, key: Self::Key);
}

/// Buckets by object uid.
impl Buckets for BTreeMap<u64, Bucket> {
    type Key = u64;
    fn bucket(&self, uid: u64) -> Option<&Bucket> {
        self.get(&uid)
    }
    fn bucket_mut(&mut self, uid: u64) -> Option<&mut Bucket> {
        self.get_mut(&uid)
    }
    fn file(&mut self, uid: u64, bucket: Bucket) {
        self.insert(uid, bucket);
    }
    fn forget(&mut self, uid: u64) {
        self.remove(&uid);
    }
}

/// Buckets by pod id.
impl Buckets for IdMap<Bucket> {
    type Key = PodId;
    fn bucket(&self, pod: PodId) -> Option<&Bucket> {
        self.get(pod)
    }
    fn bucket_mut(&mut self, pod: PodId) -> Option<&mut Bucket> {
        self.get_mut(pod)
    }
    fn file(&mut self, pod: PodId, bucket: Bucket) {
        self.insert(pod, bucket);
    }
    fn forget(&mut self, pod: PodId) {
        self.remove(pod);
    }
}

/// One source's buckets, kept by `B`: by object uid unless said otherwise.
#[derive(Default)]
pub struct SpamFilter<B: Buckets = BTreeMap<u64, Bucket>> {
    buckets: B,
}

/// The kubelet's buckets, by pod.
pub type PodSpamFilter = SpamFilter<IdMap<Bucket>>;

impl<B: Buckets> SpamFilter<B> {
    /// Whether an event about `key`'s object at `now` passes (`TryAccept`), taking its
    /// token.
    pub fn accept(&mut self, key: B::Key, now: SimTime) -> bool {
        let Some(bucket) = self.buckets.bucket_mut(key) else {
            // A full bucket, less the token this event takes.
            self.buckets.file(key, Bucket { held: (BURST - 1) * TOKEN, at: now });
            return true;
        };
        let held = bucket.held_at(now);
        let accepted = held >= TOKEN;
        *bucket = Bucket { held: if accepted { held - TOKEN } else { held }, at: now };
        accepted
    }

    /// The first instant from `now` at which an event about `key`'s object would pass,
    /// if no other event takes a token first.
    pub fn next_accept(&self, key: B::Key, now: SimTime) -> SimTime {
        match self.buckets.bucket(key) {
            None => now,
            Some(b) => now.after(TOKEN.saturating_sub(b.held_at(now))),
        }
    }

    /// The object is gone: its bucket with it.
    pub fn forget(&mut self, key: B::Key) {
        self.buckets.forget(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bucket's arithmetic, for both stores.
    fn twenty_five_then_one_every_five_minutes<B: Buckets>(seven: B::Key, eight: B::Key) {
        let mut f = SpamFilter::<B>::default();
        let t0 = SimTime::from_ms(1_000);
        assert_eq!(f.next_accept(seven, t0), t0, "an object not seen passes at once");
        assert_eq!((0..30).filter(|_| f.accept(seven, t0)).count(), 25);
        assert_eq!(f.next_accept(seven, t0), SimTime::from_ms(301_000));
        assert!(!f.accept(seven, SimTime::from_ms(300_999)));
        assert!(f.accept(seven, SimTime::from_ms(301_000)));
        assert!(!f.accept(seven, SimTime::from_ms(301_000)));
        assert!(f.accept(eight, t0), "another object has its own bucket");
        // Refilled to the burst, never beyond.
        assert_eq!((0..30).filter(|_| f.accept(seven, SimTime::from_ms(100_000_000))).count(), 25);
        f.forget(seven);
        assert_eq!((0..30).filter(|_| f.accept(seven, SimTime::from_ms(100_000_000))).count(), 25, "forgotten");
    }

    #[test]
    fn twenty_five_at_once_then_one_every_five_minutes() {
        twenty_five_then_one_every_five_minutes::<BTreeMap<u64, Bucket>>(7, 8);
        let mut pods = crate::cluster::slab::Slab::default();
        let (seven, eight): (PodId, PodId) = (pods.insert(()), pods.insert(()));
        twenty_five_then_one_every_five_minutes::<IdMap<Bucket>>(seven, eight);
    }

    /// A pod in the slot of a removed one starts with a full bucket, forgotten or not.
    #[test]
    fn a_reused_slot_starts_full() {
        let mut pods = crate::cluster::slab::Slab::default();
        let old: PodId = pods.insert(());
        let mut f = PodSpamFilter::default();
        let t0 = SimTime::from_ms(0);
        assert_eq!((0..30).filter(|_| f.accept(old, t0)).count(), 25);
        pods.remove(old);
        let new: PodId = pods.insert(());
        assert_eq!(new.index, old.index, "the slot is reused");
        assert_eq!(f.next_accept(new, t0), t0);
        assert_eq!((0..30).filter(|_| f.accept(new, t0)).count(), 25);
    }
}
