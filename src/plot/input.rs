//! Reading the output files: CSV columns found by header name (the interface only adds
//! columns), every value checked, every error naming the file and line.

use std::fmt;

/// Bad input, or a chart that could not be drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlotError {
    /// The file the problem is in (`transitions.csv`), or the chart being drawn.
    pub file: String,
    /// The 1-based line, where one is known.
    pub line: Option<u64>,
    pub message: String,
    /// True when the input was fine but a chart could not be drawn (a bug, not bad input).
    pub drawing: bool,
}

impl PlotError {
    pub(crate) fn new(file: &str, line: Option<u64>, message: impl Into<String>) -> PlotError {
        PlotError { file: file.to_string(), line, message: message.into(), drawing: false }
    }

    pub(crate) fn drawing(file: &str, message: impl Into<String>) -> PlotError {
        PlotError { file: file.to_string(), line: None, message: message.into(), drawing: true }
    }
}

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for PlotError {}

/// One data row: fields in the order the caller asked for them.
pub(crate) struct Row<'r> {
    record: &'r csv::StringRecord,
    columns: &'r [Option<usize>],
    names: &'r [&'r str],
}

impl Row<'_> {
    /// The field asked for at `i` (empty when an optional column is absent).
    pub fn str(&self, i: usize) -> &str {
        self.columns.get(i).copied().flatten().and_then(|c| self.record.get(c)).unwrap_or("")
    }

    /// Whether the optional column asked for at `i` is in the file.
    pub fn has(&self, i: usize) -> bool {
        self.columns.get(i).copied().flatten().is_some()
    }

    /// A non-negative integer field: times in ms, counts, bytes.
    pub fn u64(&self, i: usize) -> Result<u64, String> {
        let s = self.str(i);
        s.parse::<u64>().map_err(|_| {
            let name = self.names.get(i).copied().unwrap_or("?");
            format!("column `{name}`: expected a non-negative integer, found `{s}`")
        })
    }
}

/// Calls `f` for each data row of `input` (read as it goes, a record at a time, so a file
/// of any size costs a buffer), with the columns `required` then `optional` (by header
/// name) at indexes 0.. in that order. An error from `f` is reported with the file and line.
pub(crate) fn for_each_row<R, F>(
    file: &str,
    input: R,
    required: &[&str],
    optional: &[&str],
    mut f: F,
) -> Result<(), PlotError>
where
    R: std::io::Read,
    F: FnMut(&Row<'_>) -> Result<(), String>,
{
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(input);
    let headers = reader.headers().map_err(|e| csv_error(file, &e))?.clone();
    let find = |name: &&str| headers.iter().position(|h| h == *name);
    let mut columns: Vec<Option<usize>> = Vec::with_capacity(required.len() + optional.len());
    for name in required {
        match find(name) {
            Some(c) => columns.push(Some(c)),
            None if headers.is_empty() => return Err(PlotError::new(file, Some(1), "empty file: no header row")),
            None => return Err(PlotError::new(file, Some(1), format!("missing column `{name}` in the header"))),
        }
    }
    columns.extend(optional.iter().map(find));
    let names: Vec<&str> = required.iter().chain(optional).copied().collect();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                let line = record.position().map(|p| p.line());
                let row = Row { record: &record, columns: &columns, names: &names };
                f(&row).map_err(|m| PlotError::new(file, line, m))?;
            }
            Err(e) => return Err(csv_error(file, &e)),
        }
    }
}

/// A CSV syntax error (a row with the wrong number of fields, bad quoting, bad UTF-8).
fn csv_error(file: &str, e: &csv::Error) -> PlotError {
    let line = e.position().map(|p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("expected {expected_len} fields as in the header, found {len}")
        }
        csv::ErrorKind::Utf8 { .. } => "invalid UTF-8".to_string(),
        csv::ErrorKind::Io(e) => format!("cannot read: {e}"),
        _ => format!("malformed CSV: {e}"),
    };
    PlotError::new(file, line, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum_column(text: &str) -> Result<u64, PlotError> {
        let mut total = 0;
        for_each_row("t.csv", text.as_bytes(), &["a"], &["b"], |r| {
            total += r.u64(0)? + if r.has(1) { r.u64(1)? } else { 0 };
            Ok(())
        })?;
        Ok(total)
    }

    #[test]
    fn columns_are_found_by_name_and_optional_ones_may_be_missing() {
        assert_eq!(sum_column("x,a\n1,2\n3,4\n"), Ok(6));
        assert_eq!(sum_column("b,a\n1,2\n"), Ok(3));
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let e = sum_column("a\n1\nx\n").unwrap_err();
        assert_eq!(e.to_string(), "t.csv:3: column `a`: expected a non-negative integer, found `x`");
        let e = sum_column("a,b\n1,2\n3\n").unwrap_err();
        assert_eq!(e.to_string(), "t.csv:3: expected 2 fields as in the header, found 1");
        let e = sum_column("c\n1\n").unwrap_err();
        assert_eq!(e.to_string(), "t.csv:1: missing column `a` in the header");
        let e = sum_column("").unwrap_err();
        assert_eq!(e.to_string(), "t.csv:1: empty file: no header row");
    }
}
