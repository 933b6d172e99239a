//! Objects of one kind by namespace and name.
//!
//! The one hashed table of the simulation: its hasher is fixed (no random state), so it
//! behaves the same on every run, and it is never iterated in its own order (`sorted`
//! sorts), which is what the determinism contract of `clippy.toml` guards against.
#![allow(clippy::disallowed_types)]

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::Arc;

/// Objects of one kind by namespace and name. Keys are a 64-bit hash of the pair, so a
/// lookup compares integers, not long names sharing prefixes (`tick-57-29453770-xxxxx`);
/// the rare collision is settled by the names. The table is hashed, not ordered: a
/// CronJob fleet looks names up about ten times per Job, and a search tree of a few
/// thousand names cost twice as much. Nothing iterates it but `sorted`.
pub struct NameIndex<T> {
    by_hash: HashMap<u64, Slot<T>, BuildHasherDefault<KeyHasher>>,
}

/// (namespace, name, value).
type Named<T> = (Arc<str>, Arc<str>, T);

/// The objects under one hash: nearly always one, so it is kept inline.
enum Slot<T> {
    One(Named<T>),
    Many(Vec<Named<T>>),
}

impl<T> Slot<T> {
    fn entries(&self) -> &[Named<T>] {
        match self {
            Slot::One(e) => std::slice::from_ref(e),
            Slot::Many(v) => v,
        }
    }
}

/// The table's keys are hashes already: used as they are.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, _: &[u8]) {
        unreachable!("NameIndex keys are u64")
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }
}

/// The hash of (namespace, name).
fn key(namespace: &str, name: &str) -> u64 {
    content_hash((namespace, name))
}

/// A hash of `value`'s content that is the same on every run and platform: rustc's Fx
/// hash (`rustc-hash`: eight bytes at a time, no keys), for tables and sets keyed by
/// hashes whose collisions are settled by the content. A string's hash ends with a
/// separator, so ("ab", "c") and ("a", "bc") differ.
pub fn content_hash(value: impl Hash) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    value.hash(&mut h);
    h.finish()
}

impl<T> Default for NameIndex<T> {
    fn default() -> Self {
        NameIndex { by_hash: HashMap::default() }
    }
}

impl<T: Copy> NameIndex<T> {
    pub fn get(&self, namespace: &str, name: &str) -> Option<T> {
        let slot = self.by_hash.get(&key(namespace, name))?;
        slot.entries().iter().find(|(ns, n, _)| &**ns == namespace && &**n == name).map(|(_, _, v)| *v)
    }

    pub fn contains(&self, namespace: &str, name: &str) -> bool {
        self.get(namespace, name).is_some()
    }

    /// Files `value` under the name; the `Arc`s are shared with the object.
    pub fn insert(&mut self, namespace: &Arc<str>, name: &Arc<str>, value: T) {
        let entry = (namespace.clone(), name.clone(), value);
        match self.by_hash.entry(key(namespace, name)) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(Slot::One(entry));
            }
            std::collections::hash_map::Entry::Occupied(mut o) => {
                let slot = o.get_mut();
                let mut all: Vec<Named<T>> = match std::mem::replace(slot, Slot::Many(Vec::new())) {
                    Slot::One(e) => vec![e],
                    Slot::Many(v) => v,
                };
                all.retain(|(ns, n, _)| !(**ns == **namespace && **n == **name));
                all.push(entry);
                *slot = Slot::Many(all);
            }
        }
    }

    pub fn remove(&mut self, namespace: &str, name: &str) -> Option<T> {
        let key = key(namespace, name);
        let found = |e: &Named<T>| &*e.0 == namespace && &*e.1 == name;
        match self.by_hash.get_mut(&key)? {
            Slot::One(e) if found(e) => self.by_hash.remove(&key).and_then(|s| s.entries().first().map(|e| e.2)),
            Slot::One(_) => None,
            Slot::Many(v) => {
                let i = v.iter().position(found)?;
                let (_, _, value) = v.swap_remove(i);
                if v.is_empty() {
                    self.by_hash.remove(&key);
                }
                Some(value)
            }
        }
    }

    /// Every (namespace, name, value), sorted by namespace and name.
    #[cfg(test)]
    pub fn sorted(&self) -> Vec<(&str, &str, T)> {
        let mut all: Vec<(&str, &str, T)> =
            self.by_hash.values().flat_map(|s| s.entries().iter()).map(|(ns, n, v)| (&**ns, &**n, *v)).collect();
        all.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        all
    }
}

/// Objects of one kind by namespace and name, for the kind a cluster holds hundreds of
/// thousands of (pods): only the hash of the name and the value are kept, sixteen bytes
/// a slot instead of forty-eight, and the names are read from the objects themselves
/// through the lookup the caller passes. On a 5,000-node cluster the wide table was a
/// tenth of the peak memory: removals leave tombstones, and a table of 175,000 pods that
/// keeps churning grows to 524,288 slots.
pub struct SlimNameIndex<T> {
    by_hash: HashMap<u64, T, BuildHasherDefault<KeyHasher>>,
    /// Values filed under a hash another name already had (64-bit hashes: in practice
    /// never), in the order they were filed.
    collided: BTreeMap<u64, Vec<T>>,
}

impl<T> Default for SlimNameIndex<T> {
    fn default() -> Self {
        SlimNameIndex { by_hash: HashMap::default(), collided: BTreeMap::new() }
    }
}

impl<T: Copy + PartialEq> SlimNameIndex<T> {
    /// The value named (namespace, name); `names_of` gives a value's own names.
    pub fn get<'a>(
        &self,
        namespace: &str,
        name: &str,
        names_of: impl Fn(T) -> Option<(&'a str, &'a str)>,
    ) -> Option<T> {
        let key = key(namespace, name);
        let first = *self.by_hash.get(&key)?;
        let named = |v: &T| names_of(*v) == Some((namespace, name));
        if named(&first) {
            return Some(first);
        }
        self.collided.get(&key)?.iter().copied().find(named)
    }

    /// Files `value` under a name no other value has (the caller checked with `get`).
    pub fn insert(&mut self, namespace: &str, name: &str, value: T) {
        self.insert_keyed(key(namespace, name), value);
    }

    fn insert_keyed(&mut self, key: u64, value: T) {
        match self.by_hash.entry(key) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(value);
            }
            std::collections::hash_map::Entry::Occupied(_) => self.collided.entry(key).or_default().push(value),
        }
    }

    /// Removes `value`, filed under (namespace, name).
    pub fn remove(&mut self, namespace: &str, name: &str, value: T) {
        self.remove_keyed(key(namespace, name), value);
    }

    fn remove_keyed(&mut self, key: u64, value: T) {
        let Some(first) = self.by_hash.get_mut(&key) else { return };
        let Some(others) = self.collided.get_mut(&key) else {
            if *first == value {
                self.by_hash.remove(&key);
            }
            return;
        };
        // The first of the others takes the slot of a removed first.
        if *first == value {
            *first = others.remove(0);
        } else {
            others.retain(|v| *v != value);
        }
        if others.is_empty() {
            self.collided.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_replaced_and_removed() {
        let mut index: NameIndex<u32> = NameIndex::default();
        let arc = |s: &str| -> Arc<str> { Arc::from(s) };
        let names: Vec<String> = (0..2000).map(|i| format!("tick-{}-2945{i:04}-abcde", i % 100)).collect();
        for (i, n) in names.iter().enumerate() {
            index.insert(&arc("default"), &arc(n), i as u32);
        }
        index.insert(&arc("other"), &arc(&names[0]), 9999);
        for (i, n) in names.iter().enumerate() {
            assert_eq!(index.get("default", n), Some(i as u32));
        }
        assert_eq!(index.get("other", &names[0]), Some(9999));
        assert_eq!(index.get("defaul", &format!("t{}", names[0])), None);
        index.insert(&arc("default"), &arc(&names[5]), 5555);
        assert_eq!(index.get("default", &names[5]), Some(5555));
        assert_eq!(index.remove("default", &names[5]), Some(5555));
        assert_eq!(index.remove("default", &names[5]), None);
        assert!(!index.contains("default", &names[5]));
        let sorted = index.sorted();
        assert_eq!(sorted.len(), 2000);
        assert!(sorted.windows(2).all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1)));
    }

    #[test]
    fn the_split_between_namespace_and_name_counts() {
        assert_ne!(key("ab", "c"), key("a", "bc"));
        assert_ne!(key("", "abcdefgh"), key("abcdefgh", ""));
        assert_ne!(key("default", "a"), key("default", "a\0"));
    }

    #[test]
    fn colliding_hashes_keep_both_objects() {
        // Force a collision by filing two names under one slot by hand.
        let mut index: NameIndex<u32> = NameIndex::default();
        let (a, b): (Arc<str>, Arc<str>) = (Arc::from("a"), Arc::from("b"));
        let ns: Arc<str> = Arc::from("default");
        index.by_hash.insert(key("default", "a"), Slot::Many(vec![(ns.clone(), a.clone(), 1), (ns.clone(), b, 2)]));
        assert_eq!(index.get("default", "a"), Some(1));
        assert_eq!(index.get("default", "b"), None, "b is not under a's hash");
        assert_eq!(index.remove("default", "a"), Some(1));
        assert_eq!(index.get("default", "a"), None);
    }

    #[test]
    fn the_slim_index_reads_names_from_the_objects() {
        let names: Vec<(String, String)> =
            (0..3000).map(|i| ("default".to_string(), format!("service-{i:05}-xk2p9"))).collect();
        let names_of = |i: usize| names.get(i).map(|(ns, n)| (ns.as_str(), n.as_str()));
        let mut index: SlimNameIndex<usize> = SlimNameIndex::default();
        for (i, (ns, n)) in names.iter().enumerate() {
            index.insert(ns, n, i);
        }
        for (i, (ns, n)) in names.iter().enumerate() {
            assert_eq!(index.get(ns, n, names_of), Some(i));
        }
        assert_eq!(index.get("other", &names[0].1, names_of), None);
        index.remove("default", &names[7].1, 7);
        assert_eq!(index.get("default", &names[7].1, names_of), None);
        assert_eq!(index.get("default", &names[8].1, names_of), Some(8));
        // Removing a value that is not filed there changes nothing.
        index.remove("default", &names[8].1, 9);
        assert_eq!(index.get("default", &names[8].1, names_of), Some(8));
    }

    #[test]
    fn the_slim_index_keeps_colliding_hashes_apart() {
        let names = [("default", "a"), ("default", "b"), ("default", "c")];
        let names_of = |i: usize| names.get(i).copied();
        let mut index: SlimNameIndex<usize> = SlimNameIndex::default();
        // File all three under a's hash, as if their names collided.
        let k = key("default", "a");
        for i in 0..3 {
            index.insert_keyed(k, i);
        }
        assert_eq!(index.get("default", "a", names_of), Some(0));
        assert_eq!(index.get("default", "b", names_of), None, "b is not under a's hash");
        index.remove_keyed(k, 0);
        assert_eq!(index.get("default", "a", names_of), None);
        assert_eq!(index.by_hash.get(&k), Some(&1), "the first of the others takes the slot");
        index.remove_keyed(k, 2);
        index.remove_keyed(k, 1);
        assert!(index.by_hash.is_empty() && index.collided.is_empty());
    }
}
