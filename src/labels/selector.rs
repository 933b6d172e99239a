//! Requirements and selectors: construction with validation, matching and
//! the canonical string form.
//!
//! Upstream: `apimachinery/pkg/labels/selector.go` (`Requirement`,
//! `NewRequirement`, `Matches`, `String`, `internalSelector`,
//! `Everything`, `Nothing`, `SelectorFromValidatedSet`).

use std::collections::BTreeMap;
use std::fmt;

use super::errors::{BadValue, FieldPath, SelectorError, aggregate, invalid};
use super::parser;
use super::validation::{validate_label_key, validate_label_value};

/// `selection.Operator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// `!key`
    DoesNotExist,
    /// `key=value`
    Equals,
    /// `key==value`
    DoubleEquals,
    /// `key in (a,b)`
    In,
    /// `key!=value`
    NotEquals,
    /// `key notin (a,b)`
    NotIn,
    /// `key`
    Exists,
    /// `key>n` (integer comparison)
    GreaterThan,
    /// `key<n` (integer comparison)
    LessThan,
}

impl Operator {
    /// The `selection.Operator` string (`"in"`, `"!="`, `"gt"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::DoesNotExist => "!",
            Operator::Equals => "=",
            Operator::DoubleEquals => "==",
            Operator::In => "in",
            Operator::NotEquals => "!=",
            Operator::NotIn => "notin",
            Operator::Exists => "exists",
            Operator::GreaterThan => "gt",
            Operator::LessThan => "lt",
        }
    }
}

/// One `key operator values` condition. Always valid once built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    key: String,
    operator: Operator,
    /// As given (the string parser hands them over sorted and deduplicated).
    values: Vec<String>,
    /// The integer operand of `Gt`/`Lt`, parsed once at construction.
    bound: i64,
}

impl Requirement {
    /// `labels.NewRequirement`: validates the key, the value count for the
    /// operator, the integer operand of `Gt`/`Lt` and every value; the
    /// error lists every problem (`values[0][key]: Invalid value: …`).
    pub fn new(key: &str, operator: Operator, values: Vec<String>) -> Result<Self, SelectorError> {
        Requirement::build(&FieldPath::nil(), key, operator, values)
            .map_err(|errs| SelectorError::new(aggregate(errs).unwrap_or_default()))
    }

    /// `NewRequirement` with `field.WithPath(path)`; the error is the flat
    /// list of messages (callers aggregate or flatten them).
    pub(crate) fn build(
        path: &FieldPath,
        key: &str,
        operator: Operator,
        values: Vec<String>,
    ) -> Result<Self, Vec<String>> {
        let mut errs: Vec<String> = validate_label_key(key, &path.child("key")).into_iter().collect();
        let values_path = path.child("values");
        let bound = check_value_count(operator, &values, &values_path, &mut errs);
        for (i, value) in values.iter().enumerate() {
            errs.extend(validate_label_value(key, value, &values_path.index(i)));
        }
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(Requirement { key: key.to_string(), operator, values, bound })
    }

    /// A requirement taken as valid (`SelectorFromValidatedSet`).
    pub(crate) fn unchecked_equals(key: &str, value: &str) -> Self {
        Requirement { key: key.to_string(), operator: Operator::Equals, values: vec![value.to_string()], bound: 0 }
    }

    /// The label key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The operator.
    pub fn operator(&self) -> Operator {
        self.operator
    }

    /// The values, in construction order.
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// `Requirement.Matches`. Allocation-free. A missing key satisfies only
    /// `NotIn`, `!=` and `DoesNotExist`; `Gt`/`Lt` need the label value to
    /// parse as a 64-bit integer (`strconv.ParseInt(v, 10, 64)`).
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let value = labels.get(self.key.as_str());
        match self.operator {
            Operator::In | Operator::Equals | Operator::DoubleEquals => value.is_some_and(|v| self.has_value(v)),
            Operator::NotIn | Operator::NotEquals => value.is_none_or(|v| !self.has_value(v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::GreaterThan => parse_int(value).is_some_and(|n| n > self.bound),
            Operator::LessThan => parse_int(value).is_some_and(|n| n < self.bound),
        }
    }

    fn has_value(&self, value: &str) -> bool {
        self.values.iter().any(|v| v == value)
    }
}

/// Go `strconv.ParseInt(s, 10, 64)`: optional sign, decimal digits, no
/// spaces or underscores; overflow is an error. Rust's parser agrees.
fn parse_int(value: Option<&String>) -> Option<i64> {
    value.and_then(|v| v.parse::<i64>().ok())
}

/// The operator-specific checks of `NewRequirement`; returns the `Gt`/`Lt`
/// operand (0 for other operators or on error).
fn check_value_count(operator: Operator, values: &[String], path: &FieldPath, errs: &mut Vec<String>) -> i64 {
    let list = BadValue::List(values);
    match operator {
        Operator::In | Operator::NotIn if values.is_empty() => {
            errs.push(invalid(path, list, "for 'in', 'notin' operators, values set can't be empty"));
        }
        Operator::Equals | Operator::DoubleEquals | Operator::NotEquals if values.len() != 1 => {
            errs.push(invalid(path, list, "exact-match compatibility requires one single value"));
        }
        Operator::Exists | Operator::DoesNotExist if !values.is_empty() => {
            errs.push(invalid(path, list, "values set must be empty for exists and does not exist"));
        }
        Operator::GreaterThan | Operator::LessThan => {
            return check_integer_operand(values, path, errs);
        }
        _ => {}
    }
    0
}

fn check_integer_operand(values: &[String], path: &FieldPath, errs: &mut Vec<String>) -> i64 {
    if values.len() != 1 {
        let detail = "for 'Gt', 'Lt' operators, exactly one value is required";
        errs.push(invalid(path, BadValue::List(values), detail));
    }
    let mut bound = 0;
    for (i, value) in values.iter().enumerate() {
        match value.parse::<i64>() {
            Ok(n) => bound = n,
            Err(_) => {
                let detail = "for 'Gt', 'Lt' operators, the value must be an integer";
                errs.push(invalid(&path.index(i), BadValue::Str(value), detail));
            }
        }
    }
    bound
}

impl fmt::Display for Requirement {
    /// `Requirement.String()`: `!k`, `k`, `k=v`, `k==v`, `k!=v`, `k>n`,
    /// `k<n`, `k in (a,b)`, `k notin (a,b)`; several values are sorted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.operator {
            Operator::Exists => return f.write_str(&self.key),
            Operator::DoesNotExist => return write!(f, "!{}", self.key),
            Operator::In => " in ",
            Operator::NotIn => " notin ",
            Operator::GreaterThan => ">",
            Operator::LessThan => "<",
            other => other.as_str(),
        };
        let mut sorted: Vec<&str> = self.values.iter().map(String::as_str).collect();
        sorted.sort_unstable();
        let values = sorted.join(",");
        match self.operator {
            Operator::In | Operator::NotIn => write!(f, "{}{op}({values})", self.key),
            _ => write!(f, "{}{op}{values}", self.key),
        }
    }
}

/// A label selector: the AND of its requirements, sorted by key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    requirements: Vec<Requirement>,
    /// `labels.Nothing()`: matches no label set.
    nothing: bool,
}

impl Selector {
    /// `labels.Everything()`: matches every label set; prints as `""`.
    pub fn everything() -> Self {
        Selector { requirements: Vec::new(), nothing: false }
    }

    /// `labels.Nothing()`: matches nothing; prints as `""`. What a nil
    /// `LabelSelector` or an empty node-selector requirement list becomes.
    pub fn nothing() -> Self {
        Selector { requirements: Vec::new(), nothing: true }
    }

    /// `labels.Parse`: the `kubectl -l` syntax. Never panics.
    pub fn parse(selector: &str) -> Result<Self, SelectorError> {
        parser::parse(selector)
    }

    /// `labels.SelectorFromSet`: `key=value` for each entry, without
    /// validation; an empty set selects everything (as `pod.spec.nodeSelector`).
    pub fn from_set(set: &BTreeMap<String, String>) -> Self {
        let requirements = set.iter().map(|(k, v)| Requirement::unchecked_equals(k, v)).collect();
        Selector { requirements, nothing: false }
    }

    /// `internalSelector.Add` semantics: sorted by key. Rust's sort is
    /// stable; Go's agrees for up to 12 requirements (insertion sort).
    pub(crate) fn from_requirements(mut requirements: Vec<Requirement>) -> Self {
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        Selector { requirements, nothing: false }
    }

    /// `Selector.Add`: this selector's requirements and `other`'s, sorted by key (a
    /// "nothing" selector stays nothing).
    pub fn and(&self, other: &Selector) -> Selector {
        let requirements = self.requirements.iter().chain(&other.requirements).cloned().collect();
        Selector { nothing: self.nothing || other.nothing, ..Selector::from_requirements(requirements) }
    }

    /// Whether every requirement matches. Allocation-free.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        !self.nothing && self.requirements.iter().all(|r| r.matches(labels))
    }

    /// `Selector.Empty()`: true for "everything", false for "nothing".
    pub fn is_empty(&self) -> bool {
        !self.nothing && self.requirements.is_empty()
    }

    /// `labels.MatchesNothing`.
    pub fn matches_nothing(&self) -> bool {
        self.nothing
    }

    /// The requirements, sorted by key.
    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }

    /// The one label this selector asks for, when every requirement pins that same key
    /// to that same value (a StatefulSet's `app=web`, merged with its Service's, is two
    /// such requirements): the pods it matches are those with the label.
    pub fn as_one_label(&self) -> Option<(&str, &str)> {
        fn exact(r: &Requirement) -> Option<(&str, &str)> {
            match (r.operator, r.values.as_slice()) {
                (Operator::Equals | Operator::DoubleEquals | Operator::In, [v]) => Some((r.key.as_str(), v.as_str())),
                _ => None,
            }
        }
        let (first, rest) = self.requirements.split_first()?;
        let label = exact(first)?;
        (!self.nothing && rest.iter().all(|r| exact(r) == Some(label))).then_some(label)
    }

    /// `RequiresExactMatch`: the value the first requirement on `key`
    /// pins (`=`, `==`, or `in` with one value), if any.
    pub fn requires_exact_match(&self, key: &str) -> Option<&str> {
        let r = self.requirements.iter().find(|r| r.key == key)?;
        match (r.operator, r.values.as_slice()) {
            (Operator::Equals | Operator::DoubleEquals | Operator::In, [v]) => Some(v.as_str()),
            _ => None,
        }
    }
}

impl fmt::Display for Selector {
    /// `Selector.String()`: requirements joined by `,`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}
