//! Probe outcomes worked out at a container's start instead of ticking every period.
//!
//! A behavior says when a container answers its probes (`readyAfter`) and when it stops
//! answering them (`unhealthyAfter`). The prober runs each probe at the container's
//! start plus multiples of `periodSeconds`, skipping ticks inside `initialDelaySeconds`
//! (`pkg/kubelet/prober/worker.go`); a result changes the container only after
//! `successThreshold` / `failureThreshold` equal results in a row. Because the answers
//! change at most twice, each consequence has a closed form, and a container costs a
//! handful of events over its life, not one per probe period.

use crate::cluster::pod::ProbePlan;
use crate::cluster::template::ProbeTiming;
use crate::engine::{Millis, SimTime};

/// The first tick of `probe` at or after `t` (ticks at `start + k·period`, `k·period ≥
/// initialDelay`).
fn tick_at_or_after(start: SimTime, probe: &ProbeTiming, t: SimTime) -> SimTime {
    let earliest = start.after(probe.initial_delay).max(t);
    let k = earliest.since(start).div_ceil(probe.period);
    start.after(k * probe.period)
}

/// After how many consecutive equal results, counted from the tick `first`, the
/// result takes effect.
fn after_streak(first: SimTime, probe: &ProbeTiming, threshold: u32) -> SimTime {
    first.after(u64::from(threshold.saturating_sub(1)) * probe.period)
}

/// Probe outcomes for one run started at `start`. `ready_after` / `unhealthy_after`
/// are relative to `start`; `None` means "from the start" / "never".
pub fn plan(
    start: SimTime,
    startup: Option<&ProbeTiming>,
    readiness: Option<&ProbeTiming>,
    liveness: Option<&ProbeTiming>,
    ready_after: Option<Millis>,
    unhealthy_after: Option<Millis>,
) -> ProbePlan {
    let answers_from = start.after(ready_after.unwrap_or(0));
    let fails_from = unhealthy_after.map(|u| start.after(u));
    let mut plan = ProbePlan { start, answers_from, fails_from, ..ProbePlan::default() };

    // Startup probe: success at the first tick at or after `answers_from` (its
    // successThreshold is always 1); killed after failureThreshold failures before that.
    let started = match startup {
        None => start,
        Some(p) => {
            let first_tick = tick_at_or_after(start, p, start);
            let kill = after_streak(first_tick, p, p.failure_threshold);
            let success = tick_at_or_after(start, p, answers_from);
            let success_ok = fails_from.is_none_or(|f| success < f);
            if success_ok && success <= kill && success < kill.after(1) {
                if success == kill && !success_ok {
                    unreachable!()
                }
                success
            } else {
                plan.kill_at = Some(kill);
                plan.kill_by_startup = true;
                return plan;
            }
        }
    };
    plan.started_at = Some(started);

    // Readiness: not ready until successThreshold successes once started and answering.
    match readiness {
        None => plan.ready_at = Some(started),
        Some(p) => {
            let first_success = tick_at_or_after(start, p, started.max(answers_from));
            let ready = after_streak(first_success, p, p.success_threshold);
            if fails_from.is_none_or(|f| ready < f) {
                plan.ready_at = Some(ready);
            }
            if let Some(f) = fails_from {
                let first_failure = tick_at_or_after(start, p, f.max(started));
                let unready = after_streak(first_failure, p, p.failure_threshold);
                if plan.ready_at.is_some_and(|r| r < unready) {
                    plan.unready_at = Some(unready);
                }
            }
        }
    }
    if readiness.is_none()
        && let Some(f) = fails_from
        && liveness.is_none()
    {
        // Without probes, unhealthiness is invisible to Kubernetes.
        let _ = f;
    }

    // Liveness: runs once started; killed after failureThreshold failures in a row.
    if let (Some(p), Some(f)) = (liveness, fails_from) {
        let first_failure = tick_at_or_after(start, p, f.max(started));
        plan.kill_at = Some(after_streak(first_failure, p, p.failure_threshold));
    }
    plan
}

/// A container's probes, as its spec gives them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Probes<'a> {
    pub startup: Option<&'a ProbeTiming>,
    pub liveness: Option<&'a ProbeTiming>,
    pub readiness: Option<&'a ProbeTiming>,
}

/// Which probes run at `t` and fail: `[startup, liveness, readiness]`. The prober records
/// a Warning `Unhealthy` event for each failed probe (`prober.probe`,
/// `pkg/kubelet/prober/prober.go`). The startup probe runs until it succeeds or gives up;
/// the others only once the container has started (`worker.doProbe`); liveness stops at
/// the failure that kills the container (the worker is then on hold); readiness fails
/// before the container answers and after it stops answering, for as long as it runs.
pub fn failing_at(plan: &ProbePlan, probes: &Probes, t: SimTime) -> [bool; 3] {
    let tick = |p: &ProbeTiming| t >= plan.start.after(p.initial_delay) && t.since(plan.start).is_multiple_of(p.period);
    let startup = probes.startup.is_some_and(|p| {
        tick(p)
            && match plan.started_at {
                Some(started) => t < started,
                None => plan.kill_by_startup && plan.kill_at.is_some_and(|k| t <= k),
            }
    });
    let (liveness, readiness) = match plan.started_at {
        None => (false, false),
        Some(started) => (
            probes.liveness.is_some_and(|p| {
                let killed_by_it = !plan.kill_by_startup && plan.kill_at.is_some_and(|k| t <= k);
                tick(p) && t >= started && plan.fails_from.is_some_and(|f| t >= f) && killed_by_it
            }),
            probes.readiness.is_some_and(|p| {
                tick(p) && t >= started && (t < plan.answers_from || plan.fails_from.is_some_and(|f| t >= f))
            }),
        ),
    };
    [startup, liveness, readiness]
}

/// The first tick at or after `after` at which some probe fails (see [`failing_at`]).
pub fn next_failure(plan: &ProbePlan, probes: &Probes, after: SimTime) -> Option<SimTime> {
    let start = plan.start;
    let startup = probes.startup.and_then(|p| {
        let t = tick_at_or_after(start, p, after);
        let fails = match plan.started_at {
            Some(started) => t < started,
            None => plan.kill_by_startup && plan.kill_at.is_some_and(|k| t <= k),
        };
        fails.then_some(t)
    });
    let started = plan.started_at;
    let liveness = probes.liveness.zip(started).zip(plan.fails_from).and_then(|((p, s), f)| {
        let t = tick_at_or_after(start, p, after.max(s).max(f));
        (!plan.kill_by_startup && plan.kill_at.is_some_and(|k| t <= k)).then_some(t)
    });
    let readiness = probes.readiness.zip(started).and_then(|(p, s)| {
        let t = tick_at_or_after(start, p, after.max(s));
        if t < plan.answers_from {
            return Some(t);
        }
        plan.fails_from.map(|f| tick_at_or_after(start, p, t.max(f)))
    });
    [startup, liveness, readiness].into_iter().flatten().min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(initial: u64, period: u64, success: u32, failure: u32) -> ProbeTiming {
        ProbeTiming {
            initial_delay: initial * 1000,
            period: period * 1000,
            success_threshold: success,
            failure_threshold: failure,
            grace: None,
        }
    }

    const S: u64 = 1000;

    #[test]
    fn no_probes_means_started_and_ready_at_once() {
        let p = plan(SimTime::from_ms(5 * S), None, None, None, Some(30 * S), Some(60 * S));
        assert_eq!(p.started_at, Some(SimTime::from_ms(5 * S)));
        assert_eq!(p.ready_at, Some(SimTime::from_ms(5 * S)));
        assert_eq!(p.kill_at, None);
    }

    #[test]
    fn readiness_waits_for_answers_and_the_success_threshold() {
        // Period 10 s, no initial delay: ticks at 0, 10, 20, 30 s. Answers from 25 s:
        // first success at 30 s, threshold 2 -> ready at 40 s.
        let r = probe(0, 10, 2, 3);
        let p = plan(SimTime::from_ms(0), None, Some(&r), None, Some(25 * S), None);
        assert_eq!(p.ready_at, Some(SimTime::from_ms(40 * S)));
        // Unhealthy from 100 s: failures at 100, 110, 120 -> unready at 120 s.
        let p = plan(SimTime::from_ms(0), None, Some(&r), None, Some(25 * S), Some(100 * S));
        assert_eq!(p.unready_at, Some(SimTime::from_ms(120 * S)));
    }

    #[test]
    fn initial_delay_skips_early_ticks() {
        // initialDelay 15 s, period 10 s: the first probe runs at 20 s.
        let r = probe(15, 10, 1, 3);
        assert_eq!(
            plan(SimTime::from_ms(0), None, Some(&r), None, None, None).ready_at,
            Some(SimTime::from_ms(20 * S))
        );
    }

    #[test]
    fn liveness_kills_after_failure_threshold() {
        // Period 10 s, failureThreshold 3, unhealthy from 61 s: failures at 70, 80, 90.
        let l = probe(0, 10, 1, 3);
        let p = plan(SimTime::from_ms(0), None, None, Some(&l), None, Some(61 * S));
        assert_eq!(p.kill_at, Some(SimTime::from_ms(90 * S)));
        assert!(!p.kill_by_startup);
    }

    #[test]
    fn every_failed_probe_is_a_failure_tick() {
        // Liveness period 10 s, failureThreshold 3, unhealthy from 61 s: failures at 70,
        // 80 and 90 s (the kill); readiness period 5 s answers from 12 s: it fails at 0,
        // 5 and 10 s, then from 61 s at 65, 70, ... for as long as the container runs.
        let l = probe(0, 10, 1, 3);
        let r = probe(0, 5, 1, 3);
        let probes = Probes { liveness: Some(&l), readiness: Some(&r), ..Probes::default() };
        let p = plan(SimTime::from_ms(0), None, Some(&r), Some(&l), Some(12 * S), Some(61 * S));
        let mut ticks = Vec::new();
        let mut t = SimTime::from_ms(0);
        while let Some(next) = next_failure(&p, &probes, t).filter(|t| t.ms() <= 100 * S) {
            ticks.push((next.ms() / S, failing_at(&p, &probes, next)));
            t = next.after(1);
        }
        let (rd, both) = ([false, false, true], [false, true, true]);
        assert_eq!(
            ticks,
            [
                (0, rd),
                (5, rd),
                (10, rd),
                (65, rd),
                (70, both),
                (75, rd),
                (80, both),
                (85, rd),
                (90, both),
                (95, rd),
                (100, rd)
            ]
        );
    }

    #[test]
    fn startup_probe_gates_the_others_or_kills() {
        // Startup: period 5 s, failureThreshold 10: it gives up at 45 s.
        let s = probe(0, 5, 1, 10);
        let slow = plan(SimTime::from_ms(0), Some(&s), None, None, Some(50 * S), None);
        assert_eq!(slow.kill_at, Some(SimTime::from_ms(45 * S)));
        assert!(slow.kill_by_startup);
        assert_eq!(slow.started_at, None);
        let ok = plan(SimTime::from_ms(0), Some(&s), None, None, Some(12 * S), None);
        assert_eq!(ok.started_at, Some(SimTime::from_ms(15 * S)));
        assert_eq!(ok.ready_at, Some(SimTime::from_ms(15 * S)));
    }
}
