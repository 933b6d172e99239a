//! Placeholder until the exact apimachinery port lands: decimal and binary suffixes.
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quantity {
    text: String,
    /// Value in nano-units.
    nanos: i128,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuantityError(pub String);
impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Quantity {
    pub fn parse(s: &str) -> Result<Quantity, QuantityError> {
        let bad = || {
            QuantityError("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'".into())
        };
        let t = s.trim();
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
            .unwrap_or(t.len());
        let (num, suf) = t.split_at(split);
        if num.is_empty() {
            return Err(bad());
        }
        let neg = num.starts_with('-');
        let num = num.trim_start_matches(['-', '+']);
        let (i, f) = num.split_once('.').unwrap_or((num, ""));
        let mut nanos: i128 = if i.is_empty() {
            0
        } else {
            i.parse::<i128>().map_err(|_| bad())?
        } * 1_000_000_000;
        let mut scale = 1_000_000_000i128;
        for d in f.bytes() {
            if !d.is_ascii_digit() {
                return Err(bad());
            }
            scale /= 10;
            nanos += (d - b'0') as i128 * scale;
        }
        let mul: (i128, i128) = match suf {
            "" => (1, 1),
            "n" => (1, 1_000_000_000),
            "u" => (1, 1_000_000),
            "m" => (1, 1000),
            "k" => (1000, 1),
            "M" => (1_000_000, 1),
            "G" => (1_000_000_000, 1),
            "T" => (1_000_000_000_000, 1),
            "Ki" => (1 << 10, 1),
            "Mi" => (1 << 20, 1),
            "Gi" => (1 << 30, 1),
            "Ti" => (1 << 40, 1),
            "Pi" => (1 << 50, 1),
            _ if suf.starts_with(['e', 'E']) => {
                let e: u32 = suf[1..].parse().map_err(|_| bad())?;
                (10i128.pow(e), 1)
            }
            _ => return Err(QuantityError("unable to parse quantity's suffix".into())),
        };
        nanos = nanos * mul.0 / mul.1;
        Ok(Quantity {
            text: t.to_string(),
            nanos: if neg { -nanos } else { nanos },
        })
    }
    pub fn milli_value(&self) -> i64 {
        (self.nanos.div_euclid(1_000_000) + i128::from(self.nanos.rem_euclid(1_000_000) != 0))
            as i64
    }
    pub fn value(&self) -> i64 {
        (self.nanos.div_euclid(1_000_000_000)
            + i128::from(self.nanos.rem_euclid(1_000_000_000) != 0)) as i64
    }
    pub fn is_negative(&self) -> bool {
        self.nanos < 0
    }
}
impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}
impl Serialize for Quantity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}
impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = crate::engine::time::serde_duration::DurationText::deserialize(d)?;
        Quantity::parse(&t.0).map_err(serde::de::Error::custom)
    }
}
