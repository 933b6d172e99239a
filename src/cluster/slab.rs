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

    /// Slots made so far, live or free (tests check that slots are used again).
    #[cfg(test)]
    pub fn slots(&self) -> usize {
        self.slots.len()
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

/// A value per live object of a slab, kept by the object's slot in pages of
/// [`PAGE`] slots: a lookup is two indexes and a generation compare where a search tree
/// by id took a dozen compares and a cache miss each (the scheduling queue touches
/// several such maps per attempt). A page exists only while it holds a value, so a map
/// holding a few of many objects (the pods waiting, of a million passing through) stays
/// small. A value is filed under its id's generation: an id whose object is gone (its
/// slot reused) finds nothing, and inserting for the slot's new object replaces it.
pub struct IdMap<V> {
    pages: Vec<Option<Box<Page<V>>>>,
    /// Emptied pages kept for the next ones needed: a queue that pods pass through
    /// would otherwise allocate and free a page every few pods, and over a simulated
    /// month that churn left the allocator's heap fragmented (2.5 MB more resident on
    /// the CronJob fleet).
    spare: Vec<Box<Page<V>>>,
}

/// Emptied pages an [`IdMap`] keeps at most.
const SPARE: usize = 64;

/// Slots per page of an [`IdMap`].
const PAGE: usize = 16;

struct Page<V> {
    used: usize,
    slots: [Option<(u32, V)>; PAGE],
}

impl<V> Default for IdMap<V> {
    fn default() -> Self {
        IdMap { pages: Vec::new(), spare: Vec::new() }
    }
}

impl<V> IdMap<V> {
    fn slot(&self, id: Id) -> Option<&(u32, V)> {
        let i = id.index as usize;
        self.pages.get(i / PAGE)?.as_ref()?.slots[i % PAGE].as_ref()
    }

    pub fn get(&self, id: Id) -> Option<&V> {
        self.slot(id).filter(|(generation, _)| *generation == id.generation).map(|(_, value)| value)
    }

    pub fn get_mut(&mut self, id: Id) -> Option<&mut V> {
        let i = id.index as usize;
        match &mut self.pages.get_mut(i / PAGE)?.as_mut()?.slots[i % PAGE] {
            Some((generation, value)) if *generation == id.generation => Some(value),
            _ => None,
        }
    }

    /// Files `value` under `id`, returning the value `id` had.
    pub fn insert(&mut self, id: Id, value: V) -> Option<V> {
        let i = id.index as usize;
        if i / PAGE >= self.pages.len() {
            self.pages.resize_with(i / PAGE + 1, || None);
        }
        let spare = &mut self.spare;
        let page = self.pages[i / PAGE].get_or_insert_with(|| {
            spare.pop().unwrap_or_else(|| Box::new(Page { used: 0, slots: std::array::from_fn(|_| None) }))
        });
        match page.slots[i % PAGE].replace((id.generation, value)) {
            Some((generation, old)) if generation == id.generation => Some(old),
            Some(_) => None,
            None => {
                page.used += 1;
                None
            }
        }
    }

    pub fn remove(&mut self, id: Id) -> Option<V> {
        let i = id.index as usize;
        let entry = self.pages.get_mut(i / PAGE)?;
        let page = entry.as_mut()?;
        let slot = &mut page.slots[i % PAGE];
        if slot.as_ref().is_none_or(|(generation, _)| *generation != id.generation) {
            return None;
        }
        let (_, value) = slot.take()?;
        page.used -= 1;
        release_if_empty(entry, &mut self.spare);
        Some(value)
    }

    /// (id, value) in slot order: the order of a search tree by id, since a slot holds
    /// one generation at a time.
    pub fn iter(&self) -> impl Iterator<Item = (Id, &V)> {
        self.pages.iter().enumerate().filter_map(|(p, page)| Some((p, page.as_ref()?))).flat_map(|(p, page)| {
            page.slots.iter().enumerate().filter_map(move |(k, slot)| {
                let (generation, value) = slot.as_ref()?;
                Some((Id { index: (p * PAGE + k) as u32, generation: *generation }, value))
            })
        })
    }

    /// The values in slot order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.iter().map(|(_, value)| value)
    }

    /// Keeps the values for which `keep` says so, visited in slot order.
    pub fn retain(&mut self, mut keep: impl FnMut(Id, &mut V) -> bool) {
        for (p, entry) in self.pages.iter_mut().enumerate() {
            let Some(page) = entry else { continue };
            for (k, slot) in page.slots.iter_mut().enumerate() {
                if let Some((generation, value)) = slot
                    && !keep(Id { index: (p * PAGE + k) as u32, generation: *generation }, value)
                {
                    *slot = None;
                    page.used -= 1;
                }
            }
            release_if_empty(entry, &mut self.spare);
        }
    }
}

/// Takes an emptied page out of its map, keeping it for reuse while there are few spare.
fn release_if_empty<V>(entry: &mut Option<Box<Page<V>>>, spare: &mut Vec<Box<Page<V>>>) {
    if entry.as_ref().is_some_and(|page| page.used == 0)
        && let Some(page) = entry.take()
        && spare.len() < SPARE
    {
        spare.push(page);
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
        assert_eq!(map.iter().count(), 0);
        assert!(map.pages.iter().all(Option::is_none), "an empty page is let go");
        assert_eq!(map.spare.len(), 1, "and kept for the next");
        // Slots far apart live in pages of their own, in slot order.
        let far = Id { index: 10 * PAGE as u32 + 3, generation: 7 };
        map.insert(far, 9);
        map.insert(b, 2);
        assert_eq!(map.iter().map(|(id, v)| (id, *v)).collect::<Vec<_>>(), [(b, 2), (far, 9)]);
        assert_eq!(map.pages.iter().filter(|p| p.is_some()).count(), 2);
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
