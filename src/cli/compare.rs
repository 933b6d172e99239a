//! `podsim compare A B`: two runs, or two studies (a study against a baseline), with
//! statistics; `--fail-on` turns a significant worsening into exit code 3.

use super::Failure;
use super::study_dir;
use clap::Args;
use podsim::study::compare::{self, FailOn, PointFigure, RunFigure};
use podsim::study::figures::{self, Ordered};
use podsim::study::plan::Plan;
use podsim::study::table::number;
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// The first run's or study's folder (the baseline).
    pub a: PathBuf,
    /// The second, compared against A.
    pub b: PathBuf,
    /// FIGURE>AMOUNT or FIGURE<AMOUNT (AMOUNT may end in %): exit 3 when B is worse than
    /// A by more than AMOUNT, significantly (Welch's p < 0.05) for studies. FIGURE is a
    /// path into summary.json (`latency_ms.scheduling.p99`) and may hold `*`.
    #[arg(long = "fail-on", value_name = "FIGURE>AMOUNT")]
    pub fail_on: Vec<String>,
    /// Only the figures whose values differ.
    #[arg(long)]
    pub changed: bool,
    /// The comparison as CSV on stdout (one row per point and figure).
    #[arg(long)]
    pub csv: bool,
}

/// The exit code of a negative verdict (interface.md).
pub const VERDICT: i32 = 3;

enum Kind {
    Run(Ordered),
    Study(Plan),
}

pub fn compare(args: CompareArgs) -> Result<(), Failure> {
    let rules: Vec<FailOn> =
        args.fail_on.iter().map(|r| FailOn::parse(r)).collect::<Result<_, _>>().map_err(|e| Failure::Input(vec![e]))?;
    match (kind(&args.a)?, kind(&args.b)?) {
        (Kind::Run(a), Kind::Run(b)) => compare_runs(&args, &a, &b, &rules),
        (Kind::Study(a), Kind::Study(b)) => compare_studies(&args, &a, &b, &rules),
        (Kind::Run(_), Kind::Study(_)) | (Kind::Study(_), Kind::Run(_)) => Err(Failure::Input(vec![format!(
            "{} and {} are not comparable: one is a run's folder (summary.json), the other a study's (sweep.json); \
             compare runs with runs and studies with studies",
            args.a.display(),
            args.b.display()
        )])),
    }
}

fn kind(dir: &Path) -> Result<Kind, Failure> {
    if study_dir::is_study(dir) {
        let (plan, _, _) = study_dir::read_plan(dir)?.expect("sweep.json is there");
        if !dir.join(study_dir::SWEEP_CSV).is_file() {
            return Err(Failure::Input(vec![format!(
                "{}: the study has not finished (no sweep.csv); run the same podsim sweep into it again to finish it",
                dir.display()
            )]));
        }
        return Ok(Kind::Study(plan));
    }
    let path = dir.join(study_dir::SUMMARY);
    match std::fs::read_to_string(&path) {
        Ok(text) => figures::parse(&text)
            .map(Kind::Run)
            .map_err(|e| Failure::Input(vec![format!("{}: not a summary podsim wrote: {e}", path.display())])),
        Err(_) => Err(Failure::Input(vec![format!(
            "{}: neither a run's output folder (no summary.json) nor a study's (no sweep.json)",
            dir.display()
        )])),
    }
}

/// Rules that name no figure of either side: a misspelt rule must not pass silently.
fn check_rules(rules: &[FailOn], figures: &[String]) -> Result<(), Failure> {
    let unknown = compare::unknown_rules(rules, figures);
    if unknown.is_empty() {
        return Ok(());
    }
    Err(Failure::Input(
        unknown
            .iter()
            .map(|r| {
                format!(
                    "--fail-on {:?}: no figure {} in either summary; figures such as: {}",
                    r.text,
                    r.figure.as_str(),
                    compare::suggestions(r.figure.as_str(), figures).join(", ")
                )
            })
            .collect(),
    ))
}

fn compare_runs(args: &CompareArgs, a: &Ordered, b: &Ordered, rules: &[FailOn]) -> Result<(), Failure> {
    let rows = compare::run_figures(a, b);
    check_rules(rules, &rows.iter().map(|r| r.figure.clone()).collect::<Vec<_>>())?;
    let mut out = String::new();
    if compare::same_trace(a, b) {
        out.push_str(&format!(
            "identical: {} and {} have the same trace (every file's digest is equal)\n",
            args.a.display(),
            args.b.display()
        ));
        print(&out);
        return Ok(());
    }
    if args.csv {
        out.push_str("figure,a,b,difference\n");
        for r in rows.iter().filter(|r| !args.changed || r.a != r.b) {
            let cell = |n: &Option<serde_json::Number>| n.as_ref().map(|n| n.to_string()).unwrap_or_default();
            out.push_str(&format!(
                "{},{},{},{}\n",
                csv_cell(&r.figure),
                cell(&r.a),
                cell(&r.b),
                r.difference().map(number).unwrap_or_default()
            ));
        }
    } else {
        out.push_str(&format!("A: {}\nB: {}\n", describe_run(&args.a, a), describe_run(&args.b, b)));
        let table: Vec<[String; 4]> = rows
            .iter()
            .filter(|r| !args.changed || r.a != r.b)
            .map(|r| {
                let cell = |n: &Option<serde_json::Number>| n.as_ref().map_or("-".to_string(), |n| n.to_string());
                let diff = match r.difference() {
                    Some(d) if d != 0.0 => signed(d),
                    Some(_) => String::new(),
                    None => "-".to_string(),
                };
                [r.figure.clone(), cell(&r.a), cell(&r.b), diff]
            })
            .collect();
        out.push_str(&columns(&["figure", "A", "B", "B - A"], &table));
        out.push_str(&parting(args, a, b));
    }
    print(&out);
    verdict_runs(rules, &rows)
}

fn describe_run(dir: &Path, s: &Ordered) -> String {
    let text = |k: &str| s.get(k).and_then(Ordered::as_str).map(String::from);
    let seed = match s.get("seed") {
        Some(Ordered::Number(n)) => n.to_string(),
        _ => "?".into(),
    };
    let mut d = format!("{} ({}, seed {seed}", dir.display(), text("scenario").unwrap_or_default());
    if let Some(Ordered::Object(params)) = s.get("parameters") {
        for (k, v) in params {
            d.push_str(&format!(", {k}={}", v.as_str().unwrap_or_default()));
        }
    }
    d.push(')');
    d
}

/// Where the traces part: the first differing line of transitions.csv (or of the first
/// trace file that differs).
fn parting(args: &CompareArgs, a: &Ordered, b: &Ordered) -> String {
    let differing = compare::differing_files(a, b);
    if differing.is_empty() {
        return String::new();
    }
    let file = if differing.iter().any(|f| f == "transitions.csv") { "transitions.csv" } else { differing[0].as_str() };
    let lines = |dir: &Path| -> Option<Box<dyn Iterator<Item = String>>> {
        let f = std::fs::File::open(dir.join(file)).ok()?;
        Some(Box::new(std::io::BufReader::new(f).lines().map_while(Result::ok)))
    };
    let mut out = format!("\nTrace files that differ: {}\n", differing.join(", "));
    match (lines(&args.a), lines(&args.b)) {
        (Some(la), Some(lb)) => match compare::first_difference(la, lb) {
            Some((line, x, y)) => {
                let show = |l: Option<String>| l.unwrap_or_else(|| "(the file ends before)".to_string());
                out.push_str(&format!(
                    "The traces part at {file} line {line}:\n  A: {}\n  B: {}\n",
                    show(x),
                    show(y)
                ));
            }
            None => out.push_str(&format!("{file} is the same in both folders (a file was changed after the run?)\n")),
        },
        _ => out.push_str(&format!(
            "{file} is not in both folders (a study's run kept with --keep summary has none): the digests say only that they differ\n"
        )),
    }
    out
}

fn verdict_runs(rules: &[FailOn], rows: &[RunFigure]) -> Result<(), Failure> {
    let mut broken = Vec::new();
    for rule in rules {
        for r in rows.iter().filter(|r| rule.names(&r.figure) && rule.broken_by_runs(r)) {
            broken.push(format!(
                "fail-on {}: {} went from {} to {} ({})",
                rule.text,
                r.figure,
                r.a.as_ref().map(|n| n.to_string()).unwrap_or_default(),
                r.b.as_ref().map(|n| n.to_string()).unwrap_or_default(),
                r.difference().map(signed).unwrap_or_default()
            ));
        }
    }
    if broken.is_empty() { Ok(()) } else { Err(Failure::Verdict(broken)) }
}

/// A study's sweep.csv: per point key (its values), per figure, the values of the runs
/// that ended well; and the figures in order.
struct StudyData {
    /// Point index -> its key (the values as JSON, comparable across studies).
    keys: Vec<String>,
    values: BTreeMap<usize, BTreeMap<String, Vec<f64>>>,
    runs: BTreeMap<usize, (usize, usize)>,
    figures: Vec<String>,
}

fn read_study(dir: &Path, plan: &Plan) -> Result<StudyData, Failure> {
    let path = dir.join(study_dir::SWEEP_CSV);
    let bad = |e: String| Failure::Input(vec![format!("{}: {e}", path.display())]);
    let mut reader = csv::Reader::from_path(&path).map_err(|e| bad(e.to_string()))?;
    let header = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
    let expected = podsim::study::table::sweep_header(plan);
    if header.len() < expected.len() || header.iter().zip(&expected).any(|(h, e)| h != e) {
        return Err(bad(format!("its columns do not start with {} (as sweep.json says)", expected.join(","))));
    }
    let first_figure = expected.len();
    let (point_col, status_col) = (1, expected.len() - 2);
    let figures: Vec<String> = header.iter().skip(first_figure).map(String::from).collect();
    let mut values: BTreeMap<usize, BTreeMap<String, Vec<f64>>> = BTreeMap::new();
    let mut runs: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for (line, row) in reader.records().enumerate() {
        let row = row.map_err(|e| bad(e.to_string()))?;
        let point: usize = row
            .get(point_col)
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| bad(format!("row {}: no point", line + 2)))?;
        if point >= plan.points() {
            return Err(bad(format!("row {}: point {point}, but the study has {}", line + 2, plan.points())));
        }
        let entry = runs.entry(point).or_default();
        entry.0 += 1;
        if row.get(status_col) != Some("ok") {
            entry.1 += 1;
            continue;
        }
        let per = values.entry(point).or_default();
        for (f, cell) in figures.iter().zip(row.iter().skip(first_figure)) {
            if cell.is_empty() {
                continue;
            }
            let v: f64 = cell.parse().map_err(|_| bad(format!("row {}: {f} is {cell:?}, not a number", line + 2)))?;
            per.entry(f.clone()).or_default().push(v);
        }
    }
    let keys = (0..plan.points())
        .map(|p| {
            let vals: Vec<String> = plan.point_values(p).iter().map(|v| v.value.to_string()).collect();
            vals.join("\u{1f}")
        })
        .collect();
    Ok(StudyData { keys, values, runs, figures })
}

fn compare_studies(args: &CompareArgs, pa: &Plan, pb: &Plan, rules: &[FailOn]) -> Result<(), Failure> {
    let not_comparable = |why: String| {
        Failure::Input(vec![format!("{} and {} are not comparable: {why}", args.a.display(), args.b.display())])
    };
    let paths = |p: &Plan| p.parameters.iter().map(|q| q.path.text.clone()).collect::<Vec<_>>();
    if paths(pa) != paths(pb) {
        let show = |v: Vec<String>| if v.is_empty() { "no parameter".to_string() } else { v.join(", ") };
        return Err(not_comparable(format!("A varies {}, B varies {}", show(paths(pa)), show(paths(pb)))));
    }
    let (a, b) = (read_study(&args.a, pa)?, read_study(&args.b, pb)?);
    let only = |x: &StudyData, y: &StudyData, plan: &Plan| -> Vec<String> {
        (0..x.keys.len()).filter(|p| !y.keys.contains(&x.keys[*p])).map(|p| plan.point_label(p)).collect()
    };
    let (only_a, only_b) = (only(&a, &b, pa), only(&b, &a, pb));
    if !only_a.is_empty() || !only_b.is_empty() {
        let mut why = String::from("their points differ:");
        for p in &only_a {
            why.push_str(&format!("\n  only in A: {p}"));
        }
        for p in &only_b {
            why.push_str(&format!("\n  only in B: {p}"));
        }
        return Err(not_comparable(why));
    }
    let figures = figures::ordered_union([
        a.figures.iter().map(String::as_str).collect(),
        b.figures.iter().map(String::as_str).collect(),
    ]);
    check_rules(rules, &figures)?;
    let empty = BTreeMap::new();
    let mut rows: Vec<PointFigure> = Vec::new();
    for point in 0..pa.points() {
        let other = b.keys.iter().position(|k| *k == a.keys[point]).expect("the points match");
        let (va, vb) = (a.values.get(&point).unwrap_or(&empty), b.values.get(&other).unwrap_or(&empty));
        for f in &figures {
            let (xa, xb) = (va.get(f).map_or(&[][..], Vec::as_slice), vb.get(f).map_or(&[][..], Vec::as_slice));
            if xa.is_empty() && xb.is_empty() {
                continue;
            }
            rows.push(PointFigure::new(point, f.clone(), xa, xb));
        }
    }
    let changed = |r: &PointFigure| !args.changed || r.a.n != r.b.n || r.a.mean != r.b.mean || r.a.sd != r.b.sd;
    let mut out = String::new();
    if args.csv {
        let mut header: Vec<String> = vec!["point".into()];
        header.extend(paths(pa));
        header.extend(
            [
                "figure",
                "a_n",
                "a_mean",
                "a_sd",
                "b_n",
                "b_mean",
                "b_sd",
                "difference",
                "ci95_low",
                "ci95_high",
                "p_value",
            ]
            .map(String::from),
        );
        out.push_str(&header.iter().map(|h| csv_cell(h)).collect::<Vec<_>>().join(","));
        out.push('\n');
        for r in rows.iter().filter(|r| changed(r)) {
            let mut cells: Vec<String> = vec![r.point.to_string()];
            cells.extend(pa.point_values(r.point).iter().map(|v| v.text.clone()));
            let opt = |x: Option<f64>| x.map(number).unwrap_or_default();
            let mean = |m: &podsim::study::stats::Moments| if m.n > 0 { number(m.mean) } else { String::new() };
            cells.extend([
                r.figure.clone(),
                r.a.n.to_string(),
                mean(&r.a),
                opt(r.a.sd),
                r.b.n.to_string(),
                mean(&r.b),
                opt(r.b.sd),
                opt(r.difference()),
                opt(r.test.map(|t| t.interval.0)),
                opt(r.test.map(|t| t.interval.1)),
                r.test.map(|t| format!("{:.6}", t.p_value)).unwrap_or_default(),
            ]);
            out.push_str(&cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
            out.push('\n');
        }
    } else {
        out.push_str(&format!(
            "A: {} ({}, seeds {})\n",
            args.a.display(),
            pa.scenario,
            podsim::study::seeds::format(&pa.seeds)
        ));
        out.push_str(&format!(
            "B: {} ({}, seeds {})\n",
            args.b.display(),
            pb.scenario,
            podsim::study::seeds::format(&pb.seeds)
        ));
        if pa.scenario_digest != pb.scenario_digest {
            out.push_str("note: A and B ran different scenario files (their digests differ)\n");
        }
        if pa.duration != pb.duration {
            out.push_str("note: A and B ran for different durations\n");
        }
        out.push_str("B - A: the difference of the means, with its 95% confidence interval and Welch's t-test; * when p < 0.05\n");
        for point in 0..pa.points() {
            let point_rows: Vec<&PointFigure> = rows.iter().filter(|r| r.point == point && changed(r)).collect();
            let (na, fa) = a.runs.get(&point).copied().unwrap_or_default();
            let other = b.keys.iter().position(|k| *k == a.keys[point]).expect("the points match");
            let (nb, fb) = b.runs.get(&other).copied().unwrap_or_default();
            out.push_str(&format!(
                "\npoint {point}: {} ({na} runs in A{}, {nb} in B{})\n",
                pa.point_label(point),
                if fa > 0 { format!(", {fa} failed") } else { String::new() },
                if fb > 0 { format!(", {fb} failed") } else { String::new() }
            ));
            if point_rows.is_empty() {
                out.push_str("  no figure differs\n");
                continue;
            }
            let table: Vec<[String; 6]> = point_rows.iter().map(|r| study_row(r)).collect();
            out.push_str(&columns(&["figure", "A mean", "B mean", "B - A", "95% CI", "p"], &table));
        }
    }
    print(&out);
    verdict_studies(rules, &rows, pa)
}

fn study_row(r: &PointFigure) -> [String; 6] {
    let mean = |m: &podsim::study::stats::Moments| if m.n > 0 { short(m.mean) } else { "-".to_string() };
    let (diff, ci, p) = match (r.difference(), r.test) {
        (Some(d), Some(t)) => {
            let star = if t.p_value < compare::SIGNIFICANCE { " *" } else { "" };
            let p = p_text(t.p_value).trim_start_matches("= ").to_string();
            (signed(d), format!("{} .. {}", short(t.interval.0), short(t.interval.1)), format!("{p}{star}"))
        }
        (Some(d), None) => (signed(d), "-".to_string(), "-".to_string()),
        (None, _) => ("-".to_string(), "-".to_string(), "-".to_string()),
    };
    [r.figure.clone(), mean(&r.a), mean(&r.b), diff, ci, p]
}

fn verdict_studies(rules: &[FailOn], rows: &[PointFigure], plan: &Plan) -> Result<(), Failure> {
    let mut broken = Vec::new();
    for rule in rules {
        for r in rows.iter().filter(|r| rule.names(&r.figure) && rule.broken_by_point(r)) {
            let test = match r.test {
                Some(t) => {
                    format!(", 95% CI {} .. {}, p {}", short(t.interval.0), short(t.interval.1), p_text(t.p_value))
                }
                None => " (too few runs for a test)".to_string(),
            };
            broken.push(format!(
                "fail-on {}: {} at point {} ({}): mean {} in A, {} in B, {}{test}",
                rule.text,
                r.figure,
                r.point,
                plan.point_label(r.point),
                short(r.a.mean),
                short(r.b.mean),
                r.difference().map(signed).unwrap_or_default()
            ));
        }
    }
    if broken.is_empty() { Ok(()) } else { Err(Failure::Verdict(broken)) }
}

/// A p-value for a person: `= 0.0123`, or `<0.0001`.
fn p_text(p: f64) -> String {
    if p < 0.0001 { "<0.0001".to_string() } else { format!("= {p:.4}") }
}

/// A number for a person: up to 3 decimals.
fn short(x: f64) -> String {
    if x.abs() >= 1e15 || x == x.trunc() {
        return number(x);
    }
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

fn signed(x: f64) -> String {
    let s = short(x);
    if x > 0.0 { format!("+{s}") } else { s }
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// Rows in aligned columns (numbers right-aligned, the first column left).
fn columns<const N: usize>(header: &[&str; N], rows: &[[String; N]]) -> String {
    let mut width = header.map(|h| h.chars().count());
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let mut l = String::from("  ");
        for (i, c) in cells.iter().enumerate() {
            let pad = width[i] - c.chars().count();
            if i == 0 {
                l.push_str(c);
                l.push_str(&" ".repeat(pad));
            } else {
                l.push_str("  ");
                l.push_str(&" ".repeat(pad));
                l.push_str(c);
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(header.to_vec());
    for r in rows {
        line(r.iter().map(String::as_str).collect());
    }
    out
}

/// Prints to stdout; a closed pipe (`| head`) is not an error.
fn print(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().write_all(text.as_bytes());
}
