//! One run of a study, as `podsim run` simulates it: the scenario to its end, the
//! trace to the sink given, the summary back.

use crate::scenario::Scenario;
use crate::sim::Simulation;
use crate::trace::TraceSink;
use crate::trace::summary::Summary;
use std::sync::Arc;

/// How a run did not give a summary.
#[derive(Debug)]
pub enum RunError {
    /// An invariant broke, or podsim failed: a result of the study (the run's row says
    /// so), with the time and the message.
    Failed(String),
    /// The caller asked the run to stop (an output that cannot be written, a study
    /// being interrupted).
    Stopped,
    /// The trace could not be written at the end.
    Write(std::io::Error),
}

/// Unwinds out of the simulation when the caller asks it to stop: the loop has no way
/// to be stopped from outside.
struct Stop;

/// Simulates `scenario` (its duration, or until nothing is left to happen), checking
/// the invariants after every event if `check`. `stop` is asked every 65,536 events.
pub fn simulate(
    scenario: Arc<Scenario>,
    sink: Box<dyn TraceSink>,
    check: bool,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Summary, RunError> {
    let end = scenario.duration.map(crate::engine::SimTime::from_ms);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let mut sim = Simulation::new(scenario, sink);
        if check {
            sim = sim.with_invariant_checks();
        }
        let mut progress = |_, _| {
            if stop() {
                std::panic::resume_unwind(Box::new(Stop));
            }
        };
        let report = sim.run(end, &mut progress);
        (report, sim)
    }));
    let (report, mut sim) = match result {
        Ok(r) => r,
        Err(panic) if panic.is::<Stop>() => return Err(RunError::Stopped),
        Err(panic) => {
            let what =
                panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
            return Err(RunError::Failed(format!("internal error: {}", what.unwrap_or_default())));
        }
    };
    report.map_err(|v| RunError::Failed(v.to_string()))?;
    let digests = sim.finish_trace().map_err(RunError::Write)?;
    Ok(sim.summary(digests))
}
