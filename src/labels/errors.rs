//! Error texts in Kubernetes' exact wording.
//!
//! Upstream: `apimachinery/pkg/util/validation/field/{errors,path}.go`
//! (`field.Error.Error()`, `field.Path.String()`, `ErrorList.ToAggregate`)
//! and `apimachinery/pkg/util/errors/errors.go` (aggregate `Error()`).

use std::collections::BTreeSet;
use std::fmt;
use std::fmt::Write as _;

/// A selector could not be parsed or built. [`SelectorError::message`] is
/// the text Kubernetes would report for the same input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorError {
    message: String,
}

impl SelectorError {
    pub(crate) fn new(message: String) -> Self {
        SelectorError { message }
    }

    /// The Kubernetes error text.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for SelectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SelectorError {}

/// A rendered `*field.Path`; `None` is Go's nil path, printed `<nil>`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct FieldPath(Option<String>);

impl FieldPath {
    /// The nil path `labels.Parse` and `NewRequirement` use by default.
    pub(crate) fn nil() -> Self {
        FieldPath(None)
    }

    /// An already rendered path; `""` stands for the nil path.
    pub(crate) fn from_rendered(path: &str) -> Self {
        FieldPath((!path.is_empty()).then(|| path.to_string()))
    }

    /// `path.Child(name)`: a nil parent yields just `name`.
    pub(crate) fn child(&self, name: &str) -> Self {
        match &self.0 {
            None => FieldPath(Some(name.to_string())),
            Some(p) => FieldPath(Some(format!("{p}.{name}"))),
        }
    }

    /// `path.Index(i)`.
    pub(crate) fn index(&self, i: usize) -> Self {
        self.subscript(&i.to_string())
    }

    /// `path.Key(k)`.
    pub(crate) fn key(&self, k: &str) -> Self {
        self.subscript(k)
    }

    fn subscript(&self, s: &str) -> Self {
        let parent = self.0.as_deref().unwrap_or("");
        FieldPath(Some(format!("{parent}[{s}]")))
    }

    fn render(&self) -> &str {
        self.0.as_deref().unwrap_or("<nil>")
    }
}

/// The `BadValue` of a `field.Invalid` error, printed as Go's `%q` / `%#v`.
pub(crate) enum BadValue<'a> {
    Str(&'a str),
    List(&'a [String]),
}

impl BadValue<'_> {
    fn render(&self) -> String {
        match self {
            BadValue::Str(s) => go_quote(s),
            // Empty lists reach the error paths as Go nil slices
            // (`append([]string(nil), values...)` in LabelSelectorAsSelector,
            // omitted `values` in node selector terms).
            BadValue::List([]) => "[]string(nil)".to_string(),
            BadValue::List(values) => {
                let quoted: Vec<String> = values.iter().map(|v| go_quote(v)).collect();
                format!("[]string{{{}}}", quoted.join(", "))
            }
        }
    }
}

/// `field.Invalid(path, value, detail).Error()`.
pub(crate) fn invalid(path: &FieldPath, value: BadValue<'_>, detail: &str) -> String {
    with_detail(format!("{}: Invalid value: {}", path.render(), value.render()), detail)
}

/// `field.NotSupported(path, value, valid).Error()`.
pub(crate) fn not_supported(path: &FieldPath, value: &str, valid: &[&str]) -> String {
    let quoted: Vec<String> = valid.iter().map(|v| go_quote(v)).collect();
    let detail = format!("supported values: {}", quoted.join(", "));
    let head = format!("{}: Unsupported value: {}", path.render(), go_quote(value));
    with_detail(head, &detail)
}

fn with_detail(head: String, detail: &str) -> String {
    if detail.is_empty() { head } else { format!("{head}: {detail}") }
}

/// `ErrorList.ToAggregate().Error()` (also `errors.Flatten`ed aggregates):
/// duplicates dropped, one message as is, several as `[a, b]`. `None` when
/// there is no error.
pub(crate) fn aggregate(messages: Vec<String>) -> Option<String> {
    let mut seen = BTreeSet::new();
    let distinct: Vec<String> = messages.into_iter().filter(|m| seen.insert(m.clone())).collect();
    match distinct.len() {
        0 => None,
        1 => distinct.into_iter().next(),
        _ => Some(format!("[{}]", distinct.join(", "))),
    }
}

/// Go `strconv.Quote`: double-quoted with Go escapes.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_quoted_char(&mut out, c);
    }
    out.push('"');
    out
}

fn push_quoted_char(out: &mut String, c: char) {
    let escaped = match c {
        '"' => "\\\"",
        '\\' => "\\\\",
        '\u{7}' => "\\a",
        '\u{8}' => "\\b",
        '\u{c}' => "\\f",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        '\u{b}' => "\\v",
        c if is_go_printable(c) => {
            out.push(c);
            return;
        }
        c => {
            push_hex_escape(out, c);
            return;
        }
    };
    out.push_str(escaped);
}

/// `\xNN` for ASCII controls, `\uNNNN` / `\UNNNNNNNN` otherwise.
fn push_hex_escape(out: &mut String, c: char) {
    let code = u32::from(c);
    // Writing to a String cannot fail.
    let _ = if code < 0x80 {
        write!(out, "\\x{code:02x}")
    } else if code < 0x1_0000 {
        write!(out, "\\u{code:04x}")
    } else {
        write!(out, "\\U{code:08x}")
    };
}

/// Approximates Go `strconv.IsPrint` (categories L, M, N, P, S and the ASCII
/// space) without Unicode tables: control, separator, format and
/// private-use characters are escaped; unassigned code points are not
/// detected and print as is.
fn is_go_printable(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    !(c.is_control() || c.is_whitespace() || is_format_or_private_use(c))
}

fn is_format_or_private_use(c: char) -> bool {
    matches!(u32::from(c),
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x890..=0x891 | 0x8E2
        | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064
        | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0xFDD0..=0xFDEF
        | 0xE000..=0xF8FF | 0xF_0000..=0x10_FFFF | 0xE_0001 | 0xE_0020..=0xE_007F)
        || u32::from(c) & 0xFFFE == 0xFFFE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_render_like_field_path() {
        let root = FieldPath::nil();
        assert_eq!(root.render(), "<nil>");
        assert_eq!(root.child("values").index(0).key("x").render(), "values[0][x]");
        assert_eq!(root.index(2).child("matchExpressions").render(), "[2].matchExpressions");
        let named = FieldPath::from_rendered("root");
        assert_eq!(named.index(0).child("values").render(), "root[0].values");
        assert_eq!(FieldPath::from_rendered(""), FieldPath::nil());
    }

    #[test]
    fn bad_values_render_like_go() {
        let list = vec!["qux".to_string(), "no\"rf".to_string()];
        assert_eq!(
            invalid(&FieldPath::nil().child("values"), BadValue::List(&list), "d"),
            r#"values: Invalid value: []string{"qux", "no\"rf"}: d"#
        );
        assert_eq!(invalid(&FieldPath::nil(), BadValue::List(&[]), ""), "<nil>: Invalid value: []string(nil)");
        assert_eq!(
            not_supported(&FieldPath::nil().child("operator"), "Foo", &["In", "NotIn"]),
            r#"operator: Unsupported value: "Foo": supported values: "In", "NotIn""#
        );
    }

    #[test]
    fn quoting_escapes_like_strconv_quote() {
        assert_eq!(go_quote("a b"), r#""a b""#);
        assert_eq!(go_quote("\t\n\\\u{0}\u{7f}"), r#""\t\n\\\x00\x7f""#);
        assert_eq!(go_quote("日本\u{200b}\u{a0}"), r#""日本\u200b\u00a0""#);
        assert_eq!(go_quote("\u{f0000}😀"), "\"\\U000f0000😀\"");
    }

    #[test]
    fn aggregates_dedupe_and_bracket() {
        assert_eq!(aggregate(vec![]), None);
        assert_eq!(aggregate(vec!["a".into(), "a".into()]), Some("a".into()));
        assert_eq!(aggregate(vec!["a".into(), "b".into(), "a".into()]), Some("[a, b]".into()));
    }
}
