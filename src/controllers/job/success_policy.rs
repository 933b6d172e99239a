//! `spec.successPolicy` of Indexed Jobs, as `matchSuccessPolicy` in
//! `pkg/controller/job/success_policy.go` evaluates it.
//!
//! Rules are tried in order; the first one that holds makes the Job meet its
//! success criteria (condition `SuccessCriteriaMet`, reason `SuccessPolicy`,
//! message "Matched rules at index N"). A rule with `succeededIndexes` holds
//! when all those indexes succeeded, or at least `succeededCount` of them; a
//! rule with only `succeededCount` holds when that many indexes succeeded. A
//! `succeededIndexes` that reads as empty (unparsable, or beyond
//! `completions`) makes its rule never hold.

use super::indexes::IndexSet;
use crate::api::job::{SuccessPolicy, SuccessPolicyRule};

/// The reason of the `SuccessCriteriaMet` condition a success policy sets.
pub const SUCCESS_POLICY_REASON: &str = "SuccessPolicy";

/// The first rule that holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuccessPolicyMatch {
    pub rule_index: usize,
    /// The condition message: "Matched rules at index N".
    pub message: String,
}

/// Evaluates the policy against the succeeded indexes; `None` when there is
/// no policy, nothing succeeded yet, or no rule holds.
pub fn match_success_policy(
    policy: Option<&SuccessPolicy>,
    completions: u32,
    succeeded: &IndexSet,
) -> Option<SuccessPolicyMatch> {
    let policy = policy?;
    if succeeded.is_empty() {
        return None;
    }
    let rule_index = policy.rules.iter().position(|rule| rule_holds(rule, completions, succeeded))?;
    Some(SuccessPolicyMatch { rule_index, message: format!("Matched rules at index {rule_index}") })
}

fn rule_holds(rule: &SuccessPolicyRule, completions: u32, succeeded: &IndexSet) -> bool {
    let count = rule.succeeded_count.map(i64::from);
    let Some(text) = &rule.succeeded_indexes else {
        return count.is_some_and(|c| as_i64(succeeded.total()) >= c);
    };
    let required = IndexSet::parse_lenient(text, completions);
    if required.is_empty() {
        return false;
    }
    let common = required.count_common(succeeded);
    common == required.total() || count.is_some_and(|c| as_i64(common) >= c)
}

fn as_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(rules: &[(Option<&str>, Option<i32>)]) -> SuccessPolicy {
        SuccessPolicy {
            rules: rules
                .iter()
                .map(|(indexes, count)| SuccessPolicyRule {
                    succeeded_indexes: indexes.map(str::to_string),
                    succeeded_count: *count,
                })
                .collect(),
        }
    }

    /// `TestMatchSuccessPolicy` (`success_policy_test.go`), every case with the
    /// JobSuccessPolicy gate on (GA since 1.33); `completions` is 10 throughout.
    #[test]
    fn every_kubernetes_match_success_policy_case() {
        type Case<'a> = (&'a str, &'a [(Option<&'a str>, Option<i32>)], &'a [(u32, u32)], Option<usize>);
        let cases: &[Case] = &[
            ("any rules are nothing", &[], &[(0, 0)], None),
            ("succeededIndexes is invalid format", &[(Some("invalid-form"), None)], &[(0, 0)], None),
            ("succeededIndexes matched", &[(Some("0-2"), None)], &[(0, 2), (4, 7)], Some(0)),
            ("succeededIndexes didn't match", &[(Some("3"), None)], &[(0, 2)], None),
            ("succeededCount matched", &[(None, Some(2))], &[(0, 2)], Some(0)),
            ("succeededCount didn't match", &[(None, Some(4))], &[(0, 2)], None),
            ("multiple rules; one met", &[(Some("9"), None), (Some("4,6"), None)], &[(0, 2), (4, 7)], Some(1)),
            ("multiple rules; all met", &[(Some("0,1"), None), (Some("5"), None)], &[(0, 2), (4, 7)], Some(0)),
            ("indexes and count; met", &[(Some("3-6"), Some(2))], &[(0, 2), (4, 7)], Some(0)),
            ("indexes and count; not met", &[(Some("3-6"), Some(2))], &[(0, 2), (6, 7)], None),
            ("nothing succeeded", &[(None, Some(4))], &[], None),
            ("rules a proper subset", &[(Some("2-4,6-8"), None)], &[(1, 5), (6, 9)], Some(0)),
            ("rules equal succeeded", &[(Some("2-4,6-9"), None)], &[(2, 4), (6, 9)], Some(0)),
            ("rules a subset", &[(Some("2-4,8-12"), None)], &[(2, 5), (7, 15)], Some(0)),
            ("rules an empty set", &[(Some(""), None)], &[(1, 3)], None),
            ("succeeded an empty set", &[(Some(""), None)], &[], None),
            ("rules outside succeeded", &[(Some("10-12,14-16"), None)], &[(1, 3), (5, 7)], None),
            ("overlap at first", &[(Some("1-3,5-7"), None)], &[(2, 4), (6, 8)], None),
            ("overlap at first; count", &[(Some("1-3,5-7"), Some(4))], &[(2, 4), (6, 8)], Some(0)),
            ("overlap at last", &[(Some("2-4,6-9"), None)], &[(1, 3), (5, 7)], None),
            ("overlap at last; count", &[(Some("2-4,6-9"), Some(4))], &[(1, 3), (5, 7)], Some(0)),
            ("rules cover succeeded", &[(Some("0-4,6-9"), None)], &[(1, 3), (7, 8)], None),
            ("rules cover succeeded; count", &[(Some("0-4,6-9"), Some(5))], &[(1, 3), (7, 8)], Some(0)),
            ("overlap several at last", &[(Some("0-6,8-9"), None)], &[(1, 3), (5, 9)], None),
            ("overlap several at last; count", &[(Some("0-6,8-9"), Some(7))], &[(1, 3), (5, 9)], Some(0)),
            ("overlap first, equal last", &[(Some("0-5,7-9"), None)], &[(1, 5), (7, 10)], None),
            ("overlap first, equal last; count", &[(Some("0-5,7-9"), Some(8))], &[(1, 5), (7, 10)], Some(0)),
            ("first rule overlaps at first", &[(Some("0-3,6-9"), None)], &[(1, 10)], None),
            ("first rule overlaps at first; count", &[(Some("0-3,6-9"), Some(7))], &[(1, 10)], Some(0)),
        ];
        for (name, rules, succeeded, want) in cases {
            let got =
                match_success_policy(Some(&policy(rules)), 10, &IndexSet::from_intervals(succeeded.iter().copied()));
            assert_eq!(got.as_ref().map(|m| m.rule_index), *want, "{name}");
            if let Some(m) = got {
                assert_eq!(m.message, format!("Matched rules at index {}", m.rule_index), "{name}");
            }
        }
        assert_eq!(match_success_policy(None, 10, &IndexSet::from_indexes([0])), None);
    }
}
