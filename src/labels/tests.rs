//! Table-driven tests: cases copied from the upstream Go tests (each JSON
//! table names its source) plus derived error texts and garbage inputs.

use std::collections::BTreeMap;

use serde_json::Value;

use super::parser::{Lexer, Token};
use super::*;

macro_rules! testdata {
    ($name:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/labels/", $name))
    };
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("test data parses")
}

fn cases<'a>(v: &'a Value, table: &str) -> &'a Vec<Value> {
    let list = v[table]["cases"].as_array().unwrap_or_else(|| panic!("{table}.cases"));
    assert!(!list.is_empty(), "{table} has no cases");
    list
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn label_map(v: &Value) -> BTreeMap<String, String> {
    serde_json::from_value(v.clone()).expect("label map")
}

fn operator(name: &str) -> Operator {
    match name {
        "In" => Operator::In,
        "NotIn" => Operator::NotIn,
        "Equals" => Operator::Equals,
        "DoubleEquals" => Operator::DoubleEquals,
        "NotEquals" => Operator::NotEquals,
        "Exists" => Operator::Exists,
        "DoesNotExist" => Operator::DoesNotExist,
        "GreaterThan" => Operator::GreaterThan,
        "LessThan" => Operator::LessThan,
        other => panic!("unknown operator {other}"),
    }
}

/// `[key, operator, [values]]` as in the JSON tables.
fn requirement(v: &Value) -> Result<Requirement, SelectorError> {
    let values: Vec<String> = serde_json::from_value(v[2].clone()).expect("values");
    Requirement::new(s(&v[0]), operator(s(&v[1])), values)
}

/// A selector built from requirement triples, as Go's `internalSelector{…}`
/// literal (kept in the given order, not re-sorted).
fn selector_of(v: &Value) -> Vec<Requirement> {
    let list = v.as_array().expect("requirements");
    list.iter().map(|r| requirement(r).expect("valid requirement")).collect()
}

fn token(name: &str) -> Token {
    match name {
        "EndOfString" => Token::EndOfString,
        "ClosedPar" => Token::ClosedPar,
        "Comma" => Token::Comma,
        "DoesNotExist" => Token::DoesNotExist,
        "DoubleEquals" => Token::DoubleEquals,
        "Equals" => Token::Equals,
        "GreaterThan" => Token::GreaterThan,
        "Identifier" => Token::Identifier,
        "In" => Token::In,
        "LessThan" => Token::LessThan,
        "NotEquals" => Token::NotEquals,
        "NotIn" => Token::NotIn,
        "OpenPar" => Token::OpenPar,
        other => panic!("unknown token {other}"),
    }
}

mod parse {
    use super::*;

    const DATA: &str = testdata!("selector_parse.json");

    #[test]
    fn good_strings_reprint_without_spaces() {
        let data = json(DATA);
        let good = data["TestSelectorParse"]["good"].as_array().expect("good");
        assert!(!good.is_empty());
        for input in good.iter().map(s) {
            let sel = Selector::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert_eq!(sel.to_string(), input.replace(' ', ""), "{input:?}");
        }
    }

    #[test]
    fn bad_strings_fail() {
        let data = json(DATA);
        let bad = data["TestSelectorParse"]["bad"].as_array().expect("bad");
        assert!(!bad.is_empty());
        for input in bad.iter().map(s) {
            assert!(Selector::parse(input).is_err(), "{input:?} should fail");
        }
    }

    #[test]
    fn parse_is_deterministic() {
        let data = json(DATA);
        for pair in data["TestDeterministicParse"]["pairs"].as_array().expect("pairs") {
            let a = Selector::parse(s(&pair[0])).expect("parses");
            let b = Selector::parse(s(&pair[1])).expect("parses");
            assert_eq!(a.to_string(), b.to_string());
            assert_eq!(a, b);
        }
    }

    #[test]
    fn set_selector_parser_table() {
        let data = json(DATA);
        for case in cases(&data, "TestSetSelectorParser") {
            let input = s(&case["in"]);
            let result = Selector::parse(input);
            assert_eq!(result.is_ok(), case["valid"].as_bool().expect("valid"), "{input:?}: {result:?}");
            if let (Ok(sel), Some(out)) = (&result, case["out"].as_str()) {
                assert_eq!(sel.to_string(), out, "{input:?}");
            }
        }
    }

    #[test]
    fn lexer_first_token() {
        let data = json(DATA);
        for case in cases(&data, "TestLexer") {
            let input = s(&case[0]);
            let (tok, lit) = Lexer::new(input).lex();
            assert_eq!(tok, token(s(&case[1])), "{input:?}");
            assert_eq!(lit, input);
        }
    }

    #[test]
    fn lexer_sequences() {
        let data = json(DATA);
        for case in cases(&data, "TestLexerSequence") {
            let mut lexer = Lexer::new(s(&case[0]));
            let want: Vec<Token> = case[1].as_array().expect("tokens").iter().map(|t| token(s(t))).collect();
            let mut got = Vec::new();
            loop {
                match lexer.lex() {
                    (Token::EndOfString, _) => break,
                    (t, _) => got.push(t),
                }
            }
            assert_eq!(got, want, "{}", case[0]);
        }
    }

    #[test]
    fn error_texts() {
        let data = json(testdata!("parse_errors.json"));
        let list = data["cases"].as_array().expect("cases");
        assert!(list.len() > 20);
        for case in list {
            let input = s(&case["in"]);
            match case["error"].as_str() {
                Some(want) => {
                    let err = Selector::parse(input).expect_err(input);
                    assert_eq!(err.message(), want, "{input:?}");
                }
                None => {
                    let sel = Selector::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
                    assert_eq!(sel.to_string(), s(&case["out"]));
                }
            }
        }
    }
}

mod matching {
    use super::*;

    const DATA: &str = testdata!("selector_matches.json");

    #[test]
    fn selector_matches_table() {
        let data = json(DATA);
        for case in cases(&data, "TestSelectorMatches") {
            let sel = Selector::parse(s(&case[0])).expect("parses");
            let labels = label_map(&case[1]);
            assert_eq!(sel.matches(&labels), case[2].as_bool().expect("bool"), "{case}");
        }
    }

    #[test]
    fn set_selectors_match_supersets() {
        let data = json(DATA);
        let table = &data["TestSetMatches"];
        let labels = label_map(&table["labels"]);
        for set in table["selectors"].as_array().expect("selectors") {
            assert!(Selector::from_set(&label_map(set)).matches(&labels), "{set}");
        }
        assert!(Selector::from_set(&BTreeMap::new()).is_empty());
    }

    #[test]
    fn requirement_selector_matching_table() {
        let data = json(DATA);
        for case in cases(&data, "TestRequirementSelectorMatching") {
            let reqs = selector_of(&case["requirements"]);
            let labels = label_map(&case["labels"]);
            let got = reqs.iter().all(|r| r.matches(&labels));
            assert_eq!(got, case["match"].as_bool().expect("match"), "{case}");
        }
    }

    #[test]
    fn requirement_constructor_table() {
        let data = json(DATA);
        for case in cases(&data, "TestRequirementConstructor") {
            let ok = requirement(case).is_ok();
            assert_eq!(ok, case[3].as_bool().expect("success"), "{}", case[0]);
        }
    }

    #[test]
    fn to_string_table() {
        let data = json(DATA);
        for case in cases(&data, "TestToString") {
            let reqs = selector_of(&case["requirements"]);
            let text: Vec<String> = reqs.iter().map(ToString::to_string).collect();
            assert_eq!(text.join(","), s(&case["out"]));
        }
    }

    #[test]
    fn requires_exact_match_table() {
        let data = json(DATA);
        for case in cases(&data, "TestRequiresExactMatch") {
            let sel = selector_of(&case["requirements"]);
            let sel = Selector::from_requirements(sel);
            let got = sel.requires_exact_match(s(&case["label"]));
            assert_eq!(got, case["value"].as_str(), "{case}");
        }
    }

    /// A selector is one label when every requirement pins the same key to the same
    /// value; then it matches exactly the label sets with that label.
    #[test]
    fn one_label_selectors() {
        let one = |text: &str| Selector::parse(text).unwrap().as_one_label().map(|(k, v)| format!("{k}={v}"));
        assert_eq!(one("app=web").as_deref(), Some("app=web"));
        assert_eq!(one("app==web,app in (web)").as_deref(), Some("app=web"));
        let merged = Selector::from_set(&label_map(&serde_json::json!({"app": "web"})));
        assert_eq!(merged.and(&Selector::parse("app=web").unwrap()).as_one_label(), Some(("app", "web")));
        for other in ["", "app=web,tier=db", "app=web,app=db", "app in (web,db)", "app!=web", "app", "app=web,!tier"] {
            assert_eq!(one(other), None, "{other:?}");
        }
        assert_eq!(Selector::nothing().as_one_label(), None);
        let sets = [
            serde_json::json!({"app": "web"}),
            serde_json::json!({"app": "web", "x": "1"}),
            serde_json::json!({"app": "db"}),
            serde_json::json!({}),
        ];
        for text in ["app=web", "app==web,app in (web)"] {
            let selector = Selector::parse(text).unwrap();
            let (k, v) = selector.as_one_label().unwrap();
            for set in &sets {
                let set = label_map(set);
                assert_eq!(selector.matches(&set), set.get(k).map(String::as_str) == Some(v), "{text} on {set:?}");
            }
        }
    }

    #[test]
    fn format_labels_table() {
        let data = json(DATA);
        for case in cases(&data, "TestSetString") {
            assert_eq!(format_labels(&label_map(&case[0])), s(&case[1]));
        }
        assert_eq!(format_labels(&BTreeMap::new()), "<none>");
        // Go sorts the joined strings: '-' (0x2d) sorts before '=' (0x3d).
        let labels = label_map(&serde_json::json!({"a": "2", "a-b": "1"}));
        assert_eq!(format_labels(&labels), "a-b=1,a=2");
    }

    #[test]
    fn nothing_and_everything() {
        let labels = label_map(&serde_json::json!({"x": "y"}));
        assert!(Selector::everything().matches(&labels));
        assert!(Selector::everything().is_empty());
        assert!(!Selector::nothing().matches(&labels));
        assert!(!Selector::nothing().is_empty());
        assert!(Selector::nothing().matches_nothing());
        assert_eq!(Selector::nothing().to_string(), "");
    }
}

mod api_selectors {
    use super::*;

    fn label_selector(v: &Value) -> Option<LabelSelector> {
        serde_json::from_value(v.clone()).expect("LabelSelector JSON")
    }

    fn node_requirements(v: &Value) -> Vec<NodeSelectorRequirement> {
        serde_json::from_value(v.clone()).expect("NodeSelectorRequirement JSON")
    }

    #[test]
    fn label_selector_as_selector_table() {
        let data = json(testdata!("label_selector.json"));
        for case in cases(&data, "TestLabelSelectorAsSelector") {
            let ps = label_selector(&case["selector"]);
            let result = label_selector_as_selector(ps.as_ref());
            if case["error"].as_bool() == Some(true) {
                assert!(result.is_err(), "{case}");
                continue;
            }
            let sel = result.expect("converts");
            assert_eq!(sel.to_string(), s(&case["out"]), "{case}");
            assert_eq!(sel.matches_nothing(), case["nothing"].as_bool().unwrap_or(false));
        }
    }

    #[test]
    fn format_label_selector_table() {
        let data = json(testdata!("label_selector.json"));
        for case in cases(&data, "FormatLabelSelector") {
            let ps = label_selector(&case["selector"]);
            assert_eq!(format_label_selector(ps.as_ref()), s(&case["want"]), "{case}");
        }
    }

    #[test]
    fn label_selector_errors_and_serde() {
        let ps: LabelSelector =
            serde_json::from_str(r#"{"matchExpressions":[{"key":"k","operator":"Between","values":["a"]}]}"#)
                .expect("unknown operators deserialize");
        let err = label_selector_as_selector(Some(&ps)).expect_err("invalid operator");
        assert_eq!(err.message(), r#""Between" is not a valid pod selector operator"#);
        let ps: LabelSelector =
            serde_json::from_str(r#"{"matchExpressions":[{"key":"k","operator":"In"}]}"#).expect("parses");
        let err = label_selector_as_selector(Some(&ps)).expect_err("empty In");
        assert_eq!(
            err.message(),
            "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"
        );
        let text = serde_json::to_string(&ps).expect("serializes");
        assert_eq!(text, r#"{"matchExpressions":[{"key":"k","operator":"In"}]}"#);
    }

    #[test]
    fn node_requirements_as_selector_table() {
        let data = json(testdata!("node_selector.json"));
        for case in cases(&data, "TestNodeSelectorRequirementsAsSelector") {
            let reqs = node_requirements(&case["requirements"]);
            let result = node_selector_requirements_as_selector(&reqs, "root");
            match case["error"].as_str() {
                Some(want) => assert_eq!(result.expect_err("error").message(), want),
                None => {
                    let sel = result.expect("converts");
                    let want = Selector::parse(s(&case["out"])).expect("parses");
                    assert_eq!(sel.to_string(), want.to_string());
                    assert_eq!(sel.matches_nothing(), case["nothing"].as_bool().unwrap_or(false));
                }
            }
        }
    }

    #[test]
    fn node_affinity_matching_table() {
        let data = json(testdata!("node_selector.json"));
        for case in cases(&data, "TestPodMatchesNodeSelectorAndAffinityTerms") {
            let sel =
                node_selector_requirements_as_selector(&node_requirements(&case["requirements"]), "").expect("valid");
            let labels = label_map(&case["labels"]);
            assert_eq!(sel.matches(&labels), case["match"].as_bool().expect("match"), "{case}");
        }
    }

    #[test]
    fn node_requirement_errors_and_integer_comparisons() {
        let data = json(testdata!("node_selector.json"));
        let upstream = cases(&data, "TestNodeSelectorMatch_errors");
        for case in upstream.iter().chain(cases(&data, "derived")) {
            let reqs = node_requirements(&case["requirements"]);
            let result = node_selector_requirements_as_selector(&reqs, s(&case["path"]));
            if let Some(want) = case["error"].as_str() {
                assert_eq!(result.expect_err("error").message(), want);
                continue;
            }
            let sel = result.expect("valid");
            for pair in case["labels_match"].as_array().expect("labels_match") {
                let labels = label_map(&pair[0]);
                assert_eq!(sel.matches(&labels), pair[1].as_bool().expect("bool"), "{pair}");
            }
        }
    }
}

mod garbage {
    use super::*;

    /// Deterministic xorshift so the "random" inputs are reproducible.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[(self.next() % items.len() as u64) as usize]
        }
    }

    const PIECES: &[&str] = &[
        "a", "b", "x", "in", "notin", "=", "==", "!", "!=", "(", ")", ",", ">", "<", " ", "\t", "\r", "\n", "\0", "-",
        ".", "/", "_", "1", "-9", "é", "日本", "\u{200b}", "\"", "\\", "~", "|",
    ];

    /// Parsing garbage never panics, and whatever parses re-prints to a
    /// string that parses to the same selector.
    fn check(input: &str) -> bool {
        match Selector::parse(input) {
            Err(e) => {
                assert!(!e.message().is_empty(), "{input:?}");
                false
            }
            Ok(sel) => {
                let text = sel.to_string();
                let again = Selector::parse(&text).unwrap_or_else(|e| panic!("{input:?} -> {text:?}: {e}"));
                assert_eq!(again.to_string(), text, "{input:?}");
                let labels = label_map(&serde_json::json!({"a": "1", "b": "", "x": "-9"}));
                assert_eq!(sel.matches(&labels), again.matches(&labels));
                true
            }
        }
    }

    #[test]
    fn every_short_combination() {
        let small = ["a", "=", "!", "(", ")", ",", " ", "in", ">", "1", "é", "\0"];
        let mut inputs = vec![String::new()];
        let mut parsed = 0;
        for _ in 0..4 {
            let mut longer = Vec::new();
            for prefix in &inputs {
                for piece in small {
                    let input = format!("{prefix}{piece}");
                    parsed += usize::from(check(&input));
                    longer.push(input);
                }
            }
            inputs = longer;
        }
        assert!(parsed > 100, "only {parsed} inputs parsed");
    }

    #[test]
    fn random_long_strings() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut parsed = 0;
        for _ in 0..20_000 {
            let len = rng.next() % 24;
            let input: String = (0..len).map(|_| rng.pick(PIECES)).collect();
            parsed += usize::from(check(&input));
        }
        assert!(parsed > 0);
    }

    #[test]
    fn oversized_inputs() {
        let long_key = "k".repeat(100_000);
        assert!(Selector::parse(&long_key).is_err());
        let many = vec!["a=b"; 10_000].join(",");
        assert_eq!(Selector::parse(&many).expect("parses").requirements().len(), 10_000);
        let deep = "(".repeat(10_000);
        assert!(Selector::parse(&deep).is_err());
    }
}

/// `Selector::matches` must not allocate: the scheduler calls it for every
/// pod/node pair. A counting allocator tracks allocations of the current
/// thread only, so tests running in parallel do not interfere.
mod allocation_free {
    use super::*;
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    struct Counting;

    thread_local! {
        // `const` thread-locals without destructors never allocate on access.
        static TRACKING: Cell<bool> = const { Cell::new(false) };
        static COUNT: Cell<usize> = const { Cell::new(0) };
    }

    // SAFETY: forwards to the system allocator unchanged; only counts.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            if TRACKING.with(Cell::get) {
                COUNT.with(|c| c.set(c.get() + 1));
            }
            // SAFETY: same contract as the caller's.
            unsafe { System.alloc(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: `ptr` came from `System.alloc` above.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    #[global_allocator]
    static ALLOCATOR: Counting = Counting;

    fn allocations_during(f: impl FnOnce()) -> usize {
        COUNT.with(|c| c.set(0));
        TRACKING.with(|t| t.set(true));
        f();
        TRACKING.with(|t| t.set(false));
        COUNT.with(Cell::get)
    }

    #[test]
    fn matching_does_not_allocate() {
        let sel = Selector::parse("a in (x,y),b notin (z),c,!d,e=1,f!=2,g>5,h<9").expect("parses");
        let hit = label_map(&serde_json::json!({"a": "x", "c": "", "e": "1", "g": "6", "h": "-1"}));
        let miss = label_map(&serde_json::json!({"a": "q", "g": "not-a-number"}));
        let mut results = (false, false);
        let count = allocations_during(|| {
            for _ in 0..1000 {
                results = (sel.matches(&hit), sel.matches(&miss));
            }
        });
        assert_eq!(results, (true, false));
        assert_eq!(count, 0);
        // The counter does see allocations.
        assert!(allocations_during(|| drop(sel.to_string())) > 0);
    }
}
