//! Cancellable timers without touching the queue.
//!
//! A state that waits for something (a container running until it exits, a back-off
//! running out) owns a `Timer`. Arming it returns a token that travels in the event;
//! re-arming or cancelling bumps the generation, so the event still in the queue is
//! recognised as stale when it fires and is ignored. This keeps the queue a plain
//! heap with O(1) cancellation.

/// The generation an event was scheduled under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TimerToken(pub u32);

/// A slot for at most one live pending event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timer {
    generation: u32,
    armed: bool,
}

impl Timer {
    /// Arms the timer, invalidating any earlier token.
    pub fn arm(&mut self) -> TimerToken {
        self.generation = self.generation.wrapping_add(1);
        self.armed = true;
        TimerToken(self.generation)
    }

    /// Cancels the pending event, if any.
    pub fn cancel(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        self.armed = false;
    }

    pub fn is_armed(&self) -> bool {
        self.armed
    }

    /// A controller's work queue: arms the timer for `at` unless a sync already pending
    /// at `*pending` or earlier stands; the token to schedule with when it was armed.
    pub fn arm_unless_due_by(
        &mut self,
        pending: &mut Option<super::time::SimTime>,
        at: super::time::SimTime,
    ) -> Option<TimerToken> {
        if self.armed && pending.is_some_and(|t| t <= at) {
            return None;
        }
        *pending = Some(at);
        Some(self.arm())
    }

    /// True if an event carrying `token` is the live one; it disarms the timer.
    pub fn fire(&mut self, token: TimerToken) -> bool {
        let live = self.armed && token.0 == self.generation;
        if live {
            self.armed = false;
        }
        live
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_and_cancelled_tokens_do_not_fire() {
        let mut t = Timer::default();
        let first = t.arm();
        let second = t.arm();
        assert!(!t.fire(first), "re-armed: the first event is stale");
        assert!(t.fire(second));
        assert!(!t.fire(second), "fires once");
        let third = t.arm();
        t.cancel();
        assert!(!t.fire(third));
        assert!(!t.is_armed());
    }
}
