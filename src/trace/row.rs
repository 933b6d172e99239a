//! The CSV row writer of the trace files.
//!
//! The trace is most of a large run's output (1.4 GB for the 30-day CronJob fleet), and
//! the `csv` crate's general writer (a quoting state machine per field, a second buffer)
//! was a third of that run's time. Trace rows are short fields of known shape, so they
//! are written here directly, with the `csv` crate's rules for `QuoteStyle::Necessary`:
//! a field is quoted when it holds a comma, a quote, `\r` or `\n`, and quotes inside are
//! doubled. A test checks the bytes against the `csv` crate's, which still reads them.

use super::csv::Hashing;
use std::io::{self, Write};

/// Bytes are handed to the file (and the digest) in chunks of this size.
const CHUNK: usize = 1 << 16;

pub struct RowWriter<W: Write> {
    out: Hashing<W>,
    buf: Vec<u8>,
}

impl<W: Write> RowWriter<W> {
    pub fn new(inner: W) -> Self {
        RowWriter { out: Hashing::new(inner), buf: Vec::with_capacity(CHUNK + 1024) }
    }

    /// Writes one row of fields.
    pub fn write_record<I, T>(&mut self, record: I) -> io::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        for (i, field) in record.into_iter().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            push_field(&mut self.buf, field.as_ref());
        }
        self.buf.push(b'\n');
        if self.buf.len() >= CHUNK { self.drain() } else { Ok(()) }
    }

    fn drain(&mut self) -> io::Result<()> {
        let result = self.out.write_all(&self.buf);
        self.buf.clear();
        result
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.drain()?;
        self.out.flush()
    }

    /// The file's writer and digest (the bytes still buffered here are not in it yet).
    pub fn get_ref(&self) -> &Hashing<W> {
        &self.out
    }
}

impl<W: Write> Drop for RowWriter<W> {
    fn drop(&mut self) {
        // As `csv::Writer` does; a sink that reports errors calls `flush` first.
        let _ = self.flush();
    }
}

/// Whether a byte makes its field need quotes.
#[inline(always)]
fn special(b: u8) -> bool {
    matches!(b, b',' | b'"' | b'\n' | b'\r')
}

/// Whether the field needs quotes: 16 bytes at a time without early exits, which the
/// compiler turns into vector compares.
#[inline]
fn needs_quotes(field: &[u8]) -> bool {
    let mut chunks = field.chunks_exact(16);
    for chunk in &mut chunks {
        if chunk.iter().fold(false, |acc, &b| acc | special(b)) {
            return true;
        }
    }
    chunks.remainder().iter().any(|&b| special(b))
}

#[inline]
fn push_field(buf: &mut Vec<u8>, field: &[u8]) {
    if !needs_quotes(field) {
        buf.extend_from_slice(field);
        return;
    }
    buf.push(b'"');
    for &b in field {
        if b == b'"' {
            buf.push(b'"');
        }
        buf.push(b);
    }
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
            w.flush().unwrap();
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
        ];
        assert_eq!(String::from_utf8(ours(&rows)).unwrap(), String::from_utf8(theirs(&rows)).unwrap());
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
        w.flush().unwrap();
        use sha2::{Digest, Sha256};
        assert_eq!(w.get_ref().hex_digest(), format!("{:x}", Sha256::digest(&bytes)));
    }
}
