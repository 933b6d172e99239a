//! Tests for `quantity.rs`. The tables in `testdata/quantity/kubernetes_cases.json`
//! are copied from apimachinery's tests (each case names its source); those in
//! `own_cases.json` are podsim's own edge cases.

use super::validation::*;
use super::*;
use serde::Deserialize;
use serde::de::IntoDeserializer;

const KUBERNETES_CASES: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/quantity/kubernetes_cases.json"));
const OWN_CASES: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/quantity/own_cases.json"));

#[derive(Deserialize)]
struct KubernetesCases {
    parse: Vec<ParseCase>,
    parse_invalid: Vec<InvalidCase>,
    string: Vec<StringCase>,
    string_only: Vec<StringCase>,
    parse_emit: Vec<TextCase>,
    round_up: Vec<RoundUpCase>,
    scaled_value: Vec<ScaledValueCase>,
    value_rounding: Vec<ValueRoundingCase>,
    as_scaled: Vec<AsScaledCase>,
    sub_nano: Vec<SubNanoCase>,
    display: Vec<DisplayCase>,
    reserialize: Vec<TextCase>,
    constructed: Vec<ConstructedCase>,
    cmp: Vec<CmpCase>,
    json: Vec<JsonCase>,
    add: Vec<ArithmeticCase>,
    sub: Vec<ArithmeticCase>,
    exponent_bounds: Vec<ExponentBoundCase>,
    preserves_suffix: Vec<InvalidCase>,
}

#[derive(Deserialize)]
struct OwnCases {
    parse: Vec<OwnParseCase>,
    parse_invalid: Vec<InvalidCase>,
    json: Vec<JsonCase>,
    json_invalid: Vec<JsonCase>,
}

#[derive(Deserialize)]
struct ParseCase {
    source: String,
    input: String,
    mantissa: String,
    exponent: i64,
    format: String,
}

#[derive(Deserialize)]
struct InvalidCase {
    source: String,
    input: String,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct StringCase {
    source: String,
    mantissa: String,
    exponent: i64,
    format: String,
    expect: String,
    #[serde(default)]
    alternate: String,
}

#[derive(Deserialize)]
struct TextCase {
    source: String,
    input: String,
    expect: String,
}

#[derive(Deserialize)]
struct RoundUpCase {
    source: String,
    input: String,
    scale: i32,
    mantissa: String,
    exponent: i64,
    exact: bool,
}

#[derive(Deserialize)]
struct ScaledValueCase {
    source: String,
    value: i64,
    from_scale: i32,
    to_scale: i32,
    expect: i64,
    ok: bool,
}

#[derive(Deserialize)]
struct ValueRoundingCase {
    source: String,
    input: String,
    value: i64,
    milli: i64,
}

#[derive(Deserialize)]
struct AsScaledCase {
    source: String,
    input: String,
    scale: i32,
    expect: i64,
    ok: bool,
}

#[derive(Deserialize)]
struct SubNanoCase {
    source: String,
    input: String,
    equals: String,
}

#[derive(Deserialize)]
struct DisplayCase {
    source: String,
    input: String,
    expect: String,
    format: String,
}

#[derive(Deserialize)]
struct ConstructedCase {
    source: String,
    kind: String,
    value: i64,
    format: String,
    scale: i32,
    expect: String,
}

#[derive(Deserialize)]
struct CmpCase {
    source: String,
    x: String,
    y: String,
    expect: i32,
}

#[derive(Deserialize)]
struct JsonCase {
    source: String,
    json: String,
    #[serde(default)]
    expect: String,
}

#[derive(Deserialize)]
struct Operand {
    mantissa: String,
    exponent: i64,
    format: String,
}

#[derive(Deserialize)]
struct ArithmeticCase {
    source: String,
    a: Operand,
    b: Operand,
    expect: Operand,
}

#[derive(Deserialize)]
struct ExponentBoundCase {
    source: String,
    suffix: String,
    ok: bool,
    exponent: i64,
}

#[derive(Deserialize)]
struct OwnParseCase {
    source: String,
    input: String,
    display: String,
    canonical: String,
    format: String,
    value: i64,
    milli: i64,
}

fn kubernetes() -> KubernetesCases {
    serde_json::from_str(KUBERNETES_CASES).expect("kubernetes_cases.json is valid")
}

fn own() -> OwnCases {
    serde_json::from_str(OWN_CASES).expect("own_cases.json is valid")
}

fn format_named(name: &str) -> Format {
    match name {
        "DecimalSI" => Format::DecimalSI,
        "BinarySI" => Format::BinarySI,
        "DecimalExponent" => Format::DecimalExponent,
        other => panic!("unknown format {other}"),
    }
}

/// The exact value `mantissa × 10^exponent`, built without the parser.
fn amount(mantissa: &str, exponent: i64) -> Decimal {
    let (negative, digits) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa),
    };
    Decimal::new(negative, digits_of(digits), exponent)
}

fn quantity(mantissa: &str, exponent: i64, format: &str) -> Quantity {
    Quantity::from_amount(amount(mantissa, exponent), format_named(format))
}

fn operand(o: &Operand) -> Quantity {
    quantity(&o.mantissa, o.exponent, &o.format)
}

/// Runs `check` over every case, then fails once listing every mismatch.
fn check_all<T>(cases: &[T], check: impl Fn(&T) -> Result<(), String>) {
    assert!(!cases.is_empty(), "a table must not be empty");
    let failures: Vec<String> = cases.iter().filter_map(|c| check(c).err()).collect();
    assert!(failures.is_empty(), "{} failing case(s):\n{}", failures.len(), failures.join("\n"));
}

fn expect_eq<T: PartialEq + fmt::Debug>(what: &str, got: T, want: T) -> Result<(), String> {
    if got == want { Ok(()) } else { Err(format!("{what}: got {got:?}, want {want:?}")) }
}

fn parsed(source: &str, input: &str) -> Result<Quantity, String> {
    Quantity::parse(input).map_err(|e| format!("{source}: {input:?} failed to parse: {e}"))
}

// ---------------------------------------------------------------------------
// Tables copied from Kubernetes
// ---------------------------------------------------------------------------

#[test]
fn kubernetes_parse_values_and_formats() {
    check_all(&kubernetes().parse, |c| {
        let want = quantity(&c.mantissa, c.exponent, &c.format);
        for (prefix, expected) in [("", want.clone()), ("+", want.clone()), ("-", -want.clone())] {
            let input = format!("{prefix}{}", c.input);
            let got = parsed(&c.source, &input)?;
            let what = format!("{}: {input:?}", c.source);
            expect_eq(&format!("{what} value"), got.amount.clone(), expected.amount)?;
            expect_eq(&format!("{what} format"), got.format, want.format)?;
        }
        Ok(())
    });
}

#[test]
fn kubernetes_invalid_inputs_are_rejected() {
    check_all(&kubernetes().parse_invalid, |c| match Quantity::parse(&c.input) {
        Ok(q) => Err(format!("{}: {:?} parsed as {q}", c.source, c.input)),
        Err(_) => Ok(()),
    });
}

#[test]
fn kubernetes_canonical_strings() {
    check_all(&kubernetes().string, |c| {
        let what = format!("{}: {}e{} {}", c.source, c.mantissa, c.exponent, c.format);
        let q = quantity(&c.mantissa, c.exponent, &c.format);
        expect_eq(&format!("{what} string"), q.to_string(), c.expect.clone())?;
        let reparsed = parsed(&c.source, &c.expect)?;
        expect_eq(&format!("{what} keeps canonical input"), reparsed.remembered.as_deref(), Some(c.expect.as_str()))?;
        if !c.alternate.is_empty() {
            let alternate = parsed(&c.source, &c.alternate)?;
            expect_eq(&format!("{what} alternate not kept"), alternate.remembered.as_deref(), None)?;
            expect_eq(&format!("{what} alternate string"), alternate.to_string(), c.expect.clone())?;
        }
        if !q.is_zero() {
            expect_eq(&format!("{what} negated"), (-q).to_string(), format!("-{}", c.expect))?;
        }
        Ok(())
    });
}

#[test]
fn kubernetes_strings_of_constructed_values() {
    check_all(&kubernetes().string_only, |c| {
        let q = quantity(&c.mantissa, c.exponent, &c.format);
        expect_eq(&format!("{}: {}e{}", c.source, c.mantissa, c.exponent), q.to_string(), c.expect.clone())
    });
}

#[test]
fn binary_past_ei_round_trips() {
    // TestBinarySIPastEiArithmeticRoundTrip: 2^70 prints every digit and parses back.
    let q = quantity(&(1u128 << 70).to_string(), 0, "BinarySI");
    let back = Quantity::parse(&q.to_string()).expect("reparses");
    assert_eq!(back, q);
    assert_eq!(serde_json::to_string(&q).expect("serialises"), "\"1180591620717411303424\"");
}

#[test]
fn kubernetes_parse_emit() {
    check_all(&kubernetes().parse_emit, |c| {
        let q = parsed(&c.source, &c.input)?;
        expect_eq(&format!("{}: {:?}", c.source, c.input), q.to_string(), c.expect.clone())?;
        let negative = parsed(&c.source, &format!("-{}", c.input))?;
        if negative.is_zero() {
            return Ok(());
        }
        expect_eq(&format!("{}: -{:?}", c.source, c.input), negative.to_string(), format!("-{}", c.expect))
    });
}

#[test]
fn kubernetes_reserialization() {
    check_all(&kubernetes().reserialize, |c| {
        let q = parsed(&c.source, &c.input)?;
        expect_eq(&format!("{}: {:?}", c.source, c.input), q.to_string(), c.expect.clone())
    });
}

#[test]
fn kubernetes_round_up() {
    check_all(&kubernetes().round_up, |c| {
        let mut q = parsed(&c.source, &c.input)?;
        let what = format!("{}: {:?} to scale {}", c.source, c.input, c.scale);
        expect_eq(&format!("{what} exact"), q.round_up(c.scale), c.exact)?;
        expect_eq(&format!("{what} value"), q.amount, amount(&c.mantissa, c.exponent))
    });
}

#[test]
fn kubernetes_scaled_values() {
    check_all(&kubernetes().scaled_value, |c| {
        let q = Quantity::new_scaled(c.value, c.from_scale);
        let what = format!("{}: {}e{} at {}", c.source, c.value, c.from_scale, c.to_scale);
        expect_eq(&what, q.as_scaled_i64(c.to_scale), (c.expect, c.ok))?;
        expect_eq(&what, q.scaled_value(c.to_scale), c.expect)
    });
}

#[test]
fn kubernetes_value_rounds_away_from_zero() {
    check_all(&kubernetes().value_rounding, |c| {
        let q = parsed(&c.source, &c.input)?;
        expect_eq(&format!("{}: {:?} value", c.source, c.input), q.value(), c.value)?;
        expect_eq(&format!("{}: {:?} milli", c.source, c.input), q.milli_value(), c.milli)
    });
}

#[test]
fn kubernetes_as_scaled_saturates() {
    check_all(&kubernetes().as_scaled, |c| {
        let q = parsed(&c.source, &c.input)?;
        let what = format!("{}: {:?} at {}", c.source, c.input, c.scale);
        expect_eq(&what, q.as_scaled_i64(c.scale), (c.expect, c.ok))
    });
}

#[test]
fn kubernetes_sub_nano_rounds_up() {
    check_all(&kubernetes().sub_nano, |c| {
        let got = parsed(&c.source, &c.input)?;
        let want = parsed(&c.source, &c.equals)?;
        expect_eq(&format!("{}: {:?}", c.source, c.input), got, want)
    });
}

#[test]
fn kubernetes_sub_nano_display() {
    check_all(&kubernetes().display, |c| {
        let q = parsed(&c.source, &c.input)?;
        expect_eq(&format!("{}: {:?} text", c.source, c.input), q.to_string(), c.expect.clone())?;
        expect_eq(&format!("{}: {:?} format", c.source, c.input), q.format(), format_named(&c.format))
    });
}

#[test]
fn kubernetes_constructors() {
    check_all(&kubernetes().constructed, |c| {
        let format = format_named(&c.format);
        let (q, read_back): (Quantity, fn(&Quantity, i32) -> i64) = match c.kind.as_str() {
            "new" => (Quantity::new(c.value, format), |q, _| q.value()),
            "milli" => (Quantity::new_milli(c.value, format), |q, _| q.milli_value()),
            "scaled" => (Quantity::new_scaled(c.value, c.scale), |q, s| q.scaled_value(s)),
            other => return Err(format!("{}: unknown kind {other}", c.source)),
        };
        let what = format!("{}: {} {}", c.source, c.kind, c.value);
        expect_eq(&what, q.to_string(), c.expect.clone())?;
        let reparsed = parsed(&c.source, &c.expect)?;
        expect_eq(&format!("{what} round trip"), read_back(&reparsed, c.scale), c.value)
    });
}

#[test]
fn kubernetes_compare() {
    check_all(&kubernetes().cmp, |c| {
        let (x, y) = (parsed(&c.source, &c.x)?, parsed(&c.source, &c.y)?);
        let want = c.expect.cmp(&0);
        expect_eq(&format!("{}: {} vs {}", c.source, c.x, c.y), x.cmp(&y), want)?;
        expect_eq(&format!("{}: {} vs {}", c.source, c.y, c.x), y.cmp(&x), want.reverse())
    });
}

#[test]
fn kubernetes_json_whitespace() {
    check_all(&kubernetes().json, check_json);
}

fn check_json(c: &JsonCase) -> Result<(), String> {
    let q: Quantity = serde_json::from_str(&c.json).map_err(|e| format!("{}: {}: {e}", c.source, c.json))?;
    expect_eq(&format!("{}: {}", c.source, c.json), q.to_string(), c.expect.clone())
}

#[test]
fn kubernetes_add() {
    check_all(&kubernetes().add, |c| {
        let mut q = operand(&c.a);
        q += &operand(&c.b);
        check_arithmetic(c, &q)
    });
}

#[test]
fn kubernetes_sub() {
    check_all(&kubernetes().sub, |c| {
        let mut q = operand(&c.a);
        q -= &operand(&c.b);
        check_arithmetic(c, &q)
    });
}

fn check_arithmetic(c: &ArithmeticCase, got: &Quantity) -> Result<(), String> {
    let want = operand(&c.expect);
    let what = format!("{}: {}e{} and {}e{}", c.source, c.a.mantissa, c.a.exponent, c.b.mantissa, c.b.exponent);
    expect_eq(&format!("{what} value"), got, &want)?;
    expect_eq(&format!("{what} format"), got.format, want.format)
}

#[test]
fn kubernetes_exponent_bounds() {
    check_all(&kubernetes().exponent_bounds, |c| {
        let got = interpret_suffix(&c.suffix).map(|s| (s.exponent, s.format));
        let want = c.ok.then_some((c.exponent, Format::DecimalExponent));
        expect_eq(&format!("{}: {:?}", c.source, c.suffix), got, want)
    });
}

#[test]
fn kubernetes_zero_preserves_suffix() {
    check_all(&kubernetes().preserves_suffix, |c| {
        let value = parsed(&c.source, &c.input)?;
        let zero = Quantity::parse("0").map_err(|e| e.to_string())?;
        let (mut plus, mut minus) = (value.clone(), value.clone());
        plus += &zero;
        minus -= &zero;
        let (mut zero_plus, mut zero_minus) = (zero.clone(), zero);
        zero_plus += &value;
        zero_minus -= &value;
        let what = |op: &str| format!("{}: {op} {:?}", c.source, c.input);
        expect_eq(&what("x + 0"), plus.to_string(), c.input.clone())?;
        expect_eq(&what("x - 0"), minus.to_string(), c.input.clone())?;
        expect_eq(&what("0 + x"), zero_plus.to_string(), c.input.clone())?;
        expect_eq(&what("0 - x"), zero_minus.to_string(), (-value).to_string())
    });
}

// ---------------------------------------------------------------------------
// podsim's own cases
// ---------------------------------------------------------------------------

#[test]
fn own_parse_display_and_values() {
    check_all(&own().parse, |c| {
        let q = parsed(&c.source, &c.input)?;
        let what = |field: &str| format!("{}: {:?} {field}", c.source, c.input);
        expect_eq(&what("display"), q.to_string(), c.display.clone())?;
        expect_eq(&what("canonical"), q.canonical(), c.canonical.clone())?;
        expect_eq(&what("format"), q.format(), format_named(&c.format))?;
        expect_eq(&what("value"), q.value(), c.value)?;
        expect_eq(&what("milli"), q.milli_value(), c.milli)
    });
}

#[test]
fn own_invalid_inputs_give_kubernetes_messages() {
    check_all(&own().parse_invalid, |c| {
        let got = Quantity::parse(&c.input).map(|q| q.to_string()).map_err(|e| e.to_string());
        expect_eq(&format!("{}: {:?}", c.source, c.input), got, Err(c.error.clone().unwrap_or_default()))
    });
}

#[test]
fn own_json_and_yaml_numbers() {
    check_all(&own().json, check_json);
}

#[test]
fn own_json_rejections() {
    check_all(&own().json_invalid, |c| match serde_json::from_str::<Quantity>(&c.json) {
        Ok(q) => Err(format!("{}: {} accepted as {q}", c.source, c.json)),
        Err(_) => Ok(()),
    });
}

#[test]
fn serialises_as_the_string_kubernetes_prints() {
    let cases = [("1.5Gi", "\"1536Mi\""), ("+1", "\"+1\""), ("0.5", "\"500m\""), ("0", "\"0\"")];
    for (input, want) in cases {
        let q = Quantity::parse(input).expect("valid");
        assert_eq!(serde_json::to_string(&q).expect("serialises"), want, "{input}");
    }
    assert_eq!(serde_json::to_string(&Quantity::new(3, Format::BinarySI)).expect("serialises"), "\"3\"");
}

#[test]
fn floats_are_written_as_go_encoding_json_writes_them() {
    let cases = [
        (0.5, "0.5"),
        (1e21, "1e+21"),
        (1.5e22, "1.5e+22"),
        (1e-7, "1e-7"),
        (1.234e-10, "1.234e-10"),
        (123456.789, "123456.789"),
        (-0.0, "-0"),
        (1e-6, "0.000001"),
        (1e20, "100000000000000000000"),
    ];
    for (value, want) in cases {
        assert_eq!(go_json_float(value).as_deref(), Some(want), "{value:e}");
    }
    assert_eq!(go_json_float(f64::NAN), None);
    assert_eq!(go_json_float(f64::INFINITY), None);
}

#[test]
fn deserialises_plain_numbers_through_the_visitor() {
    let from_f64 = Quantity::deserialize(0.25f64.into_deserializer());
    let from_u64 = Quantity::deserialize(4u64.into_deserializer());
    let from_i64 = Quantity::deserialize((-3i64).into_deserializer());
    let from_inf = Quantity::deserialize(f64::INFINITY.into_deserializer());
    let text = |r: Result<Quantity, serde::de::value::Error>| r.map(|q| q.to_string()).ok();
    assert_eq!(text(from_f64), Some("250m".to_owned()));
    assert_eq!(text(from_u64), Some("4".to_owned()));
    assert_eq!(text(from_i64), Some("-3".to_owned()));
    assert_eq!(text(from_inf), None);
}

#[test]
fn equality_and_order_ignore_format_and_spelling() {
    let one_ki = Quantity::parse("1Ki").expect("valid");
    let plain = Quantity::parse("1024").expect("valid");
    assert_eq!(one_ki, plain);
    assert_ne!(one_ki.format(), plain.format());
    let mut sorted: Vec<Quantity> =
        ["1Gi", "100m", "-1", "1e3", "0"].iter().map(|s| Quantity::parse(s).expect("valid")).collect();
    sorted.sort();
    let texts: Vec<String> = sorted.iter().map(|q| q.to_string()).collect();
    assert_eq!(texts, ["-1", "0", "100m", "1e3", "1Gi"]);
}

#[test]
fn arithmetic_carries_borrows_and_mixed_exponents() {
    let sum = |a: &str, b: &str| {
        let mut q = Quantity::parse(a).expect("valid");
        q += &Quantity::parse(b).expect("valid");
        q.to_string()
    };
    assert_eq!(sum("999m", "1m"), "1");
    assert_eq!(sum("1", "-1n"), "999999999n");
    assert_eq!(sum("-5", "3"), "-2");
    assert_eq!(sum("1Gi", "1Gi"), "2Gi");
    assert_eq!(sum("1e3", "1n"), "1000000000001e-9");
    assert_eq!(sum("9223372036854775807", "1"), "9223372036854775808");
    let mut q = Quantity::parse("100m").expect("valid");
    q -= &Quantity::parse("250m").expect("valid");
    assert_eq!(q.to_string(), "-150m");
    assert_eq!(q.signum(), -1);
}

#[test]
fn round_up_drops_remembered_text_only_when_the_value_changes() {
    let mut q = Quantity::parse("+1").expect("valid");
    assert!(q.round_up(0));
    assert_eq!(q.to_string(), "+1");
    let mut q = Quantity::parse("1.5").expect("valid");
    assert!(!q.round_up(0));
    assert_eq!(q.to_string(), "2");
}

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const GARBAGE_PIECES: &[&str] = &[
    "0",
    "1",
    "5",
    "9",
    "00",
    "999",
    ".",
    "+",
    "-",
    "e",
    "E",
    "i",
    "n",
    "u",
    "m",
    "k",
    "K",
    "M",
    "G",
    "T",
    "P",
    "Ki",
    "Mi",
    "Ei",
    "e-",
    "e+",
    "2147483647",
    "2147483648",
    "9223372036854775807",
    " ",
    "\t",
    "x",
    ",",
    "é",
    "１",
    "\u{0}",
    "%",
    "/",
    "_",
];

fn garbage(rng: &mut Rng) -> String {
    let pieces = rng.below(12);
    (0..pieces).map(|_| GARBAGE_PIECES[rng.below(GARBAGE_PIECES.len())]).collect()
}

/// Whether a failed reparse is explained by an exponent Kubernetes refuses.
fn exponent_out_of_range(text: &str) -> bool {
    text.rsplit_once('e').and_then(|(_, e)| e.parse::<i64>().ok()).is_some_and(|e| e.abs() > i64::from(i32::MAX))
}

fn check_round_trip(input: &str, q: &Quantity) {
    for text in [q.to_string(), q.canonical()] {
        match Quantity::parse(&text) {
            Ok(back) => assert_eq!(&back, q, "{input:?} printed as {text:?}"),
            Err(e) => assert!(exponent_out_of_range(&text), "{input:?} printed as {text:?}: {e}"),
        }
    }
    let _ = (q.value(), q.milli_value(), q.scaled_value(i32::MIN), q.scaled_value(i32::MAX));
}

#[test]
fn random_garbage_never_panics_and_valid_results_round_trip() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut accepted = 0;
    for _ in 0..50_000 {
        let input = garbage(&mut rng);
        if let Ok(q) = Quantity::parse(&input) {
            accepted += 1;
            check_round_trip(&input, &q);
        }
    }
    // The generator must exercise both outcomes for the test to mean anything.
    assert!(accepted > 1_000, "only {accepted} inputs parsed");
}

#[test]
fn huge_inputs_stay_exact_and_cheap() {
    let many_digits = format!("1{}", "0".repeat(10_000));
    let q = Quantity::parse(&many_digits).expect("valid");
    assert_eq!(q.canonical(), "10e9999");
    assert_eq!(q.value(), i64::MAX);
    let tiny = format!("0.{}1", "0".repeat(10_000));
    assert_eq!(Quantity::parse(&tiny).expect("valid").to_string(), "1n");
    let huge_binary = format!("{}Ei", "9".repeat(5_000));
    let capped = Quantity::parse(&huge_binary).expect("valid");
    assert_eq!(capped.to_string(), "9223372036854775807");
    let far = Quantity::parse("-7e2147483647").expect("valid");
    assert_eq!(far.as_scaled_i64(0), (i64::MIN, false));
    assert!(far < Quantity::parse("-1e2147483646").expect("valid"));
}

// ---------------------------------------------------------------------------
// Validation helpers
// ---------------------------------------------------------------------------

fn q(text: &str) -> Quantity {
    Quantity::parse(text).expect("valid quantity")
}

#[test]
fn quantity_values_must_be_non_negative_and_whole_where_counted() {
    assert_eq!(validate_non_negative(&q("-1m")), Some("must be greater than or equal to 0"));
    assert_eq!(validate_non_negative(&q("0")), None);
    assert_eq!(validate_resource_quantity_value("cpu", &q("500m")), Vec::<&str>::new());
    assert_eq!(validate_resource_quantity_value("pods", &q("1.5")), ["must be an integer"]);
    assert_eq!(validate_resource_quantity_value("example.com/gpu", &q("500m")), ["must be an integer"]);
    assert_eq!(validate_resource_quantity_value("example.com/gpu", &q("-1")), ["must be greater than or equal to 0"]);
    assert_eq!(
        validate_resource_quantity_value("pods", &q("-0.5")),
        ["must be greater than or equal to 0", "must be an integer"]
    );
}

#[test]
fn requests_against_limits() {
    let invalid = |s: &str| Some(RequestLimitError::Invalid(s.to_owned()));
    assert_eq!(validate_request_against_limit("cpu", &q("500m"), Some(&q("1"))), None);
    assert_eq!(validate_request_against_limit("cpu", &q("500m"), None), None);
    assert_eq!(
        validate_request_against_limit("cpu", &q("2"), Some(&q("1"))),
        invalid("must be less than or equal to cpu limit of 1")
    );
    assert_eq!(
        validate_request_against_limit("memory", &q("2Gi"), Some(&q("1.5Gi"))),
        invalid("must be less than or equal to memory limit of 1536Mi")
    );
    assert_eq!(
        validate_request_against_limit("example.com/gpu", &q("1"), Some(&q("2"))),
        invalid("must be equal to example.com/gpu limit of 2")
    );
    assert_eq!(
        validate_request_against_limit("example.com/gpu", &q("1"), None),
        Some(RequestLimitError::LimitRequired(LIMIT_REQUIRED))
    );
    assert_eq!(validate_request_against_limit("hugepages-2Mi", &q("2Mi"), Some(&q("2Mi"))), None);
}

#[test]
fn hugepages_rules() {
    assert_eq!(validate_hugepage_value("hugepages-2Mi", &q("4Mi"), false), None);
    assert_eq!(
        validate_hugepage_value("hugepages-2Mi", &q("3Mi"), false),
        Some("3Mi is not positive integer multiple of hugepages-2Mi".to_owned())
    );
    assert_eq!(validate_hugepage_value("hugepages-2Mi", &q("3Mi"), true), None);
    assert_eq!(validate_hugepage_value("memory", &q("3Mi"), false), None);
    assert!(!is_hugepage_value_divisible("hugepages-bogus", &q("2Mi")));
    assert!(!is_hugepage_value_divisible("hugepages-0", &q("2Mi")));
    assert!(!is_hugepage_value_divisible("hugepages-1.5", &q("3")));
    assert_eq!(validate_hugepages_companions(["hugepages-2Mi"]), Some(HUGEPAGES_NEED_CPU_OR_MEMORY));
    assert_eq!(validate_hugepages_companions(["hugepages-2Mi", "memory"]), None);
    assert_eq!(validate_hugepages_companions(["example.com/gpu"]), None);
}

#[test]
fn container_resource_names() {
    let none: Vec<String> = Vec::new();
    for ok in ["cpu", "memory", "ephemeral-storage", "hugepages-2Mi", "example.com/gpu", "kubernetes.io/foo"] {
        assert_eq!(validate_container_resource_name(ok), none, "{ok}");
    }
    assert_eq!(
        validate_container_resource_name("gpu"),
        ["must be a standard resource type or fully qualified", "must be a standard resource for containers"]
    );
    assert_eq!(validate_container_resource_name("pods"), ["must be a standard resource for containers"]);
    assert_eq!(
        validate_container_resource_name("requests.example.com/gpu"),
        ["doesn't follow extended resource name standard"]
    );
    let upper = validate_container_resource_name("Example.com/gpu");
    assert!(upper[0].starts_with("prefix part a lowercase RFC 1123 subdomain"), "{upper:?}");
    let slashes = validate_container_resource_name("example.com/a/b");
    assert!(slashes[0].starts_with("a valid label key must consist of"), "{slashes:?}");
    assert_eq!(slashes[1], "doesn't follow extended resource name standard");
}

#[test]
fn qualified_name_messages_match_kubernetes() {
    let regex = "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    assert_eq!(
        is_qualified_name(""),
        [
            "name part must be non-empty".to_owned(),
            format!(
                "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character {regex}"
            ),
        ]
    );
    assert_eq!(is_qualified_name(&"a".repeat(64)), ["name part must be no more than 63 bytes"]);
    assert_eq!(is_qualified_name("/gpu"), ["prefix part must be non-empty"]);
    assert_eq!(is_qualified_name("a.b/c_d.e-F"), Vec::<String>::new());
    assert!(is_qualified_name("-a").len() == 1);
}

#[test]
fn resource_name_predicates() {
    assert!(is_extended_resource_name("example.com/gpu"));
    assert!(!is_extended_resource_name("cpu"));
    assert!(!is_extended_resource_name("kubernetes.io/gpu"));
    assert!(!is_extended_resource_name("requests.example.com/gpu"));
    assert!(is_overcommit_allowed("cpu"));
    assert!(!is_overcommit_allowed("hugepages-1Gi"));
    assert!(!is_overcommit_allowed("example.com/gpu"));
    assert!(is_integer_resource_name("pods"));
    assert!(is_integer_resource_name("example.com/gpu"));
    assert!(!is_integer_resource_name("cpu"));
    assert!(is_standard_resource_name("requests.hugepages-2Mi"));
    assert_eq!(validate_resource_name("storage"), Vec::<String>::new());
}

/// Decimals made from integers are those made from their digits: normalised, signed,
/// at the ends of the range.
#[test]
fn decimals_from_integers_match_their_digits() {
    for (value, exponent) in [
        (0i128, 0i64),
        (0, 5),
        (7, 0),
        (-7, -3),
        (1000, -3),
        (-120_000, 2),
        (i128::from(i64::MAX), 0),
        (i128::from(i64::MIN), 0),
        (i128::from(u64::MAX) + 1, 0),
        (i128::MAX, -9),
        (i128::MIN + 1, 4),
        (10_i128.pow(30), 0),
    ] {
        let text = value.unsigned_abs().to_string();
        let expected = Decimal::new(value < 0, text.bytes().map(|b| b - b'0').collect(), exponent);
        assert_eq!(Decimal::from_i128(value, exponent), expected, "{value}e{exponent}");
    }
}
