//! Where a field sits in a YAML file, found again only when an error needs it.
//!
//! Manifests are parsed to values and typed without positions (fast); when validation
//! rejects a field, the document is parsed once more into a tree that keeps the line
//! and column of every node, and the field path is looked up in it.

use super::errors::{FieldPath, Segment};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::cell::OnceCell;
use std::fmt;

/// A YAML node with the position of each child.
enum Located {
    Leaf,
    Seq(Vec<Spanned<Located>>),
    Map(Vec<(String, Spanned<Located>)>),
}

/// The 1-based (line, column) of the node at `path` in document `doc` of `text`, or of
/// its deepest ancestor that exists (a missing field is reported where it belongs).
pub fn locate(text: &str, doc: usize, path: &FieldPath) -> Option<(u64, u64)> {
    Positions::new(text).locate(doc, path)
}

/// The positions of one text's YAML nodes, parsed when first asked for and then kept:
/// a file with thousands of errors is parsed once, not once per error (which made
/// reporting many errors quadratic in the size of the file).
pub struct Positions<'t> {
    text: &'t str,
    /// `None` inside: the text is not YAML (no positions to give).
    docs: OnceCell<Option<Vec<Spanned<Located>>>>,
}

impl<'t> Positions<'t> {
    pub fn new(text: &'t str) -> Positions<'t> {
        Positions { text, docs: OnceCell::new() }
    }

    pub fn text(&self) -> &'t str {
        self.text
    }

    /// As [`locate`], for this text.
    pub fn locate(&self, doc: usize, path: &FieldPath) -> Option<(u64, u64)> {
        let docs = self
            .docs
            .get_or_init(|| serde_saphyr::from_multiple_with_options(self.text, super::object::yaml_options()).ok());
        let mut node = docs.as_ref()?.get(doc)?;
        let mut best = position(node);
        for seg in path.segments() {
            let next = match (&node.value, seg) {
                (Located::Map(entries), Segment::Field(k) | Segment::Key(k)) => {
                    entries.iter().find(|(key, _)| **key == **k).map(|(_, v)| v)
                }
                (Located::Seq(items), Segment::Index(i)) => items.get(*i),
                _ => None,
            };
            match next {
                Some(n) => {
                    node = n;
                    best = position(node).or(best);
                }
                None => break,
            }
        }
        best
    }
}

fn position(node: &Spanned<Located>) -> Option<(u64, u64)> {
    let loc = node.referenced;
    (loc.line() > 0).then(|| (loc.line(), loc.column()))
}

impl<'de> Deserialize<'de> for Located {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LocatedVisitor)
    }
}

struct LocatedVisitor;

impl<'de> Visitor<'de> for LocatedVisitor {
    type Value = Located;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML node")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Located, E> {
        Ok(Located::Leaf)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Located, E> {
        Ok(Located::Leaf)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Located, E> {
        Ok(Located::Leaf)
    }
    fn visit_i128<E>(self, _: i128) -> Result<Located, E> {
        Ok(Located::Leaf)
    }
    fn visit_u128<E>(self, _: u128) -> Result<Located, E> {
        Ok(Located::Leaf)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Located, E> {
        Ok(Located::Leaf)
    }
    fn visit_str<E>(self, _: &str) -> Result<Located, E> {
        Ok(Located::Leaf)
    }
    fn visit_unit<E>(self) -> Result<Located, E> {
        Ok(Located::Leaf)
    }
    fn visit_none<E>(self) -> Result<Located, E> {
        Ok(Located::Leaf)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Located, D::Error> {
        d.deserialize_any(LocatedVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Located, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Located>>()? {
            items.push(item);
        }
        Ok(Located::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Located, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<KeyText>()? {
            entries.push((key.0, map.next_value::<Spanned<Located>>()?));
        }
        Ok(Located::Map(entries))
    }
}

/// A mapping key of any scalar type, as text.
struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KeyVisitor).map(KeyText)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a scalar key")
    }
    fn visit_str<E>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_bool<E>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok("null".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_fields_and_falls_back_to_the_nearest_ancestor() {
        let text = "a: 1\n---\nkind: Pod\nspec:\n  containers:\n  - name: c\n    image: x\n  - name: d\n";
        let image = FieldPath::root("spec").child("containers").index(0).child("image");
        assert_eq!(locate(text, 1, &image), Some((7, 12)));
        let missing = FieldPath::root("spec").child("containers").index(1).child("image");
        assert_eq!(locate(text, 1, &missing), Some((8, 5)));
        assert_eq!(locate(text, 0, &FieldPath::root("a")), Some((1, 4)));
        assert_eq!(locate(text, 5, &FieldPath::root("a")), None);
    }
}
