//! Resource amounts as dense vectors over the resource names a scenario uses.
//!
//! Units: `cpu` in millicores, everything else in whole units (bytes for memory and
//! storage, devices for extended resources), as the scheduler compares them.

use crate::api::{Quantity, ResourceList};

pub const CPU: usize = 0;
pub const MEMORY: usize = 1;

/// The resource names of one run, with fixed indexes (cpu, memory, ephemeral-storage
/// first). `pods` is not one of them: the pod count is kept apart.
#[derive(Clone, Debug)]
pub struct ResourceNames {
    names: Vec<String>,
}

impl Default for ResourceNames {
    fn default() -> Self {
        ResourceNames { names: vec!["cpu".into(), "memory".into(), "ephemeral-storage".into()] }
    }
}

impl ResourceNames {
    pub fn name(&self, i: usize) -> &str {
        &self.names[i]
    }

    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Every name, by index.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    pub fn intern(&mut self, name: &str) -> usize {
        self.index(name).unwrap_or_else(|| {
            self.names.push(name.to_string());
            self.names.len() - 1
        })
    }

    /// A resource list in scheduler units; `pods` is skipped.
    pub fn vector(&mut self, list: &ResourceList) -> ResourceVec {
        let mut v = ResourceVec::default();
        for (name, q) in list {
            if name != "pods" {
                let i = self.intern(name);
                v.set(i, amount(i, q));
            }
        }
        v
    }
}

/// A quantity in the unit the scheduler uses for resource `index`.
pub fn amount(index: usize, q: &Quantity) -> i64 {
    if index == CPU { q.milli_value() } else { q.value() }
}

/// Amounts indexed by [`ResourceNames`]; missing trailing entries are zero.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourceVec(Vec<i64>);

/// By the non-zero amounts, so that vectors of the same amounts (`same_amounts`) hash
/// alike whatever their trailing zeros.
impl std::hash::Hash for ResourceVec {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for amount in self.nonzero() {
            amount.hash(state);
        }
    }
}

impl ResourceVec {
    pub fn get(&self, i: usize) -> i64 {
        self.0.get(i).copied().unwrap_or(0)
    }

    pub fn set(&mut self, i: usize, value: i64) {
        if self.0.len() <= i {
            self.0.resize(i + 1, 0);
        }
        self.0[i] = value;
    }

    /// The same amounts (a missing trailing entry is a zero).
    pub fn same_amounts(&self, other: &ResourceVec) -> bool {
        (0..self.0.len().max(other.0.len())).all(|i| self.get(i) == other.get(i))
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|v| *v == 0)
    }

    /// (index, amount) of every non-zero entry.
    pub fn nonzero(&self) -> impl Iterator<Item = (usize, i64)> + '_ {
        self.0.iter().copied().enumerate().filter(|(_, v)| *v != 0)
    }

    pub fn add(&mut self, other: &ResourceVec) {
        for (i, v) in other.nonzero() {
            self.set(i, self.get(i) + v);
        }
    }

    pub fn sub(&mut self, other: &ResourceVec) {
        for (i, v) in other.nonzero() {
            self.set(i, self.get(i) - v);
        }
    }

    /// Element-wise maximum.
    pub fn max_with(&mut self, other: &ResourceVec) {
        for (i, v) in other.nonzero() {
            if v > self.get(i) {
                self.set(i, v);
            }
        }
    }
}
