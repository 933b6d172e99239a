//! The CSV row writer of the trace files.
//!
//! The trace is most of a large run's output (1.4 GB for the 30-day CronJob fleet), and
//! the `csv` crate's general writer (a quoting state machine per field, a second buffer)
//! was a third of that run's time. Trace rows are short fields of known shape, so they
//! are written here directly, with the `csv` crate's rules for `QuoteStyle::Necessary`:
//! a field is quoted when it holds a comma, a quote, `\r` or `\n`, and quotes inside are
//! doubled. A test checks the bytes against the `csv` crate's, which still reads them.

use super::out::{CHUNK, Hashing, TraceOut};
use std::io::{self, Write};

pub struct RowWriter<O: TraceOut> {
    out: O,
    /// Rows not yet handed over, packed (see `pack_field`).
    buf: Vec<u8>,
}

impl<W: Write> RowWriter<Hashing<W>> {
    /// A writer that encodes, digests and writes on the caller's thread.
    pub fn new(inner: W) -> Self {
        RowWriter::to(Hashing::new(inner))
    }
}

impl<O: TraceOut> RowWriter<O> {
    pub fn to(out: O) -> Self {
        RowWriter { out, buf: Vec::with_capacity(CHUNK + 1024) }
    }

    /// Writes one row of fields. The row is packed as it is (each field's length, then
    /// its bytes) and encoded as CSV where the chunk is taken: on the writer thread for
    /// `podsim run`, so that the simulation's thread only copies bytes. Room for the
    /// whole row is made first, so that each field is only copied.
    pub fn write_record<R, T>(&mut self, record: R) -> io::Result<()>
    where
        R: AsRef<[T]>,
        T: AsRef<[u8]>,
    {
        let fields = record.as_ref();
        let bytes: usize = fields.iter().map(|f| f.as_ref().len()).sum();
        self.buf.reserve(bytes + 4 * fields.len() + 4);
        for field in fields {
            pack_field(&mut self.buf, field.as_ref());
        }
        self.end_row()
    }

    /// Writes one row of [`Cell`]s: as [`RowWriter::write_record`], but a number is
    /// packed as it is and written in decimal where the row is encoded, off the
    /// simulation's thread for `podsim run` (a CronJob fleet's rows carry some forty
    /// numbers a Job, mostly times, and formatting them was a fortieth of that thread).
    pub fn write_cells<const N: usize>(&mut self, cells: [Cell<'_>; N]) -> io::Result<()> {
        let text: usize = cells.iter().map(|c| if let Cell::Text(t) = c { t.len() } else { 0 }).sum();
        self.buf.reserve(text + 12 * N + 4);
        for cell in cells {
            match cell {
                Cell::Text(t) => pack_field(&mut self.buf, t.as_bytes()),
                Cell::Int(n) => pack_number(&mut self.buf, INT, n.to_le_bytes()),
                Cell::UInt(n) => pack_number(&mut self.buf, UINT, n.to_le_bytes()),
            }
        }
        self.end_row()
    }

    /// Writes one row of a time (in milliseconds, packed as a number) and text fields.
    pub fn write_timed<const N: usize>(&mut self, ms: u64, fields: [&str; N]) -> io::Result<()> {
        let text: usize = fields.iter().map(|f| f.len()).sum();
        self.buf.reserve(text + 4 * N + 16);
        pack_number(&mut self.buf, UINT, ms.to_le_bytes());
        for field in fields {
            pack_field(&mut self.buf, field.as_bytes());
        }
        self.end_row()
    }

    /// Ends the row packed so far, and hands the chunk over once it is full.
    #[inline]
    fn end_row(&mut self) -> io::Result<()> {
        self.buf.extend_from_slice(&ROW_END.to_le_bytes());
        if self.buf.len() >= CHUNK { self.drain() } else { Ok(()) }
    }

    fn drain(&mut self) -> io::Result<()> {
        self.out.take_rows(&mut self.buf)
    }

    /// Writes out every row and returns the file's SHA-256.
    pub fn finish(&mut self) -> io::Result<String> {
        self.drain()?;
        self.out.finish()
    }
}

/// A field of a row for [`RowWriter::write_cells`]: text, or a whole number.
#[derive(Clone, Copy, Debug)]
pub enum Cell<'a> {
    Text(&'a str),
    Int(i64),
    UInt(u64),
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(text: &'a str) -> Self {
        Cell::Text(text)
    }
}

/// A number, or an empty cell.
impl From<Option<i64>> for Cell<'_> {
    fn from(n: Option<i64>) -> Self {
        n.map_or(Cell::Text(""), Cell::Int)
    }
}

/// The length that ends a packed row instead of starting a field.
const ROW_END: u32 = u32::MAX;
/// Lengths that mark a number instead (its eight bytes follow): signed, unsigned.
const INT: u32 = u32::MAX - 1;
const UINT: u32 = u32::MAX - 2;

#[inline]
fn pack_field(buf: &mut Vec<u8>, field: &[u8]) {
    // A trace field of 4 GiB is not a thing; refusing it keeps the markers unambiguous.
    let len = u32::try_from(field.len()).ok().filter(|&n| n < UINT).expect("a trace field under 4 GiB");
    buf.extend_from_slice(&len.to_le_bytes());
    buf.extend_from_slice(field);
}

#[inline]
fn pack_number(buf: &mut Vec<u8>, marker: u32, bytes: [u8; 8]) {
    buf.extend_from_slice(&marker.to_le_bytes());
    buf.extend_from_slice(&bytes);
}

/// Turns packed rows into CSV.
#[derive(Default)]
pub struct CsvEncoder {
    /// Where the separators of the row being encoded are in the output.
    separators: Vec<usize>,
    /// A row being rewritten with quotes.
    scratch: Vec<u8>,
    /// Numbers' digits.
    itoa: itoa::Buffer,
}

impl CsvEncoder {
    /// Appends the CSV of the packed rows to `csv`.
    ///
    /// Most rows need no quotes at all, so the fields are first copied as they are,
    /// separated by a zero byte (not special) whose places are noted, and the whole row
    /// is scanned once; the separators then become commas. A row with a special byte is
    /// rewritten field by field. One scan per row instead of one per field took a third
    /// off the cost of formatting the trace.
    pub fn encode(&mut self, mut packed: &[u8], csv: &mut Vec<u8>) {
        let mut start = csv.len();
        let mut first = true;
        self.separators.clear();
        while let Some((len, rest)) = packed.split_first_chunk::<4>() {
            let len = u32::from_le_bytes(*len);
            if len == ROW_END {
                if needs_quotes(&csv[start..]) {
                    self.requote(csv, start);
                } else {
                    for &at in &self.separators {
                        csv[at] = b',';
                    }
                }
                csv.push(b'\n');
                start = csv.len();
                first = true;
                self.separators.clear();
                packed = rest;
                continue;
            }
            if !first {
                self.separators.push(csv.len());
                csv.push(0);
            }
            first = false;
            if len == INT || len == UINT {
                let (n, rest) = rest.split_first_chunk::<8>().expect("a packed number whole");
                let digits = match len {
                    INT => self.itoa.format(i64::from_le_bytes(*n)),
                    _ => self.itoa.format(u64::from_le_bytes(*n)),
                };
                csv.extend_from_slice(digits.as_bytes());
                packed = rest;
                continue;
            }
            let (field, rest) = rest.split_at(len as usize);
            csv.extend_from_slice(field);
            packed = rest;
        }
    }

    /// Rewrites the row from `start` field by field, quoting the fields that need it.
    #[cold]
    fn requote(&mut self, csv: &mut Vec<u8>, start: usize) {
        self.scratch.clear();
        self.scratch.extend_from_slice(&csv[start..]);
        csv.truncate(start);
        let mut from = 0;
        for &at in &self.separators {
            push_field(csv, &self.scratch[from..at - start]);
            csv.push(b',');
            from = at - start + 1;
        }
        push_field(csv, &self.scratch[from..]);
    }
}

impl<O: TraceOut> Drop for RowWriter<O> {
    fn drop(&mut self) {
        // As `csv::Writer` does; a sink that reports errors calls `finish` first.
        let _ = self.drain();
    }
}

/// `b` in every byte of a word.
pub(super) const fn splat(b: u8) -> u64 {
    b as u64 * 0x0101_0101_0101_0101
}

/// Whether any byte of `w` is a comma, a quote, `\r` or `\n`: the word-at-a-time
/// zero-byte test (`(x - 0x01..) & !x & 0x80..` is non-zero exactly when some byte of
/// `x` is zero) applied to `w` XOR each special byte. Trace fields are mostly shorter
/// than 16 bytes, where a byte loop was a seventh of a CronJob fleet's run.
#[inline(always)]
fn word_is_special(w: u64) -> bool {
    const ONES: u64 = splat(0x01);
    const HIGHS: u64 = splat(0x80);
    let zero = |c: u8| {
        let x = w ^ splat(c);
        x.wrapping_sub(ONES) & !x & HIGHS
    };
    (zero(b',') | zero(b'"') | zero(b'\n') | zero(b'\r')) != 0
}

/// Whether the field needs quotes, eight bytes at a time. A call of its own, as before
/// the word loop was shared with JSON's strings: inlined into `CsvEncoder::encode` it
/// took 30 million more instructions a day of the CronJob fleet.
#[inline(never)]
fn needs_quotes(field: &[u8]) -> bool {
    any_word(field, word_is_special)
}

/// Whether `special` holds for some word of `bytes` read eight bytes at a time. The last
/// word, and bytes shorter than a word, are read as overlapping loads (a byte seen twice
/// does no harm), because copying a tail into a padded word stalls on the store. Under
/// four bytes, the bytes are put in a word with zeros: `special` must not hold for a
/// zero byte.
#[inline(always)]
pub(super) fn any_word(bytes: &[u8], special: impl Fn(u64) -> bool) -> bool {
    let n = bytes.len();
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    let half = |at: usize| u64::from(u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes")));
    match n {
        0 => false,
        1..=3 => {
            let w = u64::from(bytes[0]) | u64::from(bytes[n / 2]) << 8 | u64::from(bytes[n - 1]) << 16;
            // The upper five bytes are zero, which is not special.
            special(w)
        }
        4..=7 => special(half(0) | half(n - 4) << 32),
        _ => {
            let mut any = special(word(n - 8));
            let mut at = 0;
            while at + 8 < n {
                any |= special(word(at));
                at += 8;
            }
            any
        }
    }
}

#[inline]
fn push_field(buf: &mut Vec<u8>, field: &[u8]) {
    if !needs_quotes(field) {
        buf.extend_from_slice(field);
        return;
    }
    buf.push(b'"');
    let mut rest = field;
    while let Some(quote) = rest.iter().position(|&b| b == b'"') {
        buf.extend_from_slice(&rest[..=quote]);
        buf.push(b'"');
        rest = &rest[quote + 1..];
    }
    buf.extend_from_slice(rest);
    buf.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(rows: &[Vec<&str>]) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut w = RowWriter::new(&mut out);
            for r in rows {
                w.write_record(r).unwrap();
            }
            w.finish().unwrap();
        }
        out
    }

    fn theirs(rows: &[Vec<&str>]) -> Vec<u8> {
        let mut w = ::csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
        for r in rows {
            w.write_record(r).unwrap();
        }
        w.into_inner().unwrap()
    }

    #[test]
    fn rows_are_the_csv_crates_bytes() {
        let rows: Vec<Vec<&str>> = vec![
            vec!["time_ms", "kind", "name"],
            vec!["0", "Pod", "web-0/nginx"],
            vec!["12", "", ""],
            vec!["5", "Normal", "Pulling image \"busybox\""],
            vec!["7", "a,b", "line\nbreak", "cr\rhere", "\"", "'single'", " spaced ", "ünï", "#hash"],
            vec!["9", "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu."],
            // A zero byte in a field stays one (the writer's own separators are zero bytes
            // until the row is scanned).
            vec!["10", "nul\0inside", "\0", "", "after"],
            vec!["11", "\0", "a\"b", "\0"],
            vec!["a"],
            vec!["a,b"],
            vec!["", "x"],
        ];
        let wide: Vec<String> = (0..40).map(|i| format!("field-{i}")).collect();
        let mut rows = rows;
        rows.push(wide.iter().map(String::as_str).collect());
        let mut wide_quoted: Vec<&str> = wide.iter().map(String::as_str).collect();
        wide_quoted[39] = "last, quoted";
        rows.push(wide_quoted);
        assert_eq!(String::from_utf8(ours(&rows)).unwrap(), String::from_utf8(theirs(&rows)).unwrap());
    }

    #[test]
    fn fields_of_every_length_are_packed_whole() {
        // Every length up to 70, the bytes cycling through the alphabet so that a byte
        // copied from the wrong place shows; then a row of many kilobytes, and rows
        // across the end of a chunk.
        let field = |n: usize| (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect::<String>();
        let fields: Vec<String> = (0..=70).map(field).collect();
        let mut rows: Vec<Vec<&str>> = fields.iter().map(|f| vec![f.as_str(), "x", f.as_str()]).collect();
        rows.push(fields.iter().map(String::as_str).collect());
        let long = field(50_000);
        rows.push(vec!["1", long.as_str(), ""]);
        let filler = field(CHUNK / 3);
        rows.extend(std::iter::repeat_n(vec![filler.as_str(), "end"], 4));
        assert_eq!(String::from_utf8(ours(&rows)).unwrap(), String::from_utf8(theirs(&rows)).unwrap());
    }

    /// Numbers come out as their decimal text, among text fields that need quotes or
    /// not, and as the only field of a row.
    #[test]
    fn numbers_are_written_as_their_digits() {
        let mut cells_out = Vec::new();
        {
            let mut w = RowWriter::new(&mut cells_out);
            w.write_cells([Cell::UInt(0), "a".into(), Cell::Int(-42), None.into(), Some(7).into()]).unwrap();
            w.write_cells([Cell::UInt(u64::MAX), "x,y".into(), Cell::Int(i64::MIN), "\"".into()]).unwrap();
            w.write_cells([Cell::Int(i64::MAX)]).unwrap();
            w.write_cells(["".into(), Cell::UInt(12_345_678_901)]).unwrap();
            w.finish().unwrap();
        }
        let (umax, imin, imax) = (u64::MAX.to_string(), i64::MIN.to_string(), i64::MAX.to_string());
        let rows: Vec<Vec<&str>> =
            vec![vec!["0", "a", "-42", "", "7"], vec![&umax, "x,y", &imin, "\""], vec![&imax], vec!["", "12345678901"]];
        assert_eq!(String::from_utf8(cells_out).unwrap(), String::from_utf8(theirs(&rows)).unwrap());
    }

    #[test]
    fn every_special_byte_is_found_at_every_position() {
        for len in 0..40 {
            let plain = vec![b'a'; len];
            assert!(!needs_quotes(&plain), "{len} plain bytes");
            for at in 0..len {
                for special in [b',', b'"', b'\n', b'\r'] {
                    let mut field = plain.clone();
                    field[at] = special;
                    assert!(needs_quotes(&field), "{special} at {at} of {len}");
                }
            }
        }
        // Every byte value alone, and next to each neighbour that borrows in the test.
        for b in 0..=255u8 {
            for next in [0u8, 1, 0x80, 0xff, b] {
                let field = [next, b, next, next, b'x', b'y', b'z', b'w', b, next];
                assert_eq!(needs_quotes(&field), field.iter().any(|&c| special(c)), "{b} beside {next}");
            }
        }
    }

    /// The byte test the word test must agree with.
    fn special(b: u8) -> bool {
        matches!(b, b',' | b'"' | b'\n' | b'\r')
    }

    #[test]
    fn large_outputs_are_written_whole_and_digested() {
        let row = vec!["123456", "Container", "default", "a-rather-long-pod-name/container", "Waiting", "Running"];
        let rows: Vec<Vec<&str>> = std::iter::repeat_n(row, 5000).collect();
        let bytes = ours(&rows);
        assert_eq!(bytes, theirs(&rows));
        let mut w = RowWriter::new(Vec::new());
        for r in &rows {
            w.write_record(r).unwrap();
        }
        use sha2::{Digest, Sha256};
        assert_eq!(w.finish().unwrap(), format!("{:x}", Sha256::digest(&bytes)));
    }
}
