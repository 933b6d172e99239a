//! Manifests' YAML read straight from the parser's events into JSON values.
//!
//! serde-saphyr reads a document through serde's generic machinery: every mapping gets a
//! set of key fingerprints for duplicate detection, every scalar a redaction scope and a
//! budget check, and serde_json's visitor drives it all (perf on `podsim validate` of the
//! Alibaba set: two thirds of reading was that layer, a third the parser underneath). The
//! shape nearly every manifest has (block and flow collections, quoted strings, plain
//! words, decimal integers, `true`/`false` and nulls) is built here from the events of
//! granit-parser, the parser serde-saphyr runs on, with the same limits, into the very
//! values serde-saphyr makes of it. Anything else returns `None` and the caller reads the
//! text with serde-saphyr, which stays the reference for every rule and error message:
//! anchors, aliases, tags, merge keys, a duplicate key, a plain scalar that YAML might
//! read as a float, an octal, a hexadecimal or a YAML 1.1 boolean (`yes`, `off`), nesting
//! near serde-saphyr's depth budget, a directive, an empty document, a syntax error.

use super::yaml_block::Next;
use granit_parser::{Event, Parser, ScalarStyle};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::sync::OnceLock;

/// Deeper than this is left to serde-saphyr, whose budget refuses nesting beyond 64.
pub(super) const MAX_DEPTH: usize = 48;

/// The documents of `text` as serde-saphyr's `from_multiple` makes them into
/// `serde_json::Value`s, or `None` where that is left to serde-saphyr (module docs).
pub fn read_documents(text: &str) -> Option<Vec<Value>> {
    let mut docs = Vec::new();
    let whole = for_each_document(text, |doc| {
        docs.push(doc);
        true
    });
    (whole && !docs.is_empty()).then_some(docs)
}

/// Hands each document of `text` to `take` as soon as it is read: those of the block
/// style by [`super::yaml_block`], the rest, from the first document it leaves, with one
/// parser for the whole stream (setting one up per document was a tenth of reading: its
/// token queue is allocated anew each time). Returns whether every document was read
/// here and taken; on `false` the caller reads the text again with serde-saphyr.
pub fn for_each_document(text: &str, mut take: impl FnMut(Value) -> bool) -> bool {
    let mut block = super::yaml_block::Documents::new(text);
    loop {
        match block.next() {
            Next::Document(value) => {
                if !take(value) {
                    return false;
                }
            }
            Next::End => return true,
            Next::NotHere(from) => return parse_each_document(&text[from..], take),
        }
    }
}

/// [`for_each_document`] with granit-parser's events.
fn parse_each_document(text: &str, mut take: impl FnMut(Value) -> bool) -> bool {
    let mut reader = Reader { parser: Parser::new_from_str_with_options(text, parser_options().clone()) };
    loop {
        match reader.next() {
            Some(Event::StreamStart) => {}
            Some(Event::StreamEnd) => return true,
            Some(Event::DocumentStart(_, None)) => {
                let Some(root) = reader.next().and_then(|first| reader.node(first, 0)) else { return false };
                // serde-saphyr skips null documents; an empty one is left to it.
                if root.is_null() || !matches!(reader.next(), Some(Event::DocumentEnd)) || !take(root) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// The parser options serde-saphyr derives from the manifests' budget
/// (`object::yaml_options`), so that both parsers see the same events.
fn parser_options() -> &'static granit_parser::Options {
    static OPTIONS: OnceLock<granit_parser::Options> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let options = super::object::yaml_options();
        let budget = options.budget.clone().unwrap_or_default();
        granit_parser::options! {
            simple_key_max_lookahead: budget.simple_key_max_lookahead,
            flow_nesting_limit: budget.flow_nesting_limit,
            block_nesting_limit: granit_parser::Options::default()
                .block_nesting_limit
                .max(budget.max_depth.saturating_add(1)),
            strict_indentation: options.strict_indentation,
            bom_inside_document_as_content: options.bom_inside_document_as_content,
            // As serde-saphyr without its `comments` feature (another crate may turn on
            // the parser's).
            emit_comments: false,
        }
    })
}

struct Reader<'t> {
    parser: Parser<'t, granit_parser::StrInput<'t>>,
}

impl<'t> Reader<'t> {
    /// The next event; `None` at the end or on a syntax error (left to serde-saphyr).
    fn next(&mut self) -> Option<Event<'t>> {
        self.parser.next_event()?.ok().map(|(event, _)| event)
    }

    /// The node that `event` opens.
    fn node(&mut self, event: Event<'t>, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        match event {
            Event::Scalar(text, style, 0, None) => Some(scalar(text, style == ScalarStyle::Plain)?),
            Event::SequenceStart(_, 0, None) => {
                let mut items = Vec::new();
                loop {
                    match self.next()? {
                        Event::SequenceEnd => return Some(Value::Array(items)),
                        event => items.push(self.node(event, depth + 1)?),
                    }
                }
            }
            Event::MappingStart(_, 0, None) => {
                let mut map = Map::new();
                loop {
                    let key = match self.next()? {
                        Event::MappingEnd => return Some(Value::Object(map)),
                        Event::Scalar(text, style, 0, None) => key(text, style == ScalarStyle::Plain)?,
                        _ => return None,
                    };
                    let event = self.next()?;
                    let value = self.node(event, depth + 1)?;
                    if map.insert(key, value).is_some() {
                        return None;
                    }
                }
            }
            _ => None,
        }
    }
}

/// A mapping key as serde_json reads it (a string); a key that is not plainly a string,
/// and the merge key `<<`, are left to serde-saphyr.
pub(super) fn key(text: Cow<'_, str>, plain: bool) -> Option<String> {
    match scalar(text, plain)? {
        Value::String(key) if key != "<<" => Some(key),
        _ => None,
    }
}

/// A scalar as serde-saphyr resolves it for an untyped value: quoted and block scalars
/// are strings; a plain one is null, a boolean, an integer or a string.
pub(super) fn scalar(text: Cow<'_, str>, plain: bool) -> Option<Value> {
    if !plain {
        return Some(Value::String(text.into_owned()));
    }
    match &*text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    if let Some(n) = decimal(&text).or_else(|| fraction(&text)) {
        return Some(Value::Number(n));
    }
    if might_not_be_a_string(&text) {
        return None;
    }
    Some(Value::String(text.into_owned()))
}

/// A decimal integer without sign or leading zero (or with a minus), short enough for
/// 64 bits: what serde-saphyr's integer parse gives as `u64` or `i64`.
fn decimal(text: &str) -> Option<Number> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let plain = !digits.is_empty() && digits.len() <= 18 && digits.bytes().all(|b| b.is_ascii_digit());
    if !plain || (digits.len() > 1 && digits.starts_with('0')) || (negative && digits == "0") {
        return None;
    }
    let value: u64 = digits.parse().ok()?;
    Some(if negative { Number::from(-(value as i64)) } else { Number::from(value) })
}

/// A decimal fraction such as `0.5` or `-2.25` (digits, a point, digits; no sign but a
/// minus, no leading zero but the units', fifteen digits at most, so that the nearest
/// double is what any correct parse gives): the float serde-saphyr makes of it. A
/// request written `cpu: 0.5` is common; the rest of float syntax is left to it.
fn fraction(text: &str) -> Option<Number> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (units, part) = digits.split_once('.')?;
    let plain = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
    if !plain(units) || !plain(part) || (units.len() > 1 && units.starts_with('0')) || units.len() + part.len() > 15 {
        return None;
    }
    // A negative zero is left to serde-saphyr: `==` on values cannot tell it from zero.
    let value: f64 = text.parse().ok()?;
    if value == 0.0 && text.starts_with('-') {
        return None;
    }
    Number::from_f64(value)
}

/// Whether a plain scalar might be something other than a string under serde-saphyr's
/// rules: a YAML 1.1 boolean in any case, or a text made only of the characters that
/// numbers are written with (digits, signs, points, underscores, colons, radix and
/// exponent letters, hexadecimal digits, and the letters of `inf`, `infinity`, `nan`)
/// that begins as a number does and holds a digit, `inf` or `nan`. A word such as `info` is left to serde-saphyr
/// though it is a string: being cautious costs only speed.
fn might_not_be_a_string(text: &str) -> bool {
    const BOOLEANS: [&str; 8] = ["y", "yes", "n", "no", "on", "off", "true", "false"];
    if text.len() <= 5 && BOOLEANS.iter().any(|b| text.eq_ignore_ascii_case(b)) {
        return true;
    }
    // A number begins, after its sign, with a digit, a point (`.5`, `.inf`), or `inf` or
    // `nan` as Rust's float parse spells them; an underscore is let in for caution.
    // Tested first: most words fail it at their first character (the per-character
    // test below, a set lookup, was a twelfth of reading the Alibaba set).
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let begins = unsigned.bytes().next().is_some_and(|b| b.is_ascii_digit() || b"._+-iInN".contains(&b));
    if !begins {
        return false;
    }
    let numeric = text.bytes().all(|b| {
        b.is_ascii_hexdigit()
            || matches!(b, b'+' | b'-' | b'.' | b'_' | b':' | b' ' | b'\t' | b'\n' | b'\r')
            || matches!(b.to_ascii_lowercase(), b'i' | b'n' | b'o' | b't' | b'x' | b'y')
    });
    let lower = || text.to_ascii_lowercase();
    numeric && (text.bytes().any(|b| b.is_ascii_digit()) || lower().contains("inf") || lower().contains("nan"))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// The reference: serde-saphyr's reading of `text` with the manifests' options.
    pub(in crate::api) fn saphyr(text: &str) -> Result<Vec<Value>, String> {
        serde_saphyr::from_multiple_with_options(text, super::super::object::yaml_options()).map_err(|e| e.to_string())
    }

    /// Draws below `n` from a xorshift generator seeded with `seed`: the random
    /// documents of the tests, the same on every run.
    pub(in crate::api) fn draws(seed: u64) -> impl FnMut(usize) -> usize {
        let mut state = seed;
        move |n| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        }
    }

    /// Where the fast reading answers, it answers what serde-saphyr does.
    fn same(text: &str) -> bool {
        match read_documents(text) {
            Some(fast) => {
                assert_eq!(Ok(fast), saphyr(text), "{text:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn plain_scalars_read_as_serde_saphyr_reads_them_or_are_left_to_it() {
        // (scalar, read here rather than left to serde-saphyr)
        let cases: &[(&str, bool)] = &[
            ("web", true),
            ("12000m", true),
            ("16384Mi", true),
            ("tensorflow:latest", true),
            ("default", true),
            ("IfNotPresent", true),
            ("0", true),
            ("110", true),
            ("-5", true),
            ("123456789012345678", true),
            ("true", true),
            ("False", true),
            ("null", true),
            ("~", true),
            ("nULL", true),
            ("TRue", false),
            ("yes", false),
            ("Off", false),
            ("y", false),
            ("N", false),
            ("1.5", true),
            ("0.25", true),
            ("-2.50", true),
            ("10.0", true),
            ("-0.0", false),
            ("01.5", false),
            ("1.", false),
            ("1.5e3", false),
            ("+1.5", false),
            ("1234567890.1234567", false),
            ("1e3", false),
            ("0x1F", false),
            ("0o17", false),
            ("0b101", false),
            ("0127", false),
            ("+5", false),
            ("-0", false),
            ("1_000", false),
            (".inf", false),
            ("-.Inf", false),
            (".NaN", false),
            ("infinity", false),
            ("1234567890123456789012", false),
            ("none", true),
            ("a", true),
            ("deadbeef", true),
            ("info", false),
            ("A10", true),
            ("P100", true),
            ("e5", true),
            ("_1", false),
            ("-a1", true),
            ("NaN", false),
            ("Inf", false),
        ];
        for (text, fast) in cases {
            for doc in [format!("k: {text}\n"), format!("- {text}\n"), format!("{{k: [{text}]}}\n")] {
                assert_eq!(same(&doc), *fast, "{doc:?}");
            }
        }
    }

    #[test]
    fn quoted_and_block_scalars_are_strings() {
        for doc in ["k: '1'\n", "k: \"true\"\n", "k: |\n  a\n  b\n", "k: >-\n  a\n  b\n", "'1': \"\\u00e9\"\n"] {
            assert!(same(doc), "{doc:?}");
        }
    }

    #[test]
    fn what_only_serde_saphyr_knows_is_left_to_it() {
        for doc in [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "base: &b {x: 1}\nc:\n  <<: *b\n",
            "a: 1\na: 2\n",
            "? [a]\n: 1\n",
            "%YAML 1.2\n---\na: 1\n",
            "",
            "---\n...\n",
            "a: [1, 2\n",
            "a: b: c\n",
            "1: a\n",
        ] {
            assert!(!same(doc), "{doc:?} read here");
        }
        let deep = format!("{}1{}", "[".repeat(MAX_DEPTH + 2), "]".repeat(MAX_DEPTH + 2));
        assert!(!same(&deep));
        let shallow = format!("{}1{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(same(&shallow));
    }

    #[test]
    fn a_pod_manifest_reads_alike_in_every_document() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels: {app: web, tier: \"1\"}\n\
                    spec:\n  containers:\n  - name: c\n    image: nginx:1.25\n    resources:\n      requests: {cpu: 500m, memory: 1Gi}\n\
                    \x20   ports:\n    - containerPort: 80\n  restartPolicy: Never\n  terminationGracePeriodSeconds: 30\n\
                    \x20 hostNetwork: false\n---\n# a comment\napiVersion: v1\nkind: Node\nmetadata: {name: node-a}\n";
        let docs = read_documents(text).expect("read here");
        assert_eq!(docs.len(), 2);
        assert!(same(text));
    }

    /// Every YAML file of the project (scenarios, their manifests, the benches'), read
    /// both ways; the Alibaba manifests, the benchmark of reading, must not be left to
    /// serde-saphyr.
    #[test]
    fn the_projects_files_read_alike() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        let mut dirs = vec![root.join("scenarios"), root.join("benches/scenarios"), root.join("tests")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    files.push(path);
                }
            }
        }
        files.sort();
        let mut read_here = 0;
        for path in &files {
            let text = std::fs::read_to_string(path).unwrap();
            if same(&text) {
                read_here += 1;
            }
            if path.to_string_lossy().contains("alibaba-gpu-2023") {
                assert!(read_documents(&text).is_some(), "{} left to serde-saphyr", path.display());
            }
        }
        assert!(files.len() > 40 && read_here * 2 > files.len(), "{read_here} of {} files", files.len());
    }

    /// Random documents of tricky scalars in block and flow collections, read both ways.
    #[test]
    fn random_documents_read_alike() {
        const SCALARS: &[&str] = &[
            "web",
            "a b",
            "12000m",
            "1Gi",
            "0",
            "7",
            "-3",
            "+1",
            "012",
            "-0",
            "1_0",
            "1.",
            ".5",
            "-.5",
            "1e3",
            "0x1f",
            "0X1F",
            "0o7",
            "0b1",
            "1:30",
            "y",
            "n",
            "NO",
            "On",
            "true",
            "True",
            "tRUE",
            "false",
            "~",
            "null",
            "NULL",
            "nUll",
            ".inf",
            "-.Inf",
            ".nan",
            "inf",
            "nan",
            "info",
            "none",
            "deadbeef",
            "face",
            "9223372036854775807",
            "18446744073709551615",
            "99999999999999999999",
            "'1'",
            "'yes'",
            "\"a\\tb\"",
            "\"\"",
            "''",
            "x-y_z.w",
            "é",
            "ä1",
            "-",
            "<<",
            "A10",
            "e5",
            "_1",
            "-a1",
            "+.5",
            "-inf",
            "a#b",
            "100%",
            "@",
            "`",
        ];
        let mut next = draws(0x9e37_79b9_7f4a_7c15);
        let (mut read_here, mut total) = (0, 0);
        for _ in 0..3000 {
            let mut text = String::new();
            block(&mut text, 0, 0, &mut next, SCALARS);
            total += 1;
            if same(&text) {
                read_here += 1;
            }
        }
        assert!(read_here * 20 > total, "only {read_here} of {total} read here");
    }

    fn block(out: &mut String, indent: usize, depth: usize, next: &mut impl FnMut(usize) -> usize, pool: &[&str]) {
        let pad = " ".repeat(indent);
        let entries = 1 + next(3);
        let as_seq = next(3) == 0;
        for _ in 0..entries {
            if as_seq {
                out.push_str(&format!("{pad}- "));
            } else {
                out.push_str(&format!("{pad}{}: ", pool[next(pool.len())]));
            }
            match (next(4), depth < 3) {
                (0, true) => {
                    out.push('\n');
                    block(out, indent + 2, depth + 1, next, pool);
                }
                (1, true) => {
                    flow(out, depth + 1, next, pool);
                    out.push('\n');
                }
                _ => {
                    out.push_str(pool[next(pool.len())]);
                    out.push('\n');
                }
            }
        }
    }

    fn flow(out: &mut String, depth: usize, next: &mut impl FnMut(usize) -> usize, pool: &[&str]) {
        let map = next(2) == 0;
        out.push(if map { '{' } else { '[' });
        for i in 0..next(4) {
            if i > 0 {
                out.push_str(", ");
            }
            if map {
                out.push_str(pool[next(pool.len())]);
                out.push_str(": ");
            }
            if depth < 4 && next(4) == 0 {
                flow(out, depth + 1, next, pool);
            } else {
                out.push_str(pool[next(pool.len())]);
            }
        }
        out.push(if map { '}' } else { ']' });
    }
}
