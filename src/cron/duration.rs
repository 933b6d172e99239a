//! Go's `time.ParseDuration` (`src/time/format.go`), which robfig's
//! `parseDescriptor` uses for `@every <duration>`.
//!
//! Grammar: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, or a bare `0`; units `ns`,
//! `us`, `µs` (U+00B5), `μs` (U+03BC), `ms`, `s`, `m`, `h`. The result must
//! fit a signed 64-bit count of nanoseconds. Go scales fractions with a
//! float; this version does it with exact integers (truncating), which can
//! only differ from Go in the last nanosecond.

/// 2^63, the bound Go checks magnitudes against.
const LIMIT: u128 = 1 << 63;

/// Parses a Go duration into nanoseconds, or says why it is not one.
pub(crate) fn parse_go_duration(text: &str) -> Result<i64, String> {
    let (negative, rest) = split_sign(text);
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid(text));
    }
    let mut total: u128 = 0;
    let mut rest = rest;
    while !rest.is_empty() {
        let (nanos, after) = parse_component(text, rest)?;
        total += nanos;
        if total > LIMIT {
            return Err(invalid(text));
        }
        rest = after;
    }
    to_signed(text, negative, total)
}

fn split_sign(text: &str) -> (bool, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    }
}

fn to_signed(text: &str, negative: bool, total: u128) -> Result<i64, String> {
    if negative {
        // -2^63 is representable, hence the separate bound.
        let value = i128::try_from(total).map_err(|_| invalid(text))?;
        return i64::try_from(-value).map_err(|_| invalid(text));
    }
    i64::try_from(total).map_err(|_| invalid(text))
}

/// One `digits[.digits]unit` component: its nanoseconds and the remainder.
fn parse_component<'a>(text: &str, s: &'a str) -> Result<(u128, &'a str), String> {
    let first = s.as_bytes().first().copied().unwrap_or(b' ');
    if !(first == b'.' || first.is_ascii_digit()) {
        return Err(invalid(text));
    }
    let (whole, after_int, had_int) = leading_int(s).ok_or_else(|| invalid(text))?;
    let (frac, scale, after_frac, had_frac) = match after_int.strip_prefix('.') {
        Some(tail) => leading_fraction(tail),
        None => (0, 1, after_int, false),
    };
    if !had_int && !had_frac {
        return Err(invalid(text));
    }
    let unit_len = after_frac.bytes().position(|c| c == b'.' || c.is_ascii_digit()).unwrap_or(after_frac.len());
    if unit_len == 0 {
        return Err(format!("missing unit in duration {text:?}"));
    }
    let (unit_text, remainder) = after_frac.split_at(unit_len);
    let unit = unit_nanos(unit_text).ok_or_else(|| format!("unknown unit {unit_text:?} in duration {text:?}"))?;
    let nanos = scale_component(whole, frac, scale, unit).ok_or_else(|| invalid(text))?;
    Ok((nanos, remainder))
}

/// `whole * unit + frac * unit / scale`, with Go's overflow checks.
fn scale_component(whole: u128, frac: u128, scale: u128, unit: u128) -> Option<u128> {
    if whole > LIMIT / unit {
        return None;
    }
    let value = whole * unit + frac * unit / scale;
    (value <= LIMIT).then_some(value)
}

/// Go's `leadingInt`: the digits at the start, failing on overflow.
fn leading_int(s: &str) -> Option<(u128, &str, bool)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let mut value: u128 = 0;
    for c in s.bytes().take(digits) {
        if value > LIMIT / 10 {
            return None;
        }
        value = value * 10 + u128::from(c - b'0');
        if value > LIMIT {
            return None;
        }
    }
    Some((value, &s[digits..], digits > 0))
}

/// Go's `leadingFraction`: digits after the point; digits that would
/// overflow are consumed but ignored. Returns (value, scale, rest, any).
fn leading_fraction(s: &str) -> (u128, u128, &str, bool) {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let mut value: u128 = 0;
    let mut scale: u128 = 1;
    let mut overflow = false;
    for c in s.bytes().take(digits) {
        if overflow || value > (LIMIT - 1) / 10 {
            overflow = true;
            continue;
        }
        let next = value * 10 + u128::from(c - b'0');
        if next > LIMIT {
            overflow = true;
            continue;
        }
        value = next;
        scale *= 10;
    }
    (value, scale, &s[digits..], digits > 0)
}

fn unit_nanos(unit: &str) -> Option<u128> {
    Some(match unit {
        "ns" => 1,
        "us" | "\u{00b5}s" | "\u{03bc}s" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return None,
    })
}

fn invalid(text: &str) -> String {
    format!("invalid duration {text:?}")
}

#[cfg(test)]
mod tests {
    use super::parse_go_duration;

    #[test]
    fn go_duration_table() {
        // (input, Ok(nanoseconds) or Err(message)), from the rules of Go's
        // time.ParseDuration.
        let cases: &[(&str, Result<i64, &str>)] = &[
            ("0", Ok(0)),
            ("-0", Ok(0)),
            ("+0", Ok(0)),
            ("1h", Ok(3_600_000_000_000)),
            ("1h30m", Ok(5_400_000_000_000)),
            ("1.5h", Ok(5_400_000_000_000)),
            (".5s", Ok(500_000_000)),
            ("5.s", Ok(5_000_000_000)),
            ("-1.5s", Ok(-1_500_000_000)),
            ("3h59m0.1s", Ok(14_340_100_000_000)),
            ("1\u{00b5}s", Ok(1_000)),
            ("1\u{03bc}s", Ok(1_000)),
            ("2us3ns", Ok(2_003)),
            ("9223372036854775807ns", Ok(i64::MAX)),
            ("-9223372036854775808ns", Ok(i64::MIN)),
            ("0.3333333333h", Ok(1_199_999_999_880)),
            ("", Err("invalid duration \"\"")),
            ("-", Err("invalid duration \"-\"")),
            ("1", Err("missing unit in duration \"1\"")),
            ("1d", Err("unknown unit \"d\" in duration \"1d\"")),
            ("1h 30m", Err("unknown unit \"h \" in duration \"1h 30m\"")),
            (".s", Err("invalid duration \".s\"")),
            ("h", Err("invalid duration \"h\"")),
            ("9223372036854775808ns", Err("invalid duration \"9223372036854775808ns\"")),
            ("3000000h", Err("invalid duration \"3000000h\"")),
        ];
        for (input, expected) in cases {
            let got = parse_go_duration(input);
            match expected {
                Ok(nanos) => assert_eq!(got, Ok(*nanos), "{input:?}"),
                Err(message) => assert_eq!(got, Err((*message).to_string()), "{input:?}"),
            }
        }
    }
}
