use podsim::sim::Simulation;
use podsim::trace::NullSink;
use podsim::trace::csv::{CsvSink, SinkFiles};
use std::sync::Arc;
fn main() {
    let dir = std::path::Path::new("benches/scenarios");
    let text = std::fs::read_to_string(dir.join("cronjob-fleet.yaml")).unwrap();
    let read = |n: &str| std::fs::read_to_string(dir.join(n)).map_err(|e| e.to_string());
    let mut s = podsim::scenario::load("f", &text, &read).unwrap();
    s.duration = Some(86_400_000);
    let s = Arc::new(s);
    let t = std::time::Instant::now();
    let mut sim = Simulation::new(s.clone(), Box::new(NullSink));
    let r = sim.run(s.duration.map(podsim::engine::SimTime), &mut |_, _| {}).unwrap();
    println!("null sink: {:?} {} events", t.elapsed(), r.events);
    let t = std::time::Instant::now();
    let f = || std::io::sink();
    let mut sim = Simulation::new(
        s.clone(),
        Box::new(CsvSink::new(SinkFiles {
            transitions: f(),
            events: f(),
            metrics: f(),
            nodes: f(),
            pool_metrics: f(),
        })),
    );
    let r = sim.run(s.duration.map(podsim::engine::SimTime), &mut |_, _| {}).unwrap();
    println!("csv to io::sink: {:?} {} events", t.elapsed(), r.events);
}
