//! Colours, fonts and sizes shared by the charts.
//!
//! The palette is Okabe and Ito's, chosen to be told apart by colour-blind readers; where
//! colours fill areas next to each other they are also picked so that their lightness
//! differs, so a chart printed in grey still reads. Text is DejaVu Sans, embedded: the
//! same pixels on every machine, whatever fonts it has.

use plotters::style::{Color, FontFamily, FontStyle, RGBColor, TextStyle};
use std::sync::OnceLock;

/// DejaVu Sans 2.37 (licence in `assets/fonts/LICENSE-DejaVu.txt`).
const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The family name the font is registered under. SVG files name it in `font-family`,
/// where a viewer without DejaVu falls back to its own sans-serif.
pub(crate) const FAMILY: &str = "sans-serif";

/// Registers the embedded font with plotters once per process.
pub(crate) fn ensure_font() -> Result<(), String> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok { Ok(()) } else { Err("the embedded font could not be read".to_string()) }
}

/// The width in pixels of `text` at `size`, as plotters estimates it (advances and kerning),
/// for laying out legends and notes before drawing.
pub(crate) fn text_width(text: &str, size: f64) -> i32 {
    use ab_glyph::{Font, ScaleFont};
    static FACE: OnceLock<Option<ab_glyph::FontRef<'static>>> = OnceLock::new();
    let Some(face) = FACE.get_or_init(|| ab_glyph::FontRef::try_from_slice(FONT).ok()) else {
        return (text.chars().count() as f64 * size * 0.6) as i32;
    };
    let font = face.as_scaled(size as f32);
    let mut width = 0f32;
    let mut previous = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        width += font.h_advance(id) + previous.map_or(0.0, |p| font.kern(p, id));
        previous = Some(id);
    }
    width as i32
}

/// The font for drawing glyphs ourselves (see `glyphs.rs`).
pub(crate) fn font_ref() -> Result<ab_glyph::FontRef<'static>, String> {
    ab_glyph::FontRef::try_from_slice(FONT).map_err(|_| "the embedded font could not be read".to_string())
}

pub(crate) fn text(size: f64) -> TextStyle<'static> {
    TextStyle::from((FontFamily::Name(FAMILY), size))
}

pub(crate) fn text_coloured(size: f64, colour: RGBColor) -> TextStyle<'static> {
    let mut style = text(size);
    style.color = colour.to_backend_color();
    style
}

// Okabe–Ito. Relative lightness (Rec. 601 luma) in brackets.
pub(crate) const BLACK: RGBColor = RGBColor(0, 0, 0);
pub(crate) const ORANGE: RGBColor = RGBColor(230, 159, 0); // (0.64)
pub(crate) const SKY_BLUE: RGBColor = RGBColor(86, 180, 233); // (0.62)
pub(crate) const GREEN: RGBColor = RGBColor(0, 158, 115); // (0.41)
pub(crate) const YELLOW: RGBColor = RGBColor(240, 228, 66); // (0.83)
pub(crate) const BLUE: RGBColor = RGBColor(0, 114, 178); // (0.34)
pub(crate) const VERMILLION: RGBColor = RGBColor(213, 94, 0); // (0.47)
pub(crate) const PURPLE: RGBColor = RGBColor(204, 121, 167); // (0.59)

pub(crate) const WHITE: RGBColor = RGBColor(255, 255, 255);
pub(crate) const GRID: RGBColor = RGBColor(225, 225, 225);
pub(crate) const AXIS: RGBColor = RGBColor(60, 60, 60);
pub(crate) const NOTE: RGBColor = RGBColor(90, 90, 90);
pub(crate) const OUTAGE: RGBColor = RGBColor(150, 150, 150);

/// Colours for series told apart by colour alone (pools, CronJobs), darkest first.
pub(crate) const SERIES: [RGBColor; 7] = [BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY_BLUE, BLACK];

/// The stripe on a pod's bar that tells which ReplicaSet made it (old and new pods of a
/// rollout): colours the timeline's states do not use, in Okabe–Ito then Tol's muted.
pub(crate) const OWNERS: [RGBColor; 6] =
    [GREEN, PURPLE, ORANGE, RGBColor(136, 34, 85), RGBColor(68, 170, 153), RGBColor(51, 34, 136)];

/// Pod phases, from light to dark: Pending, Succeeded, Failed, Running.
pub(crate) const PENDING: RGBColor = YELLOW;
pub(crate) const RUNNING: RGBColor = BLUE;
pub(crate) const SUCCEEDED: RGBColor = SKY_BLUE;
pub(crate) const FAILED: RGBColor = VERMILLION;

/// A sequential scale whose lightness falls steadily (viridis, reversed so that more is
/// darker): index 0 is the lightest.
pub(crate) const SEQUENTIAL: [RGBColor; 8] = [
    RGBColor(253, 231, 37),
    RGBColor(173, 220, 48),
    RGBColor(94, 201, 98),
    RGBColor(40, 174, 128),
    RGBColor(33, 145, 140),
    RGBColor(44, 114, 142),
    RGBColor(59, 82, 139),
    RGBColor(68, 1, 84),
];

pub(crate) const TITLE_SIZE: f64 = 24.0;
pub(crate) const LABEL_SIZE: f64 = 15.0;
pub(crate) const SMALL_SIZE: f64 = 13.0;
