//! The scheduler's packed view of each node: what NodeResourcesFit, LeastAllocated and
//! BalancedAllocation read, one cache line per node, in a table indexed by node id.
//!
//! At 5,000 nodes kube-scheduler's rule examines 500 nodes for every pod; reading them
//! from [`Node`] (names, labels, maps, resource vectors behind pointers) costs several
//! cache misses each. The table is the same numbers laid out for that loop (like
//! kube-scheduler's snapshot of NodeInfos). It is refreshed from the node whenever the
//! node's resources, taints or schedulability change, and the invariant checker
//! compares the two.

use super::resources::{CPU, MEMORY};
use super::{Node, NodeId};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(align(64))]
pub struct FitRow {
    pub allocatable_cpu: i64,
    pub allocatable_memory: i64,
    /// Σ requests of the pods counted on the node.
    pub requested_cpu: i64,
    pub requested_memory: i64,
    /// Σ non-zero requests (the defaults for pods without requests), for LeastAllocated.
    pub nonzero_cpu: i64,
    pub nonzero_memory: i64,
    /// Pods the node can still take.
    pub free_pods: i64,
    /// Bumped at every refresh (never 0): scores computed from an older row are stale.
    pub version: u32,
    /// The node has taints (TaintToleration's score can tell it apart).
    pub tainted: bool,
    /// No taint, not cordoned, in the cluster: only NodeResourcesFit (and the filters
    /// on the pod's own terms) can reject a pod here.
    pub plain: bool,
}

impl FitRow {
    pub fn of(node: &Node) -> FitRow {
        FitRow {
            allocatable_cpu: node.allocatable.get(CPU),
            allocatable_memory: node.allocatable.get(MEMORY),
            requested_cpu: node.requested.get(CPU),
            requested_memory: node.requested.get(MEMORY),
            nonzero_cpu: node.nonzero_cpu,
            nonzero_memory: node.nonzero_memory,
            free_pods: node.allocatable_pods - node.pod_count(),
            version: 0,
            tainted: !node.taints.is_empty(),
            plain: node.present && !node.unschedulable && node.taints.is_empty(),
        }
    }

    /// NodeResourcesFit for a pod requesting only cpu and memory: the common case,
    /// checked first (a `false` for a resource not requested is settled by `misfits`).
    #[inline]
    pub fn fits(&self, cpu: i64, memory: i64) -> bool {
        self.free_pods >= 1
            && cpu <= self.allocatable_cpu - self.requested_cpu
            && memory <= self.allocatable_memory - self.requested_memory
    }

    /// `misfits`, after the quick `fits` check that settles most nodes: 0 when the node
    /// fits.
    #[inline]
    pub fn verdict(&self, cpu: i64, memory: i64) -> u8 {
        if self.fits(cpu, memory) { 0 } else { self.misfits(cpu, memory) }
    }

    /// NodeResourcesFit's verdict for a pod requesting only cpu and memory, as the
    /// filter words it (`filter::fits`: the pod count, then each requested resource in
    /// index order, a resource not requested never failing): bit 0 too many pods, bit 1
    /// insufficient cpu, bit 2 insufficient memory; 0 when the node fits.
    #[inline]
    pub fn misfits(&self, cpu: i64, memory: i64) -> u8 {
        u8::from(self.free_pods < 1)
            | u8::from(cpu != 0 && cpu > self.allocatable_cpu - self.requested_cpu) << 1
            | u8::from(memory != 0 && memory > self.allocatable_memory - self.requested_memory) << 2
    }
}

/// The part of a [`FitRow`] the node walk reads first, four to a cache line: the room
/// left for cpu and memory, and the row's version (the score cache's key).
///
/// On the 5,000-node day a pod walks 500 nodes and scores the same 500: a 64-byte row
/// per node is 32 KB a pod, as much as the first-level data cache holds, and loading the
/// rows was a third of the walk's time on each pass (perf). A room says only "this pod
/// certainly fits": when it does not, the walk reads the row for the exact verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(align(16))]
pub struct Room {
    /// Allocatable minus requested memory.
    pub memory: i64,
    /// Allocatable minus requested cpu, saturated to `i32`; `i32::MIN` when the row is
    /// not plain or has no pod slot left, so that no request certainly fits.
    pub cpu: i32,
    /// The row's version.
    pub version: u32,
}

/// How many of `nodes`, from the first, certainly fit a pod requesting `cpu` and
/// `memory` by their rooms. A call of its own: inlined into the scheduling cycle, the
/// loop read the rooms' address from the stack on every node.
#[inline(never)]
pub fn certainly_fitting(rooms: &[Room], nodes: &[NodeId], cpu: i64, memory: i64) -> usize {
    nodes.iter().take_while(|id| rooms[id.0 as usize].certainly_fits(cpu, memory)).count()
}

/// [`certainly_fitting`] for nodes numbered in order: how many of `rooms`, from the
/// first, certainly fit. Read from the rooms alone, without a list of ids to follow
/// (the scheduler's list is the ids in order unless a node left and came back).
///
/// Eight rooms at a time, their verdicts joined without a branch each, then the rooms
/// of the first eight that do not all fit one by one: on a lightly loaded cluster most
/// stretches fit whole, and without a branch per room the test took 54 M instructions
/// instead of 95 M over six simulated hours of the 100,000-pod day (cachegrind).
#[inline(never)]
pub fn certainly_fitting_rooms(rooms: &[Room], cpu: i64, memory: i64) -> usize {
    let eights = rooms
        .chunks_exact(8)
        .take_while(|eight| eight.iter().fold(true, |all, room| all & room.certainly_fits(cpu, memory)))
        .count();
    let fit = 8 * eights;
    fit + rooms[fit..].iter().take_while(|room| room.certainly_fits(cpu, memory)).count()
}

impl Room {
    pub fn of(row: &FitRow) -> Room {
        let cpu = match row.plain && row.free_pods >= 1 {
            true => (row.allocatable_cpu - row.requested_cpu).clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32,
            false => i32::MIN,
        };
        Room { memory: row.allocatable_memory - row.requested_memory, cpu, version: row.version }
    }

    /// A pod requesting `cpu` and `memory` (neither negative) passes NodeResourcesFit
    /// on the plain row this room was made from. `false` says nothing: the row decides.
    /// A saturated cpu room only ever understates the room, so this never errs.
    #[inline]
    pub fn certainly_fits(&self, cpu: i64, memory: i64) -> bool {
        cpu <= i64::from(self.cpu) && memory <= self.memory
    }
}

/// The nodes whose rows are *regular*: empty, schedulable, untainted and of one shape,
/// the first such row the cluster had (its allocatable cpu, memory and pods).
///
/// A cluster planned for its peak is mostly empty nodes of one kind: on the 100,000-pod
/// day about 650 of the 1,000 nodes hold no pod at any moment, and kube-scheduler's rule
/// walks 420 nodes for every pod. A regular node fits a fit-only pod exactly when the
/// shape does and scores what the shape scores, so the scheduler takes runs of them from
/// these bits without reading a row (`Scheduler::search_nodes`, `prioritize`).
#[derive(Clone, Debug, Default)]
pub struct RegularRows {
    /// The regular rows' content (version 0).
    shape: Option<FitRow>,
    /// By node id: the row is regular.
    bits: Vec<u64>,
    /// Bits set.
    count: usize,
}

impl RegularRows {
    /// Files node `id`'s refreshed row.
    pub fn update(&mut self, id: usize, row: &FitRow) {
        let bare = FitRow { version: 0, ..*row };
        let empty = (bare.requested_cpu, bare.requested_memory, bare.nonzero_cpu, bare.nonzero_memory) == (0, 0, 0, 0);
        if self.shape.is_none() && empty && bare.plain && !bare.tainted && bare.free_pods > 0 {
            self.shape = Some(bare);
        }
        let regular = self.shape == Some(bare);
        let was = set_bit(&mut self.bits, id, regular);
        self.count = self.count + usize::from(regular) - usize::from(was);
    }

    /// Runs of regular nodes are long enough to take whole in the node walk: at least 15
    /// of every 16 nodes are regular, so a run averages 16 nodes or more. Below that a
    /// walk through short runs and the busy nodes between them costs more than reading
    /// every node's room (cachegrind, hours of the 1,000-node day: without the runs, 11%
    /// fewer instructions for the whole run at 65% regular, 8% at 80%, 2.5% at 90%, and
    /// 2% more at 96%).
    pub fn long_runs(&self, nodes: usize) -> bool {
        self.count > 0 && self.count * 16 >= nodes * 15
    }

    /// At least an eighth of `nodes` are regular: enough that looking each node up here
    /// costs less than the rows it spares (on a busy cluster with a node or two just
    /// repaired, the look-ups were 2.5% more instructions for nothing).
    pub fn many(&self, nodes: usize) -> bool {
        self.count > 0 && self.count * 8 >= nodes
    }

    /// The row every regular node has (its version aside).
    pub fn shape(&self) -> Option<&FitRow> {
        self.shape.as_ref()
    }

    #[inline]
    pub fn contains(&self, id: usize) -> bool {
        self.bits.get(id / 64).is_some_and(|w| w >> (id % 64) & 1 == 1)
    }

    /// How many nodes from id `from` on are regular in a row, at most `limit`.
    #[inline]
    pub fn run(&self, from: usize, limit: usize) -> usize {
        let mut len = 0;
        while len < limit {
            let i = from + len;
            let Some(word) = self.bits.get(i / 64) else { break };
            // The ones from bit i on; the shifted-in zeros end the count at the word's end.
            let ones = (!(word >> (i % 64))).trailing_zeros() as usize;
            len += ones;
            if ones < 64 - i % 64 {
                break;
            }
        }
        len.min(limit)
    }

    /// How far the next regular node is from id `from` in the ring of ids `0..n`
    /// (`from` itself at 0, wrapping past `n − 1` to 0); `n` when there is none.
    pub fn distance_to_next(&self, from: usize, n: usize) -> usize {
        match (self.first_in(from, n), self.first_in(0, from)) {
            (Some(p), _) => p - from,
            (None, Some(p)) => n - from + p,
            (None, None) => n,
        }
    }

    /// The bits of the `len` ids from `start` on in the ring of ids `0..n` (wrapping past
    /// `n − 1` to 0), into `out`: bit `k % 64` of word `k / 64` for id `start + k`.
    pub fn window(&self, start: usize, len: usize, n: usize, out: &mut Vec<u64>) {
        out.clear();
        out.resize(len.div_ceil(64), 0);
        let first = len.min(n - start);
        copy_bits(&self.bits, start, first, 0, out);
        copy_bits(&self.bits, 0, len - first, first, out);
    }

    /// The first regular id in `lo..hi`.
    fn first_in(&self, lo: usize, hi: usize) -> Option<usize> {
        let mut i = lo;
        while i < hi {
            let word = self.bits.get(i / 64)? >> (i % 64);
            if word != 0 {
                let p = i + word.trailing_zeros() as usize;
                return (p < hi).then_some(p);
            }
            i = (i / 64 + 1) * 64;
        }
        None
    }
}

/// Sets or clears bit `id` of `bits`, growing them; whether it was set.
fn set_bit(bits: &mut Vec<u64>, id: usize, on: bool) -> bool {
    if bits.len() <= id / 64 {
        bits.resize(id / 64 + 1, 0);
    }
    let (word, bit) = (&mut bits[id / 64], 1u64 << (id % 64));
    let was = *word & bit != 0;
    *word = if on { *word | bit } else { *word & !bit };
    was
}

/// The low `n` bits of a word (all 64 from 64 on).
pub fn low_bits(n: usize) -> u64 {
    if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }
}

/// Copies bits `from..from + count` of `bits` to bits `to..` of `out`.
fn copy_bits(bits: &[u64], from: usize, count: usize, to: usize, out: &mut [u64]) {
    let mut done = 0;
    while done < count {
        let (i, k) = (from + done, to + done);
        // As many bits as both the source and the target word hold from here.
        let take = (64 - i % 64).min(64 - k % 64).min(count - done);
        let word = bits.get(i / 64).map_or(0, |w| w >> (i % 64));
        out[k / 64] |= (word & low_bits(take)) << (k % 64);
        done += take;
    }
}

/// The nodes whose rows were refreshed last, by the `fit_epoch` each refresh made: a
/// failure the scheduler kept at an older epoch is brought up to date by reading these
/// rows again instead of every node's (`scheduler::fail_cache`). On a full cluster every
/// ending pod and every binding refreshes one row and so moves the epoch, while the
/// pods waiting fail on the other rows exactly as before.
#[derive(Clone, Debug)]
pub struct FitLog {
    /// Node id of the refresh that made epoch `e`, at `e % LOG`.
    ring: [u32; FitLog::LOG],
}

impl Default for FitLog {
    fn default() -> Self {
        FitLog { ring: [0; FitLog::LOG] }
    }
}

impl FitLog {
    /// Refreshes remembered: more than the rows a full cluster refreshes between two
    /// pods of one template tried, few enough to read in a moment.
    const LOG: usize = 64;

    /// Files the refresh of node `id` that made the epoch `epoch`.
    pub fn record(&mut self, epoch: u64, id: usize) {
        self.ring[(epoch % Self::LOG as u64) as usize] = id as u32;
    }

    /// The nodes refreshed after epoch `then` up to epoch `now`, oldest first (a node
    /// refreshed twice comes twice); `None` when the log no longer reaches back.
    pub fn since(&self, then: u64, now: u64) -> Option<impl Iterator<Item = usize> + '_> {
        (then <= now && now - then <= Self::LOG as u64)
            .then(|| (then + 1..=now).map(|e| self.ring[(e % Self::LOG as u64) as usize] as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A window's bits are the ids' bits in the ring's order, from any start, of any
    /// length up to the whole ring, across word boundaries and the wrap (the bits past
    /// the last id read as clear).
    #[test]
    fn a_window_holds_its_ids_bits_in_ring_order() {
        for n in [1usize, 63, 64, 65, 200, 1000] {
            // Every third id and every seventh, with the last word partly filled.
            let bits: Vec<u64> = (0..n.div_ceil(64))
                .map(|w| {
                    (0..64)
                        .filter(|b| (64 * w + b) < n && ((64 * w + b) % 3 == 0 || (64 * w + b) % 7 == 0))
                        .fold(0, |m, b| m | 1 << b)
                })
                .collect();
            let rows = RegularRows { shape: None, bits, count: 1 };
            let mut out = Vec::new();
            for start in [0, 1, n / 2, n - 1] {
                for len in [0, 1, 63, 64, 65, 130, n] {
                    let len = len.min(n);
                    rows.window(start, len, n, &mut out);
                    assert_eq!(out.len(), len.div_ceil(64), "{n} ids from {start}, {len} of them");
                    for k in 0..64 * out.len() {
                        let expected = k < len && rows.contains((start + k) % n);
                        assert_eq!(out[k / 64] >> (k % 64) & 1 == 1, expected, "{n} ids from {start}, {len}: bit {k}");
                    }
                }
            }
        }
    }

    /// `fit_test.go`'s NodeResourcesFit cases on a node of 10 cpu, 20 memory, 32 pods
    /// (allocated 5 cpu, 19 memory where the case has a pod there).
    #[test]
    fn misfits_word_the_resources_filter() {
        let row = |requested_cpu, requested_memory, free_pods| FitRow {
            allocatable_cpu: 10,
            allocatable_memory: 20,
            requested_cpu,
            requested_memory,
            free_pods,
            ..FitRow::default()
        };
        // "no resources requested always fits"
        assert_eq!(row(10, 20, 32).misfits(0, 0), 0);
        // "too many resources fails": 1 cpu, 1 memory on a full node
        assert_eq!(row(10, 20, 32).misfits(1, 1), 0b110);
        // "too many resources fails due to init container cpu": 3 cpu beside 8
        assert_eq!(row(8, 19, 32).misfits(3, 1), 0b010);
        // "equal edge case": 5 cpu, 1 memory beside 5 / 19
        assert_eq!(row(5, 19, 32).misfits(5, 1), 0);
        // a node at its pod count
        assert_eq!(row(0, 0, 0).misfits(1, 1), 0b001);
        // a request of none of a resource never fails, even on an overcommitted node
        assert_eq!(row(11, 0, 1).misfits(0, 1), 0);
        assert!(!row(11, 0, 1).fits(0, 1), "the quick check leaves this case to misfits");
    }

    #[test]
    fn a_row_is_one_cache_line() {
        assert_eq!(std::mem::size_of::<FitRow>(), 64);
        assert_eq!(std::mem::size_of::<Room>(), 16);
    }

    /// A room's "certainly fits" is exactly `fits` on a plain row whose cpu room is
    /// within `i32`, never true where `fits` is false, and false on a row that is not
    /// plain or has no pod slot (the walk then reads the row).
    #[test]
    fn a_room_certainly_fits_only_where_the_row_fits() {
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        let mut draw = |n: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % n
        };
        let cpus = [0, 1, 999, 1000, 64_000, i64::from(i32::MAX), i64::from(i32::MAX) + 5, 1 << 40];
        for _ in 0..20_000 {
            let allocatable_cpu = cpus[draw(cpus.len() as u64) as usize];
            let row = FitRow {
                allocatable_cpu,
                allocatable_memory: 1 << 34,
                requested_cpu: (draw(3) as i64 - 1) * allocatable_cpu / 2,
                requested_memory: draw(1 << 35) as i64 - (1 << 33),
                free_pods: draw(3) as i64 - 1,
                plain: draw(4) != 0,
                version: 7,
                ..FitRow::default()
            };
            let room = Room::of(&row);
            assert_eq!(room.version, 7);
            let cpu = cpus[draw(cpus.len() as u64) as usize];
            let memory = draw(1 << 35) as i64;
            let sure = room.certainly_fits(cpu, memory);
            assert!(!sure || (row.plain && row.fits(cpu, memory)), "{row:?} {cpu} {memory}");
            let within = (row.allocatable_cpu - row.requested_cpu).abs() <= i64::from(i32::MAX);
            if row.plain && within {
                assert_eq!(sure, row.fits(cpu, memory), "{row:?} {cpu} {memory}");
            }
        }
    }

    /// Rooms counted eight at a time stop where rooms counted one by one do: at the
    /// first room that does not certainly fit, wherever it falls among the eights (first,
    /// last, one past them, in the tail), or at the end.
    #[test]
    fn rooms_fitting_eight_at_a_time_stop_at_the_first_that_does_not() {
        let room = |cpu, memory| Room { memory, cpu, version: 1 };
        for len in [0usize, 1, 7, 8, 9, 16, 17, 23, 24, 25, 420] {
            for stop in (0..len).chain([len]) {
                for (cpu, memory) in [(0, 5), (5, 0), (i32::MIN, 5)] {
                    let mut rooms = vec![room(8, 8); len];
                    if stop < len {
                        rooms[stop] = room(cpu, memory);
                    }
                    // A room past the stop that would not fit either changes nothing.
                    if stop + 3 < len {
                        rooms[stop + 3] = room(0, 0);
                    }
                    let by_one = rooms.iter().take_while(|r| r.certainly_fits(1, 1)).count();
                    assert_eq!(by_one, stop, "{len} rooms, stop at {stop}");
                    assert_eq!(certainly_fitting_rooms(&rooms, 1, 1), stop, "{len} rooms, stop at {stop}");
                }
            }
        }
    }

    /// Runs are counted across words and cut at a row of another shape, a row holding a
    /// pod, a cordoned row and the limit; a row becoming empty again is regular again.
    #[test]
    fn regular_rows_are_the_empty_rows_of_the_first_shape() {
        let empty = FitRow {
            allocatable_cpu: 64_000,
            allocatable_memory: 1 << 38,
            free_pods: 110,
            plain: true,
            ..FitRow::default()
        };
        let mut rows = RegularRows::default();
        for id in 0..200 {
            rows.update(id, &FitRow { version: id as u32 + 1, ..empty });
        }
        assert_eq!(rows.run(0, 1000), 200);
        assert_eq!(rows.run(3, 100), 100);
        assert_eq!(rows.run(150, 1000), 50);
        let busy = FitRow { requested_cpu: 500, nonzero_cpu: 500, free_pods: 109, ..empty };
        let cordoned = FitRow { plain: false, ..empty };
        let larger = FitRow { allocatable_cpu: 128_000, ..empty };
        rows.update(70, &busy);
        rows.update(130, &cordoned);
        rows.update(131, &larger);
        assert_eq!((rows.run(0, 1000), rows.run(64, 1000), rows.run(71, 1000)), (70, 6, 59));
        assert_eq!((rows.run(130, 1000), rows.run(132, 1000)), (0, 68));
        assert!(!rows.contains(70) && rows.contains(69) && !rows.contains(131) && !rows.contains(5000));
        assert_eq!(
            (rows.distance_to_next(70, 200), rows.distance_to_next(130, 200), rows.distance_to_next(5, 200)),
            (1, 2, 0)
        );
        rows.update(70, &FitRow { version: 9, ..empty });
        assert_eq!(rows.run(0, 1000), 130);
        assert!(rows.many(200) && !rows.many(2000));
        for id in (0..130).chain(132..200) {
            rows.update(id, &busy);
        }
        // From 150 the ring wraps past 199 to 0 and on to 129: nothing regular left.
        assert!(!rows.many(1));
        assert_eq!(rows.distance_to_next(150, 200), 200);
        rows.update(20, &empty);
        assert_eq!(
            (rows.distance_to_next(150, 200), rows.distance_to_next(20, 200), rows.distance_to_next(21, 200)),
            (70, 0, 199)
        );
        assert_eq!(rows.shape(), Some(&empty));
    }

    #[test]
    fn the_fit_log_names_the_rows_refreshed_since_an_epoch() {
        let mut log = FitLog::default();
        for epoch in 1..=100u64 {
            log.record(epoch, (epoch * 7 % 13) as usize);
        }
        let since: Vec<usize> = log.since(97, 100).expect("within the log").collect();
        assert_eq!(since, vec![98 * 7 % 13, 99 * 7 % 13, 100 * 7 % 13]);
        assert_eq!(log.since(100, 100).expect("nothing since").count(), 0);
        assert_eq!(log.since(36, 100).expect("64 back").count(), 64);
        assert!(log.since(35, 100).is_none(), "65 back is past the log");
        assert!(log.since(101, 100).is_none());
    }
}
