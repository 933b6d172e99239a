//! `podsim plot`: every chart of real runs decodes (PNG) or parses (SVG) and comes out
//! byte for byte the same when drawn again; large runs are aggregated; Jobs get their
//! chart; bad input exits 2 naming the file and line; no input makes the library panic.

use crate::common;

use podsim::plot::{PlotFile, RunFiles, render};
use std::path::Path;
use std::process::Command;

fn files(o: &common::Outcome) -> RunFiles<'_> {
    RunFiles {
        summary: &o.summary,
        transitions: &o.transitions,
        events: &o.events,
        metrics: &o.metrics,
        nodes: Some(&o.nodes),
        pool_metrics: Some(&o.pool_metrics),
        services: Some(&o.services),
    }
}

fn names(plots: &[PlotFile]) -> Vec<&str> {
    plots.iter().map(|(n, _)| n.as_str()).collect()
}

/// Each PNG has the signature and decodes to its stated size; each SVG is well-formed XML
/// with an `<svg>` root of the same size.
fn check_decodes(plots: &[PlotFile]) {
    for (name, bytes) in plots {
        if name.ends_with(".png") {
            assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}: no PNG signature");
            let mut reader = png::Decoder::new(std::io::Cursor::new(bytes.as_slice())).read_info().expect(name);
            let mut pixels = vec![0; reader.output_buffer_size().expect(name)];
            let info = reader.next_frame(&mut pixels).expect(name);
            assert!(info.width >= 100 && info.height >= 100, "{name}: {}x{}", info.width, info.height);
        } else {
            assert!(name.ends_with(".svg"), "{name}: neither PNG nor SVG");
            let text = std::str::from_utf8(bytes).expect(name);
            assert!(text.starts_with("<svg"), "{name}: does not start with <svg");
            let doc = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(doc.root_element().tag_name().name(), "svg");
        }
    }
}

#[test]
fn charts_of_scenario_runs_decode_and_repeat_byte_for_byte() {
    for scenario in ["quickstart", "crashloop", "oom"] {
        let outcome = common::run(common::load_scenario(scenario));
        let first = render(&files(&outcome)).unwrap_or_else(|e| panic!("{scenario}: {e}"));
        let expected = [
            "timeline.png",
            "timeline.svg",
            "phases.png",
            "phases.svg",
            "resources.png",
            "resources.svg",
            "latency.png",
            "latency.svg",
        ];
        assert_eq!(names(&first), expected, "{scenario}");
        check_decodes(&first);
        let second = render(&files(&outcome)).unwrap();
        assert!(first == second, "{scenario}: two drawings differ");
    }
}

#[test]
fn streamed_files_draw_the_same_bytes() {
    let outcome = common::run(common::load_scenario("node-crash-eviction"));
    let files = files(&outcome);
    let (mut t, mut e) = (outcome.transitions.as_bytes(), outcome.events.as_bytes());
    let streams = podsim::plot::RunStreams {
        summary: files.summary,
        transitions: &mut t,
        events: &mut e,
        metrics: files.metrics,
        nodes: files.nodes,
        pool_metrics: files.pool_metrics,
        services: files.services,
    };
    let streamed = podsim::plot::render_streams(streams).unwrap();
    assert!(streamed == render(&files).unwrap());
}

#[test]
fn a_node_crash_shows_its_pods_lost_and_named() {
    let outcome = common::run(common::load_scenario("node-crash-eviction"));
    let plots = render(&files(&outcome)).unwrap();
    let svg = String::from_utf8(chart(&plots, "timeline.svg").to_vec()).unwrap();
    assert!(svg.contains("on a node not ready: unknown"), "the hatching in the legend");
    // Every bar is long enough for its pod's name.
    for line in outcome.transitions.lines().filter(|l| l.contains(",Pod,default,") && l.contains(",,Pending,")) {
        let name = line.split(',').nth(3).unwrap();
        assert!(svg.lines().any(|l| l == name), "{name} is not on its bar");
    }
}

fn chart<'p>(plots: &'p [PlotFile], name: &str) -> &'p [u8] {
    &plots.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no {name}")).1
}

#[test]
fn runs_with_services_get_an_availability_chart_drawn_the_same_every_time() {
    for (scenario, services) in
        [("web-service", &["default/web", "default/api"][..]), ("zone-outage", &["web-soft", "web-hard"])]
    {
        let outcome = common::run(common::load_scenario(scenario));
        let first = render(&files(&outcome)).unwrap_or_else(|e| panic!("{scenario}: {e}"));
        assert_eq!(names(&first)[first.len() - 2..], ["availability.png", "availability.svg"], "{scenario}");
        check_decodes(&first);
        let second = render(&files(&outcome)).unwrap();
        assert!(chart(&first, "availability.svg") == chart(&second, "availability.svg"), "{scenario}: SVGs differ");
        assert!(chart(&first, "availability.png") == chart(&second, "availability.png"), "{scenario}: PNGs differ");
        let svg = String::from_utf8(chart(&first, "availability.svg").to_vec()).unwrap();
        for s in services {
            assert!(svg.contains(s), "{scenario}: {s} has no panel");
        }
        // The summary's figures head each panel.
        assert!(svg.contains("≥ 1 ready") && svg.contains("longest outage"), "{scenario}");
    }
    let outcome = common::run(common::load_scenario("quickstart"));
    let plots = render(&files(&outcome)).unwrap();
    assert!(!names(&plots).iter().any(|n| n.starts_with("availability")), "no Services, no chart");
}

#[test]
fn many_services_show_the_least_available() {
    let mut summary: serde_json::Value = serde_json::from_str(&read_fixture("summary.json")).unwrap();
    let mut csv = "time_ms,namespace,service,desired,endpoints,ready,serving,terminating\n".to_string();
    let mut list = Vec::new();
    for i in 0..14u64 {
        let any = 1.0 - i as f64 / 100.0;
        list.push(serde_json::json!({"namespace": "default", "name": format!("svc-{i:02}"), "created_ms": 0,
            "any_ready_fraction": any, "all_ready_fraction": any, "longest_outage_ms": i * 1000, "outages": 1}));
        csv.push_str(&format!("{},default,svc-{i:02},2,2,2,2,0\n", i * 1000));
    }
    summary["services"] = serde_json::Value::Array(list);
    let summary = summary.to_string();
    let (t, e, m) = (read_fixture("transitions.csv"), read_fixture("events.csv"), read_fixture("metrics.csv"));
    let files = RunFiles {
        summary: &summary,
        transitions: &t,
        events: &e,
        metrics: &m,
        nodes: None,
        pool_metrics: None,
        services: Some(&csv),
    };
    let plots = render(&files).unwrap();
    check_decodes(&plots);
    let svg = String::from_utf8(chart(&plots, "availability.svg").to_vec()).unwrap();
    assert!(svg.contains("The 10 least available of 14 Services are shown"), "the note says some are left out");
    assert!(svg.contains("svc-13") && svg.contains("svc-04"), "the least available are drawn");
    assert!(!svg.contains("svc-03") && !svg.contains("svc-00"), "the most available are not");
    assert!(svg.find("svc-13") < svg.find("svc-12"), "worst first");
}

#[test]
fn a_rollout_tells_its_replicasets_apart_on_the_timeline() {
    let outcome = common::run(common::load_scenario("web-service-rollout"));
    let plots = render(&files(&outcome)).unwrap();
    let svg = String::from_utf8(chart(&plots, "timeline.svg").to_vec()).unwrap();
    assert!(svg.contains("top stripe, by ReplicaSet: web-"), "the ReplicaSets in the legend");
    // A legend label is a text node of its own line: the name alone (`web-<hash>`; the
    // pods' names on their bars have a suffix more).
    let others = svg.lines().filter(|l| l.starts_with("web-") && l.matches('-').count() == 1).count();
    assert_eq!(others, 1, "a second ReplicaSet in the legend, the rollout's new one");
}

/// 20,000 short pods on 20 nodes: too many bars, so a heat map and a detail view.
const LARGE: &str = r#"
name: large
seed: 5
duration: 6h
nodes:
  - {name: node, count: 20, capacity: {cpu: "16", memory: 64Gi, pods: 110}}
workloads:
  - arrivals:
      interarrival: {exponential: {mean: 1s}}
      count: 20000
      object:
        apiVersion: v1
        kind: Pod
        metadata: {generateName: task-}
        spec:
          restartPolicy: OnFailure
          containers: [{name: task, image: task:1, resources: {requests: {cpu: 500m, memory: 1Gi}}}]
behaviors:
  - match: {container: task}
    imagePull: 5s
    runFor: {lognormal: {median: 1m, sigma: 0.5}}
    exitCode: [{code: 0, weight: 9}, {code: 1, weight: 1}]
faults:
  - {at: 1h, node: node-3, action: crash, for: 10m}
"#;

#[test]
fn a_large_run_is_aggregated_and_says_so() {
    let outcome = run_unchecked(common::load_text(LARGE));
    let plots = render(&files(&outcome)).unwrap();
    assert_eq!(
        names(&plots)[..4],
        ["timeline.png", "timeline.svg", "timeline-detail.png", "timeline-detail.svg"],
        "a heat map and the busiest nodes in detail"
    );
    check_decodes(&plots);
    let svg = |name: &str| String::from_utf8(plots.iter().find(|(n, _)| n == name).unwrap().1.clone()).unwrap();
    assert!(svg("timeline.svg").contains("Aggregated: 20000 pods on 20 nodes"));
    // The caption counts the taint eviction controller's evictions as the summary does.
    let summary: serde_json::Value = serde_json::from_str(&outcome.summary).unwrap();
    let evicted = summary["failures"]["pods_evicted"].as_u64().unwrap();
    assert!(evicted > 0, "node-3's crash evicts its pods");
    assert!(svg("timeline.svg").contains(&format!("evictions {evicted},")), "the caption's evictions");
    assert!(svg("timeline-detail.svg").contains("busiest of 20 nodes"));
    // The series are thinned: the SVGs stay small however many samples there are.
    assert!(plots.iter().all(|(_, b)| b.len() < 2_000_000), "a file over 2 MB");
    assert!(render(&files(&outcome)).unwrap() == plots);
}

/// Runs a scenario without the per-event invariant checks (too slow for 20,000 pods).
fn run_unchecked(scenario: podsim::scenario::Scenario) -> common::Outcome {
    use common::SharedBuf;
    use podsim::trace::csv::{CsvSink, SinkFiles};
    let bufs: Vec<SharedBuf> = (0..6).map(|_| SharedBuf::default()).collect();
    let sink = CsvSink::new(SinkFiles {
        transitions: bufs[0].clone(),
        events: bufs[1].clone(),
        metrics: bufs[2].clone(),
        nodes: bufs[3].clone(),
        pool_metrics: bufs[4].clone(),
        services: bufs[5].clone(),
    });
    let end = scenario.duration.map(podsim::engine::SimTime::from_ms);
    let mut sim = podsim::sim::Simulation::new(std::sync::Arc::new(scenario), Box::new(sink));
    let report = sim.run(end, &mut |_, _| {}).expect("no invariant is checked");
    let digests = sim.finish_trace().unwrap();
    let summary = serde_json::to_string_pretty(&sim.summary(digests.clone())).unwrap();
    let text = |i: usize| String::from_utf8(bufs[i].0.borrow().clone()).unwrap();
    common::Outcome {
        transitions: text(0),
        events: text(1),
        metrics: text(2),
        nodes: text(3),
        pool_metrics: text(4),
        services: text(5),
        summary,
        objects: String::new(),
        containers: String::new(),
        event_paths: String::new(),
        event_series: String::new(),
        events_processed: report.events,
        digests,
    }
}

fn fixture_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/plot/jobs")
}

fn read_fixture(name: &str) -> String {
    std::fs::read_to_string(fixture_dir().join(name)).unwrap()
}

#[test]
fn runs_with_jobs_get_a_jobs_chart() {
    let (s, t, e, m, n, p) = (
        read_fixture("summary.json"),
        read_fixture("transitions.csv"),
        read_fixture("events.csv"),
        read_fixture("metrics.csv"),
        read_fixture("nodes.csv"),
        read_fixture("pool_metrics.csv"),
    );
    let files = RunFiles {
        summary: &s,
        transitions: &t,
        events: &e,
        metrics: &m,
        nodes: Some(&n),
        pool_metrics: Some(&p),
        services: None,
    };
    let plots = render(&files).unwrap();
    assert_eq!(names(&plots)[8..], ["jobs.png", "jobs.svg"]);
    check_decodes(&plots);
    let jobs = String::from_utf8(plots[9].1.clone()).unwrap();
    assert!(jobs.contains("CronJob nightly") && jobs.contains("CronJob start lateness by scheduled time, 3 Jobs"));
    // Jobs deleted before they finished (a CronJob's Replace) are not said to be running.
    assert!(jobs.contains("never reached"), "the note on unfinished Jobs");
    // Without nodes.csv and pool_metrics.csv (older runs): no per-pool chart, the rest drawn.
    let older = RunFiles { nodes: None, pool_metrics: None, services: None, ..files };
    assert_eq!(names(&render(&older).unwrap()).len(), 8);
}

#[test]
fn no_input_makes_the_library_panic() {
    let header = "time_ms,kind,namespace,name,from,to,reason,node\n";
    let transitions = [
        "",
        "\n",
        header,
        "time_ms\n1\n",
        &format!("{header}0,Pod,,,,,,\n"),
        &format!("{header}0,Container,ns,/,Terminated,Running,OOMKilled,n\n"),
        &format!("{header}0,Container,ns,p/c,,Running,,n\n18446744073709551615,Pod,ns,p,Running,Failed,Evicted,\n"),
        &format!("{header}0,Node,,n,,Unknown,,n\n0,Job,ns,j-99999999999999999999,,Active,,\n"),
        &format!("{header}0,Job,ns,-1,,Complete,,\n5,CronJob,ns,x,,Active,,\n5,Job,ns,x-0,,Failed,,\n"),
        &format!("{header}\"unterminated,Pod\n"),
        &format!("{header}0,Pod,ns,p\u{301},,Pending,,n\u{1F600}\n"),
    ];
    let summaries = [
        "",
        "[]",
        "{\"scenario\":\"s\",\"seed\":1}",
        "{\"scenario\":\"s\",\"seed\":1,\"start\":\"not a time\"}",
        "{\"scenario\":\"\u{1F600}\",\"seed\":18446744073709551615,\"simulated_duration_ms\":18446744073709551615}",
        "{\"scenario\":\"s\",\"seed\":1,\"services\":[{\"namespace\":\"a\",\"name\":\"b\",\"created_ms\":18446744073709551615,\"deleted_ms\":3,\"any_ready_fraction\":-1e308,\"all_ready_fraction\":2,\"longest_outage_ms\":18446744073709551615}]}",
        "{\"scenario\":\"s\",\"seed\":1,\"services\":7}",
    ];
    let metrics = ["", "time_ms,pods_pending,pods_running,pods_succeeded,pods_failed\n9,1,2,3,4\n0,0,0,0,0\n"];
    let events = "time_ms,type,reason,kind,namespace,name,node,message\n0,Normal,Scheduled,Pod,ns,p,zz,m\n";
    let pools = "time_ms,pool,cpu_requested_milli,cpu_allocatable_milli,memory_requested_bytes,memory_allocatable_bytes\n0,p,9999999999999,0,0,18446744073709551615\n";
    let services =
        "time_ms,namespace,service,desired,ready\n5,a,b,18446744073709551615,1\n5,a,b,0,0\n0,a,c,0,0\n9,a,c,3,0\n";
    for t in transitions {
        for s in summaries {
            for m in metrics {
                let files = RunFiles {
                    summary: s,
                    transitions: t,
                    events,
                    metrics: m,
                    nodes: Some(""),
                    pool_metrics: Some(pools),
                    services: Some(services),
                };
                if let Ok(plots) = render(&files) {
                    check_decodes(&plots);
                }
                let files = RunFiles { nodes: None, ..files };
                let _ = render(&files);
            }
        }
    }
}

fn podsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_podsim"))
}

fn copy_fixture(to: &Path) {
    for f in ["summary.json", "transitions.csv", "events.csv", "metrics.csv", "nodes.csv", "pool_metrics.csv"] {
        std::fs::copy(fixture_dir().join(f), to.join(f)).unwrap();
    }
}

#[test]
fn the_command_writes_the_charts_and_exits_2_on_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("missing");
    let out = podsim().arg("plot").arg(&missing).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing: not a folder"));

    let run = tmp.path().join("run");
    std::fs::create_dir(&run).unwrap();
    copy_fixture(&run);
    let out = podsim().args(["plot", "-q"]).arg(&run).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    for f in ["timeline", "phases", "resources", "latency", "jobs"] {
        assert!(
            run.join("plots").join(format!("{f}.png")).is_file()
                && run.join("plots").join(format!("{f}.svg")).is_file()
        );
    }
    let stray: Vec<_> = std::fs::read_dir(run.join("plots")).unwrap().filter_map(|e| e.ok()).collect();
    assert_eq!(stray.len(), 10, "no temporary files left");

    // A chart this run no longer has is removed rather than left stale.
    let transitions = read_fixture("transitions.csv");
    let no_jobs: String = transitions.lines().filter(|l| !l.contains(",Job,")).map(|l| format!("{l}\n")).collect();
    std::fs::write(run.join("transitions.csv"), no_jobs).unwrap();
    let out = podsim().args(["plot", "-q"]).arg(&run).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(!run.join("plots/jobs.png").exists());

    std::fs::write(run.join("transitions.csv"), "time_ms,kind,namespace,name,from,to,reason,node\n0,Pod\n").unwrap();
    let out = podsim().arg("plot").arg(&run).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("transitions.csv:2: expected 8 fields as in the header, found 2"), "{stderr}");

    std::fs::remove_file(run.join("metrics.csv")).unwrap();
    let out = podsim().arg("plot").arg(&run).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("metrics.csv: cannot read"));
}

#[test]
fn run_with_plot_draws_after_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("out");
    let scenario = common::scenarios_dir().join("crashloop.yaml");
    let out = podsim().arg("run").arg(&scenario).arg("--out").arg(&out_dir).args(["--plot", "-q"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    for f in ["timeline.png", "phases.svg", "resources.png", "latency.svg"] {
        assert!(out_dir.join("plots").join(f).is_file(), "{f}");
    }
}
