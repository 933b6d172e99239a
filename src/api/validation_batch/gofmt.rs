//! Field errors whose bad value Kubernetes prints with Go's `%#v` (maps,
//! slices, structs) or leaves out, in the wording of apimachinery's
//! `field/errors.go` (`ErrorBody`, `TooMany`, `TooLong`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::api::errors::{FieldError, FieldPath};
use crate::api::job::SuccessPolicy;
use crate::labels::{LabelSelector, LabelSelectorOperator};

/// Go's `%q` / `strconv.Quote` for the characters manifests contain:
/// backslash and quote escaped, control characters as escapes.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `%#v` of a `map[string]string`: keys sorted, `(nil)` for an empty map
/// (what an absent field decodes to).
pub(crate) fn go_string_map(map: &BTreeMap<String, String>) -> String {
    if map.is_empty() {
        return "map[string]string(nil)".to_string();
    }
    let entries: Vec<String> = map.iter().map(|(k, v)| format!("{}:{}", go_quote(k), go_quote(v))).collect();
    format!("map[string]string{{{}}}", entries.join(", "))
}

/// `%#v` of a `[]int32`.
pub(crate) fn go_int32s(values: &[i32]) -> String {
    let items: Vec<String> = values.iter().map(i32::to_string).collect();
    format!("[]int32{{{}}}", items.join(", "))
}

/// `%#v` of a `metav1.LabelSelector` (package name `v1`).
pub(crate) fn go_label_selector(selector: &LabelSelector) -> String {
    let expressions = if selector.match_expressions.is_empty() {
        "[]v1.LabelSelectorRequirement(nil)".to_string()
    } else {
        let items: Vec<String> = selector
            .match_expressions
            .iter()
            .map(|r| {
                let values = if r.values.is_empty() {
                    "[]string(nil)".to_string()
                } else {
                    let quoted: Vec<String> = r.values.iter().map(|v| go_quote(v)).collect();
                    format!("[]string{{{}}}", quoted.join(", "))
                };
                format!(
                    "v1.LabelSelectorRequirement{{Key:{}, Operator:{}, Values:{values}}}",
                    go_quote(&r.key),
                    go_quote(&operator_name(&r.operator))
                )
            })
            .collect();
        format!("[]v1.LabelSelectorRequirement{{{}}}", items.join(", "))
    };
    format!("v1.LabelSelector{{MatchLabels:{}, MatchExpressions:{expressions}}}", go_string_map(&selector.match_labels))
}

pub(crate) fn operator_name(op: &LabelSelectorOperator) -> String {
    String::from(op.clone())
}

/// `%#v` of a `batch.SuccessPolicy`. Go prints the rule fields as pointer
/// addresses (`(*string)(0xc000…)`), which mean nothing outside that
/// process; podsim prints what they point to instead.
pub(crate) fn go_success_policy(policy: &SuccessPolicy) -> String {
    let rules: Vec<String> = policy
        .rules
        .iter()
        .map(|r| {
            let indexes = r.succeeded_indexes.as_deref().map_or("(*string)(nil)".to_string(), go_quote);
            let count = r.succeeded_count.map_or("(*int32)(nil)".to_string(), |c| c.to_string());
            format!("batch.SuccessPolicyRule{{SucceededIndexes:{indexes}, SucceededCount:{count}}}")
        })
        .collect();
    let list = if rules.is_empty() {
        "[]batch.SuccessPolicyRule(nil)".to_string()
    } else {
        format!("[]batch.SuccessPolicyRule{{{}}}", rules.join(", "))
    };
    format!("batch.SuccessPolicy{{Rules:{list}}}")
}

/// `field.Invalid` with a value already rendered.
pub(crate) fn invalid_raw(path: FieldPath, rendered: &str, why: &str) -> FieldError {
    FieldError::new(path, format!("Invalid value: {rendered}: {why}"))
}

/// `field.Invalid` with `field.OmitValueType{}`: no value at all.
pub(crate) fn invalid_omitted(path: FieldPath, why: &str) -> FieldError {
    FieldError::new(path, format!("Invalid value: {why}"))
}

/// `field.TooMany`.
pub(crate) fn too_many(path: FieldPath, actual: usize, max: usize) -> FieldError {
    FieldError::new(path, format!("Too many: {actual}: must have at most {max} items"))
}

/// `field.TooLong` (the value is not shown).
pub(crate) fn too_long(path: FieldPath, max: usize) -> FieldError {
    FieldError::new(path, format!("Too long: must have at most {max} bytes"))
}

/// `field.Duplicate` of a number.
pub(crate) fn duplicate_number(path: FieldPath, value: i64) -> FieldError {
    FieldError::new(path, format!("Duplicate value: {value}"))
}

/// `field.Required(path, fmt.Sprintf("valid values: %q", sorted))`: Go's
/// `%q` of a string slice, `["A" "B"]`.
pub(crate) fn required_one_of(path: FieldPath, values: &[&str]) -> FieldError {
    let quoted: Vec<String> = values.iter().map(|v| go_quote(v)).collect();
    FieldError::required_because(path, &format!("valid values: [{}]", quoted.join(" ")))
}

/// `ValidateNonnegativeField`.
pub(crate) fn non_negative(value: Option<i64>, path: FieldPath, errs: &mut Vec<FieldError>) {
    if let Some(v) = value
        && v < 0
    {
        errs.push(FieldError::invalid_number(path, v, "must be greater than or equal to 0"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_renderings_match_fmt_sharp_v() {
        let labels: BTreeMap<String, String> = [("y".to_string(), "z".to_string())].into();
        assert_eq!(go_string_map(&labels), r#"map[string]string{"y":"z"}"#);
        assert_eq!(go_int32s(&[19, 11]), "[]int32{19, 11}");
        assert_eq!(go_int32s(&[]), "[]int32{}");
        let selector =
            LabelSelector { match_labels: [("a".to_string(), "b".to_string())].into(), ..Default::default() };
        assert_eq!(
            go_label_selector(&selector),
            r#"v1.LabelSelector{MatchLabels:map[string]string{"a":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}"#
        );
        assert_eq!(go_quote("a\"b\\\u{1}"), r#""a\"b\\\x01""#);
    }
}
