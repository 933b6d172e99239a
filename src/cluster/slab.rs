//! An arena with generation-checked ids: slots are reused after removal, and an id
//! kept by a stale event no longer resolves once its object is gone.

/// A typed, generation-checked index into a [`Slab`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id {
    pub index: u32,
    pub generation: u32,
}

enum Slot<T> {
    Occupied { generation: u32, value: T },
    Free { generation: u32, next_free: Option<u32> },
}

pub struct Slab<T> {
    slots: Vec<Slot<T>>,
    free: Option<u32>,
    len: usize,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab { slots: Vec::new(), free: None, len: 0 }
    }
}

impl<T> Slab<T> {
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn insert(&mut self, value: T) -> Id {
        self.len += 1;
        if let Some(index) = self.free {
            let slot = &mut self.slots[index as usize];
            let Slot::Free { generation, next_free } = *slot else { unreachable!("free list points at a free slot") };
            self.free = next_free;
            let generation = generation.wrapping_add(1);
            *slot = Slot::Occupied { generation, value };
            return Id { index, generation };
        }
        let index = u32::try_from(self.slots.len()).expect("fewer than 2^32 objects");
        self.slots.push(Slot::Occupied { generation: 0, value });
        Id { index, generation: 0 }
    }

    pub fn remove(&mut self, id: Id) -> Option<T> {
        let slot = self.slots.get_mut(id.index as usize)?;
        match slot {
            Slot::Occupied { generation, .. } if *generation == id.generation => {
                let free = Slot::Free { generation: id.generation, next_free: self.free };
                let Slot::Occupied { value, .. } = std::mem::replace(slot, free) else { unreachable!() };
                self.free = Some(id.index);
                self.len -= 1;
                Some(value)
            }
            _ => None,
        }
    }

    pub fn get(&self, id: Id) -> Option<&T> {
        match self.slots.get(id.index as usize)? {
            Slot::Occupied { generation, value } if *generation == id.generation => Some(value),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, id: Id) -> Option<&mut T> {
        match self.slots.get_mut(id.index as usize)? {
            Slot::Occupied { generation, value } if *generation == id.generation => Some(value),
            _ => None,
        }
    }

    /// Live objects in slot order (deterministic, not creation order once slots are reused).
    pub fn iter(&self) -> impl Iterator<Item = (Id, &T)> {
        self.slots.iter().enumerate().filter_map(|(i, s)| match s {
            Slot::Occupied { generation, value } => Some((Id { index: i as u32, generation: *generation }, value)),
            Slot::Free { .. } => None,
        })
    }
}

/// A value per live object of a slab, kept in a vector by the object's slot: a lookup
/// is an index and a generation compare where a search tree by id took a dozen compares
/// and a cache miss each (the scheduling queue touches several such maps per attempt).
/// A value is filed under its id's generation: an id whose object is gone (its slot
/// reused) finds nothing, and inserting for the slot's new object replaces it.
pub struct IdMap<V> {
    slots: Vec<Option<(u32, V)>>,
    len: usize,
}

impl<V> Default for IdMap<V> {
    fn default() -> Self {
        IdMap { slots: Vec::new(), len: 0 }
    }
}

impl<V> IdMap<V> {
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, id: Id) -> Option<&V> {
        match self.slots.get(id.index as usize)? {
            Some((generation, value)) if *generation == id.generation => Some(value),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, id: Id) -> Option<&mut V> {
        match self.slots.get_mut(id.index as usize)? {
            Some((generation, value)) if *generation == id.generation => Some(value),
            _ => None,
        }
    }

    /// Files `value` under `id`, returning the value `id` had.
    pub fn insert(&mut self, id: Id, value: V) -> Option<V> {
        let i = id.index as usize;
        if i >= self.slots.len() {
            self.slots.resize_with(i + 1, || None);
        }
        match self.slots[i].replace((id.generation, value)) {
            Some((generation, old)) if generation == id.generation => Some(old),
            Some(_) => None,
            None => {
                self.len += 1;
                None
            }
        }
    }

    pub fn remove(&mut self, id: Id) -> Option<V> {
        let slot = self.slots.get_mut(id.index as usize)?;
        if slot.as_ref().is_some_and(|(generation, _)| *generation == id.generation) {
            self.len -= 1;
            return slot.take().map(|(_, value)| value);
        }
        None
    }

    /// The values in slot order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.slots.iter().flatten().map(|(_, value)| value)
    }

    /// (id, value) in slot order: the order of a search tree by id, since a slot holds
    /// one generation at a time.
    pub fn iter(&self) -> impl Iterator<Item = (Id, &V)> {
        self.slots.iter().enumerate().filter_map(|(i, slot)| {
            slot.as_ref().map(|(generation, value)| (Id { index: i as u32, generation: *generation }, value))
        })
    }

    /// Keeps the values for which `keep` says so, visited in slot order.
    pub fn retain(&mut self, mut keep: impl FnMut(Id, &mut V) -> bool) {
        for (i, slot) in self.slots.iter_mut().enumerate() {
            if let Some((generation, value)) = slot
                && !keep(Id { index: i as u32, generation: *generation }, value)
            {
                *slot = None;
                self.len -= 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_map_follows_generations() {
        let mut slab = Slab::default();
        let mut map = IdMap::default();
        let a = slab.insert("a");
        let b = slab.insert("b");
        assert_eq!(map.insert(b, 2), None);
        assert_eq!(map.insert(a, 1), None);
        assert_eq!(map.insert(a, 10), Some(1));
        assert_eq!((map.get(a), map.get(b)), (Some(&10), Some(&2)));
        slab.remove(a);
        let c = slab.insert("c");
        assert_eq!(map.get(c), None, "a new object in a's slot has no value yet");
        assert_eq!(map.insert(c, 3), None, "it replaces the old object's");
        assert_eq!(map.get(a), None, "the old id finds nothing");
        assert_eq!(map.remove(a), None);
        assert_eq!(map.values().count(), 2);
        if let Some(v) = map.get_mut(c) {
            *v += 1;
        }
        assert_eq!(map.values().copied().collect::<Vec<_>>(), [4, 2]);
        assert_eq!(map.iter().map(|(id, v)| (id, *v)).collect::<Vec<_>>(), [(c, 4), (b, 2)]);
        map.retain(|id, v| {
            *v += 1;
            id != b
        });
        assert_eq!(map.iter().map(|(id, v)| (id, *v)).collect::<Vec<_>>(), [(c, 5)]);
        assert_eq!(map.remove(c), Some(5));
        assert!(map.is_empty());
    }

    #[test]
    fn reused_slots_do_not_resolve_old_ids() {
        let mut slab = Slab::default();
        let a = slab.insert("a");
        let b = slab.insert("b");
        assert_eq!(slab.remove(a), Some("a"));
        assert_eq!(slab.get(a), None);
        let c = slab.insert("c");
        assert_eq!(c.index, a.index);
        assert_eq!(slab.get(a), None, "stale id");
        assert_eq!(slab.get(c), Some(&"c"));
        assert_eq!(slab.remove(a), None);
        assert_eq!(slab.len(), 2);
        assert_eq!(slab.iter().map(|(_, v)| *v).collect::<Vec<_>>(), ["c", "b"]);
        assert_eq!(slab.get(b), Some(&"b"));
    }
}
