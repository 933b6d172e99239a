//! Drawing one chart twice, as PNG and as SVG, and the pieces every chart shares: the
//! title, the legend and the notes.
//!
//! A chart is drawn by a function generic over plotters' backend, so the two files show
//! the same thing. The PNG is drawn into a buffer and encoded here; the SVG into a string.

use super::PlotFile;
use super::input::PlotError;
use super::style::{self, BLACK, NOTE, OUTAGE, WHITE};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub(crate) type DrawResult = Result<(), String>;

/// Turns a plotters error into the message of a [`PlotError`].
pub(crate) fn de<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// A chart that can be drawn on any backend.
pub(crate) trait Chart {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult;
}

/// The largest image drawn, in pixels a side: a bound on memory whatever the input.
const MAX_SIDE: u32 = 4000;

/// Draws `chart` as `<stem>.png` and `<stem>.svg` and appends both to `out`.
pub(crate) fn render<C: Chart>(stem: &str, chart: &C, out: &mut Vec<PlotFile>) -> Result<(), PlotError> {
    let fail = |m: String| PlotError::drawing(&format!("plots/{stem}"), format!("cannot draw: {m}"));
    style::ensure_font().map_err(fail)?;
    let font = style::font_ref().map_err(fail)?;
    let (w, h) = chart.size();
    let (w, h) = (w.clamp(100, MAX_SIDE), h.clamp(100, MAX_SIDE));
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let backend = super::glyphs::Bitmap::new(BitMapBackend::with_buffer(&mut rgb, (w, h)), font);
        let root = backend.into_drawing_area();
        draw_on(&root, chart).map_err(fail)?;
    }
    let png = encode_png(&rgb, w, h).map_err(fail)?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        draw_on(&root, chart).map_err(fail)?;
    }
    out.push((format!("{stem}.png"), png));
    out.push((format!("{stem}.svg"), svg.into_bytes()));
    Ok(())
}

fn draw_on<DB: DrawingBackend, C: Chart>(root: &DrawingArea<DB, Shift>, chart: &C) -> DrawResult {
    root.fill(&WHITE).map_err(de)?;
    chart.draw(root)?;
    root.present().map_err(de)
}

/// PNG, 8-bit RGB. The encoder writes no time stamp or other varying chunk.
fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    // Charts are flat colour: fast compression is nearly as small and several times faster.
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(de)?;
    writer.write_image_data(rgb).map_err(de)?;
    writer.finish().map_err(de)?;
    Ok(bytes)
}

/// Pixels the title takes at the top of a chart.
pub(crate) const TITLE_H: u32 = 48;

/// The title, centred at the top; returns the area below it.
pub(crate) fn title<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
) -> Result<DrawingArea<DB, Shift>, String> {
    let (w, _) = root.dim_in_pixel();
    let font = style::text(style::TITLE_SIZE).pos(Pos::new(HPos::Center, VPos::Top));
    root.draw_text(text, &font, (w as i32 / 2, 12)).map_err(de)?;
    Ok(root.margin(TITLE_H as i32, 0, 0, 0))
}

/// Height of a legend row and of a line of a note.
const LEGEND_ROW: i32 = 22;
const NOTE_LINE: i32 = 18;

/// The position of each legend entry, wrapping before `width`: (x, row).
fn legend_layout(entries: &[(Key, String)], width: i32) -> Vec<(i32, i32)> {
    let (mut x, mut row) = (0, 0);
    let mut at = Vec::with_capacity(entries.len());
    for (_, label) in entries {
        let w = 22 + style::text_width(label, style::LABEL_SIZE) + 22;
        if x > 0 && x + w > width {
            x = 0;
            row += 1;
        }
        at.push((x, row));
        x += w;
    }
    at
}

/// The height a legend and a note take under the title, for sizing a chart before drawing.
pub(crate) fn header_height(entries: &[(Key, String)], note: Option<&str>, width: i32) -> i32 {
    let rows = legend_layout(entries, width - 40).last().map_or(0, |(_, r)| r + 1);
    let lines = note.map_or(0, |n| wrap(n, width - 40).len() as i32);
    rows * LEGEND_ROW + 2 + lines * NOTE_LINE + 8
}

/// A swatch in a legend.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Key {
    /// A filled box.
    Fill(RGBColor),
    /// A line.
    Line(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// A marker of the timeline.
    Marker(Marker),
}

/// Symbols drawn on pods' bars; shapes differ so they read without colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Marker {
    /// A short black upright stroke.
    Restart,
    /// A white triangle pointing down, outlined in black: it reads on the back-off's
    /// vermillion that usually follows it, and on the running blue.
    OomKilled,
    /// A black cross.
    Killed,
    /// A grey band: the node was not ready.
    Outage,
    /// A hatched box: a pod on a node that is not ready, its state unknown.
    Lost,
}

/// Draws a legend as one or more rows from `(x, y)`, wrapping before `right`; returns the
/// y below it.
pub(crate) fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x0, y0): (i32, i32),
    right: i32,
    entries: &[(Key, String)],
) -> Result<i32, String> {
    let font = style::text(style::LABEL_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
    let layout = legend_layout(entries, right - x0);
    for ((key, label), (x, row)) in entries.iter().zip(&layout) {
        let (x, y) = (x0 + x, y0 + row * LEGEND_ROW + LEGEND_ROW / 2);
        swatch(area, *key, (x, y))?;
        area.draw_text(label, &font, (x + 22, y)).map_err(de)?;
    }
    Ok(y0 + layout.last().map_or(0, |(_, r)| (r + 1) * LEGEND_ROW))
}

fn swatch<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, key: Key, (x, y): (i32, i32)) -> DrawResult {
    match key {
        Key::Fill(c) => {
            area.draw(&Rectangle::new([(x, y - 7), (x + 16, y + 7)], c.filled())).map_err(de)?;
            area.draw(&Rectangle::new([(x, y - 7), (x + 16, y + 7)], BLACK.mix(0.5))).map_err(de)
        }
        Key::Line(c) => area.draw(&PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(3))).map_err(de),
        Key::Dashed(c) => {
            area.draw(&PathElement::new(vec![(x, y), (x + 5, y)], c.stroke_width(2))).map_err(de)?;
            area.draw(&PathElement::new(vec![(x + 10, y), (x + 16, y)], c.stroke_width(2))).map_err(de)
        }
        Key::Marker(m) => marker(area, m, (x + 8, y), 14),
    }
}

/// Draws a timeline marker centred on `(x, y)` for a bar `h` pixels high.
pub(crate) fn marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    m: Marker,
    (x, y): (i32, i32),
    h: i32,
) -> DrawResult {
    let half = (h / 2).max(3);
    match m {
        Marker::Restart => {
            area.draw(&Rectangle::new([(x - 1, y - half), (x + 1, y + half)], BLACK.filled())).map_err(de)
        }
        Marker::OomKilled => {
            let s = half.clamp(4, 7);
            let points = vec![(x - s, y - s), (x + s, y - s), (x, y + s)];
            area.draw(&Polygon::new(points.clone(), WHITE.filled())).map_err(de)?;
            let mut outline = points;
            outline.push((x - s, y - s));
            area.draw(&PathElement::new(outline, BLACK.stroke_width(1))).map_err(de)
        }
        Marker::Killed => {
            let s = half.clamp(3, 6);
            let style = BLACK.stroke_width(2);
            area.draw(&PathElement::new(vec![(x - s, y - s), (x + s, y + s)], style)).map_err(de)?;
            area.draw(&PathElement::new(vec![(x - s, y + s), (x + s, y - s)], style)).map_err(de)
        }
        Marker::Outage => {
            area.draw(&Rectangle::new([(x - 8, y - 7), (x + 8, y + 7)], OUTAGE.mix(0.55).filled())).map_err(de)
        }
        Marker::Lost => {
            hatch(area, (x - 8, y - 7), (x + 8, y + 7))?;
            area.draw(&Rectangle::new([(x - 8, y - 7), (x + 8, y + 7)], BLACK.mix(0.5))).map_err(de)
        }
    }
}

/// The fill and the stripes of a hatched box.
pub(crate) const HATCH_FILL: RGBColor = RGBColor(230, 230, 230);
const HATCH_LINE: RGBColor = RGBColor(90, 90, 90);
/// Pixels between stripes.
const HATCH_STEP: i32 = 5;

/// Fills the box from `(x0, y0)` to `(x1, y1)` light grey with dark diagonal stripes, each
/// cut at the box's edges: "unknown", unlike any flat colour.
pub(crate) fn hatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
) -> DrawResult {
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], HATCH_FILL.filled())).map_err(de)?;
    let h = y1 - y0;
    if h <= 0 || x1 <= x0 {
        return Ok(());
    }
    // Stripes rise to the right at 45°: the one from (c, y1) reaches (c + h, y0). They
    // start at multiples of the step, so neighbouring boxes' stripes line up.
    let mut c = (x0 - h).div_euclid(HATCH_STEP) * HATCH_STEP;
    while c < x1 {
        let (mut a, mut b) = ((c, y1), (c + h, y0));
        if a.0 < x0 {
            a = (x0, y1 - (x0 - c));
        }
        if b.0 > x1 {
            b = (x1, y0 + (c + h - x1));
        }
        if a.0 <= b.0 {
            area.draw(&PathElement::new(vec![a, b], HATCH_LINE.stroke_width(1))).map_err(de)?;
        }
        c += HATCH_STEP;
    }
    Ok(())
}

/// A note in small grey text from `(x, y)` (its top), wrapped at `width` pixels; returns
/// the y below it.
pub(crate) fn note<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    (x, y): (i32, i32),
    width: i32,
) -> Result<i32, String> {
    let font = style::text_coloured(style::SMALL_SIZE, NOTE).pos(Pos::new(HPos::Left, VPos::Top));
    let mut y = y;
    for line in wrap(text, width) {
        area.draw_text(&line, &font, (x, y)).map_err(de)?;
        y += NOTE_LINE;
    }
    Ok(y)
}

/// Splits `text` at spaces into lines no wider than `width` pixels in the note's font (a
/// long word stays whole).
fn wrap(text: &str, width: i32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if style::text_width(&candidate, style::SMALL_SIZE) > width && !line.is_empty() {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A chart with nothing to show says so in its middle rather than drawing empty axes.
pub(crate) fn empty<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str) -> DrawResult {
    let (w, h) = area.dim_in_pixel();
    let font = style::text_coloured(style::LABEL_SIZE, NOTE).pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text(text, &font, (w as i32 / 2, h as i32 / 2)).map_err(de)
}

/// The plotting area of a chart whose x axis is simulated time.
pub(crate) type TimeChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Axes with simulated time across and `y` up. plotters puts ticks at round numbers; the
/// time ticks (round minutes, hours, days) are drawn here instead.
pub(crate) fn time_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    axis: &super::timeaxis::TimeAxis,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    y_desc: &str,
) -> Result<TimeChart<'a, DB>, String> {
    axes(area, axis, x, y, Some(y_desc), 80)
}

/// Axes with simulated time across and no y axis: the caller draws lanes in pixels
/// (y runs 0..1), with `label_width` pixels on the left for their names.
pub(crate) fn lanes_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    axis: &super::timeaxis::TimeAxis,
    x: std::ops::Range<f64>,
    label_width: u32,
) -> Result<TimeChart<'a, DB>, String> {
    axes(area, axis, x, 0.0..1.0, None, label_width)
}

fn axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    axis: &super::timeaxis::TimeAxis,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    y_desc: Option<&str>,
    y_label_width: u32,
) -> Result<TimeChart<'a, DB>, String> {
    let x = x.start..x.end.max(x.start + 1.0);
    let y = y.start..y.end.max(y.start + 1e-9);
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .margin_right(24)
        .x_label_area_size(48)
        .y_label_area_size(y_label_width)
        .build_cartesian_2d(x, y)
        .map_err(de)?;
    let mut mesh = chart.configure_mesh();
    mesh.x_labels(0)
        .x_desc(axis.label())
        .label_style(style::text(style::SMALL_SIZE))
        .axis_desc_style(style::text(style::LABEL_SIZE))
        .bold_line_style(style::GRID)
        .light_line_style(style::WHITE.mix(0.0))
        .axis_style(style::AXIS);
    let y_fmt = |v: &f64| number(*v);
    match y_desc {
        Some(d) => mesh.y_labels(8).y_label_formatter(&y_fmt).y_desc(d),
        None => mesh.y_labels(0).disable_y_mesh(),
    };
    mesh.draw().map_err(de)?;
    time_ticks(area, &chart, axis)?;
    Ok(chart)
}

/// Grid lines, tick marks and labels at the axis's round times.
pub(crate) fn time_ticks<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &TimeChart<'_, DB>,
    axis: &super::timeaxis::TimeAxis,
) -> DrawResult {
    let ticks: Vec<(f64, String)> = axis.ticks.iter().map(|&t| (t, axis.format(t))).collect();
    x_ticks(area, chart, &ticks)
}

/// Grid lines, tick marks and labels at chosen x positions (plotters' own ticks fall on
/// round numbers of the coordinate, which is not what a time or log axis wants).
pub(crate) fn x_ticks<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &TimeChart<'_, DB>,
    ticks: &[(f64, String)],
) -> DrawResult {
    let (xr, yr) = (chart.x_range(), chart.y_range());
    let base = area.get_base_pixel();
    let font = style::text(style::SMALL_SIZE).pos(Pos::new(HPos::Center, VPos::Top));
    for (t, label) in ticks.iter().filter(|(t, _)| *t >= xr.start && *t <= xr.end) {
        let t = *t;
        chart.plotting_area().draw(&PathElement::new(vec![(t, yr.start), (t, yr.end)], style::GRID)).map_err(de)?;
        let (px, py) = chart.backend_coord(&(t, yr.start));
        let (px, py) = (px - base.0, py - base.1);
        area.draw(&PathElement::new(vec![(px, py), (px, py + 5)], style::AXIS)).map_err(de)?;
        area.draw_text(label, &font, (px, py + 8)).map_err(de)?;
    }
    Ok(())
}

/// A number for an axis: no trailing zeros, thousands as k and millions as M.
pub(crate) fn number(v: f64) -> String {
    let a = v.abs();
    let (v, suffix) = if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e3 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    let s = if s == "-0" { "0" } else { s };
    format!("{s}{suffix}")
}
