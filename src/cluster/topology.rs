//! The nodes' label values by key, as small integers: PodTopologySpread groups nodes
//! into domains by a label's value for every pod it places, over hundreds of feasible
//! nodes; with the values numbered once, when a node joins, a domain is an index into a
//! table instead of a string looked up and compared per node. Node labels do not change
//! after a node joins (podsim has no label action), so the index only grows.

use std::collections::BTreeMap;

/// The values one label key takes, numbered in the order nodes brought them.
#[derive(Clone, Debug, Default)]
pub struct Domains {
    /// Per node slot, the id of its value; `NONE` where the node lacks the key.
    of_node: Vec<u32>,
    /// value → id.
    ids: BTreeMap<Box<str>, u32>,
}

const NONE: u32 = u32::MAX;

impl Domains {
    /// The id of the node's value, `None` if the node lacks the key.
    pub fn of(&self, slot: usize) -> Option<u32> {
        self.of_node.get(slot).copied().filter(|&id| id != NONE)
    }

    /// How many values there are: ids are below it.
    pub fn count(&self) -> usize {
        self.ids.len()
    }

    /// The id of `value`, if some node has it.
    pub fn id(&self, value: &str) -> Option<u32> {
        self.ids.get(value).copied()
    }

    fn push(&mut self, value: Option<&str>) {
        let id = match value {
            None => NONE,
            Some(v) => match self.ids.get(v) {
                Some(&id) => id,
                None => {
                    let id = self.ids.len() as u32;
                    self.ids.insert(v.into(), id);
                    id
                }
            },
        };
        self.of_node.push(id);
    }
}

/// Every label key of the nodes, with its [`Domains`].
#[derive(Clone, Debug, Default)]
pub struct Topology {
    keys: BTreeMap<String, Domains>,
    nodes: usize,
    /// Returned for a key no node has.
    absent: Domains,
}

impl Topology {
    /// An index of these nodes' labels, slot by slot.
    #[cfg(test)]
    pub fn of<'a>(nodes: impl IntoIterator<Item = &'a BTreeMap<String, String>>) -> Topology {
        let mut t = Topology::default();
        nodes.into_iter().for_each(|labels| t.add_node(labels));
        t
    }

    /// The next node slot joins with these labels.
    pub fn add_node(&mut self, labels: &BTreeMap<String, String>) {
        let before = self.nodes;
        for key in labels.keys() {
            if !self.keys.contains_key(key) {
                let domains = Domains { of_node: vec![NONE; before], ..Domains::default() };
                self.keys.insert(key.clone(), domains);
            }
        }
        for (key, domains) in self.keys.iter_mut() {
            domains.push(labels.get(key).map(String::as_str));
        }
        self.nodes += 1;
    }

    /// The domains of `key` (empty, every node lacking it, if no node has it).
    pub fn key(&self, key: &str) -> &Domains {
        self.keys.get(key).unwrap_or(&self.absent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn numbers_values_per_key_and_marks_missing_keys() {
        let nodes = [
            labels(&[("zone", "a"), ("host", "n0")]),
            labels(&[("host", "n1")]),
            labels(&[("zone", "b"), ("host", "n2"), ("rack", "r1")]),
            labels(&[("zone", "a"), ("host", "n3")]),
        ];
        let t = Topology::of(&nodes);
        let zone = t.key("zone");
        assert_eq!((zone.of(0), zone.of(1), zone.of(2), zone.of(3)), (Some(0), None, Some(1), Some(0)));
        assert_eq!((zone.count(), zone.id("b"), zone.id("a"), zone.id("c")), (2, Some(1), Some(0), None));
        // A key first seen on a later node: the earlier ones lack it.
        let rack = t.key("rack");
        assert_eq!((rack.of(0), rack.of(1), rack.of(2), rack.of(3)), (None, None, Some(0), None));
        assert_eq!(t.key("host").count(), 4);
        let absent = t.key("gpu");
        assert!(absent.count() == 0 && absent.of(0).is_none() && absent.of(99).is_none());
    }
}
