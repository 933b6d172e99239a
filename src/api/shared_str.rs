//! `SharedStr`: a string of an API object that the copies of the object share. Every pod
//! of an arrival stream that draws its own requests, and every Job a CronJob creates,
//! has a spec of its own, cloned from its template's and dropped when the object goes;
//! with `String`s, each copy allocated and later freed a dozen short texts that never
//! change (the container's name and image, the defaulted pull and termination policies,
//! the default tolerations' keys), a tenth of the 100,000-pod day. A clone of a
//! `SharedStr` counts a reference instead.
//!
//! Texts read from manifests, and the API server's defaults, are also interned per
//! thread (`SharedStr::interned`): the 5,537 Pods of the Alibaba set write the same
//! image, pull policy, container name, restart and DNS policies, and get the same
//! defaults, and each was a text of its own, held for the whole run.

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::cell::RefCell;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// Texts longer than this are not interned (names of single objects, messages).
const INTERN_MAX_LEN: usize = 64;
/// At most this many texts are interned per thread; later ones are made one by one.
const INTERN_MAX_TEXTS: usize = 4096;

/// Whether two shared texts are equal, told by their one allocation first. `==` on
/// `Arc<str>` compares the bytes every time: the standard library looks at the pointers
/// first only for `Arc`s of sized types. Texts copied from one object (a node's name in
/// each endpoint, a pool's name in each of its nodes) are mostly the same allocation.
pub fn same_text(a: &Arc<str>, b: &Arc<str>) -> bool {
    Arc::ptr_eq(a, b) || a == b
}

#[derive(Clone, Eq, PartialOrd, Ord)]
pub struct SharedStr(Arc<str>);

/// By `same_text`: copies of one spec share their texts.
impl PartialEq for SharedStr {
    fn eq(&self, other: &SharedStr) -> bool {
        same_text(&self.0, &other.0)
    }
}

/// The text's hash, as `str`'s (what `Borrow<str>` look-ups need), consistent with `eq`.
impl std::hash::Hash for SharedStr {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state)
    }
}

impl SharedStr {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The shared text itself, for holders of an `Arc<str>`.
    pub fn into_arc(self) -> Arc<str> {
        self.0
    }

    /// The text, shared with every earlier request for it on this thread (short texts,
    /// up to a bound: see the module's documentation).
    pub fn interned(text: &str) -> SharedStr {
        thread_local! {
            static TEXTS: RefCell<rustc_hash::FxHashSet<SharedStr>> = RefCell::default();
        }
        if text.len() > INTERN_MAX_LEN {
            return SharedStr::from(text);
        }
        TEXTS.with_borrow_mut(|texts| {
            if let Some(shared) = texts.get(text) {
                return shared.clone();
            }
            let shared = SharedStr::from(text);
            if texts.len() < INTERN_MAX_TEXTS {
                texts.insert(shared.clone());
            }
            shared
        })
    }
}

/// For looking up interned texts by `&str` (the hash of an `Arc<str>` is its text's).
impl Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl Default for SharedStr {
    fn default() -> Self {
        SharedStr(Arc::from(""))
    }
}

impl Deref for SharedStr {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for SharedStr {
    fn from(s: &str) -> Self {
        SharedStr(Arc::from(s))
    }
}

impl From<String> for SharedStr {
    fn from(s: String) -> Self {
        SharedStr(Arc::from(s))
    }
}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for SharedStr {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl Serialize for SharedStr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SharedStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Text;
        impl Visitor<'_> for Text {
            type Value = SharedStr;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SharedStr, E> {
                Ok(SharedStr::interned(v))
            }
        }
        d.deserialize_str(Text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts are told apart by their bytes whether or not they share an allocation.
    #[test]
    fn shared_texts_compare_by_their_text() {
        let a: Arc<str> = Arc::from("node-12");
        assert!(same_text(&a, &a.clone()));
        assert!(same_text(&a, &Arc::from("node-12")));
        assert!(!same_text(&a, &Arc::from("node-13")));
        assert!(!same_text(&a, &Arc::from("node-1")));
        let (x, y) = (SharedStr::from("web"), SharedStr::from("web"));
        assert!(!Arc::ptr_eq(&x.0, &y.0));
        let db = SharedStr::from("db");
        assert!(x == y && x == x.clone() && x != db);
        use std::hash::BuildHasher;
        let hash = |s: &SharedStr| rustc_hash::FxBuildHasher.hash_one(s);
        assert_eq!(hash(&x), hash(&y));
        assert_eq!(hash(&x), rustc_hash::FxBuildHasher.hash_one("web"));
    }

    #[test]
    fn a_clone_shares_the_text_and_reads_as_a_string() {
        let a = SharedStr::from("IfNotPresent");
        let b = a.clone();
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert_eq!(b, "IfNotPresent");
        assert_eq!(format!("{b}/{b:?}"), "IfNotPresent/\"IfNotPresent\"");
        assert_eq!(serde_json::to_string(&b).unwrap(), "\"IfNotPresent\"");
        let back: SharedStr = serde_json::from_str("\"File\"").unwrap();
        assert_eq!(back, SharedStr::from(String::from("File")));
        assert!(serde_json::from_str::<SharedStr>("3").is_err());
    }

    #[test]
    fn short_texts_read_twice_are_one_text() {
        let a: SharedStr = serde_json::from_str("\"tensorflow:latest\"").unwrap();
        let b: SharedStr = serde_json::from_str("\"tensorflow:latest\"").unwrap();
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert!(Arc::ptr_eq(&SharedStr::interned("tensorflow:latest").0, &a.0));
        let long = "x".repeat(INTERN_MAX_LEN + 1);
        assert!(!Arc::ptr_eq(&SharedStr::interned(&long).0, &SharedStr::interned(&long).0));
        assert_eq!(SharedStr::interned(&long), long);
    }
}
