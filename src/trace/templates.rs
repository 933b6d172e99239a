//! The spec templates of `objects.jsonl`: pod and Job specs are written once per
//! distinct content (`PodTemplate` / `JobTemplate` lines) and referred to by id, one
//! numbering for both. The lines that name a spec come packed with the spec itself
//! (an `Arc`, the simulation's own), and its id is found here, where the chunk is
//! written as JSON: on the writer thread for `podsim run`, so that serializing and
//! digesting a spec (every pod's, where an arrival stream draws each copy's
//! resources) is not the simulation's work.

use super::lines::{json, packed};
use crate::api::job::JobSpec as ApiJobSpec;
use crate::api::pod::PodSpec;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::io;
use std::sync::{Arc, Weak};

/// Packed lines of `objects.jsonl` (`lines/packed.rs`) and the specs they name by
/// their index here.
#[derive(Default)]
pub struct ObjectsChunk {
    pub lines: packed::Packed,
    pod_specs: Vec<Arc<PodSpec>>,
    job_specs: Vec<Arc<ApiJobSpec>>,
    /// Specs named here that only their object and this chunk hold.
    own_specs: usize,
}

impl ObjectsChunk {
    /// An empty chunk whose packed items go in `items`.
    pub fn in_buffer(items: Vec<u8>) -> Self {
        ObjectsChunk { lines: packed::Packed::in_buffer(items), ..ObjectsChunk::default() }
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Empties the chunk, keeping its room.
    pub fn clear(&mut self) {
        self.lines.clear();
        self.pod_specs.clear();
        self.job_specs.clear();
        self.own_specs = 0;
    }

    /// The index of `spec` among the chunk's pod specs, added.
    pub fn name_pod_spec(&mut self, spec: &Arc<PodSpec>) -> u32 {
        named(&mut self.pod_specs, &mut self.own_specs, spec)
    }

    /// The index of `spec` among the chunk's Job specs, added.
    pub fn name_job_spec(&mut self, spec: &Arc<ApiJobSpec>) -> u32 {
        named(&mut self.job_specs, &mut self.own_specs, spec)
    }

    /// Specs named here that no other object shares (a pod's drawn spec): each would
    /// be freed with its object, so a chunk that holds them on holds them in memory.
    pub fn own_specs(&self) -> usize {
        self.own_specs
    }
}

/// The index of `spec` among `specs`, added; counted in `own` if its object alone holds it.
fn named<T>(specs: &mut Vec<Arc<T>>, own: &mut usize, spec: &Arc<T>) -> u32 {
    *own += usize::from(Arc::strong_count(spec) == 1);
    specs.push(spec.clone());
    u32::try_from(specs.len() - 1).expect("a chunk names fewer than 2^32 specs")
}

/// The templates of one `objects.jsonl`.
pub struct SpecTemplates {
    pods: Templates<PodSpec>,
    jobs: Templates<ApiJobSpec>,
    next_id: u32,
    scratch: Vec<u8>,
}

impl Default for SpecTemplates {
    fn default() -> Self {
        SpecTemplates { pods: Templates::default(), jobs: Templates::default(), next_id: 1, scratch: Vec::new() }
    }
}

impl SpecTemplates {
    /// Writes the JSON lines of `chunk` into `out` and hands them to `take` (which
    /// empties it) a piece at a time, each spec's template line before the first line
    /// that names it.
    pub fn write_json(
        &mut self,
        chunk: &ObjectsChunk,
        out: &mut Vec<u8>,
        take: impl FnMut(&mut Vec<u8>) -> io::Result<()>,
    ) -> io::Result<()> {
        packed::write_json(&chunk.lines, &mut ChunkSpecs { chunk, templates: self }, out, take)
    }
}

/// The specs of one chunk, found in the run's templates.
struct ChunkSpecs<'c> {
    chunk: &'c ObjectsChunk,
    templates: &'c mut SpecTemplates,
}

impl packed::Specs for ChunkSpecs<'_> {
    fn pod_template(&mut self, index: u32, t: i64, out: &mut Vec<u8>) -> io::Result<u32> {
        let SpecTemplates { pods, next_id, scratch, .. } = &mut *self.templates;
        let spec = &self.chunk.pod_specs[index as usize];
        pods.id_written(spec, ("PodTemplate", t), (next_id, scratch), out)
    }

    fn job_template(&mut self, index: u32, t: i64, out: &mut Vec<u8>) -> io::Result<u32> {
        let SpecTemplates { jobs, next_id, scratch, .. } = &mut *self.templates;
        let spec = &self.chunk.job_specs[index as usize];
        jobs.id_written(spec, ("JobTemplate", t), (next_id, scratch), out)
    }
}

/// Specs already written: by allocation first (copies of one manifest share an `Arc`;
/// the `Weak` keeps the address from being reused while it is known), then by content
/// (separate manifests often hold equal specs), known by a digest of their JSON.
struct Templates<T> {
    by_address: BTreeMap<usize, (Weak<T>, u32)>,
    /// The first 128 bits of the SHA-256 of a spec's JSON -> its id. The digest, not the
    /// JSON: a stream whose copies draw their own resources writes a spec per pod, and
    /// keeping each one's text (some 650 bytes on the 100,000-pod day) was, with its
    /// table, 90 MB of a 150 MB run. Two different specs would share an id only if
    /// their digests agreed, about one chance in 10^20 among a billion specs.
    by_content: BTreeMap<u128, u32>,
    /// Addresses known when the address map was last pruned (bounds its growth).
    pruned_at: usize,
}

impl<T> Default for Templates<T> {
    fn default() -> Self {
        Templates { by_address: BTreeMap::new(), by_content: BTreeMap::new(), pruned_at: 1024 }
    }
}

impl<T> Templates<T> {
    fn by_address(&self, spec: &Arc<T>) -> Option<u32> {
        let (weak, id) = self.by_address.get(&(Arc::as_ptr(spec) as usize))?;
        (weak.strong_count() > 0).then_some(*id)
    }

    fn remember_address(&mut self, spec: &Arc<T>, id: u32) {
        if self.by_address.len() >= self.pruned_at {
            // Specs of objects long gone free their entries (memory follows what is alive).
            self.by_address.retain(|_, (w, _)| w.strong_count() > 0);
            self.pruned_at = (self.by_address.len() * 2).max(1024);
        }
        self.by_address.insert(Arc::as_ptr(spec) as usize, (Arc::downgrade(spec), id));
    }

    /// The template id of `spec` (by its allocation, else by its JSON), and its JSON when
    /// it is new and must be written (serialised into `scratch`).
    fn id<'s>(
        &mut self,
        spec: &Arc<T>,
        scratch: &'s mut Vec<u8>,
        next_id: &mut u32,
    ) -> io::Result<(u32, Option<&'s [u8]>)>
    where
        T: Serialize,
    {
        if let Some(id) = self.by_address(spec) {
            return Ok((id, None));
        }
        scratch.clear();
        serde_json::to_writer(&mut *scratch, &**spec).map_err(io::Error::other)?;
        let (id, new) = self.by_content(scratch, next_id);
        self.remember_address(spec, id);
        Ok((id, new.then_some(&scratch[..])))
    }

    /// The template id of `spec`; when it is new, its template line (`op` at time `t`)
    /// is appended to `out` first.
    fn id_written(
        &mut self,
        spec: &Arc<T>,
        (op, t): (&str, i64),
        (next_id, scratch): (&mut u32, &mut Vec<u8>),
        out: &mut Vec<u8>,
    ) -> io::Result<u32>
    where
        T: Serialize,
    {
        let (id, new) = self.id(spec, scratch, next_id)?;
        if let Some(spec) = new {
            json::template(out, op, t, id, spec);
            out.push(b'\n');
        }
        Ok(id)
    }

    /// The id of `content`, and whether it is new.
    fn by_content(&mut self, content: &[u8], next_id: &mut u32) -> (u32, bool) {
        let digest = Sha256::digest(content);
        let key = u128::from_le_bytes(digest[..16].try_into().expect("a SHA-256 digest has 32 bytes"));
        match self.by_content.entry(key) {
            Entry::Occupied(known) => (*known.get(), false),
            Entry::Vacant(slot) => {
                let id = *next_id;
                *next_id += 1;
                slot.insert(id);
                (id, true)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(cpu: &str) -> Arc<PodSpec> {
        let json =
            format!(r#"{{"containers":[{{"name":"a","image":"b","resources":{{"requests":{{"cpu":"{cpu}"}}}}}}]}}"#);
        Arc::new(serde_json::from_str(&json).unwrap())
    }

    #[test]
    fn a_spec_is_known_by_its_allocation_then_by_its_content() {
        let (mut known, mut scratch, mut next) = (Templates::default(), Vec::new(), 1);
        let first = spec("1");
        let (id, json) = known.id(&first, &mut scratch, &mut next).unwrap();
        assert_eq!((id, json.map(<[u8]>::to_vec)), (1, Some(serde_json::to_vec(&*first).unwrap())));
        // The same allocation, and an equal spec in an allocation of its own: written once.
        assert_eq!(known.id(&first, &mut scratch, &mut next).unwrap(), (1, None));
        assert_eq!(known.id(&spec("1"), &mut scratch, &mut next).unwrap(), (1, None));
        // Another content is another template.
        let (id, json) = known.id(&spec("1500m"), &mut scratch, &mut next).unwrap();
        assert_eq!((id, json.is_some()), (2, true));
        let (id, json) = known.id(&spec("2"), &mut scratch, &mut next).unwrap();
        assert_eq!((id, json.is_some()), (3, true));
        assert_eq!(known.id(&spec("1500m"), &mut scratch, &mut next).unwrap(), (2, None));
        assert_eq!(next, 4);
        // What is kept of a spec known by content is its digest, not its text.
        assert_eq!(known.by_content.len(), 3);
    }
}
