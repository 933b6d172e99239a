//! The kubelet's back-off (client-go `flowcontrol.Backoff`, without jitter) for crash
//! loops and image pulls (`pkg/kubelet/kubelet.go`, `pkg/kubelet/images`).

use crate::cluster::pod::BackoffEntry;
use crate::engine::{Millis, SimTime};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub initial: Millis,
    pub max: Millis,
    /// An entry not updated for longer than this (measured to the event) starts over.
    pub expiry: Millis,
}

/// `initialCrashLoopBackOff` 10 s, `MaxContainerBackOff` 300 s; the kubelet's
/// `HasExpiredFunc` resets the back-off once a container ran for 600 s.
pub fn crash_loop(max: Millis) -> Backoff {
    Backoff { initial: 10_000.min(max), max, expiry: 600_000 }
}

/// `imageBackOffPeriod` 10 s, `MaxImageBackOff` 300 s; the default expiry is twice the max.
pub const IMAGE_PULL: Backoff = Backoff { initial: 10_000, max: 300_000, expiry: 600_000 };

impl Backoff {
    fn expired(&self, entry: &BackoffEntry, event_time: SimTime) -> bool {
        event_time.since(entry.last_update) > self.expiry
    }

    /// `IsInBackOffSince(id, eventTime)`: true while `now - event_time` is under the
    /// current back-off.
    #[cfg(test)]
    pub fn in_backoff_since(&self, entry: &BackoffEntry, event_time: SimTime, now: SimTime) -> bool {
        if entry.duration == 0 || self.expired(entry, event_time) {
            return false;
        }
        now.since(event_time) < entry.duration
    }

    /// When something that failed at `event_time` may be tried again.
    pub fn retry_at(&self, entry: &BackoffEntry, event_time: SimTime) -> SimTime {
        if entry.duration == 0 || self.expired(entry, event_time) {
            event_time
        } else {
            event_time.after(entry.duration)
        }
    }

    /// `Next(id, eventTime)`: the first call (or one after expiry) sets the initial
    /// back-off, later ones double it up to the max; the entry is stamped `now`.
    pub fn next(&self, entry: &mut BackoffEntry, event_time: SimTime, now: SimTime) {
        entry.duration = if entry.duration == 0 || self.expired(entry, event_time) {
            self.initial
        } else {
            (entry.duration * 2).min(self.max)
        };
        entry.last_update = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A container that exits `run` ms after each start: the delays before each restart.
    fn restart_delays(run: Millis, n: usize) -> Vec<Millis> {
        let b = crash_loop(300_000);
        let mut entry = BackoffEntry::default();
        let mut now = SimTime::from_ms(0);
        let mut delays = Vec::new();
        for _ in 0..n {
            let exited = now.after(run);
            let restart = b.retry_at(&entry, exited);
            assert!(!b.in_backoff_since(&entry, exited, restart));
            delays.push(restart.since(exited));
            b.next(&mut entry, exited, restart);
            now = restart;
        }
        delays
    }

    #[test]
    fn crash_loop_sequence_is_kubernetes() {
        let s = 1000;
        assert_eq!(restart_delays(0, 9), [0, 10 * s, 20 * s, 40 * s, 80 * s, 160 * s, 300 * s, 300 * s, 300 * s]);
    }

    #[test]
    fn ten_minutes_of_running_resets_the_back_off() {
        let s = 1000;
        assert_eq!(restart_delays(600 * s, 3), [0, 10 * s, 20 * s], "600 s is not more than 600 s");
        assert_eq!(restart_delays(600 * s + 1, 3), [0, 0, 0]);
    }

    #[test]
    fn a_lower_max_caps_the_delay() {
        let b = crash_loop(30_000);
        let mut entry = BackoffEntry::default();
        let mut t = SimTime::from_ms(0);
        let mut seen = Vec::new();
        for _ in 0..5 {
            let at = b.retry_at(&entry, t);
            seen.push(at.since(t));
            b.next(&mut entry, t, at);
            t = at;
        }
        assert_eq!(seen, [0, 10_000, 20_000, 30_000, 30_000]);
        assert!(b.in_backoff_since(&entry, t, t.after(29_999)));
        assert!(!b.in_backoff_since(&entry, t, t.after(30_000)));
    }
}
