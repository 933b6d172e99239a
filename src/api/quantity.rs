//! Kubernetes resource quantities (`resource.Quantity`).
//!
//! Behaviour follows apimachinery's `pkg/api/resource` (`quantity.go`,
//! `suffix.go`, `amount.go`, `math.go`, `scale_int.go`): the same grammar, the
//! same error messages, the same remembered format, the same rounding and the
//! same canonical text, so that what podsim prints matches what an API server
//! prints. Values are exact decimals; no floating point is used except to
//! reproduce how an unquoted YAML number reaches Kubernetes (see `serde`).

use std::cmp::Ordering;
use std::fmt;
use std::ops::{AddAssign, Neg, SubAssign};
use std::str::FromStr;

/// The regular expression named by Kubernetes' format error (`quantity.go`,
/// `splitREString`). The scanner is more lenient than the expression; the
/// message is kept verbatim because users see it.
const SPLIT_RE: &str = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";

/// Digits an `int64` fast-path mantissa may have (`math.go`, `maxInt64Factors`).
/// Releases up to now use 18; a 2026 change moving it to 19 only alters which
/// 19-digit inputs keep their original spelling.
const MAX_INT64_FACTORS: i64 = 18;

/// The smallest exponent a parsed quantity keeps: nano (`amount.go`, `Nano`).
const NANO: i64 = -9;

/// Characters that may start a suffix (`quantity.go`, `parseQuantityString`).
const SUFFIX_CHARS: &[u8] = b"eEinumkKMGTP";

/// Why a string is not a quantity; `Display` gives Kubernetes' exact text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantityError {
    /// `ErrFormatWrong`: the text does not have the shape of a quantity.
    FormatWrong,
    /// `ErrNumeric`: the number in front of the suffix has no digits.
    Numeric,
    /// `ErrSuffix`: the suffix is not one Kubernetes knows.
    Suffix,
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuantityError::FormatWrong => {
                write!(f, "quantities must match the regular expression '{SPLIT_RE}'")
            }
            QuantityError::Numeric => f.write_str("unable to parse numeric part of quantity"),
            QuantityError::Suffix => f.write_str("unable to parse quantity's suffix"),
        }
    }
}

impl std::error::Error for QuantityError {}

/// How a quantity is written back out (`quantity.go`, `Format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    /// `12e6`
    DecimalExponent,
    /// `12Mi` (12 * 2^20)
    BinarySI,
    /// `12M` (12 * 10^6)
    DecimalSI,
}

impl Format {
    /// The name Kubernetes uses for the format.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::DecimalExponent => "DecimalExponent",
            Format::BinarySI => "BinarySI",
            Format::DecimalSI => "DecimalSI",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// ---------------------------------------------------------------------------
// Exact decimal arithmetic
// ---------------------------------------------------------------------------

/// An exact decimal `±digits × 10^exponent`. Normalised: no leading or trailing
/// zero digits, and zero is the empty digit list with exponent 0 and no sign,
/// so structural equality is numeric equality. Huge exponents (`1e2147483647`)
/// cost nothing because zeros are never written out, except by `add` and
/// `to_integer_digits`, which Kubernetes' `inf.Dec` also has to expand.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    exponent: i64,
}

impl Decimal {
    const ZERO: Decimal = Decimal { negative: false, digits: Vec::new(), exponent: 0 };

    fn new(negative: bool, mut digits: Vec<u8>, mut exponent: i64) -> Decimal {
        let leading = digits.iter().take_while(|&&d| d == 0).count();
        digits.drain(..leading);
        while digits.last() == Some(&0) {
            digits.pop();
            exponent += 1;
        }
        if digits.is_empty() {
            return Decimal::ZERO;
        }
        Decimal { negative, digits, exponent }
    }

    /// `value × 10^exponent`. Digits taken off the integer directly, trailing zeros into
    /// the exponent: every quantity of every manifest read comes here, and writing the
    /// integer out as text first was an allocation more each.
    fn from_i128(value: i128, exponent: i64) -> Decimal {
        // u128::MAX has 39 digits; least significant first, in u64 once it fits (a u128
        // division is a call).
        let (mut reversed, mut len) = ([0u8; 39], 0);
        let mut rest = value.unsigned_abs();
        while rest > u128::from(u64::MAX) {
            reversed[len] = (rest % 10) as u8;
            rest /= 10;
            len += 1;
        }
        let mut small = rest as u64;
        while small > 0 {
            reversed[len] = (small % 10) as u8;
            small /= 10;
            len += 1;
        }
        let zeros = reversed[..len].iter().take_while(|&&d| d == 0).count();
        if zeros == len {
            return Decimal::ZERO;
        }
        let digits = reversed[zeros..len].iter().rev().copied().collect();
        Decimal { negative: value < 0, digits, exponent: exponent + zeros as i64 }
    }

    fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    fn signum(&self) -> i32 {
        match (self.is_zero(), self.negative) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        }
    }

    fn negated(mut self) -> Decimal {
        if !self.is_zero() {
            self.negative = !self.negative;
        }
        self
    }

    /// Position just above the most significant digit: 10^(top-1) <= |x| < 10^top.
    fn top(&self) -> i64 {
        self.digits.len() as i64 + self.exponent
    }

    fn cmp_magnitude(&self, other: &Decimal) -> Ordering {
        match (self.is_zero(), other.is_zero()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => {}
        }
        let by_top = self.top().cmp(&other.top());
        if by_top != Ordering::Equal {
            return by_top;
        }
        let longest = self.digits.len().max(other.digits.len());
        (0..longest)
            .map(|i| digit_at(&self.digits, i).cmp(&digit_at(&other.digits, i)))
            .find(|o| *o != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
    }

    /// `self × 10^shift`, exact.
    fn shifted(mut self, shift: i64) -> Decimal {
        if !self.is_zero() {
            self.exponent += shift;
        }
        self
    }

    fn mul_small(&self, factor: u64) -> Decimal {
        let mut out = Vec::with_capacity(self.digits.len() + 20);
        let mut carry: u128 = 0;
        for &d in self.digits.iter().rev() {
            let v = u128::from(d) * u128::from(factor) + carry;
            out.push((v % 10) as u8);
            carry = v / 10;
        }
        while carry > 0 {
            out.push((carry % 10) as u8);
            carry /= 10;
        }
        out.reverse();
        Decimal::new(self.negative, out, self.exponent)
    }

    fn add(&self, other: &Decimal) -> Decimal {
        if self.is_zero() {
            return other.clone();
        }
        if other.is_zero() {
            return self.clone();
        }
        let exponent = self.exponent.min(other.exponent);
        let a = self.aligned_digits(exponent);
        let b = other.aligned_digits(exponent);
        if self.negative == other.negative {
            return Decimal::new(self.negative, add_digits(&a, &b), exponent);
        }
        match cmp_digits(&a, &b) {
            Ordering::Equal => Decimal::ZERO,
            Ordering::Greater => Decimal::new(self.negative, sub_digits(&a, &b), exponent),
            Ordering::Less => Decimal::new(other.negative, sub_digits(&b, &a), exponent),
        }
    }

    /// The digits written out down to `exponent` (which must not exceed ours).
    fn aligned_digits(&self, exponent: i64) -> Vec<u8> {
        let zeros = usize::try_from(self.exponent - exponent).unwrap_or(0);
        let mut out = self.digits.clone();
        out.resize(out.len() + zeros, 0);
        out
    }

    /// Rounds away from zero to a multiple of `10^min_exponent`, like
    /// `inf.Dec.Round(.., inf.RoundUp)`; the flag tells whether it was exact.
    fn round_away(&self, min_exponent: i64) -> (Decimal, bool) {
        if self.is_zero() || self.exponent >= min_exponent {
            return (self.clone(), true);
        }
        // Normalised digits end in a non-zero digit, so whatever is dropped is
        // non-zero and the result always moves one unit away from zero.
        let keep = self.top() - min_exponent;
        if keep <= 0 {
            return (Decimal::new(self.negative, vec![1], min_exponent), false);
        }
        let mut kept = self.digits[..keep as usize].to_vec();
        increment_digits(&mut kept);
        (Decimal::new(self.negative, kept, min_exponent), false)
    }

    /// `self / 10^scale` rounded away from zero, saturated to `i64`, with a
    /// flag that is false on saturation (`AsScaledInt64` after the 2026 fixes).
    fn ceil_scaled_i64(&self, scale: i64) -> (i64, bool) {
        if self.is_zero() {
            return (0, true);
        }
        let magnitude = self.scaled_magnitude(scale);
        let limit: u128 = if self.negative { 1 << 63 } else { (1 << 63) - 1 };
        match magnitude {
            Some(m) if m <= limit => {
                let signed = if self.negative { -(m as i128) } else { m as i128 };
                (signed as i64, true)
            }
            _ if self.negative => (i64::MIN, false),
            _ => (i64::MAX, false),
        }
    }

    /// `ceil(|self| / 10^scale)`, or `None` when it has more than 19 digits.
    fn scaled_magnitude(&self, scale: i64) -> Option<u128> {
        let shift = self.exponent - scale;
        let len = self.digits.len() as i64;
        if shift >= 0 {
            if len + shift > 19 {
                return None;
            }
            return Some(digits_value(&self.digits) * 10u128.pow(shift as u32));
        }
        let whole = len + shift;
        if whole > 19 {
            return None;
        }
        let integer = if whole > 0 { digits_value(&self.digits[..whole as usize]) } else { 0 };
        // The dropped fraction ends in a non-zero digit: always round up.
        Some(integer + 1)
    }

    /// Mantissa text and an exponent that is a multiple of 3, the exponent
    /// lowered as needed (`amount.go`, `AsCanonicalBytes`: 1.1e5 -> "110", 3).
    fn canonical_parts(&self) -> (String, i64) {
        if self.is_zero() {
            return ("0".to_owned(), 0);
        }
        let pad = self.exponent.rem_euclid(3);
        let mut text = self.sign_prefix().to_owned();
        text.push_str(&digits_text(&self.digits));
        text.extend(std::iter::repeat_n('0', pad as usize));
        (text, self.exponent - pad)
    }

    /// For an integer: mantissa text and how many times 1024 divides it
    /// (`amount.go`, `AsCanonicalBase1024Bytes`: 2048 -> "2", 1).
    fn base1024_parts(&self) -> (String, u32) {
        let mut magnitude = self.to_integer_digits();
        let mut times = 0;
        while !magnitude.is_empty() {
            let (quotient, remainder) = div_rem_small(&magnitude, 1024);
            if remainder != 0 {
                break;
            }
            magnitude = quotient;
            times += 1;
        }
        let text = format!("{}{}", self.sign_prefix(), digits_text(&magnitude));
        (text, times)
    }

    fn to_integer_digits(&self) -> Vec<u8> {
        self.aligned_digits(0)
    }

    fn sign_prefix(&self) -> &'static str {
        if self.negative { "-" } else { "" }
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> Ordering {
        match self.signum().cmp(&other.signum()) {
            Ordering::Equal if self.negative => other.cmp_magnitude(self),
            Ordering::Equal => self.cmp_magnitude(other),
            unequal => unequal,
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn digits_of(text: &str) -> Vec<u8> {
    text.bytes().map(|b| b - b'0').collect()
}

fn digits_text(digits: &[u8]) -> String {
    if digits.is_empty() {
        return "0".to_owned();
    }
    digits.iter().map(|&d| char::from(b'0' + d)).collect()
}

fn digit_at(digits: &[u8], index: usize) -> u8 {
    digits.get(index).copied().unwrap_or(0)
}

/// Value of at most 38 decimal digits.
fn digits_value(digits: &[u8]) -> u128 {
    digits.iter().fold(0u128, |acc, &d| acc * 10 + u128::from(d))
}

fn cmp_digits(a: &[u8], b: &[u8]) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn add_digits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len().max(b.len()) + 1);
    let mut carry = 0u8;
    let (mut i, mut j) = (a.len(), b.len());
    while i > 0 || j > 0 || carry > 0 {
        let x = if i > 0 { a[i - 1] } else { 0 };
        let y = if j > 0 { b[j - 1] } else { 0 };
        let sum = x + y + carry;
        out.push(sum % 10);
        carry = sum / 10;
        i = i.saturating_sub(1);
        j = j.saturating_sub(1);
    }
    out.reverse();
    out
}

/// `a - b` for `a >= b`, both aligned to the same exponent.
fn sub_digits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len());
    let mut borrow = 0i8;
    for k in 0..a.len() {
        let x = a[a.len() - 1 - k] as i8;
        let y = if k < b.len() { b[b.len() - 1 - k] as i8 } else { 0 };
        let mut diff = x - y - borrow;
        borrow = i8::from(diff < 0);
        if diff < 0 {
            diff += 10;
        }
        out.push(diff as u8);
    }
    out.reverse();
    out
}

fn increment_digits(digits: &mut Vec<u8>) {
    for d in digits.iter_mut().rev() {
        if *d < 9 {
            *d += 1;
            return;
        }
        *d = 0;
    }
    digits.insert(0, 1);
}

/// Long division by a small divisor; the quotient has no leading zeros.
fn div_rem_small(digits: &[u8], divisor: u32) -> (Vec<u8>, u32) {
    let mut quotient = Vec::with_capacity(digits.len());
    let mut remainder: u32 = 0;
    for &d in digits {
        let current = remainder * 10 + u32::from(d);
        let q = current / divisor;
        remainder = current % divisor;
        if !(quotient.is_empty() && q == 0) {
            quotient.push(q as u8);
        }
    }
    (quotient, remainder)
}

// ---------------------------------------------------------------------------
// Scanning and suffixes (quantity.go parseQuantityString, suffix.go)
// ---------------------------------------------------------------------------

/// The pieces `parseQuantityString` splits a quantity into.
struct Scanned<'a> {
    positive: bool,
    /// Sign, integer part and fraction as written; `inf.Dec` parses this on
    /// the slow path and fails when it holds no digit (`"."`, `"-"`, `""`).
    value: &'a str,
    /// Integer digits without leading zeros; `"0"` when there are none.
    num: &'a str,
    /// Fraction digits, possibly empty.
    denom: &'a str,
    suffix: &'a str,
}

/// Splits a quantity like Kubernetes' hand-written scanner, which accepts more
/// than `SPLIT_RE` says (`"."`, `"-"` and `"Ki"` all scan as zero).
fn scan(text: &str) -> Result<Scanned<'_>, QuantityError> {
    let bytes = text.as_bytes();
    let end = bytes.len();
    let mut pos = 0;
    let mut positive = true;
    match bytes.first() {
        Some(b'-') => {
            positive = false;
            pos = 1;
        }
        Some(b'+') => pos = 1,
        _ => {}
    }
    while pos < end && bytes[pos] == b'0' {
        pos += 1;
    }
    if pos == end {
        return Ok(Scanned::zero(positive));
    }
    let num_start = pos;
    pos = skip_digits(bytes, pos);
    let mut num = &text[num_start..pos];
    if num.is_empty() {
        num = "0";
    }
    let mut denom = "";
    if pos < end && bytes[pos] == b'.' {
        let denom_start = pos + 1;
        pos = skip_digits(bytes, denom_start);
        denom = &text[denom_start..pos];
    }
    let value = &text[..pos];
    let suffix = scan_suffix(bytes, pos).map(|_| &text[pos..])?;
    Ok(Scanned { positive, value, num, denom, suffix })
}

impl Scanned<'_> {
    /// Only signs and zeros were written.
    fn zero(positive: bool) -> Scanned<'static> {
        Scanned { positive, value: "0", num: "0", denom: "", suffix: "" }
    }
}

fn skip_digits(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() && bytes[pos].is_ascii_digit() {
        pos += 1;
    }
    pos
}

/// Checks that the rest is suffix letters, an optional sign, then digits.
fn scan_suffix(bytes: &[u8], mut pos: usize) -> Result<(), QuantityError> {
    while pos < bytes.len() && SUFFIX_CHARS.contains(&bytes[pos]) {
        pos += 1;
    }
    if pos < bytes.len() && (bytes[pos] == b'+' || bytes[pos] == b'-') {
        pos += 1;
    }
    if skip_digits(bytes, pos) == bytes.len() { Ok(()) } else { Err(QuantityError::FormatWrong) }
}

/// What a suffix means: value = number × base^exponent.
#[derive(Clone, Copy)]
struct Suffix {
    binary: bool,
    exponent: i64,
    format: Format,
}

/// `suffix.go`, `interpret`. Decimal exponents outside ±(2^31-1) are refused,
/// as Kubernetes does since 2026 instead of silently truncating them.
fn interpret_suffix(suffix: &str) -> Option<Suffix> {
    if let Some(exponent) = decimal_si_exponent(suffix) {
        return Some(Suffix { binary: false, exponent, format: Format::DecimalSI });
    }
    if let Some(exponent) = binary_si_exponent(suffix) {
        return Some(Suffix { binary: true, exponent, format: Format::BinarySI });
    }
    let rest = suffix.strip_prefix(['e', 'E']).filter(|r| !r.is_empty())?;
    let exponent: i64 = rest.parse().ok()?;
    if exponent.abs() > i64::from(i32::MAX) {
        return None;
    }
    Some(Suffix { binary: false, exponent, format: Format::DecimalExponent })
}

const DECIMAL_SI: [(&str, i64); 10] =
    [("n", -9), ("u", -6), ("m", -3), ("", 0), ("k", 3), ("M", 6), ("G", 9), ("T", 12), ("P", 15), ("E", 18)];

const BINARY_SI: [(&str, i64); 6] = [("Ki", 10), ("Mi", 20), ("Gi", 30), ("Ti", 40), ("Pi", 50), ("Ei", 60)];

fn decimal_si_exponent(suffix: &str) -> Option<i64> {
    DECIMAL_SI.iter().find(|(s, _)| *s == suffix).map(|(_, e)| *e)
}

fn binary_si_exponent(suffix: &str) -> Option<i64> {
    BINARY_SI.iter().find(|(s, _)| *s == suffix).map(|(_, e)| *e)
}

fn decimal_si_suffix(exponent: i64) -> Option<&'static str> {
    DECIMAL_SI.iter().find(|(_, e)| *e == exponent).map(|(s, _)| *s)
}

/// Binary suffix for a power of 1024; `""` for 1024^0 (`suffix.go`).
fn binary_si_suffix(power_of_1024: u32) -> Option<&'static str> {
    if power_of_1024 == 0 {
        return Some("");
    }
    BINARY_SI.iter().find(|(_, e)| *e == i64::from(power_of_1024) * 10).map(|(s, _)| *s)
}

// ---------------------------------------------------------------------------
// Quantity
// ---------------------------------------------------------------------------

/// A Kubernetes resource quantity: an exact value plus the format it is
/// written back in. Equality and ordering compare values only (`1Ki == 1024`),
/// like `Quantity.Cmp`.
#[derive(Clone, Debug)]
pub struct Quantity {
    amount: Decimal,
    format: Format,
    /// The text as parsed, kept when Kubernetes keeps it (`s` in
    /// `quantity.go`): the int64 fast path stores the input when it looks
    /// canonical, and the API server then echoes it verbatim (`+1`, `5.`).
    remembered: Option<Box<str>>,
}

impl Quantity {
    /// `ParseQuantity`.
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        if text.is_empty() {
            return Err(QuantityError::FormatWrong);
        }
        if text == "0" {
            return Ok(Quantity::with_text(Decimal::ZERO, Format::DecimalSI, text));
        }
        let scanned = scan(text)?;
        let suffix = interpret_suffix(scanned.suffix).ok_or(QuantityError::Suffix)?;
        if let Some(quantity) = parse_int64_path(text, &scanned, suffix) {
            return Ok(quantity);
        }
        parse_decimal_path(&scanned, suffix)
    }

    /// Zero, formatted as `DecimalSI`.
    pub fn zero() -> Quantity {
        Quantity::from_amount(Decimal::ZERO, Format::DecimalSI)
    }

    /// `NewQuantity`: `value` in the given format.
    pub fn new(value: i64, format: Format) -> Quantity {
        Quantity::from_amount(Decimal::from_i128(value.into(), 0), format)
    }

    /// `NewMilliQuantity`: `value / 1000` in the given format.
    pub fn new_milli(value: i64, format: Format) -> Quantity {
        Quantity::from_amount(Decimal::from_i128(value.into(), -3), format)
    }

    /// `NewScaledQuantity`: `value × 10^scale` as `DecimalSI`.
    pub fn new_scaled(value: i64, scale: i32) -> Quantity {
        let amount = Decimal::from_i128(value.into(), scale.into());
        Quantity::from_amount(amount, Format::DecimalSI)
    }

    fn from_amount(amount: Decimal, format: Format) -> Quantity {
        Quantity { amount, format, remembered: None }
    }

    fn with_text(amount: Decimal, format: Format, text: &str) -> Quantity {
        Quantity { amount, format, remembered: Some(text.into()) }
    }

    /// The format remembered from parsing or construction.
    pub fn format(&self) -> Format {
        self.format
    }

    /// `IsZero`.
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// -1, 0 or 1 (`Quantity.Sign`).
    /// True below zero (resource quantities must not be).
    pub fn is_negative(&self) -> bool {
        self.signum() < 0
    }

    pub fn signum(&self) -> i32 {
        self.amount.signum()
    }

    /// `Value`: the value rounded away from zero to an integer, saturated at
    /// the `i64` limits (`1.5` -> 2, `-1.5` -> -2).
    pub fn value(&self) -> i64 {
        self.scaled_value(0)
    }

    /// `MilliValue`: `value × 1000` rounded away from zero, saturated
    /// (`0.1m` -> 1).
    pub fn milli_value(&self) -> i64 {
        self.scaled_value(-3)
    }

    /// `ScaledValue`: `value / 10^scale` rounded away from zero, saturated.
    pub fn scaled_value(&self, scale: i32) -> i64 {
        self.as_scaled_i64(scale).0
    }

    /// `AsScaledInt64`: like `scaled_value`, and false when it saturated.
    pub fn as_scaled_i64(&self, scale: i32) -> (i64, bool) {
        self.amount.ceil_scaled_i64(scale.into())
    }

    /// `RoundUp`: rounds away from zero to a multiple of `10^scale`; true when
    /// nothing was lost. The remembered text is dropped only when the value
    /// changes (Kubernetes sometimes drops it for exact rescales too).
    pub fn round_up(&mut self, scale: i32) -> bool {
        let (rounded, exact) = self.amount.round_away(scale.into());
        if !exact {
            self.amount = rounded;
            self.remembered = None;
        }
        exact
    }

    /// `CanonicalizeBytes`: the canonical text, ignoring any remembered input.
    pub fn canonical(&self) -> String {
        if self.is_zero() {
            return "0".to_owned();
        }
        if self.format != Format::BinarySI {
            return decimal_text(&self.amount, self.format);
        }
        match self.binary_integer() {
            Some(integer) => binary_text(&integer),
            None => decimal_text(&self.amount, Format::DecimalSI),
        }
    }

    /// The integer to print in binary form: values in (-1024, 1024) and
    /// fractional values print as `DecimalSI` instead, to avoid rounding.
    fn binary_integer(&self) -> Option<Decimal> {
        let limit = Decimal::from_i128(1024, 0);
        if self.amount.cmp_magnitude(&limit) == Ordering::Less {
            return None;
        }
        let (rounded, exact) = self.amount.round_away(0);
        exact.then_some(rounded)
    }
}

/// The int64 fast path of `ParseQuantity`: short mantissas at or above nano.
/// Only this path remembers the input text, and only when it looks canonical.
fn parse_int64_path(text: &str, scanned: &Scanned<'_>, suffix: Suffix) -> Option<Quantity> {
    let (scale, multiplier) = int64_scale_and_multiplier(scanned, suffix)?;
    if scale < NANO {
        return None;
    }
    // The digits of the number and its fraction read as one integer (upstream's
    // `strconv.ParseInt` of the two joined), without writing them out joined: this runs
    // for every quantity of every manifest.
    let digits = || scanned.num.bytes().chain(scanned.denom.bytes());
    let value = digits().try_fold(0i64, |v, d| v.checked_mul(10)?.checked_add(i64::from(d - b'0')))?;
    let magnitude = value.checked_mul(multiplier)?;
    let result = if scanned.positive { magnitude } else { -magnitude };
    let amount = Decimal::from_i128(result.into(), scale);
    let keep_text = match suffix.format {
        Format::BinarySI => suffix.exponent % 10 == 0 && value & 0x07 != 0,
        _ => {
            let trailing_zeros = digits().rev().take_while(|&d| d == b'0').count();
            scale % 3 == 0 && trailing_zeros < 3 && !scanned.num.starts_with('0')
        }
    };
    if keep_text {
        Some(Quantity::with_text(amount, suffix.format, text))
    } else {
        Some(Quantity::from_amount(amount, suffix.format))
    }
}

/// The decimal scale and integer multiplier of the fast path, or `None` when
/// the mantissa may not fit an `int64` (the `precision` test in `quantity.go`).
fn int64_scale_and_multiplier(scanned: &Scanned<'_>, suffix: Suffix) -> Option<(i64, i64)> {
    let num_len = scanned.num.len() as i64;
    let denom_len = scanned.denom.len() as i64;
    if suffix.binary {
        // 1Mi (2^20) has about 6 decimal digits, hence exponent*3/10.
        let precision = 15 - num_len - suffix.exponent * 3 / 10 - 1;
        if denom_len > 0 || precision < 0 {
            return None;
        }
        return Some((0, 1i64 << suffix.exponent));
    }
    if MAX_INT64_FACTORS - (num_len + denom_len) < 0 {
        return None;
    }
    // Computed in i64: Kubernetes' int32 here can wrap for exponents within
    // a few digits of -2^31; this keeps the mathematically right value.
    Some((suffix.exponent - denom_len, 1))
}

/// The `inf.Dec` path of `ParseQuantity`: exact value, magnitude rounded up to
/// a whole nano, `BinarySI` capped at 2^63-1 and turned `DecimalSI` below 1.
fn parse_decimal_path(scanned: &Scanned<'_>, suffix: Suffix) -> Result<Quantity, QuantityError> {
    if !scanned.value.bytes().any(|b| b.is_ascii_digit()) {
        return Err(QuantityError::Numeric);
    }
    let mut digits = digits_of(scanned.num);
    digits.extend(digits_of(scanned.denom));
    let written = Decimal::new(false, digits, -(scanned.denom.len() as i64));
    let mut magnitude =
        if suffix.binary { written.mul_small(1u64 << suffix.exponent) } else { written.shifted(suffix.exponent) };
    // If you ask for some of a resource you get some: never round to zero.
    magnitude = magnitude.round_away(NANO).0;
    let mut format = suffix.format;
    let max = Decimal::from_i128(i64::MAX.into(), 0);
    if format == Format::BinarySI && magnitude > max {
        magnitude = max;
    }
    if format == Format::BinarySI && !magnitude.is_zero() && magnitude < Decimal::from_i128(1, 0) {
        format = Format::DecimalSI;
    }
    if !scanned.positive {
        magnitude = magnitude.negated();
    }
    Ok(Quantity::from_amount(magnitude, format))
}

/// Decimal text: `DecimalSI` suffixes n..E, or `e<exp>` for `DecimalExponent`
/// and for `DecimalSI` values outside the suffixes (`1e21`, `100e-12`).
fn decimal_text(amount: &Decimal, format: Format) -> String {
    let (mantissa, exponent) = amount.canonical_parts();
    let si = match format {
        Format::DecimalSI => decimal_si_suffix(exponent),
        _ => None,
    };
    match si {
        Some(suffix) => mantissa + suffix,
        None => exponent_text(mantissa, exponent),
    }
}

fn exponent_text(mantissa: String, exponent: i64) -> String {
    match exponent {
        0 => mantissa,
        e => format!("{mantissa}e{e}"),
    }
}

/// Binary text for an integer: `Ki`..`Ei`, or exact decimal exponent form
/// past `Ei` (2^70 prints all its digits, 10^70 prints `10e69`).
fn binary_text(integer: &Decimal) -> String {
    let (mantissa, power) = integer.base1024_parts();
    match binary_si_suffix(power) {
        Some(suffix) => mantissa + suffix,
        None => decimal_text(integer, Format::DecimalExponent),
    }
}

impl Default for Quantity {
    fn default() -> Quantity {
        Quantity::zero()
    }
}

impl FromStr for Quantity {
    type Err = QuantityError;

    fn from_str(text: &str) -> Result<Quantity, QuantityError> {
        Quantity::parse(text)
    }
}

/// `String()`: the remembered input when Kubernetes kept it, else the
/// canonical text. This is what the API server serialises.
impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.remembered {
            Some(text) => f.write_str(text),
            None => f.write_str(&self.canonical()),
        }
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Quantity) -> bool {
        self.amount == other.amount
    }
}

impl Eq for Quantity {}

impl Ord for Quantity {
    fn cmp(&self, other: &Quantity) -> Ordering {
        self.amount.cmp(&other.amount)
    }
}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Quantity) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// `Add`: a zero quantity takes the format of what is added to it.
impl AddAssign<&Quantity> for Quantity {
    fn add_assign(&mut self, other: &Quantity) {
        if self.is_zero() {
            self.format = other.format;
        }
        self.amount = self.amount.add(&other.amount);
        self.remembered = None;
    }
}

/// `Sub`: a zero quantity takes the format of what is subtracted from it.
impl SubAssign<&Quantity> for Quantity {
    fn sub_assign(&mut self, other: &Quantity) {
        if self.is_zero() {
            self.format = other.format;
        }
        self.amount = self.amount.add(&other.amount.clone().negated());
        self.remembered = None;
    }
}

/// `Neg`.
impl Neg for Quantity {
    type Output = Quantity;

    fn neg(self) -> Quantity {
        Quantity::from_amount(self.amount.negated(), self.format)
    }
}

// ---------------------------------------------------------------------------
// serde: how quantities travel in manifests and API objects
// ---------------------------------------------------------------------------

impl serde::Serialize for Quantity {
    /// The text `Display` gives, handed over whole: through `collect_str` each quantity
    /// went through the formatting machinery too, and quantities were a third of
    /// serializing a spec whose resources were drawn.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.remembered {
            Some(text) => serializer.serialize_str(text),
            None => serializer.serialize_str(&self.canonical()),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Quantity {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Quantity, D::Error> {
        deserializer.deserialize_any(QuantityVisitor)
    }
}

/// Accepts what `UnmarshalJSON` accepts: a string (surrounding whitespace
/// trimmed), a number (its JSON text is parsed), or null (zero).
struct QuantityVisitor;

impl QuantityVisitor {
    fn parse<E: serde::de::Error>(text: &str) -> Result<Quantity, E> {
        Quantity::parse(text.trim()).map_err(E::custom)
    }
}

impl serde::de::Visitor<'_> for QuantityVisitor {
    type Value = Quantity;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a quantity string such as \"100m\" or \"1Gi\", or a number")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Quantity, E> {
        QuantityVisitor::parse(text)
    }

    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Quantity, E> {
        QuantityVisitor::parse(&value.to_string())
    }

    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Quantity, E> {
        QuantityVisitor::parse(&value.to_string())
    }

    fn visit_u128<E: serde::de::Error>(self, value: u128) -> Result<Quantity, E> {
        QuantityVisitor::parse(&value.to_string())
    }

    fn visit_i128<E: serde::de::Error>(self, value: i128) -> Result<Quantity, E> {
        QuantityVisitor::parse(&value.to_string())
    }

    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Quantity, E> {
        match go_json_float(value) {
            Some(text) => QuantityVisitor::parse(&text),
            None => Err(E::custom(format!("unsupported value: {value}"))),
        }
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Quantity, E> {
        Ok(Quantity::zero())
    }
}

/// The text Go's `encoding/json` writes for a float, which is what a quantity
/// written as an unquoted YAML float becomes on its way to the API server:
/// shortest round-trip digits, positional unless |x| < 1e-6 or |x| >= 1e21,
/// then `1e+21` / `1e-7` style. `None` for NaN and infinities (Go refuses).
fn go_json_float(value: f64) -> Option<String> {
    if !value.is_finite() {
        return None;
    }
    let abs = value.abs();
    if abs == 0.0 || (1e-6..1e21).contains(&abs) {
        return Some(format!("{value}"));
    }
    let scientific = format!("{value:e}");
    Some(match scientific.split_once('e') {
        Some((mantissa, exponent)) if !exponent.starts_with('-') => {
            format!("{mantissa}e+{exponent}")
        }
        _ => scientific,
    })
}

// ---------------------------------------------------------------------------
// Validation (pkg/apis/core/validation/validation.go, pkg/apis/core/helper)
// ---------------------------------------------------------------------------

/// Checks the API server applies to resource lists. Each returns the detail
/// message(s) of a `field.Invalid` error; the caller supplies the field path.
pub mod validation {
    use super::Quantity;

    /// `apimachineryvalidation.IsNegativeErrorMsg`.
    pub const NEGATIVE: &str = "must be greater than or equal to 0";
    /// `isNotIntegerErrorMsg`.
    pub const NOT_INTEGER: &str = "must be an integer";
    /// `field.Required` detail when a non-overcommitable resource has no limit.
    pub const LIMIT_REQUIRED: &str = "Limit must be set for non overcommitable resources";
    /// `field.Forbidden` detail on the requirements path.
    pub const HUGEPAGES_NEED_CPU_OR_MEMORY: &str = "HugePages require cpu or memory";

    const HUGEPAGES_PREFIX: &str = "hugepages-";
    const REQUESTS_HUGEPAGES_PREFIX: &str = "requests.hugepages-";
    const REQUESTS_PREFIX: &str = "requests.";
    const DEFAULT_NAMESPACE_PREFIX: &str = "kubernetes.io/";

    /// `helper.standardContainerResources`.
    const STANDARD_CONTAINER_RESOURCES: [&str; 3] = ["cpu", "memory", "ephemeral-storage"];

    /// `helper.standardResources`.
    const STANDARD_RESOURCES: [&str; 20] = [
        "cpu",
        "memory",
        "ephemeral-storage",
        "requests.cpu",
        "requests.memory",
        "requests.ephemeral-storage",
        "limits.cpu",
        "limits.memory",
        "limits.ephemeral-storage",
        "pods",
        "resourcequotas",
        "services",
        "replicationcontrollers",
        "secrets",
        "configmaps",
        "persistentvolumeclaims",
        "storage",
        "requests.storage",
        "services.nodeports",
        "services.loadbalancers",
    ];

    /// `helper.integerResources`.
    const INTEGER_RESOURCES: [&str; 9] = [
        "pods",
        "resourcequotas",
        "services",
        "replicationcontrollers",
        "secrets",
        "configmaps",
        "persistentvolumeclaims",
        "services.nodeports",
        "services.loadbalancers",
    ];

    /// `ValidateNonnegativeQuantity`.
    pub fn validate_non_negative(quantity: &Quantity) -> Option<&'static str> {
        (quantity.signum() < 0).then_some(NEGATIVE)
    }

    /// `ValidateResourceQuantityValue`: non-negative, and whole for integer
    /// resources (`pods`, extended resources, ...).
    pub fn validate_resource_quantity_value(name: &str, quantity: &Quantity) -> Vec<&'static str> {
        let mut errors: Vec<&'static str> = validate_non_negative(quantity).into_iter().collect();
        if is_integer_resource_name(name) && quantity.milli_value() % 1000 != 0 {
            errors.push(NOT_INTEGER);
        }
        errors
    }

    /// How a request fails against its container's limit.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum RequestLimitError {
        /// `field.Invalid` on the `requests` path, with the request as value.
        Invalid(String),
        /// `field.Required` on the `limits` path.
        LimitRequired(&'static str),
    }

    /// The request-versus-limit part of `validateResourceRequirements`:
    /// requests may not exceed limits, and must equal them for resources that
    /// cannot be overcommitted (extended resources, hugepages), which also
    /// need a limit.
    pub fn validate_request_against_limit(
        name: &str,
        request: &Quantity,
        limit: Option<&Quantity>,
    ) -> Option<RequestLimitError> {
        let overcommit = is_overcommit_allowed(name);
        let Some(limit) = limit else {
            return (!overcommit).then_some(RequestLimitError::LimitRequired(LIMIT_REQUIRED));
        };
        if !overcommit && request != limit {
            let message = format!("must be equal to {name} limit of {limit}");
            return Some(RequestLimitError::Invalid(message));
        }
        (request > limit)
            .then(|| RequestLimitError::Invalid(format!("must be less than or equal to {name} limit of {limit}")))
    }

    /// `validateResourceQuantityHugePageValue`: a hugepages amount must be a
    /// whole number of pages unless indivisible values are allowed.
    pub fn validate_hugepage_value(name: &str, quantity: &Quantity, allow_indivisible: bool) -> Option<String> {
        if !is_hugepage_resource_name(name) || allow_indivisible {
            return None;
        }
        (!is_hugepage_value_divisible(name, quantity))
            .then(|| format!("{quantity} is not positive integer multiple of {name}"))
    }

    /// The `HugePages require cpu or memory` rule of
    /// `validateResourceRequirements`, over all limit and request names.
    pub fn validate_hugepages_companions<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<&'static str> {
        let (mut hugepages, mut cpu_or_memory) = (false, false);
        for name in names {
            hugepages |= is_hugepage_resource_name(name);
            cpu_or_memory |= name == "cpu" || name == "memory";
        }
        (hugepages && !cpu_or_memory).then_some(HUGEPAGES_NEED_CPU_OR_MEMORY)
    }

    /// `helper.IsHugePageResourceValueDivisible`.
    pub fn is_hugepage_value_divisible(name: &str, quantity: &Quantity) -> bool {
        let Some(page) = name.strip_prefix(HUGEPAGES_PREFIX) else {
            return false;
        };
        let Ok(page_size) = Quantity::parse(page) else {
            return false;
        };
        if page_size.signum() <= 0 || page_size.milli_value() % 1000 != 0 {
            return false;
        }
        quantity.value() % page_size.value() == 0
    }

    /// `validateResourceName`: a qualified name that is either standard or
    /// domain-prefixed.
    pub fn validate_resource_name(name: &str) -> Vec<String> {
        let errors = is_qualified_name(name);
        if !errors.is_empty() {
            return errors;
        }
        if !name.contains('/') && !is_standard_resource_name(name) {
            return vec!["must be a standard resource type or fully qualified".to_owned()];
        }
        errors
    }

    /// `validateContainerResourceName`: `cpu`, `memory`, `ephemeral-storage`,
    /// `hugepages-<size>`, or a domain-qualified extended resource.
    pub fn validate_container_resource_name(name: &str) -> Vec<String> {
        let mut errors = validate_resource_name(name);
        if !name.contains('/') {
            if !is_standard_container_resource_name(name) {
                errors.push("must be a standard resource for containers".to_owned());
            }
        } else if !is_native_resource(name) && !is_extended_resource_name(name) {
            errors.push("doesn't follow extended resource name standard".to_owned());
        }
        errors
    }

    /// `helper.IsHugePageResourceName`.
    pub fn is_hugepage_resource_name(name: &str) -> bool {
        name.starts_with(HUGEPAGES_PREFIX)
    }

    /// `helper.IsStandardContainerResourceName`.
    pub fn is_standard_container_resource_name(name: &str) -> bool {
        STANDARD_CONTAINER_RESOURCES.contains(&name) || is_hugepage_resource_name(name)
    }

    /// `helper.IsStandardResourceName`.
    pub fn is_standard_resource_name(name: &str) -> bool {
        STANDARD_RESOURCES.contains(&name)
            || name.starts_with(HUGEPAGES_PREFIX)
            || name.starts_with(REQUESTS_HUGEPAGES_PREFIX)
    }

    /// `helper.IsNativeResource`: unprefixed, or in `*kubernetes.io/`.
    pub fn is_native_resource(name: &str) -> bool {
        !name.contains('/') || name.contains(DEFAULT_NAMESPACE_PREFIX)
    }

    /// `helper.IsExtendedResourceName`.
    pub fn is_extended_resource_name(name: &str) -> bool {
        if is_native_resource(name) || name.starts_with(REQUESTS_PREFIX) {
            return false;
        }
        is_qualified_name(&format!("{REQUESTS_PREFIX}{name}")).is_empty()
    }

    /// `helper.IsOvercommitAllowed`.
    pub fn is_overcommit_allowed(name: &str) -> bool {
        is_native_resource(name) && !is_hugepage_resource_name(name)
    }

    /// `helper.IsIntegerResourceName`.
    pub fn is_integer_resource_name(name: &str) -> bool {
        INTEGER_RESOURCES.contains(&name) || is_extended_resource_name(name)
    }

    const LABEL_KEY_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    const LABEL_KEY_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    const LABEL_KEY_MAX: usize = 63;
    const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    const SUBDOMAIN_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
    const SUBDOMAIN_MAX: usize = 253;

    /// `validation.IsQualifiedName` (now `content.IsLabelKey`): an optional
    /// DNS subdomain prefix and `/`, then a name of at most 63 bytes.
    pub fn is_qualified_name(value: &str) -> Vec<String> {
        let parts: Vec<&str> = value.split('/').collect();
        let (prefix, name) = match parts.as_slice() {
            [name] => (None, *name),
            [prefix, name] => (Some(*prefix), *name),
            _ => return vec![too_many_slashes()],
        };
        let mut errors = prefix.map(prefix_errors).unwrap_or_default();
        if name.is_empty() {
            errors.push("name part must be non-empty".to_owned());
        } else if name.len() > LABEL_KEY_MAX {
            errors.push(format!("name part {}", max_len(LABEL_KEY_MAX)));
        }
        if !is_label_key_name(name) {
            errors.push(format!("name part {}", label_key_regex_error()));
        }
        errors
    }

    fn too_many_slashes() -> String {
        format!(
            "a valid label key {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
            label_key_regex_error()
        )
    }

    fn prefix_errors(prefix: &str) -> Vec<String> {
        if prefix.is_empty() {
            return vec!["prefix part must be non-empty".to_owned()];
        }
        let mut errors = Vec::new();
        if prefix.len() > SUBDOMAIN_MAX {
            errors.push(format!("prefix part {}", max_len(SUBDOMAIN_MAX)));
        }
        if !is_dns1123_subdomain(prefix) {
            let detail = regex_error(SUBDOMAIN_MSG, SUBDOMAIN_FMT, &["example.com"]);
            errors.push(format!("prefix part {detail}"));
        }
        errors
    }

    fn label_key_regex_error() -> String {
        regex_error(LABEL_KEY_MSG, LABEL_KEY_FMT, &["MyName", "my.name", "123-abc"])
    }

    /// `content.MaxLenError`.
    fn max_len(length: usize) -> String {
        format!("must be no more than {length} bytes")
    }

    /// `content.RegexError`, spacing included.
    fn regex_error(message: &str, regex: &str, examples: &[&str]) -> String {
        let quoted: Vec<String> = examples.iter().map(|e| format!("'{e}', ")).collect();
        format!("{message} (e.g. {}regex used for validation is '{regex}')", quoted.join(" or "))
    }

    /// `^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`.
    fn is_label_key_name(name: &str) -> bool {
        let bytes = name.as_bytes();
        let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
            return false;
        };
        first.is_ascii_alphanumeric()
            && last.is_ascii_alphanumeric()
            && bytes.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    }

    /// `^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`.
    fn is_dns1123_subdomain(value: &str) -> bool {
        value.split('.').all(is_dns1123_label)
    }

    fn is_dns1123_label(label: &str) -> bool {
        let bytes = label.as_bytes();
        let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
            return false;
        };
        alnum(first) && alnum(last) && bytes.iter().all(|b| alnum(b) || *b == b'-')
    }
}

#[cfg(test)]
mod tests;
