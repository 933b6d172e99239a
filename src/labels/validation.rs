//! Label key and value validation with Kubernetes' messages.
//!
//! Upstream: `apimachinery/pkg/api/validate/content/{kube,dns,errors}.go`
//! (`IsLabelKey` = `validation.IsQualifiedName`, `IsLabelValue` =
//! `validation.IsValidLabelValue`, `IsDNS1123Subdomain`), master of 2026.
//! Older releases (`util/validation`) said "characters" where these say
//! "bytes", and "a qualified name" where these say "a valid label key".
//!
//! The regular expressions are checked by hand; the messages quote them
//! exactly as Go does. Lengths are in bytes (Go `len`).

use super::errors::{BadValue, FieldPath, invalid};

/// Longest label value, and longest name part of a label key.
pub const LABEL_VALUE_MAX_LENGTH: usize = 63;
const LABEL_KEY_NAME_MAX_LENGTH: usize = 63;
/// Longest DNS-1123 subdomain (the optional label key prefix).
pub const DNS1123_SUBDOMAIN_MAX_LENGTH: usize = 253;

const LABEL_KEY_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_KEY_ERR: &str = "must consist of alphanumeric characters, '-', '_' or '.', \
     and must start and end with an alphanumeric character";
const LABEL_KEY_EXAMPLES: &[&str] = &["MyName", "my.name", "123-abc"];
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const LABEL_VALUE_ERR: &str = "a valid label must be an empty string or consist of alphanumeric \
     characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_EXAMPLES: &[&str] = &["MyValue", "my_value", "12345"];
const DNS1123_SUBDOMAIN_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1123_SUBDOMAIN_ERR: &str = "a lowercase RFC 1123 subdomain must consist of lower case \
     alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

/// `content.IsLabelKey` / `validation.IsQualifiedName`: `[prefix/]name`,
/// name ≤ 63 bytes matching `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`,
/// prefix a DNS-1123 subdomain.
/// Returns the error strings; empty when valid.
pub fn is_qualified_name(value: &str) -> Vec<String> {
    let parts: Vec<&str> = value.split('/').collect();
    let (prefix, name) = match parts.as_slice() {
        [name] => (None, *name),
        [prefix, name] => (Some(*prefix), *name),
        _ => return vec![too_many_slashes_error()],
    };
    let mut errs = prefix.map(prefix_errors).unwrap_or_default();
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else if name.len() > LABEL_KEY_NAME_MAX_LENGTH {
        errs.push(format!("name part {}", max_len_error(LABEL_KEY_NAME_MAX_LENGTH)));
    }
    if !is_label_key_name(name) {
        errs.push(format!("name part {}", label_key_regex_error()));
    }
    errs
}

fn too_many_slashes_error() -> String {
    format!(
        "a valid label key {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        label_key_regex_error()
    )
}

fn label_key_regex_error() -> String {
    regex_error(LABEL_KEY_ERR, LABEL_KEY_FMT, LABEL_KEY_EXAMPLES)
}

fn prefix_errors(prefix: &str) -> Vec<String> {
    if prefix.is_empty() {
        return vec!["prefix part must be non-empty".to_string()];
    }
    is_dns1123_subdomain(prefix).into_iter().map(|m| format!("prefix part {m}")).collect()
}

/// `content.IsLabelValue` / `validation.IsValidLabelValue`: empty, or ≤ 63
/// bytes matching the label key name pattern.
pub fn is_valid_label_value(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > LABEL_VALUE_MAX_LENGTH {
        errs.push(max_len_error(LABEL_VALUE_MAX_LENGTH));
    }
    if !value.is_empty() && !is_label_key_name(value) {
        errs.push(regex_error(LABEL_VALUE_ERR, LABEL_VALUE_FMT, LABEL_VALUE_EXAMPLES));
    }
    errs
}

/// `content.IsDNS1123Subdomain`: ≤ 253 bytes of dot-separated lowercase
/// RFC 1123 labels.
pub fn is_dns1123_subdomain(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX_LENGTH {
        errs.push(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    if !value.split('.').all(is_dns1123_label_chars) {
        errs.push(regex_error(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, &["example.com"]));
    }
    errs
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
fn is_label_key_name(s: &str) -> bool {
    let inner = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    bounded_by(s, u8::is_ascii_alphanumeric, inner)
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
fn is_dns1123_label_chars(s: &str) -> bool {
    let edge = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let inner = |b: u8| edge(&b) || b == b'-';
    bounded_by(s, edge, inner)
}

/// Non-empty, first and last byte satisfy `edge`, all others `inner`.
fn bounded_by(s: &str, edge: impl Fn(&u8) -> bool, inner: impl Fn(u8) -> bool) -> bool {
    let bytes = s.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => edge(first) && edge(last) && bytes.iter().all(|&b| inner(b)),
        _ => false,
    }
}

/// `content.MaxLenError`.
fn max_len_error(length: usize) -> String {
    format!("must be no more than {length} bytes")
}

/// `content.RegexError`; note Go's double space between examples.
fn regex_error(msg: &str, re: &str, examples: &[&str]) -> String {
    if examples.is_empty() {
        return format!("{msg} (regex used for validation is '{re}')");
    }
    let listed: Vec<String> = examples.iter().map(|e| format!("'{e}', ")).collect();
    format!("{msg} (e.g. {}regex used for validation is '{re}')", listed.join(" or "))
}

/// selector.go `validateLabelKey`: one `field.Invalid` whose detail joins
/// all messages with `"; "`.
pub(crate) fn validate_label_key(key: &str, path: &FieldPath) -> Option<String> {
    let errs = is_qualified_name(key);
    (!errs.is_empty()).then(|| invalid(path, BadValue::Str(key), &errs.join("; ")))
}

/// selector.go `validateLabelValue`: the path is subscripted with the key.
pub(crate) fn validate_label_value(key: &str, value: &str, path: &FieldPath) -> Option<String> {
    let errs = is_valid_label_value(value);
    (!errs.is_empty()).then(|| invalid(&path.key(key), BadValue::Str(value), &errs.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const DATA: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/labels/validation.json"));

    fn strings(v: &Value) -> Vec<&str> {
        let list = v.as_array().expect("list");
        list.iter().map(|s| s.as_str().expect("string")).collect()
    }

    fn check(table: &Value, f: fn(&str) -> Vec<String>) {
        let valid = strings(&table["valid"]);
        let invalid = strings(&table["invalid"]);
        assert!(!valid.is_empty() && !invalid.is_empty());
        for s in valid {
            assert_eq!(f(s), Vec::<String>::new(), "{s:?} should be valid");
        }
        for s in invalid {
            assert!(!f(s).is_empty(), "{s:?} should be invalid");
        }
    }

    #[test]
    fn label_keys_upstream_table() {
        let data: Value = serde_json::from_str(DATA).expect("validation.json");
        check(&data["TestIsLabelKey"], is_qualified_name);
    }

    #[test]
    fn label_values_upstream_table() {
        let data: Value = serde_json::from_str(DATA).expect("validation.json");
        check(&data["TestIsLabelValue"], is_valid_label_value);
    }

    #[test]
    fn messages() {
        let data: Value = serde_json::from_str(DATA).expect("validation.json");
        let cases = data["messages"]["cases"].as_array().expect("cases");
        assert!(!cases.is_empty());
        for case in cases {
            let input = case["input"].as_str().expect("input");
            let got = match case["func"].as_str().expect("func") {
                "IsQualifiedName" => is_qualified_name(input),
                "IsValidLabelValue" => is_valid_label_value(input),
                "IsDNS1123Subdomain" => is_dns1123_subdomain(input),
                other => panic!("unknown func {other}"),
            };
            let want: Vec<String> = strings(&case["want"]).into_iter().map(String::from).collect();
            assert_eq!(got, want, "{case}");
        }
    }
}
