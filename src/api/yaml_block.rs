//! Manifests in the block style that generators and most people write, read line by
//! line straight into JSON values.
//!
//! granit-parser, under [`super::yaml_values`], turns every token into a 112-byte event
//! through a token queue: on the Alibaba set that was half of all the instructions of
//! reading. The shape manifests nearly always have (block mappings and sequences
//! indented with spaces, a sequence's entries at its key's own indent, one-line flow
//! collections, quoted and plain one-line scalars, comments, `---` between documents) is
//! read here in one pass over the bytes, with literal and folded block scalars (`|`,
//! `>-`). Anything else ends the reading here at the document it is in, and
//! [`super::yaml_values`] reads from there on: a block scalar with an indentation
//! indicator or without content, a folded one with more indented lines; a plain scalar
//! over several lines; anchors, aliases, tags, complex keys and directives; a flow
//! collection over several lines or with an empty or trailing entry; a quoted scalar
//! over several lines or with a rare escape; a document that is empty, a bare scalar or
//! ended with `...`; every syntax error. A tab, a carriage return, a byte order mark or
//! a character outside YAML's printable set anywhere in the text sends all of it there.
//! Scalars resolve by [`super::yaml_values`]' rules, which leave the rest to serde-saphyr.

use super::yaml_values::{MAX_DEPTH, key, scalar};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// The longest key read here: YAML caps an implicit key at 1024 characters.
const MAX_KEY: usize = 1024;

/// What reading the next document gave.
pub(super) enum Next {
    /// A document, read.
    Document(Value),
    /// No document is left.
    End,
    /// The document that begins at this offset of the text is not read here (nor any
    /// after it).
    NotHere(usize),
}

/// The documents of a YAML stream, one at a time.
pub(super) struct Documents<'t> {
    text: &'t str,
    b: &'t [u8],
    /// Where reading stands: a line's start between nodes, or a character of the line
    /// that begins at `line` within one.
    pos: usize,
    line: usize,
    /// Every character of the text is one the reading here accepts.
    printable: bool,
}

/// The next line with content, from a line's start.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Peek {
    End,
    /// `---` or `...` at the start of a line.
    Marker,
    /// A line indented by this many spaces.
    Line(usize),
}

impl<'t> Documents<'t> {
    pub(super) fn new(text: &'t str) -> Self {
        Documents { text, b: text.as_bytes(), pos: 0, line: 0, printable: printable(text) }
    }

    pub(super) fn next(&mut self) -> Next {
        let start = self.pos;
        if !self.printable {
            return Next::NotHere(start);
        }
        match self.document() {
            Some(Some(value)) => Next::Document(value),
            Some(None) => Next::End,
            None => Next::NotHere(start),
        }
    }

    /// The next document, `Some(None)` at the end of the stream, `None` where the
    /// document is not read here.
    fn document(&mut self) -> Option<Option<Value>> {
        match self.peek() {
            Peek::End => return Some(None),
            Peek::Marker if self.b[self.pos] == b'-' => {
                self.pos += 3;
                self.end_of_line()?;
            }
            Peek::Marker => return None,
            Peek::Line(_) => {}
        }
        // The root: a block collection from the first column.
        if self.peek() != Peek::Line(0) {
            return None;
        }
        let root = self.collection(0, 0)?;
        // Ended by the stream's end or the next document's `---` (a `...` is left to the
        // parser).
        match self.peek() {
            Peek::End => Some(Some(root)),
            Peek::Marker if self.b[self.pos] == b'-' => Some(Some(root)),
            _ => None,
        }
    }

    /// Skips blank and comment lines from a line's start; stops at the next line with
    /// content (its start), a document marker, or the end.
    fn peek(&mut self) -> Peek {
        loop {
            let start = self.pos;
            let indent = self.b[start..].iter().take_while(|&&c| c == b' ').count();
            let first = start + indent;
            match self.b.get(first) {
                None => {
                    self.pos = self.b.len();
                    return Peek::End;
                }
                Some(b'\n') => self.pos = first + 1,
                Some(b'#') => {
                    self.pos = first;
                    self.next_line();
                }
                Some(&c) => {
                    self.line = start;
                    let marker = indent == 0
                        && (c == b'-' || c == b'.')
                        && self.b[start..].starts_with(if c == b'-' { b"---" } else { b"..." })
                        && matches!(self.b.get(start + 3), None | Some(b' ' | b'\n'));
                    return if marker { Peek::Marker } else { Peek::Line(indent) };
                }
            }
        }
    }

    /// Moves to the start of the next line.
    fn next_line(&mut self) {
        self.pos = match self.b[self.pos..].iter().position(|&c| c == b'\n') {
            Some(n) => self.pos + n + 1,
            None => self.b.len(),
        };
    }

    /// Whether `at` is a space or ends the line.
    fn blank(&self, at: usize) -> bool {
        matches!(self.b.get(at), None | Some(b' ' | b'\n'))
    }

    fn skip_spaces(&mut self) {
        while self.b.get(self.pos) == Some(&b' ') {
            self.pos += 1;
        }
    }

    /// After a node on its line: spaces and a comment, then the next line's start.
    fn end_of_line(&mut self) -> Option<()> {
        let before = self.pos;
        self.skip_spaces();
        match self.b.get(self.pos) {
            None | Some(b'\n') => {}
            Some(b'#') if self.pos > before => {}
            Some(_) => return None,
        }
        self.next_line();
        Some(())
    }

    /// The block collection whose first entry begins at `pos`, in column `col`.
    fn collection(&mut self, col: usize, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        if self.b[self.pos] == b'-' && self.blank(self.pos + 1) {
            self.sequence(col, depth)
        } else {
            self.mapping(col, depth)
        }
    }

    /// A block mapping whose keys stand in column `col`, the first at `pos`.
    fn mapping(&mut self, col: usize, depth: usize) -> Option<Value> {
        let mut map = Map::new();
        loop {
            let name = self.key()?;
            let value = self.entry_value(col, true, depth)?;
            if map.insert(name, value).is_some() {
                return None;
            }
            match self.peek() {
                Peek::Line(indent) if indent == col => self.pos += indent,
                Peek::Line(indent) if indent > col => return None,
                _ => return Some(Value::Object(map)),
            }
        }
    }

    /// A block sequence whose dashes stand in column `col`, the first at `pos`.
    fn sequence(&mut self, col: usize, depth: usize) -> Option<Value> {
        let mut items = Vec::new();
        loop {
            self.pos += 1;
            let item = if self.b[self.pos..].starts_with(b" -") && self.blank(self.pos + 2) {
                // A sequence opened on a dash's line (`- - a`).
                return None;
            } else if self.key_follows() {
                self.skip_spaces();
                let inner = self.pos - self.line;
                self.mapping(inner, depth + 1)?
            } else {
                self.entry_value(col, false, depth)?
            };
            items.push(item);
            match self.peek() {
                Peek::Line(indent) if indent == col && self.dash_at(self.pos + indent) => self.pos += indent,
                Peek::Line(indent) if indent > col => return None,
                _ => return Some(Value::Array(items)),
            }
        }
    }

    fn dash_at(&self, at: usize) -> bool {
        self.b[at] == b'-' && self.blank(at + 1)
    }

    /// Whether what follows a dash, after spaces, is a mapping's first key.
    fn key_follows(&self) -> bool {
        let at = self.pos + self.b[self.pos..].iter().take_while(|&&c| c == b' ').count();
        if at == self.pos || self.blank(at) {
            return false;
        }
        match self.b[at] {
            b'\'' | b'"' => quoted_end(self.b, at).is_some_and(|end| self.colon_at(end)),
            // A flow collection (`- {name: A, value: "1"}`) is the entry's value.
            b'{' | b'[' => false,
            _ => matches!(self.plain_block(at), (_, Stop::Colon)),
        }
    }

    /// Whether a key's `:` indicator stands at `at`.
    fn colon_at(&self, at: usize) -> bool {
        self.b.get(at) == Some(&b':') && self.blank(at + 1)
    }

    /// The key at `pos` and its `:`; `pos` ends after the `:`.
    fn key(&mut self) -> Option<String> {
        let at = self.pos;
        let (text, plain, end) = match self.b[at] {
            b'\'' | b'"' => {
                let (text, end) = self.quoted(at)?;
                (text, false, end)
            }
            c if starts_plain(c, self.b.get(at + 1)) => match self.plain_block(at) {
                (end, Stop::Colon) => (Cow::Borrowed(&self.text[at..end]), true, end),
                _ => return None,
            },
            _ => return None,
        };
        if !self.colon_at(end) || end - at > MAX_KEY {
            return None;
        }
        self.pos = end + 1;
        key(text, plain)
    }

    /// The value of a mapping entry (after its `:`) or of a sequence entry (after its
    /// dash) whose key or dash stands in column `col`; `pos` ends at a line's start.
    fn entry_value(&mut self, col: usize, in_mapping: bool, depth: usize) -> Option<Value> {
        let before = self.pos;
        self.skip_spaces();
        let spaced = self.pos > before;
        match self.b.get(self.pos) {
            None | Some(b'\n') => {}
            Some(b'#') if spaced => {}
            Some(_) if !spaced => return None,
            Some(b'|' | b'>') => {
                let value = self.block_scalar(col)?;
                return match self.peek() {
                    Peek::Line(indent) if indent > col => None,
                    _ => Some(value),
                };
            }
            Some(_) => {
                let value = self.inline_value(depth)?;
                self.end_of_line()?;
                // A more indented line would continue the scalar or be an error.
                return match self.peek() {
                    Peek::Line(indent) if indent > col => None,
                    _ => Some(value),
                };
            }
        }
        self.next_line();
        // The value on the lines below: more indented, or a mapping's sequence at its
        // key's indent; otherwise null.
        match self.peek() {
            Peek::Line(indent) if indent > col => {
                self.pos += indent;
                self.collection(indent, depth + 1)
            }
            Peek::Line(indent) if indent == col && in_mapping && self.dash_at(self.pos + indent) => {
                self.pos += indent;
                self.collection(indent, depth + 1)
            }
            _ => Some(Value::Null),
        }
    }

    /// A literal (`|`) or folded (`>`) block scalar whose header is at `pos`, the value of
    /// an entry whose key or dash stands in column `col` (YAML 1.2, 8.1); `pos` ends at
    /// the start of the first line after it. Left to the parser: an indentation
    /// indicator, a blank line with more spaces than the content's indent, a folded
    /// scalar with a more indented line, and a scalar with no content line or whose
    /// last line has no line break.
    fn block_scalar(&mut self, col: usize) -> Option<Value> {
        let folded = self.b[self.pos] == b'>';
        self.pos += 1;
        let chomping = match self.b.get(self.pos) {
            Some(b'-') => Chomping::Strip,
            Some(b'+') => Chomping::Keep,
            _ => Chomping::Clip,
        };
        if chomping != Chomping::Clip {
            self.pos += 1;
        }
        if self.b.get(self.pos).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        self.end_of_line()?;
        // The content's indent, set by its first line with text; blank lines before
        // it must not have more spaces.
        let mut indent: Option<usize> = None;
        let mut widest_blank = 0;
        // Lines of text, each after the blank lines before it; the blank lines after
        // the last.
        let mut lines: Vec<(usize, &str)> = Vec::new();
        let mut blanks = 0;
        while self.pos < self.b.len() {
            let start = self.pos;
            let spaces = self.b[start..].iter().take_while(|&&c| c == b' ').count();
            // A last line without its line break is left to the parser.
            let eol = self.b[start + spaces..].iter().position(|&c| c == b'\n').map(|n| start + spaces + n)?;
            if eol == start + spaces {
                if indent.is_some_and(|n| spaces > n) {
                    return None;
                }
                widest_blank = widest_blank.max(spaces);
                blanks += 1;
                self.pos = eol + 1;
                continue;
            }
            let n = *indent.get_or_insert(spaces);
            if spaces < n || n <= col {
                if lines.is_empty() {
                    return None;
                }
                // The first line after the scalar: the blank lines before it were its.
                break;
            }
            if widest_blank > n || (folded && spaces > n) {
                return None;
            }
            lines.push((blanks, &self.text[start + n..eol]));
            blanks = 0;
            self.pos = eol + 1;
        }
        // `pos` may have passed blank lines at the end of the text or before the next
        // line; they are the scalar's trailing lines either way.
        if lines.is_empty() {
            return None;
        }
        let mut text = String::new();
        for (i, (before, line)) in lines.iter().enumerate() {
            match (folded, i) {
                (_, 0) => text.extend(std::iter::repeat_n('\n', *before)),
                (false, _) => text.extend(std::iter::repeat_n('\n', before + 1)),
                // Folding: a line break between two lines is a space, unless blank
                // lines stand between them, which are kept as line breaks.
                (true, _) if *before == 0 => text.push(' '),
                (true, _) => text.extend(std::iter::repeat_n('\n', *before)),
            }
            text.push_str(line);
        }
        match chomping {
            Chomping::Strip => {}
            Chomping::Clip => text.push('\n'),
            Chomping::Keep => text.extend(std::iter::repeat_n('\n', blanks + 1)),
        }
        Some(Value::String(text))
    }

    /// The single- or double-quoted scalar whose opening quote is at `at`, ending on its
    /// line: its value and the offset after its closing quote.
    fn quoted(&self, at: usize) -> Option<(Cow<'t, str>, usize)> {
        let end = quoted_end(self.b, at)?;
        let inner = &self.text[at + 1..end - 1];
        let value = if self.b[at] == b'\'' { single_quoted(inner) } else { double_quoted(inner)? };
        Some((value, end))
    }

    /// A scalar or a one-line flow collection at `pos`, which is not blank.
    fn inline_value(&mut self, depth: usize) -> Option<Value> {
        let at = self.pos;
        match self.b[at] {
            b'[' | b'{' => self.flow(depth + 1),
            b'\'' | b'"' => {
                let (text, end) = self.quoted(at)?;
                self.pos = end;
                scalar(text, false)
            }
            c if starts_plain(c, self.b.get(at + 1)) => match self.plain_block(at) {
                (end, Stop::Line) => {
                    self.pos = end;
                    scalar(Cow::Borrowed(&self.text[at..end]), true)
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// A plain scalar of block context from `at`: where its text ends (trailing spaces
    /// left out) and what ends it.
    fn plain_block(&self, at: usize) -> (usize, Stop) {
        let mut i = at;
        let mut end = at;
        loop {
            match self.b.get(i) {
                None | Some(b'\n') => return (end, Stop::Line),
                Some(b' ') => {
                    if self.b.get(i + 1) == Some(&b'#') {
                        return (end, Stop::Line);
                    }
                }
                Some(b':') if self.blank(i + 1) => return (end, if end == i { Stop::Colon } else { Stop::Spaced }),
                Some(_) => end = i + 1,
            }
            i += 1;
        }
    }

    /// A flow collection at `pos` that closes on its line; `pos` ends after it.
    fn flow(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        let is_map = self.b[self.pos] == b'{';
        let close = if is_map { b'}' } else { b']' };
        self.pos += 1;
        self.skip_spaces();
        let (mut map, mut items) = (Map::new(), Vec::new());
        if self.b.get(self.pos) != Some(&close) {
            loop {
                if is_map {
                    let Value::String(name) = self.flow_scalar(true)? else { return None };
                    if self.b.get(self.pos) != Some(&b':') || self.b.get(self.pos + 1) != Some(&b' ') {
                        return None;
                    }
                    self.pos += 1;
                    self.skip_spaces();
                    let value = self.flow_value(depth)?;
                    if map.insert(name, value).is_some() {
                        return None;
                    }
                } else {
                    items.push(self.flow_value(depth)?);
                    if self.b.get(self.pos) == Some(&b':') {
                        return None;
                    }
                }
                self.skip_spaces();
                match self.b.get(self.pos) {
                    Some(b',') => {
                        self.pos += 1;
                        self.skip_spaces();
                        if matches!(self.b.get(self.pos), Some(b',' | b']' | b'}')) {
                            return None;
                        }
                    }
                    Some(&c) if c == close => break,
                    _ => return None,
                }
            }
        }
        self.pos += 1;
        Some(if is_map { Value::Object(map) } else { Value::Array(items) })
    }

    /// A flow entry's value at `pos`; spaces after it are skipped.
    fn flow_value(&mut self, depth: usize) -> Option<Value> {
        let value = match self.b.get(self.pos) {
            Some(b'[' | b'{') => self.flow(depth + 1)?,
            _ => self.flow_scalar(false)?,
        };
        self.skip_spaces();
        Some(value)
    }

    /// A scalar in a flow collection at `pos`, as a key or as a value; `pos` ends after
    /// its text.
    fn flow_scalar(&mut self, as_key: bool) -> Option<Value> {
        let at = self.pos;
        let (text, plain) = match *self.b.get(at)? {
            b'\'' | b'"' => {
                let (text, end) = self.quoted(at)?;
                self.pos = end;
                (text, false)
            }
            c if starts_plain(c, self.b.get(at + 1)) => {
                let end = self.plain_flow(at)?;
                self.pos = end;
                (Cow::Borrowed(&self.text[at..end]), true)
            }
            _ => return None,
        };
        match as_key {
            true => key(text, plain).map(Value::String),
            false => scalar(text, plain),
        }
    }

    /// A plain scalar of flow context from `at`: where its text ends (trailing spaces
    /// left out); `None` where a comment or the line's end comes first, or a `:` is
    /// followed by a flow indicator.
    fn plain_flow(&self, at: usize) -> Option<usize> {
        let mut end = at;
        let mut i = at;
        loop {
            match *self.b.get(i)? {
                b'\n' => return None,
                b',' | b'[' | b']' | b'{' | b'}' => return Some(end),
                b' ' if self.b.get(i + 1) == Some(&b'#') => return None,
                b' ' => {}
                b':' => match self.b.get(i + 1) {
                    Some(b' ') => return Some(end),
                    None | Some(b'\n' | b',' | b'[' | b']' | b'{' | b'}') => return None,
                    Some(_) => end = i + 1,
                },
                _ => end = i + 1,
            }
            i += 1;
        }
    }
}

/// What a block scalar keeps of its final line breaks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Chomping {
    Strip,
    Clip,
    Keep,
}

/// What ends a plain scalar of block context.
enum Stop {
    /// The line's end or a comment.
    Line,
    /// A `:` and a blank right after the text (a key).
    Colon,
    /// A `:` and a blank after spaces.
    Spaced,
}

/// Whether a plain scalar may begin with `c` (followed by `next`): not with an
/// indicator, except a dash followed by a character that is not blank (`-5`). `?` and
/// `:`, which YAML also lets begin one that way, are left to the parser.
fn starts_plain(c: u8, next: Option<&u8>) -> bool {
    match c {
        b'-' => !matches!(next, None | Some(b' ' | b'\n')),
        b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\'' | b'"'
        | b'%' | b'@' | b'`' | b' ' | b'\n' => false,
        _ => true,
    }
}

/// The offset after the closing quote of the quoted scalar at `at` (either style),
/// which ends on its line.
fn quoted_end(b: &[u8], at: usize) -> Option<usize> {
    match b[at] {
        b'\'' => single_quoted_end(b, at),
        _ => double_quoted_end(b, at),
    }
}

/// The offset after the closing quote of the single-quoted scalar at `at`, which ends
/// on its line.
fn single_quoted_end(b: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 1;
    loop {
        match *b.get(i)? {
            b'\n' => return None,
            b'\'' if b.get(i + 1) == Some(&b'\'') => i += 2,
            b'\'' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// A single-quoted scalar's value from the text between its quotes.
fn single_quoted(inner: &str) -> Cow<'_, str> {
    match inner.contains('\'') {
        true => Cow::Owned(inner.replace("''", "'")),
        false => Cow::Borrowed(inner),
    }
}

/// The offset after the closing quote of the double-quoted scalar at `at`, which ends
/// on its line.
fn double_quoted_end(b: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 1;
    loop {
        match *b.get(i)? {
            b'\n' => return None,
            b'\\' if b.get(i + 1) == Some(&b'\n') => return None,
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// A double-quoted scalar's value from the text between its quotes: the escapes
/// manifests use (YAML 1.2, 5.7); others are left to the parser.
fn double_quoted(inner: &str) -> Option<Cow<'_, str>> {
    if !inner.contains('\\') {
        return Some(Cow::Borrowed(inner));
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let escaped = match chars.next()? {
            '\\' => '\\',
            '"' => '"',
            '/' => '/',
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            '0' => '\0',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'u' => {
                let hex: String = chars.by_ref().take(4).collect();
                if hex.len() != 4 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
            }
            _ => return None,
        };
        out.push(escaped);
    }
    Some(Cow::Owned(out))
}

/// Whether every character is one the reading here takes: printable ASCII and line
/// feeds, and beyond ASCII YAML's printable characters other than line and paragraph
/// separators, NEL and the byte order mark.
fn printable(text: &str) -> bool {
    let ascii = |b: u8| (b' '..=b'~').contains(&b) || b == b'\n';
    // Blocks of 64 bytes tested without a branch per byte, which the compiler makes
    // into vector instructions (a test that stops at the first miss is not).
    if text.as_bytes().chunks(64).all(|block| block.iter().fold(true, |all, &b| all & ascii(b))) {
        return true;
    }
    text.chars().all(|c| match c as u32 {
        0..=0x7F => ascii(c as u8),
        0xA0..=0xD7FF => c != '\u{2028}' && c != '\u{2029}',
        0xE000..=0xFFFD => c != '\u{FEFF}',
        0x10000.. => true,
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::super::yaml_values::tests::{draws, saphyr};
    use super::*;

    /// Every document of `text` read here, or `None` if one is left to the parser.
    fn block(text: &str) -> Option<Vec<Value>> {
        let mut documents = Documents::new(text);
        let mut out = Vec::new();
        loop {
            match documents.next() {
                Next::Document(value) => out.push(value),
                Next::End => return Some(out),
                Next::NotHere(_) => return None,
            }
        }
    }

    /// Read here, and as serde-saphyr reads it.
    fn read_here(text: &str) {
        let values = block(text).unwrap_or_else(|| panic!("{text:?} left to the parser"));
        assert_eq!(Ok(values), saphyr(text), "{text:?}");
    }

    /// Left to the parser from the document that begins at `from`.
    fn left_from(text: &str, from: usize) {
        let mut documents = Documents::new(text);
        loop {
            match documents.next() {
                Next::Document(_) => {}
                Next::End => panic!("{text:?} read here"),
                Next::NotHere(at) => return assert_eq!(at, from, "{text:?}"),
            }
        }
    }

    #[test]
    fn the_block_style_of_manifests_is_read_here() {
        for text in [
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels: {app: web, tier: \"1\"}\n",
            // A sequence at its key's indent, and one indented further.
            "spec:\n  containers:\n  - name: c\n    image: nginx:1.25\n  volumes:\n    - name: v\n      emptyDir: {}\n",
            // Comments, blank lines, trailing spaces, a dash alone on its line.
            "# head\na: 1   \n\n  # inside\nb:   # after a key\n  - x # after a value\n  -\n    c: d\n  - 'it''s'\n#tail\n",
            // Nulls, empty flows, quoted keys and escapes.
            "a:\nb: ~\nc: []\nd: {}\n'e f': \"\\u00e9\\t\\\"q\\\"\"\n\"g\": [1, -2, 'x', \"y\", [z], {k: v}]\n",
            // Documents, with and without their markers.
            "a: 1\n---\nb: 2\n--- \n- c\n--- # c\nd: 3\n",
            "---\na: 1\n---\n# only a comment before\nb: [x:y, 'p: q']\n",
            // Block scalars: literal and folded, each chomping, blank lines within and
            // after, a comment after the header and after the scalar.
            "a: |\n  one\n   two\n\n  three\n\nb: >\n  one\n  two\n\n\n  three\nc: x\n",
            "a: |-\n  x\n\nb: |+\n  x\n\n\nc: >-\n  x\n  y\nd: >+ # c\n  x\n\n# after\ne: 1\n",
            "- |\n\n  x\n  # not a comment\n- >\n   a\n   b\n- k: |\n    x\n  m: 1\n",
            // Flow collections as a sequence's entries.
            "env:\n- {name: A, value: \"1\"}\n- [p, {q: r}]\n",
            // Plain scalars with the characters that may stand inside one.
            "url: http://a.b/c?d=e#f\nsel: a=b,c!=d\nexpr: x [1] {2}\nhash: a#b\ndash: -x\ncolon: a:b\n",
        ] {
            read_here(text);
        }
    }

    #[test]
    fn the_rest_is_left_to_the_parser_from_its_document() {
        let first = "a: 1\n---\n";
        for rest in [
            "k: |2\n  text\n",
            "k: >\n  a\n    b\n",
            "k: |\n  text",
            "k: |\n",
            "k: |\n  a\n\n   \n  b\n",
            "k: |x\n  a\n",
            "k: multi\n  line\n",
            "k: &a 1\nl: *a\n",
            "k: !!str 1\n",
            "? k\n: v\n",
            "k: [1,\n  2]\n",
            "k: [1, , 2]\n",
            "k: [1, 2, ]\n",
            "k: 'multi\n  line'\n",
            "k: \"\\x41\"\n",
            "k: v\n...\n",
            "- - a\n",
            "scalar\n",
            "  k: indented root\n",
            "k: a: b\n",
            "k : v\n",
            "k: v\n  w: x\n",
            "k:\n    a: 1\n  b: 2\n",
            "k: {a}\n",
            "k: [a: b]\n",
            "k: {a:}\n",
            "k: \"a\"b\n",
            "k: [a]b\n",
            "k: v\n- x\n",
            "k:\n- a\n b: c\n",
        ] {
            left_from(rest, 0);
            // The second document begins with its marker.
            left_from(&format!("{first}{rest}"), "a: 1\n".len());
        }
        // A character not read here sends the whole text to the parser.
        left_from("a: 1\r\n", 0);
        left_from("a: 1\n---\nk:\n\tv: 1\n", 0);
        left_from("a: 1\n---\nk: \u{feff}\n", 0);
        left_from("---\n---\n", 0);
        left_from("a: 1\n---\n", 5);
    }

    /// The Alibaba manifests, the benchmark of reading, are read here whole.
    #[test]
    fn the_alibaba_manifests_are_read_here() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data/alibaba-gpu-2023");
        for name in ["nodes-100.yaml", "pods-100.yaml"] {
            read_here(&std::fs::read_to_string(dir.join(name)).unwrap());
        }
    }

    /// Random block documents: where they are read here, they read as serde-saphyr
    /// reads them (a fifth or more are read here: one tricky draw sends a text away).
    #[test]
    fn random_block_documents_read_as_serde_saphyr_reads_them() {
        // What manifests hold, and (one draw in eight) what is left to the parser or
        // is a near miss of what is read here.
        const COMMON: &[&str] = &[
            "web",
            "a b",
            "12000m",
            "1Gi",
            "0",
            "7",
            "-3",
            "true",
            "False",
            "~",
            "null",
            "nUll",
            "none",
            "'1'",
            "'yes'",
            "'it''s'",
            "\"a\\tb\"",
            "\"\\u00e9\"",
            "\"\"",
            "''",
            "x-y_z.w",
            "é",
            "-a",
            "a#b",
            "a #b",
            "100%",
            "a:b",
            "http://x:80/",
            "[a, b]",
            "{a: 1}",
            "[]",
            "{}",
            "a,b",
            "[a,b ]",
            "{ a: [ 1 , 2 ] }",
            "'a' #c",
            "[x:y, 'p: q', \"r\"]",
            "{'k': \"v\", n: [1, {m: ~}]}",
        ];
        const TRICKY: &[&str] = &[
            "+1",
            "012",
            "1.5",
            "1e3",
            "0x1f",
            "y",
            "NO",
            ".inf",
            "info",
            "-",
            "<<",
            "@",
            "`",
            "a: b",
            "[a: b]",
            "{a}",
            "|",
            ">",
            "&x",
            "*x",
            "!t",
            "? a",
            "#c",
            "\"a\" b",
            "k: v",
            "[a,]",
            "{a: }",
            "\"\\x41\"",
            "'a",
        ];
        let mut next = draws(0x2545_f491_4f6c_dd1d);
        let (mut here, mut total, mut with_block_scalars) = (0, 0, 0);
        for _ in 0..8000 {
            let mut text = String::new();
            for doc in 0..1 + next(3) {
                if doc > 0 || next(4) == 0 {
                    text.push_str(["---\n", "--- \n", "---\n# c\n"][next(3)]);
                }
                node(&mut text, 0, 0, &mut next, &[COMMON, TRICKY]);
            }
            total += 1;
            if let Some(values) = block(&text) {
                here += 1;
                with_block_scalars += usize::from(text.contains(" |") || text.contains(" >"));
                assert_eq!(Ok(values), saphyr(&text), "{text:?}");
            }
        }
        assert!(here * 5 > total, "only {here} of {total} read here");
        assert!(with_block_scalars > 200, "{with_block_scalars} read here with block scalars");
    }

    /// A block collection at `indent`, with keys, dashes, scalars, flows, comments and
    /// blank lines drawn at random.
    fn node(
        out: &mut String,
        indent: usize,
        depth: usize,
        next: &mut impl FnMut(usize) -> usize,
        pools: &[&[&str]; 2],
    ) {
        let draw = |next: &mut dyn FnMut(usize) -> usize| {
            let pool = pools[usize::from(next(8) == 0)];
            pool[next(pool.len())]
        };
        let pad = " ".repeat(indent);
        let as_seq = next(3) == 0;
        for _ in 0..1 + next(3) {
            match next(12) {
                0 => out.push('\n'),
                1 => out.push_str(&format!("{}# note\n", " ".repeat(next(6)))),
                _ => {}
            }
            let head = match as_seq {
                true => format!("{pad}-{}", [" ", "  ", " "][next(3)]),
                false => format!(
                    "{pad}{}:{}",
                    ["a", "b-c", "'q k'", "\"d\"", "e.f/g", "'1'", "x y", "1"][next(8)],
                    [" ", "  "][next(2)]
                ),
            };
            out.push_str(head.trim_end());
            match (next(5), depth < 3) {
                (0, true) => {
                    // Below, further in; a mapping's sequence may stand at its indent.
                    out.push('\n');
                    let inner = match as_seq || next(2) == 0 {
                        true => indent + 1 + next(3),
                        false => indent,
                    };
                    node(out, inner, depth + 1, next, pools);
                }
                (1, true) if as_seq => {
                    // A mapping opened on the dash's line.
                    out.push_str(&format!(" k: {}\n", draw(next)));
                    let inner = head.len();
                    out.push_str(&format!("{}m: {}\n", " ".repeat(inner), draw(next)));
                }
                (2, _) if next(3) == 0 => {
                    // A block scalar, its lines at the entry's indent plus one to three.
                    out.push_str([" |", " >", " |-", " >+", " |+", " >-", " | # c"][next(7)]);
                    out.push('\n');
                    let inner = " ".repeat(indent + 1 + next(3));
                    for _ in 0..1 + next(4) {
                        match next(6) {
                            0 => out.push('\n'),
                            1 => out.push_str(&format!("{inner} more\n")),
                            _ => out.push_str(&format!(
                                "{inner}{}\n",
                                ["text", "a: b", "# c", "- x", "'q'", "x  y "][next(6)]
                            )),
                        }
                    }
                }
                _ => {
                    out.push(' ');
                    out.push_str(draw(next));
                    out.push_str(["", " # c", "  "][next(3)]);
                    out.push('\n');
                }
            }
        }
    }
}
