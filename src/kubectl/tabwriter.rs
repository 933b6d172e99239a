//! Elastic-tabstop alignment with Go `text/tabwriter` semantics, in the
//! variant kubectl uses (`github.com/liggitt/tabwriter`, which adds
//! `RememberWidths`).
//!
//! Upstream: `liggitt/tabwriter/tabwriter.go` (a fork of Go's
//! `text/tabwriter`); presets from `cli-runtime/pkg/printers/tabwriter.go`
//! (`kubectl get`) and `kubectl/pkg/describe/describe.go` (`tabbedString`).
//!
//! Rules (kubectl-printing.md 1.1):
//! * text is split into lines, lines into cells terminated by `\t` (or the
//!   "soft" `\v`); the text after the last tab is the line's trailing cell,
//!   never padded;
//! * a column block is a maximal run of consecutive lines that all have a
//!   tab-terminated cell in that column;
//! * a block's width is `max(minwidth, widest cell in runes + padding)`;
//! * a line without any tab, or a `\f`, flushes the writer.
//!
//! Not supported: the `FilterHTML`, `StripEscape` and grapheme-width flags
//! (kubectl sets none of them; `\xff` escapes cannot occur in a `&str`).

use std::fmt;
use std::ops::BitOr;

/// Formatting flags (`tabwriter.AlignRight`, …). Combine with `|`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags(u32);

impl Flags {
    /// No flags (the `describe` writer).
    pub const NONE: Flags = Flags(0);
    /// Right-align cell contents (ignored when padding with tabs).
    pub const ALIGN_RIGHT: Flags = Flags(1 << 2);
    /// Drop columns made only of empty `\v`-terminated cells.
    pub const DISCARD_EMPTY_COLUMNS: Flags = Flags(1 << 3);
    /// Pad leading empty cells with tabs whatever the pad character.
    pub const TAB_INDENT: Flags = Flags(1 << 4);
    /// Print `|` between columns and `---` at each `\f`.
    pub const DEBUG: Flags = Flags(1 << 5);
    /// Column widths never shrink across flushes (the `get` writer).
    pub const REMEMBER_WIDTHS: Flags = Flags(1 << 6);

    /// Whether every flag in `other` is set.
    pub fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    fn without(self, other: Flags) -> Flags {
        Flags(self.0 & !other.0)
    }
}

impl BitOr for Flags {
    type Output = Flags;
    fn bitor(self, rhs: Flags) -> Flags {
        Flags(self.0 | rhs.0)
    }
}

/// One cell: its text is `buf[start..start + size]`.
#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    size: usize,
    /// Width in runes (Go `utf8.RuneCount`).
    width: usize,
    /// Terminated by a hard tab (`\t`) rather than `\v`, `\n`, `\f` or EOF.
    htab: bool,
}

/// A buffering tab writer. Write text with [`TabWriter::write_str`] (or
/// `write!`), call [`TabWriter::flush`], then take the aligned text with
/// [`TabWriter::take_output`].
#[derive(Debug, Clone)]
pub struct TabWriter {
    minwidth: usize,
    tabwidth: usize,
    padding: usize,
    padchar: char,
    flags: Flags,
    /// Cell text of the unflushed lines, without tabs and line breaks.
    buf: String,
    lines: Vec<Vec<Cell>>,
    /// The cell being filled (not yet terminated).
    cell: Cell,
    /// Per-column maximum widths kept across flushes (`RememberWidths`).
    maxwidths: Vec<usize>,
    out: String,
}

impl TabWriter {
    /// `tabwriter.NewWriter(out, minwidth, tabwidth, padding, padchar, flags)`.
    /// A tab `padchar` forces left alignment, as in Go.
    pub fn new(minwidth: usize, tabwidth: usize, padding: usize, padchar: char, flags: Flags) -> Self {
        let flags = if padchar == '\t' { flags.without(Flags::ALIGN_RIGHT) } else { flags };
        TabWriter {
            minwidth,
            tabwidth,
            padding,
            padchar,
            flags,
            buf: String::new(),
            lines: vec![Vec::new()],
            cell: Cell::default(),
            maxwidths: Vec::new(),
            out: String::new(),
        }
    }

    /// The `kubectl get` writer: minwidth 6, tabwidth 4, padding 3, spaces,
    /// `RememberWidths` (cli-runtime `printers.GetNewTabWriter`).
    pub fn get() -> Self {
        TabWriter::new(6, 4, 3, ' ', Flags::REMEMBER_WIDTHS)
    }

    /// The `kubectl describe` writer: minwidth 0, tabwidth 8, padding 2,
    /// spaces, no flags (describe.go `tabbedString`).
    pub fn describe() -> Self {
        TabWriter::new(0, 8, 2, ' ', Flags::NONE)
    }

    /// Convenience: write `text` to this writer, flush, return everything
    /// produced.
    pub fn render(mut self, text: &str) -> String {
        self.write_str(text);
        self.flush();
        self.take_output()
    }

    /// Buffers `text`. Lines are emitted when a tab-less line or a `\f`
    /// ends, or at [`TabWriter::flush`].
    pub fn write_str(&mut self, text: &str) {
        let mut start = 0;
        for (i, b) in text.bytes().enumerate() {
            if matches!(b, b'\t' | b'\x0b' | b'\n' | b'\x0c') {
                self.append(&text[start..i]);
                start = i + 1;
                self.end_cell(b);
            }
        }
        self.append(&text[start..]);
    }

    /// Formats and emits everything buffered (Go `Flush`).
    pub fn flush(&mut self) {
        if self.cell.size > 0 {
            self.terminate_cell(false);
        }
        self.format();
        self.reset();
    }

    /// Takes the text emitted so far.
    pub fn take_output(&mut self) -> String {
        std::mem::take(&mut self.out)
    }

    /// The per-column widths remembered so far (`RememberedWidths`).
    #[cfg(test)]
    pub fn remembered_widths(&self) -> &[usize] {
        &self.maxwidths
    }

    /// Replaces the remembered widths (`SetRememberedWidths`); an empty
    /// slice forgets them, as kubectl does between resource types.
    #[cfg(test)]
    pub fn set_remembered_widths(&mut self, widths: &[usize]) {
        self.maxwidths = widths.to_vec();
    }

    fn append(&mut self, text: &str) {
        self.buf.push_str(text);
        self.cell.size += text.len();
        self.cell.width += text.chars().count();
    }

    /// Handles one cell terminator (Go `Write`'s switch on `\t\v\n\f`).
    fn end_cell(&mut self, terminator: u8) {
        let ncells = self.terminate_cell(terminator == b'\t');
        if !matches!(terminator, b'\n' | b'\x0c') {
            return;
        }
        self.lines.push(Vec::new());
        // A single-cell line cannot influence later alignment, so Go flushes
        // right away; `\f` always flushes.
        if terminator == b'\x0c' || ncells == 1 {
            self.flush();
            if terminator == b'\x0c' && self.flags.contains(Flags::DEBUG) {
                self.out.push_str("---\n");
            }
        }
    }

    /// Closes the current cell; returns the number of cells in its line.
    fn terminate_cell(&mut self, htab: bool) -> usize {
        let cell = Cell { htab, ..std::mem::take(&mut self.cell) };
        match self.lines.last_mut() {
            Some(line) => {
                line.push(cell);
                line.len()
            }
            // `reset` always leaves one open line; this only keeps the
            // writer panic-free should that ever change.
            None => {
                self.lines.push(vec![cell]);
                1
            }
        }
    }

    fn reset(&mut self) {
        self.buf.clear();
        self.cell = Cell::default();
        self.lines.clear();
        self.lines.push(Vec::new());
    }

    /// Computes the column widths of every buffered line, then writes them.
    fn format(&mut self) {
        let widths = self.column_widths();
        let padder = Padder { padchar: self.padchar, tabwidth: self.tabwidth };
        let mut pos = 0;
        for (i, line) in self.lines.iter().enumerate() {
            let text = LineText { buf: &self.buf, cells: line, widths: &widths[i] };
            pos = text.write(pos, self.flags, padder, &mut self.out);
            if i + 1 < self.lines.len() {
                self.out.push('\n');
            }
        }
    }

    /// For each line, the width of each of its aligned columns.
    ///
    /// Go finds blocks recursively: the blocks of column k are the maximal
    /// runs, inside one block of column k-1, of lines with a cell in column
    /// k. Doing it level by level (columns left to right, blocks top to
    /// bottom) visits the blocks in Go's order, which `RememberWidths`
    /// relies on, without recursing once per column.
    fn column_widths(&mut self) -> Vec<Vec<usize>> {
        // Aligned columns per line: every cell but the trailing one.
        let columns: Vec<usize> = self.lines.iter().map(|l| l.len().saturating_sub(1)).collect();
        let mut widths: Vec<Vec<usize>> = columns.iter().map(|&n| vec![0; n]).collect();
        let mut ranges = vec![(0, self.lines.len())];
        let mut column = 0;
        while !ranges.is_empty() {
            let mut blocks = Vec::new();
            for &(start, end) in &ranges {
                blocks.extend(runs_with_column(&columns, column, start, end));
            }
            for &(start, end) in &blocks {
                let width = self.block_width(column, start, end);
                for row in &mut widths[start..end] {
                    row[column] = width;
                }
            }
            ranges = blocks;
            column += 1;
        }
        widths
    }

    /// Width of the block of `column` spanning lines `start..end`.
    fn block_width(&mut self, column: usize, start: usize, end: usize) -> usize {
        let cells = self.lines[start..end].iter().map(|l| l[column]);
        let mut width = self.minwidth;
        let mut discardable = true;
        for c in cells {
            width = width.max(c.width + self.padding);
            discardable &= c.width == 0 && !c.htab;
        }
        if discardable && self.flags.contains(Flags::DISCARD_EMPTY_COLUMNS) {
            width = 0;
        }
        if self.flags.contains(Flags::REMEMBER_WIDTHS) {
            width = self.remember(column, width);
        }
        width
    }

    /// Go: widths never shrink below what this column had before.
    fn remember(&mut self, column: usize, width: usize) -> usize {
        match self.maxwidths.get_mut(column) {
            Some(max) => {
                *max = (*max).max(width);
                *max
            }
            None => {
                // Columns are visited left to right, so `column` is at most
                // one past the end; pad defensively anyway.
                self.maxwidths.resize(column, 0);
                self.maxwidths.push(width);
                width
            }
        }
    }
}

/// Maximal runs of lines in `start..end` that have an aligned cell in
/// `column`.
fn runs_with_column(columns: &[usize], column: usize, start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut line = start;
    while line < end {
        if columns[line] <= column {
            line += 1;
            continue;
        }
        let run_end = (line..end).find(|&l| columns[l] <= column).unwrap_or(end);
        runs.push((line, run_end));
        line = run_end;
    }
    runs
}

/// How padding is produced (Go `writePadding`).
#[derive(Debug, Clone, Copy)]
struct Padder {
    padchar: char,
    tabwidth: usize,
}

impl Padder {
    /// Fills a cell of `text_width` runes up to `cell_width`; with tabs when
    /// the pad character is a tab (or for `TabIndent` leading cells).
    fn pad(self, out: &mut String, text_width: usize, cell_width: usize, use_tabs: bool) {
        if self.padchar != '\t' && !use_tabs {
            let n = cell_width.saturating_sub(text_width);
            out.extend(std::iter::repeat_n(self.padchar, n));
            return;
        }
        if self.tabwidth == 0 {
            return; // tabs have no width: no padding possible
        }
        // Round the cell up to a tab stop, then count the tabs needed.
        let cell_width = cell_width.div_ceil(self.tabwidth) * self.tabwidth;
        let n = cell_width.saturating_sub(text_width);
        out.extend(std::iter::repeat_n('\t', n.div_ceil(self.tabwidth)));
    }
}

/// One buffered line with the widths of its aligned columns.
struct LineText<'a> {
    buf: &'a str,
    cells: &'a [Cell],
    widths: &'a [usize],
}

impl LineText<'_> {
    /// Writes the line's cells (Go `writeLines`); `pos` is where its text
    /// starts in the buffer. Returns the position after it.
    fn write(&self, mut pos: usize, flags: Flags, padder: Padder, out: &mut String) -> usize {
        let mut use_tabs = flags.contains(Flags::TAB_INDENT);
        for (j, c) in self.cells.iter().enumerate() {
            if j > 0 && flags.contains(Flags::DEBUG) {
                out.push('|');
            }
            // The trailing cell has no width and is never padded.
            let width = self.widths.get(j).copied();
            if c.size == 0 {
                if let Some(w) = width {
                    padder.pad(out, c.width, w, use_tabs);
                }
                continue;
            }
            use_tabs = false;
            let text = &self.buf[pos..pos + c.size];
            pos += c.size;
            match width {
                Some(w) if flags.contains(Flags::ALIGN_RIGHT) => {
                    padder.pad(out, c.width, w, false);
                    out.push_str(text);
                }
                Some(w) => {
                    out.push_str(text);
                    padder.pad(out, c.width, w, false);
                }
                None => out.push_str(text),
            }
        }
        pos
    }
}

impl fmt::Write for TabWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        TabWriter::write_str(self, s);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const TABWRITER: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/kubectl/tabwriter.json"));
    const GET: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/kubectl/get_formatting.json"));
    const DESCRIBE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/kubectl/describe_layout.json"));

    fn json(text: &str) -> Value {
        serde_json::from_str(text).expect("test data parses")
    }

    fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
        v[key].as_str().unwrap_or_else(|| panic!("missing {key}"))
    }

    fn flags_of(case: &Value) -> Flags {
        let names = case["flags"].as_array().expect("flags");
        names.iter().fold(Flags::NONE, |acc, n| {
            acc | match n.as_str().expect("flag name") {
                "AlignRight" => Flags::ALIGN_RIGHT,
                "DiscardEmptyColumns" => Flags::DISCARD_EMPTY_COLUMNS,
                "TabIndent" => Flags::TAB_INDENT,
                "Debug" => Flags::DEBUG,
                "RememberWidths" => Flags::REMEMBER_WIDTHS,
                other => panic!("unknown flag {other}"),
            }
        })
    }

    fn writer_of(case: &Value) -> TabWriter {
        let n = |k: &str| case[k].as_u64().expect("number") as usize;
        let padchar = str_of(case, "padchar").chars().next().expect("padchar");
        TabWriter::new(n("minwidth"), n("tabwidth"), n("padding"), padchar, flags_of(case))
    }

    #[test]
    fn go_tabwriter_table_written_at_once() {
        let data = json(TABWRITER);
        let cases = data["cases"].as_array().expect("cases");
        assert!(cases.len() > 30);
        for case in cases {
            let got = writer_of(case).render(str_of(case, "text_in"));
            assert_eq!(got, str_of(case, "expected"), "case {}", case["name"]);
        }
    }

    #[test]
    fn go_tabwriter_table_written_char_by_char() {
        let data = json(TABWRITER);
        for case in data["cases"].as_array().expect("cases") {
            let mut w = writer_of(case);
            let mut tmp = [0u8; 4];
            for ch in str_of(case, "text_in").chars() {
                w.write_str(ch.encode_utf8(&mut tmp));
            }
            w.flush();
            assert_eq!(w.take_output(), str_of(case, "expected"), "case {}", case["name"]);
        }
    }

    #[test]
    fn remember_widths_across_flushes() {
        let data = json(TABWRITER);
        let multi = &data["multi_write"];
        let mut w = TabWriter::new(6, 4, 3, ' ', Flags::REMEMBER_WIDTHS);
        for step in multi["steps"].as_array().expect("steps") {
            if let Some(widths) = step["set_remembered_widths"].as_array() {
                let widths: Vec<usize> = widths.iter().map(|v| v.as_u64().expect("w") as usize).collect();
                w.set_remembered_widths(&widths);
            }
            w.write_str(str_of(step, "text_in"));
            w.flush();
            assert_eq!(w.take_output(), str_of(step, "expected"), "step {step}");
            if let Some(widths) = step["remembered_after"].as_array() {
                let want: Vec<usize> = widths.iter().map(|v| v.as_u64().expect("w") as usize).collect();
                assert_eq!(w.remembered_widths(), want.as_slice());
            }
        }
    }

    /// Renders several tables the way kubectl does for `get a,b`: one flush
    /// per table, remembered widths reset, an empty line in between.
    fn render_tables(tables: &[Value]) -> String {
        let mut w = TabWriter::get();
        let mut out = String::new();
        for (i, t) in tables.iter().enumerate() {
            if i > 0 {
                w.set_remembered_widths(&[]);
                out.push('\n');
            }
            w.write_str(t.as_str().expect("table text"));
            w.flush();
            out.push_str(&w.take_output());
        }
        out
    }

    #[test]
    fn kubectl_get_upstream_layouts() {
        let data = json(GET);
        let cases = data["cases"].as_array().expect("cases");
        assert_eq!(cases.len(), 7);
        for case in cases {
            assert_eq!(str_of(case, "tabwriter"), "get");
            let got = match case["text_in_tables"].as_array() {
                Some(tables) => render_tables(tables),
                None => TabWriter::get().render(str_of(case, "text_in")),
            };
            assert_eq!(got, str_of(case, "expected"), "{}", case["test_func"]);
        }
    }

    #[test]
    fn kubectl_describe_layouts() {
        let data = json(DESCRIBE);
        for case in data["cases"].as_array().expect("cases") {
            assert_eq!(str_of(case, "tabwriter"), "describe");
            let mut w = TabWriter::describe();
            match case["text_in_parts"].as_array() {
                Some(parts) => parts.iter().for_each(|p| {
                    w.write_str(p.as_str().expect("part"));
                    w.flush();
                }),
                None => w.write_str(str_of(case, "text_in")),
            }
            w.flush();
            assert_eq!(w.take_output(), str_of(case, "expected"), "{}", case["source"]);
        }
    }

    #[test]
    fn get_columns_are_three_wider_than_widest_cell_at_least_six() {
        // kubectl-printing.md 1.1: NAME over foo/bar -> 7, READY -> 8,
        // an all-empty STATUS -> 9, RESTARTS -> 11.
        let out = TabWriter::get().render("NAME\tREADY\tSTATUS\tRESTARTS\tAGE\nfoo\t0/0\t\t0\t1s\n");
        let header = out.lines().next().expect("header");
        assert_eq!(header, "NAME   READY   STATUS   RESTARTS   AGE");
        let w = TabWriter::get().render("a\tb\n");
        assert_eq!(w, "a     b\n");
    }

    #[test]
    fn widths_never_shrink_in_watch_streams() {
        // Derived from liggitt/tabwriter RememberWidths: one flush per event.
        let mut w = TabWriter::get();
        w.write_str("EVENT\tNAME\nADDED\tpod/a\n");
        w.flush();
        w.write_str("MODIFIED\tpod/a\n");
        w.flush();
        w.write_str("ADDED\tb\n");
        w.flush();
        assert_eq!(w.take_output(), "EVENT   NAME\nADDED   pod/a\nMODIFIED   pod/a\nADDED      b\n");
    }

    #[test]
    fn fmt_write_and_unterminated_last_line() {
        use std::fmt::Write as _;
        let mut w = TabWriter::describe();
        let name = "x";
        write!(w, "Name:\t{name}\nIP:\t").expect("infallible");
        w.flush();
        assert_eq!(w.take_output(), "Name:  x\nIP:");
    }

    #[test]
    fn many_columns_do_not_overflow_the_stack() {
        let line = "a\t".repeat(50_000);
        let out = TabWriter::describe().render(&format!("{line}\n{line}\n"));
        assert_eq!(out.len(), 2 * (50_000 * 3 + 1));
    }
}
