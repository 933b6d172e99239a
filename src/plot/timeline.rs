//! `timeline`: what ran where. One lane per node; in it a bar per pod from the moment it
//! was bound to the node to its end, coloured by what the pod was doing, with restarts,
//! OOM kills and evictions marked and the node's outages shaded.
//!
//! Pods made by a ReplicaSet carry a stripe along the top of their bar in a colour of
//! their ReplicaSet, so the old and new pods of a rollout read apart without losing the
//! colours of state. With few ReplicaSets each is named; with many, the colour says
//! which of its Deployment's ReplicaSets it is (first, second, ...), the rollout's order.
//!
//! A run with more bars than fit (rows of concurrent pods or bars too thin to see) is
//! drawn as a heat map of pods per node over time instead, and `timeline-detail` then
//! shows the busiest nodes pod by pod over the first stretch of the run. Both say so.

use super::PlotFile;
use super::canvas::{self, Chart, DrawResult, Key, Marker, de};
use super::input::PlotError;
use super::model::{Mark, Outcome, Pod, Run, Seg};
use super::style::{self, BLACK, BLUE, OUTAGE, OWNERS, SEQUENTIAL, SKY_BLUE, VERMILLION, WHITE, YELLOW};
use super::timeaxis::{TimeAxis, format_span};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

/// Most rows of bars drawn in one chart (a row holds pods that do not overlap in time).
const MAX_ROWS: u32 = 150;
/// Most bars in the full timeline; more and they are too thin to tell apart.
const MAX_BARS: usize = 2500;
/// Bars in `timeline-detail`.
const DETAIL_BARS: usize = 600;
/// Nodes in `timeline-detail`, at most.
const DETAIL_NODES: usize = 8;
/// Lanes in the heat map: the busiest nodes beyond it are left out (and the note says so).
const MAX_LANES: usize = 120;

const WIDTH: u32 = 1400;
/// Pixels below the plot: the time axis and the chart's margins.
const FOOTER: u32 = 48 + 16;

pub(crate) fn render(run: &Run, out: &mut Vec<PlotFile>) -> Result<(), PlotError> {
    let per_node = pods_per_node(run);
    let everything = Gantt::plan(run, &per_node, (0..run.nodes.len()).collect(), run.end);
    match everything {
        Some(g) if g.bars.len() <= MAX_BARS => canvas::render("timeline", &g, out),
        _ => {
            canvas::render("timeline", &Heat::plan(run, &per_node), out)?;
            match detail(run, &per_node) {
                Some(g) => canvas::render("timeline-detail", &g, out),
                None => Ok(()),
            }
        }
    }
}

/// Each node's pods (those bound to a node), by the time they were bound.
fn pods_per_node(run: &Run) -> Vec<Vec<u32>> {
    let mut per_node = vec![Vec::new(); run.nodes.len()];
    for (i, p) in run.pods.iter().enumerate() {
        if let (Some(n), Some(_)) = (p.node(), p.start())
            && let Some(list) = per_node.get_mut(n as usize)
        {
            list.push(i as u32);
        }
    }
    for list in &mut per_node {
        list.sort_by_key(|&i| (run.pods[i as usize].start(), i));
    }
    per_node
}

/// Pod-time on each node, the measure of "busiest".
fn busiest(run: &Run, per_node: &[Vec<u32>]) -> Vec<usize> {
    let load = |n: usize| -> u64 {
        let spans = per_node[n].iter().filter_map(|&i| bar_span(&run.pods[i as usize], run.end));
        spans.fold(0u64, |sum, (a, b)| sum.saturating_add(b - a))
    };
    let mut nodes: Vec<(Reverse<u64>, usize)> = (0..per_node.len()).map(|n| (Reverse(load(n)), n)).collect();
    nodes.sort();
    nodes.into_iter().map(|(_, n)| n).collect()
}

/// When a pod's bar starts and ends.
fn bar_span(p: &Pod, run_end: u64) -> Option<(u64, u64)> {
    let start = p.start()?;
    Some((start, p.stop(run_end).max(start)))
}

/// The detail view: as many of the busiest nodes as fit, from time 0 until
/// `DETAIL_BARS` of their pods have started.
fn detail<'a>(run: &'a Run, per_node: &[Vec<u32>]) -> Option<Gantt<'a>> {
    let ranked = busiest(run, per_node);
    for k in (1..=DETAIL_NODES.min(ranked.len())).rev() {
        let mut nodes: Vec<usize> = ranked[..k].to_vec();
        nodes.sort_unstable();
        let mut starts: Vec<u64> =
            nodes.iter().flat_map(|&n| per_node[n].iter().filter_map(|&i| run.pods[i as usize].start())).collect();
        starts.sort_unstable();
        let window_end = starts.get(DETAIL_BARS).copied().unwrap_or(run.end);
        if window_end == 0 {
            continue;
        }
        if let Some(mut g) = Gantt::plan(run, per_node, nodes, window_end) {
            g.note = Some(format!(
                "The {k} busiest of {} nodes (by pod-time), from 0:00 to {} of {}: the full timeline has too many pods to draw one by one.",
                run.nodes.len(),
                format_span(window_end),
                format_span(run.end)
            ));
            g.detail = true;
            return Some(g);
        }
    }
    None
}

struct Lane {
    node: usize,
    first_row: u32,
    rows: u32,
}

struct Bar {
    pod: u32,
    row: u32,
}

struct Gantt<'a> {
    run: &'a Run,
    lanes: Vec<Lane>,
    bars: Vec<Bar>,
    rows: u32,
    window_end: u64,
    note: Option<String>,
    detail: bool,
    owners: Owners,
}

impl<'a> Gantt<'a> {
    /// Lays out the pods of `nodes` that start before `window_end`; None if they need more
    /// than `MAX_ROWS` rows.
    fn plan(run: &'a Run, per_node: &[Vec<u32>], nodes: Vec<usize>, window_end: u64) -> Option<Gantt<'a>> {
        let owners = Owners::of(&run.replicasets);
        let mut g =
            Gantt { run, lanes: Vec::new(), bars: Vec::new(), rows: 0, window_end, note: None, detail: false, owners };
        for n in nodes {
            let pods: Vec<u32> = per_node[n]
                .iter()
                .copied()
                .filter(|&i| run.pods[i as usize].start().is_some_and(|b| b < window_end || b == 0))
                .collect();
            let rows = g.assign_rows(&pods);
            g.lanes.push(Lane { node: n, first_row: g.rows, rows });
            g.rows += rows;
            if g.rows > MAX_ROWS {
                return None;
            }
        }
        let unbound = run.pods.iter().filter(|p| p.start().is_none() || p.node().is_none()).count();
        if unbound > 0 && !g.detail {
            g.note = Some(format!("{unbound} pod(s) never bound to a node are not shown."));
        }
        Some(g)
    }

    /// Puts each pod in the lowest free row of its node's lane (pods sorted by start), so
    /// pods that overlap in time sit on separate rows. Returns the rows used (at least 1).
    fn assign_rows(&mut self, pods: &[u32]) -> u32 {
        let mut free: BTreeSet<u32> = BTreeSet::new();
        let mut busy: BinaryHeap<Reverse<(u64, u32)>> = BinaryHeap::new();
        let mut rows = 0;
        for &i in pods {
            let Some((start, stop)) = bar_span(&self.run.pods[i as usize], self.run.end) else { continue };
            while let Some(&Reverse((end, row))) = busy.peek() {
                if end > start {
                    break;
                }
                busy.pop();
                free.insert(row);
            }
            let row = free.pop_first().unwrap_or_else(|| {
                rows += 1;
                rows - 1
            });
            // A bar is at least a millisecond long so that it holds its row.
            busy.push(Reverse((stop.max(start.saturating_add(1)), row)));
            self.bars.push(Bar { pod: i, row: self.rows + row });
        }
        rows.max(1)
    }

    fn row_px(&self) -> i32 {
        (700 / self.rows.max(1) as i32).clamp(5, 22)
    }

    /// Each lane's top and height in pixels from the plot's top: a lane is at least as
    /// high as its label.
    fn lane_px(&self) -> Vec<(i32, i32)> {
        let row = self.row_px();
        let mut y = 0;
        self.lanes
            .iter()
            .map(|l| {
                let h = (l.rows as i32 * row).max(16) + 4;
                let lane = (y, h);
                y += h;
                lane
            })
            .collect()
    }
}

impl Chart for Gantt<'_> {
    fn size(&self) -> (u32, u32) {
        let plot: i32 = self.lane_px().iter().map(|(_, h)| h).sum();
        let header = canvas::header_height(&self.keys(), self.note.as_deref(), WIDTH as i32);
        (WIDTH, canvas::TITLE_H + header as u32 + plot as u32 + FOOTER)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let what = if self.detail { "pods on the busiest nodes" } else { "pods per node" };
        let body = canvas::title(root, &self.run.title(what))?;
        let (w, _) = body.dim_in_pixel();
        let y = canvas::legend(&body, (20, 0), w as i32 - 20, &self.keys())?;
        if let Some(n) = &self.note {
            canvas::note(&body, n, (20, y + 2), w as i32 - 40)?;
        }
        let lanes = self.lane_px();
        let plot_h: i32 = lanes.iter().map(|(_, h)| h).sum();
        let plot_area = bottom_area(&body, plot_h);
        let names: Vec<&str> = self.lanes.iter().map(|l| self.run.nodes[l.node].name.as_str()).collect();
        let axis = TimeAxis::new(0, self.window_end, 12);
        let chart = canvas::lanes_chart(&plot_area, &axis, 0.0..self.window_end as f64, label_width(&names))?;
        let frame = Frame::of(&chart, self.window_end);
        self.draw_lanes(&chart, &frame)?;
        self.draw_outages(&chart, &frame)?;
        for bar in &self.bars {
            self.draw_bar(&chart, &frame, bar)?;
        }
        let centres: Vec<i32> = lanes.iter().map(|(y, h)| y + h / 2).collect();
        lane_labels(&plot_area, &frame, &names, &centres)
    }
}

/// The part of `body` at its bottom that holds a plot `plot_h` pixels high and its time
/// axis (the chart's margins and label area: see `canvas::lanes_chart`).
fn bottom_area<DB: DrawingBackend>(body: &DrawingArea<DB, Shift>, plot_h: i32) -> DrawingArea<DB, Shift> {
    let (_, h) = body.dim_in_pixel();
    let top = (h as i32 - plot_h - FOOTER as i32).max(0);
    body.margin(top, 0, 0, 0)
}

/// Node names at the left of their lanes (`centres` in pixels from the plot's top),
/// skipping some where lanes are too close for every name.
fn lane_labels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    frame: &Frame,
    names: &[&str],
    centres: &[i32],
) -> DrawResult {
    let label = style::text(style::SMALL_SIZE).pos(Pos::new(HPos::Right, VPos::Center));
    let base = area.get_base_pixel();
    let mut last: Option<i32> = None;
    for (name, &c) in names.iter().zip(centres) {
        if last.is_some_and(|l| c - l < 15) {
            continue;
        }
        last = Some(c);
        let at = (frame.left - 8 - base.0, frame.top - base.1 + c);
        area.draw_text(&shorten(name), &label, at).map_err(de)?;
    }
    Ok(())
}

/// Pixel geometry of the plotting area: x of a time, top of the plot.
struct Frame {
    left: i32,
    right: i32,
    top: i32,
    window_end: u64,
}

impl Frame {
    fn of<DB: DrawingBackend>(chart: &canvas::TimeChart<'_, DB>, window_end: u64) -> Frame {
        let (xs, ys) = chart.plotting_area().get_pixel_range();
        Frame { left: xs.start, right: xs.end, top: ys.start, window_end }
    }

    /// The pixel column of time `t` (clamped to the plot), relative to the plotting area.
    fn x(&self, t: u64) -> i32 {
        let t = t.min(self.window_end) as f64 / self.window_end.max(1) as f64;
        ((self.right - self.left) as f64 * t).round() as i32
    }
}

impl Gantt<'_> {
    /// Every other lane tinted, for the eye, and a line between lanes. The tint is blue,
    /// not grey: grey is a node that is not ready.
    fn draw_lanes<DB: DrawingBackend>(&self, chart: &canvas::TimeChart<'_, DB>, frame: &Frame) -> DrawResult {
        let area = chart.plotting_area().strip_coord_spec();
        let width = frame.right - frame.left;
        for (k, (y, h)) in self.lane_px().into_iter().enumerate() {
            if k % 2 == 1 {
                area.draw(&Rectangle::new([(0, y), (width, y + h)], LANE.filled())).map_err(de)?;
            }
            if k > 0 {
                area.draw(&PathElement::new(vec![(0, y), (width, y)], LANE_LINE)).map_err(de)?;
            }
        }
        Ok(())
    }

    /// Node outages shaded across their lane, under the bars (whose pods are drawn as
    /// lost meanwhile: the API still shows them as they were when the kubelet stopped
    /// reporting, but nobody knows what they do).
    fn draw_outages<DB: DrawingBackend>(&self, chart: &canvas::TimeChart<'_, DB>, frame: &Frame) -> DrawResult {
        let area = chart.plotting_area().strip_coord_spec();
        for ((y, h), lane) in self.lane_px().into_iter().zip(&self.lanes) {
            for &(from, to) in self.run.nodes[lane.node].outages.iter().filter(|o| o.0 < self.window_end) {
                let (x0, x1) = (frame.x(from), frame.x(to).max(frame.x(from) + 1));
                area.draw(&Rectangle::new([(x0, y), (x1, y + h)], OUTAGE.mix(OUTAGE_ALPHA).filled())).map_err(de)?;
            }
        }
        Ok(())
    }

    fn draw_bar<DB: DrawingBackend>(&self, chart: &canvas::TimeChart<'_, DB>, frame: &Frame, bar: &Bar) -> DrawResult {
        let area = chart.plotting_area().strip_coord_spec();
        let pod = &self.run.pods[bar.pod as usize];
        let Some((start, stop)) = bar_span(pod, self.run.end) else { return Ok(()) };
        let row = self.row_px();
        let lane = self.lanes.iter().rposition(|l| l.first_row <= bar.row).unwrap_or(0);
        let Some(&(lane_y, _)) = self.lane_px().get(lane) else { return Ok(()) };
        let top = lane_y + 2 + (bar.row - self.lanes[lane].first_row) as i32 * row;
        let (y0, y1) = (top + 1, top + row - 1);
        let segs = self.run.bar(bar.pod);
        // The widest stretch of one colour (not hatched), where the pod's name may go.
        let mut widest: Option<(i32, i32, Seg)> = None;
        for (k, &(t, seg)) in segs.iter().enumerate().take_while(|(_, s)| s.0 < self.window_end) {
            let next = segs.get(k + 1).map_or(stop, |s| s.0);
            let (x0, x1) = (frame.x(t), frame.x(next).max(frame.x(t) + 1));
            match seg_colour(seg) {
                Some(c) => {
                    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], c.filled())).map_err(de)?;
                    if widest.is_none_or(|w| x1 - x0 > w.1 - w.0) {
                        widest = Some((x0, x1, seg));
                    }
                }
                None => canvas::hatch(&area, (x0, y0), (x1, y1))?,
            }
        }
        let mut text_top = y0;
        if let Some(colour) = pod.owner().and_then(|o| self.owners.colour.get(o as usize)) {
            // Over the top third of the bar (at least 2 pixels), the state shows below.
            let (x0, x1) = (frame.x(start), frame.x(stop.min(self.window_end)).max(frame.x(start) + 1));
            let h = ((y1 - y0) / 3).max(2);
            area.draw(&Rectangle::new([(x0, y0), (x1, y0 + h)], colour.filled())).map_err(de)?;
            text_top = y0 + h;
        }
        if let Some((x0, x1, seg)) = widest {
            self.draw_name(&area, bar.pod, seg, (x0, x1), (text_top, y1))?;
        }
        if let Some((t, outcome)) = pod.end().filter(|(t, _)| *t <= self.window_end) {
            let colour = if outcome == Outcome::Succeeded { SKY_BLUE } else { BLACK };
            let x = frame.x(t);
            area.draw(&Rectangle::new([(x - 4, y0), (x, y1)], colour.filled())).map_err(de)?;
        }
        let mid = (y0 + y1) / 2;
        for (t, mark) in self.run.marks(bar.pod).filter(|(t, _)| *t >= start && *t <= self.window_end) {
            let m = match mark {
                Mark::Restart => Marker::Restart,
                Mark::OomKilled => Marker::OomKilled,
                Mark::Evicted | Mark::Killed => Marker::Killed,
            };
            canvas::marker(&area, m, (frame.x(t), mid), row)?;
        }
        Ok(())
    }

    /// The pod's name inside its bar, in the stretch from `x0` to `x1`, when it fits.
    fn draw_name<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        pod: u32,
        seg: Seg,
        (x0, x1): (i32, i32),
        (top, bottom): (i32, i32),
    ) -> DrawResult {
        let name = short_key(self.run.pod_name(pod));
        if !name_fits(style::text_width(name, NAME_SIZE), x1 - x0, bottom - top) {
            return Ok(());
        }
        let colour = if matches!(seg, Seg::Starting) { BLACK } else { WHITE };
        let font = style::text_coloured(NAME_SIZE, colour).pos(Pos::new(HPos::Left, VPos::Center));
        area.draw_text(name, &font, (x0 + NAME_PAD, (top + bottom) / 2)).map_err(de)
    }
}

/// The size of pods' names in their bars.
const NAME_SIZE: f64 = 11.0;
/// Pixels left clear either side of a name in its bar.
const NAME_PAD: i32 = 4;

/// Whether a name `text_w` pixels wide fits in a stretch of bar `w` by `h` pixels.
fn name_fits(text_w: i32, w: i32, h: i32) -> bool {
    h >= NAME_SIZE as i32 && text_w + 2 * NAME_PAD <= w
}

/// How opaque the grey over a node's outage is.
const OUTAGE_ALPHA: f64 = 0.55;

/// The tint of every other lane (a pale blue, unlike the grey of an outage) and the line
/// between lanes.
const LANE: RGBColor = RGBColor(238, 244, 250);
const LANE_LINE: RGBColor = RGBColor(215, 225, 235);

/// The colour of a stretch of bar; None for the hatching of a lost pod.
fn seg_colour(seg: Seg) -> Option<RGBColor> {
    match seg {
        Seg::Starting => Some(YELLOW),
        Seg::Running => Some(BLUE),
        Seg::BackOff => Some(VERMILLION),
        Seg::Lost => None,
    }
}

impl Gantt<'_> {
    fn keys(&self) -> Vec<(Key, String)> {
        let mut keys = state_keys();
        keys.extend(self.owners.keys.iter().map(|(c, label)| (Key::Fill(*c), label.clone())));
        keys
    }
}

/// The colour of each ReplicaSet's stripe and the legend's entries for them.
struct Owners {
    /// By index into `Run::replicasets`.
    colour: Vec<RGBColor>,
    keys: Vec<(RGBColor, String)>,
}

impl Owners {
    fn of(sets: &[String]) -> Owners {
        if sets.len() <= OWNERS.len() {
            let keys = sets
                .iter()
                .zip(OWNERS)
                .enumerate()
                .map(|(k, (name, c))| {
                    let lead = if k == 0 { "top stripe, by ReplicaSet: " } else { "" };
                    (c, format!("{lead}{}", short_key(name)))
                })
                .collect();
            return Owners { colour: OWNERS[..sets.len()].to_vec(), keys };
        }
        // A Deployment's ReplicaSets are `<deployment>-<pod-template-hash>`: count them
        // per Deployment in the order they first made a pod.
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        let colour = sets
            .iter()
            .map(|name| {
                let deployment = name.rsplit_once('-').map_or(name.as_str(), |(d, _)| d);
                let k = seen.entry(deployment).or_insert(0);
                *k += 1;
                OWNERS[(*k - 1).min(OWNERS.len() - 1)]
            })
            .collect();
        let most = seen.values().copied().max().unwrap_or(0).min(OWNERS.len());
        let keys = (0..most)
            .map(|k| {
                let label = match k {
                    0 => "top stripe: 1st ReplicaSet of its Deployment".to_string(),
                    _ if k + 1 == OWNERS.len() => format!("{}th and later", k + 1),
                    1 => "2nd".to_string(),
                    2 => "3rd".to_string(),
                    _ => format!("{}th", k + 1),
                };
                (OWNERS[k], label)
            })
            .collect();
        Owners { colour, keys }
    }
}

/// `default/web-6f7c9` is `web-6f7c9`: most runs have one namespace.
fn short_key(key: &str) -> &str {
    key.strip_prefix("default/").unwrap_or(key)
}

fn state_keys() -> Vec<(Key, String)> {
    vec![
        (Key::Fill(YELLOW), "pulling / initialising".into()),
        (Key::Fill(BLUE), "running".into()),
        (Key::Fill(VERMILLION), "back-off (crash loop, image pull)".into()),
        (Key::Fill(SKY_BLUE), "ended: succeeded".into()),
        (Key::Fill(BLACK), "ended: failed".into()),
        (Key::Marker(Marker::Lost), "on a node not ready: unknown".into()),
        (Key::Marker(Marker::Restart), "restart".into()),
        (Key::Marker(Marker::OomKilled), "OOM killed".into()),
        (Key::Marker(Marker::Killed), "evicted / preempted / deadline".into()),
        (Key::Marker(Marker::Outage), "node not ready".into()),
    ]
}

/// Node names longer than this are cut, so the lanes keep most of the width.
const NAME_CHARS: usize = 30;

fn shorten(name: &str) -> String {
    if name.chars().count() <= NAME_CHARS {
        return name.to_string();
    }
    let head: String = name.chars().take(NAME_CHARS - 1).collect();
    format!("{head}…")
}

/// Room on the left for the lanes' names (about 8 pixels a character).
fn label_width(names: &[&str]) -> u32 {
    let longest = names.iter().map(|n| n.chars().count().min(NAME_CHARS)).max().unwrap_or(4);
    (longest as u32 * 8 + 20).clamp(60, 280)
}

/// The heat map: for each node and stretch of time, the mean number of pods bound to it.
struct Heat<'a> {
    run: &'a Run,
    /// Nodes shown, in file order.
    lanes: Vec<usize>,
    bin_ms: u64,
    bins: usize,
    /// Pod-milliseconds per lane and bin, lane-major.
    load: Vec<u64>,
    /// Upper bound of each colour class, in pods.
    class_step: f64,
    note: String,
}

impl<'a> Heat<'a> {
    fn plan(run: &'a Run, per_node: &[Vec<u32>]) -> Heat<'a> {
        let mut lanes = busiest(run, per_node);
        lanes.truncate(MAX_LANES);
        lanes.sort_unstable();
        let bin_ms = bin_width(run.end);
        let bins = run.end.div_ceil(bin_ms).max(1) as usize;
        let mut load = vec![0u64; lanes.len() * bins];
        for (l, &n) in lanes.iter().enumerate() {
            let lane = &mut load[l * bins..(l + 1) * bins];
            for &i in &per_node[n] {
                if let Some((a, b)) = bar_span(&run.pods[i as usize], run.end) {
                    add_interval(lane, bin_ms, a, b);
                }
            }
        }
        let peak = load.iter().copied().max().unwrap_or(0) as f64 / bin_ms as f64;
        let class_step = nice_step(peak / SEQUENTIAL.len() as f64);
        let note = heat_note(run, per_node, lanes.len(), bin_ms);
        Heat { run, lanes, bin_ms, bins, load, class_step, note }
    }

    fn lane_px(&self) -> i32 {
        (720 / self.lanes.len().max(1) as i32).clamp(4, 28)
    }

    /// The colour class of a mean load: None for no pods at all.
    fn class(&self, pod_ms: u64) -> Option<usize> {
        if pod_ms == 0 {
            return None;
        }
        let mean = pod_ms as f64 / self.bin_ms as f64;
        Some(((mean / self.class_step).floor() as usize).min(SEQUENTIAL.len() - 1))
    }
}

/// Adds the interval [a, b) to per-bin totals of pod-milliseconds.
fn add_interval(bins: &mut [u64], bin_ms: u64, a: u64, b: u64) {
    let mut t = a;
    while t < b {
        let k = (t / bin_ms) as usize;
        let Some(slot) = bins.get_mut(k) else { return };
        let bin_end = (k as u64 + 1).saturating_mul(bin_ms);
        let upto = b.min(bin_end);
        *slot += upto - t;
        t = upto;
    }
}

/// A round width for the heat map's columns: at most about 400 of them.
fn bin_width(end: u64) -> u64 {
    const S: u64 = 1000;
    const WIDTHS: [u64; 16] = [
        S,
        2 * S,
        5 * S,
        10 * S,
        15 * S,
        30 * S,
        60 * S,
        120 * S,
        300 * S,
        600 * S,
        900 * S,
        1800 * S,
        3600 * S,
        7200 * S,
        21600 * S,
        86400 * S,
    ];
    WIDTHS.iter().copied().find(|w| end / w <= 400).unwrap_or(end.div_ceil(400).max(1))
}

/// 1, 2, 2.5 or 5 times a power of ten, at least `x` (and at least 0.1).
fn nice_step(x: f64) -> f64 {
    let x = if x.is_finite() { x.max(0.1) } else { 1.0 };
    let mut p = 10f64.powf(x.log10().floor());
    loop {
        for m in [1.0, 2.0, 2.5, 5.0] {
            if m * p >= x {
                return m * p;
            }
        }
        p *= 10.0;
    }
}

fn heat_note(run: &Run, per_node: &[Vec<u32>], lanes: usize, bin_ms: u64) -> String {
    let pods: usize = per_node.iter().map(|l| l.len()).sum();
    let count = |m: Mark| run.count_marks(m);
    let shown = if lanes < run.nodes.len() {
        format!("the {lanes} busiest of {} nodes", run.nodes.len())
    } else {
        format!("all {} nodes", run.nodes.len())
    };
    format!(
        "Aggregated: {pods} pods on {} nodes are too many to draw one by one; colour = mean pods bound to the node per {}-wide column ({shown}). Restarts {}, OOM kills {}, evictions {}, preemptions and deadlines {}.",
        run.nodes.len(),
        crate::engine::time::format_duration(bin_ms),
        count(Mark::Restart),
        count(Mark::OomKilled),
        count(Mark::Evicted),
        count(Mark::Killed)
    )
}

impl Chart for Heat<'_> {
    fn size(&self) -> (u32, u32) {
        let plot = self.lane_px() * self.lanes.len() as i32;
        let header = canvas::header_height(&self.keys(), Some(&self.note), WIDTH as i32);
        (WIDTH, canvas::TITLE_H + header as u32 + plot as u32 + FOOTER)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let body = canvas::title(root, &self.run.title("pods per node (heat map)"))?;
        let (w, _) = body.dim_in_pixel();
        let y = canvas::legend(&body, (20, 0), w as i32 - 20, &self.keys())?;
        canvas::note(&body, &self.note, (20, y + 2), w as i32 - 40)?;
        let lane_px = self.lane_px();
        let plot_area = bottom_area(&body, lane_px * self.lanes.len() as i32);
        let names: Vec<&str> = self.lanes.iter().map(|&n| self.run.nodes[n].name.as_str()).collect();
        let axis = TimeAxis::new(0, self.run.end, 12);
        let chart = canvas::lanes_chart(&plot_area, &axis, 0.0..self.run.end as f64, label_width(&names))?;
        let frame = Frame::of(&chart, self.run.end);
        self.draw_cells(&chart, &frame)?;
        let centres: Vec<i32> = (0..self.lanes.len() as i32).map(|l| l * lane_px + lane_px / 2).collect();
        lane_labels(&plot_area, &frame, &names, &centres)
    }
}

impl Heat<'_> {
    fn keys(&self) -> Vec<(Key, String)> {
        let mut keys = vec![(Key::Fill(WHITE), "none".to_string())];
        for (k, c) in SEQUENTIAL.iter().enumerate() {
            let (lo, hi) = (k as f64 * self.class_step, (k + 1) as f64 * self.class_step);
            let label = if k + 1 == SEQUENTIAL.len() {
                format!("≥ {}", canvas::number(lo))
            } else {
                format!("{}–{}", canvas::number(lo), canvas::number(hi))
            };
            keys.push((Key::Fill(*c), label));
        }
        keys.push((Key::Marker(Marker::Outage), "node not ready".into()));
        keys
    }

    fn draw_cells<DB: DrawingBackend>(&self, chart: &canvas::TimeChart<'_, DB>, frame: &Frame) -> DrawResult {
        let area = chart.plotting_area().strip_coord_spec();
        let lane_px = self.lane_px();
        for (l, &n) in self.lanes.iter().enumerate() {
            let y = l as i32 * lane_px;
            let cells = &self.load[l * self.bins..(l + 1) * self.bins];
            self.draw_lane(&area, frame, cells, (y, y + lane_px))?;
            for &(from, to) in &self.run.nodes[n].outages {
                let (x0, x1) = (frame.x(from), frame.x(to).max(frame.x(from) + 1));
                area.draw(&Rectangle::new([(x0, y), (x1, y + lane_px)], OUTAGE.mix(OUTAGE_ALPHA).filled()))
                    .map_err(de)?;
            }
        }
        Ok(())
    }

    /// Draws one lane, merging neighbouring columns of the same class into one rectangle.
    fn draw_lane<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        frame: &Frame,
        cells: &[u64],
        (y0, y1): (i32, i32),
    ) -> DrawResult {
        let mut k = 0;
        while k < cells.len() {
            let class = self.class(cells[k]);
            let mut j = k + 1;
            while j < cells.len() && self.class(cells[j]) == class {
                j += 1;
            }
            if let Some(c) = class {
                let (t0, t1) = ((k as u64).saturating_mul(self.bin_ms), (j as u64).saturating_mul(self.bin_ms));
                let (x0, x1) = (frame.x(t0), frame.x(t1).max(frame.x(t0) + 1));
                area.draw(&Rectangle::new([(x0, y0), (x1, y1 - 1)], SEQUENTIAL[c].filled())).map_err(de)?;
            }
            k = j;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_are_split_across_bins() {
        let mut bins = vec![0; 4];
        add_interval(&mut bins, 10, 5, 32);
        assert_eq!(bins, [5, 10, 10, 2]);
        add_interval(&mut bins, 10, 35, 100);
        assert_eq!(bins, [5, 10, 10, 7]);
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(0.3), 0.5);
        assert_eq!(nice_step(1.7), 2.0);
        assert_eq!(nice_step(2.2), 2.5);
        assert_eq!(nice_step(13.0), 20.0);
        assert_eq!(nice_step(f64::NAN), 1.0);
    }

    #[test]
    fn replicasets_are_named_or_counted_per_deployment() {
        let few: Vec<String> = ["default/web-aaa", "default/web-bbb"].map(String::from).to_vec();
        let o = Owners::of(&few);
        assert_eq!(o.colour, OWNERS[..2]);
        assert_eq!(o.keys[1], (OWNERS[1], "web-bbb".to_string()));
        // Seven ReplicaSets: web's three revisions and api's four, coloured by revision.
        let many: Vec<String> =
            ["web-a", "api-a", "web-b", "api-b", "api-c", "web-c", "api-d"].map(|n| format!("ns/{n}")).to_vec();
        let o = Owners::of(&many);
        assert_eq!(o.colour, [OWNERS[0], OWNERS[0], OWNERS[1], OWNERS[1], OWNERS[2], OWNERS[2], OWNERS[3]]);
        let labels: Vec<&str> = o.keys.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["top stripe: 1st ReplicaSet of its Deployment", "2nd", "3rd", "4th"]);
    }

    #[test]
    fn long_names_are_cut() {
        assert_eq!(shorten("worker-1"), "worker-1");
        assert_eq!(shorten(&"n".repeat(40)).chars().count(), NAME_CHARS);
    }
}
