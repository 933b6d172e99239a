use podsim::sim::Simulation;
use podsim::trace::NullSink;
use std::sync::Arc;
fn main() {
    let dir = std::path::Path::new("benches/scenarios");
    let text = std::fs::read_to_string(dir.join("cronjob-fleet.yaml")).unwrap();
    let read = |n: &str| std::fs::read_to_string(dir.join(n)).map_err(|e| e.to_string());
    let mut s = podsim::scenario::load("f", &text, &read).unwrap();
    let hours: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(48);
    s.duration = Some(hours * 3_600_000);
    let s = Arc::new(s);
    let mut sim = Simulation::new(s.clone(), Box::new(NullSink));
    let r = sim.run(s.duration.map(podsim::engine::SimTime), &mut |_, _| {}).unwrap();
    println!("{} events", r.events);
}
