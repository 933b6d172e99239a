//! Laying out a `kubectl get` table (cli-runtime `tableprinter.go`): a header of the
//! column names upper-cased, one row per object, `NAMESPACE` first with `-A`, cells
//! cut at their first line break, aligned by the `get` tab writer.

use crate::kubectl::tabwriter::TabWriter;

/// A table: column names and rows of cells (the columns wide output adds included).
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: Vec<&'static str>) -> Table {
        Table { headers, rows: Vec::new() }
    }

    /// Prepends the `NAMESPACE` column (`--all-namespaces`).
    pub fn with_namespaces(mut self, namespaces: &[String]) -> Table {
        self.headers.insert(0, "NAMESPACE");
        for (row, ns) in self.rows.iter_mut().zip(namespaces) {
            row.insert(0, ns.clone());
        }
        self
    }

    /// The aligned text; nothing at all when there are no rows.
    pub fn render(&self) -> String {
        if self.rows.is_empty() {
            return String::new();
        }
        let mut text = String::with_capacity(64 * (self.rows.len() + 1));
        push_line(&mut text, self.headers.iter().map(|h| std::borrow::Cow::Borrowed(*h)));
        for row in &self.rows {
            push_line(&mut text, row.iter().map(|c| cut(c)));
        }
        TabWriter::get().render(&text)
    }
}

fn push_line<'a>(text: &mut String, cells: impl Iterator<Item = std::borrow::Cow<'a, str>>) {
    for (i, c) in cells.enumerate() {
        if i > 0 {
            text.push('\t');
        }
        text.push_str(&c);
    }
    text.push('\n');
}

/// A string cell is printed up to its first `\n`, `\r` or `\f`, then `...`.
pub fn cut(text: &str) -> std::borrow::Cow<'_, str> {
    match text.find(['\n', '\r', '\x0c']) {
        Some(i) => format!("{}...", &text[..i]).into(),
        None => text.into(),
    }
}
