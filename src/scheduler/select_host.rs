//! `selectHost` (`schedule_one.go`): the highest total among the scored nodes, ties
//! broken by reservoir sampling: one draw for each node that ties the best so far, which
//! takes the pick when it comes out 0, so each tied node is equally likely.
//!
//! [`reservoir_best`] is that walk, one node at a time. [`TieBreaker::pick`] gives the
//! same index from the same words, faster where ties are many: on a large cluster of a
//! few pod sizes half of the 500 scored nodes tie the best (`scale-5000.yaml` draws 271
//! words a pod). The walk's pick is the last tie of the final best whose draw comes out
//! 0 (or the node that set that best), so it reads the draws from the last one back and
//! stops at the first 0: on average half of the final best's draws, and none of the
//! draws of the bests it passed. Each draw's word is where the walk would take it, so
//! the stream is read out of order, a generator's buffer (32 words) at a time, and left
//! where the walk would leave it.

use crate::cluster::fit::low_bits;
use crate::engine::SimRng;
use crate::engine::rng::below_from;

/// `selectHost`'s pick over `scores` in order, node by node: the index of the highest,
/// each node tying the best so far drawing `below(ties)` from `draw`.
pub fn reservoir_best(draw: &mut impl FnMut(u64) -> u64, scores: impl Iterator<Item = i64>) -> usize {
    let (mut best, mut best_score, mut ties) = (0, i64::MIN, 0u64);
    for (k, score) in scores.enumerate() {
        if score > best_score {
            (best, best_score, ties) = (k, score, 1);
        } else if score == best_score {
            ties += 1;
            if draw(ties) == 0 {
                best = k;
            }
        }
    }
    best
}

/// The placement stream as `selectHost` draws from it. The picks read their draws out of
/// order, so the generator is put where the next draw is only when one is taken in order
/// ([`below`](Self::below)): a pick after a pick seeks its own words anyway.
#[derive(Clone, Debug)]
pub struct TieBreaker {
    rng: SimRng,
    /// Where the next draw's word is (a position of the generator, in 32-bit words) when
    /// the generator does not stand there: after a pick.
    ahead: Option<u128>,
    /// The ties of the final best in a pick, by their index among the scores.
    ties: Vec<u32>,
}

/// Below this many nodes [`TieBreaker::pick`] walks them in order: the words of a few
/// draws cost less than a seek (the CronJob fleet's 20 nodes).
pub const FEW: usize = 64;

/// The words of a generator's buffer: [`TieBreaker::pick`] copies them a buffer at a time.
const BUFFER: usize = 32;

impl TieBreaker {
    pub fn new(rng: SimRng) -> TieBreaker {
        TieBreaker { rng, ahead: None, ties: Vec::new() }
    }

    /// `below(n)` in order, for a walk node by node.
    pub fn below(&mut self, n: u64) -> u64 {
        self.settle();
        self.rng.below(n)
    }

    fn settle(&mut self) {
        if let Some(next) = self.ahead.take() {
            self.rng.seek(next);
        }
    }

    /// [`reservoir_best`] over `scores` with this stream's draws: the same index, and
    /// the stream left where the walk leaves it.
    ///
    /// One pass notes where each draw of the final best stands among the draws (the
    /// ties of a best it passed draw too, and their words are skipped) and which node
    /// draws it; the second reads them from the last back. A word whose low half falls
    /// below the tie count may be rejected by `below` (about once in 2^55 draws among
    /// 500 nodes): its second word is then the first after all the pick's draws, where
    /// the walk would have taken the next word along. So a pick differs from the walk
    /// only on such a word: each draw stays uniform, and so does the pick.
    pub fn pick(&mut self, scores: &[i64]) -> usize {
        if scores.len() < FEW {
            let mut draw = |n| self.below(n);
            return reservoir_best(&mut draw, scores.iter().copied());
        }
        let start = self.ahead.unwrap_or_else(|| self.rng.position());
        let mut words = StreamWords { rng: &mut self.rng, start, copy: [0; BUFFER], first: usize::MAX, after: 0 };
        let (best, draws) = pick_from_the_end(scores, &mut self.ties, &mut words);
        self.ahead = Some(start + 2 * (draws + words.after) as u128);
        best
    }

    /// [`pick`](Self::pick) over sparse scores: the same index from the same words (of
    /// at least [`FEW`] scores), without a pass over each.
    pub fn pick_sparse(&mut self, scores: &SparseScores) -> usize {
        if scores.len < FEW {
            return self.pick(&scores.expand());
        }
        let start = self.ahead.unwrap_or_else(|| self.rng.position());
        let mut words = StreamWords { rng: &mut self.rng, start, copy: [0; BUFFER], first: usize::MAX, after: 0 };
        let (best, draws) = pick_sparse_from_the_end(scores, &mut words);
        self.ahead = Some(start + 2 * (draws + words.after) as u128);
        best
    }

    /// Where the next draw's word is.
    #[cfg(any(test, debug_assertions))]
    pub fn next_position(&self) -> u128 {
        self.ahead.unwrap_or_else(|| self.rng.position())
    }

    #[cfg(test)]
    pub fn next_u64(&mut self) -> u64 {
        self.settle();
        self.rng.next_u64()
    }
}

/// The words of a pick's draws, by number.
trait DrawWords {
    /// The words of draws `first..=d`, with `first` (at most `d`): asked for from the
    /// last draw back, each draw's run once.
    fn run(&mut self, d: usize) -> (usize, &[u64]);
    /// A word for a draw that `below` rejected, given how many draws the pick makes:
    /// the next of those after them.
    fn extra(&mut self, draws: usize) -> u64;
}

/// A pick's words from the stream, with a copy of some of them: from draw `first` on.
struct StreamWords<'a> {
    rng: &'a mut SimRng,
    /// Where the pick's first draw's word is.
    start: u128,
    copy: [u64; BUFFER],
    first: usize,
    /// The words taken after the draws, for rejected ones.
    after: usize,
}

impl DrawWords for StreamWords<'_> {
    /// Read back to front: a draw before the copy copies the generator's buffer that
    /// ends with it (one block computation: a seek to a block's middle computes the
    /// block there and then, and four blocks are computed at once).
    fn run(&mut self, d: usize) -> (usize, &[u64]) {
        if d < self.first {
            // The 16-word block at which a buffer of four reaching draw `d` begins,
            // and the first draw in it.
            let end = self.start + 2 * (d as u128 + 1);
            let block = end.saturating_sub(64).div_ceil(16);
            let first = (16 * block).saturating_sub(self.start).div_ceil(2) as usize;
            self.rng.seek(self.start + 2 * first as u128);
            self.rng.fill_u64(&mut self.copy[..=d - first]);
            self.first = first;
        }
        (self.first, &self.copy[..=d - self.first])
    }

    fn extra(&mut self, draws: usize) -> u64 {
        self.rng.seek(self.start + 2 * (draws + self.after) as u128);
        self.after += 1;
        self.rng.next_u64()
    }
}

/// The walk's pick from the draws' `words`: the index picked and the draws the walk
/// makes.
fn pick_from_the_end(scores: &[i64], ties: &mut Vec<u32>, words: &mut impl DrawWords) -> (usize, usize) {
    if ties.len() < scores.len() {
        ties.resize(scores.len(), 0);
    }
    // Every node equal to the best before it draws. Each writes its index at the end of
    // the list, which only a tie keeps, and a node that raises the best (a few, early)
    // empties it: a branch taken at random on every node cost more than the writes.
    let (mut top, mut raised, mut draws, mut at_raise, mut len) = (i64::MIN, 0, 0, 0, 0);
    for (k, &s) in scores.iter().enumerate() {
        ties[len] = k as u32;
        let tie = usize::from(s == top);
        (draws, len) = (draws + tie, len + tie);
        if s > top {
            (top, raised, at_raise, len) = (s, k, draws, 0);
        }
    }
    // The draws after a raise count the ties from 2 (the raising node is the first);
    // with no raise (every score `i64::MIN`) from 1, whose draw is always 0.
    let counted_from = if top > i64::MIN { 2 } else { 1 };
    match last_zero((counted_from, at_raise, len), draws, words) {
        Some(i) => (ties[i] as usize, draws),
        None => (raised, draws),
    }
}

/// The last of a pick's draws of the final best that comes out 0, by its tie number `i`
/// (draw `at_raise + i`, `below(i + counted_from)`, of `ties`), given the pick's `draws`.
///
/// The words are read from the last back a run at a time, and each is tested with one
/// product in a loop of its own: `below(t)` is 0 when the product's high half is, and
/// only a word whose low half falls below `t` (which `below` may reject) is looked at
/// again. The draws tested one call at a time, each tie's node worked out on the way,
/// kept the node search at 17.4% of the 100,000-pod day's samples; with this loop, 14.3%
/// (perf).
fn last_zero(
    (counted_from, at_raise, ties): (usize, usize, usize),
    draws: usize,
    words: &mut impl DrawWords,
) -> Option<usize> {
    let mut end = at_raise + ties;
    while end > at_raise {
        let (first, run) = words.run(end - 1);
        let from = first.max(at_raise);
        // The draw and word of the last candidate in `from..end`.
        let candidate = run[from - first..].iter().enumerate().rev().find_map(|(j, &w)| {
            let t = (from + j - at_raise + counted_from) as u64;
            let product = u128::from(w) * u128::from(t);
            ((product >> 64 == 0) | ((product as u64) < t)).then_some((from + j, w))
        });
        match candidate {
            None => end = from,
            Some((d, w)) => {
                if draws_zero((d - at_raise + counted_from) as u64, w, draws, words) {
                    return Some(d - at_raise);
                }
                end = d;
            }
        }
    }
    None
}

/// Whether a draw of `below(t)` whose word is `w` comes out 0 (the walk's node takes the
/// pick), given the `draws` of the pick (where a rejected word draws again).
#[inline(always)]
fn draws_zero(t: u64, w: u64, draws: usize, words: &mut impl DrawWords) -> bool {
    let product = u128::from(w) * u128::from(t);
    if (product as u64) < t {
        let mut first = Some(w);
        below_from(t, || first.take().unwrap_or_else(|| words.extra(draws))) == 0
    } else {
        product >> 64 == 0
    }
}

/// Scores of which most are one value: on a lightly loaded cluster the empty nodes of
/// the cluster's usual shape, which score alike (`prioritize::window_scores`).
#[derive(Clone, Copy, Debug)]
pub struct SparseScores<'a> {
    /// The number of scores.
    pub len: usize,
    /// The score of every index whose bit is set.
    pub common: i64,
    /// Bit `k % 64` of word `k / 64`: index `k` scores `common` (no bit from `len` on).
    pub bits: &'a [u64],
    /// Every other index with its score, in order: each index is either here or in
    /// `bits`.
    pub others: &'a [(u32, i64)],
    /// The highest score among `others` (`i64::MIN` without any), which their maker
    /// knows: the pick then reads the others only up to the first common index.
    pub others_top: i64,
}

impl SparseScores<'_> {
    /// The scores one by one, as [`reservoir_best`] and [`TieBreaker::pick`] take them.
    pub fn expand(&self) -> Vec<i64> {
        let mut scores = vec![self.common; self.len];
        for &(k, s) in self.others {
            scores[k as usize] = s;
        }
        scores
    }
}

/// The bits of word `w` for the indices in `from..to`.
fn span(w: usize, from: usize, to: usize) -> u64 {
    let (lo, hi) = (from.max(64 * w) - 64 * w, to.min(64 * w + 64).saturating_sub(64 * w));
    if lo >= hi {
        return 0;
    }
    low_bits(hi - lo) << lo
}

/// [`reservoir_best`]'s state along the scores.
struct Reservoir {
    top: i64,
    /// The index that set `top` (0 while none has).
    raised: usize,
    draws: usize,
    /// The draws before the raise to `top`.
    at_raise: usize,
    /// The ties of `top` after the index that set it (every tie without a raise).
    ties: usize,
}

impl Reservoir {
    fn one(&mut self, k: usize, score: i64) {
        self.run(k, 1, score);
    }

    /// `n` indices from `first` on, all scoring `score`.
    fn run(&mut self, first: usize, n: usize, score: i64) {
        if n == 0 {
            return;
        }
        if score > self.top {
            (self.top, self.raised, self.at_raise, self.ties) = (score, first, self.draws, n - 1);
            self.draws += n - 1;
        } else if score == self.top {
            (self.ties, self.draws) = (self.ties + n, self.draws + n);
        }
    }
}

/// [`reservoir_best`]'s state at the end of sparse scores, and how many of the final
/// best's ties are others. Once the final best is set only its ties draw, so the walk
/// goes only as far as the index that sets it (most often the first or second), and the
/// ties after it are counted: taken one by one, the others' branches, at random, cost
/// more than the regular nodes' loop they spared.
fn sparse_reservoir(scores: &SparseScores) -> (Reservoir, usize) {
    let SparseScores { len, common, others, others_top, .. } = *scores;
    debug_assert_eq!(others_top, others.iter().map(|&(_, s)| s).max().unwrap_or(i64::MIN), "the others' top");
    let mut walk = Reservoir { top: i64::MIN, raised: 0, draws: 0, at_raise: 0, ties: 0 };
    // The first index that scores `common`: the first the others skip.
    let first_common = others.iter().enumerate().position(|(j, &(k, _))| k as usize != j).unwrap_or(others.len());
    let top = if first_common < len { others_top.max(common) } else { others_top };
    // The index that sets the final best: the walk up to it, node by node. (Every score
    // `i64::MIN`, as no index ever sets it, is walked whole.) Where the best is the
    // common score, only the others before the first common index can set it first:
    // they are the indices before it. Scanning every other for the best (three passes
    // over some 145 a pod) was a fifth of the node search on the 100,000-pod day (perf).
    let raised = match top {
        i64::MIN => len,
        top if common == top => others[..first_common].iter().position(|(_, s)| *s == top).unwrap_or(first_common),
        top => others.iter().find(|(_, s)| *s == top).map_or(len, |&(k, _)| k as usize),
    };
    let mut at = 0;
    for &(k, score) in others.iter().take_while(|(k, _)| (*k as usize) < raised) {
        let k = k as usize;
        walk.run(at, k - at, common);
        walk.one(k, score);
        at = k + 1;
    }
    walk.run(at, raised.min(len) - at, common);
    let mut tied_others = walk.ties;
    if raised < len {
        // The final best, then its ties.
        let at_raise = walk.draws;
        let later = &others[others.partition_point(|(k, _)| (*k as usize) <= raised)..];
        let common_after = if common == top { len - raised - 1 - later.len() } else { 0 };
        tied_others = if others_top == top { later.iter().filter(|(_, s)| *s == top).count() } else { 0 };
        let ties = common_after + tied_others;
        walk = Reservoir { top, raised, draws: at_raise + ties, at_raise, ties };
    }
    (walk, tied_others)
}

/// [`pick_from_the_end`] over sparse scores: the common runs are counted, not walked,
/// and the tie that takes the pick is found from the end through the bits.
fn pick_sparse_from_the_end(scores: &SparseScores, words: &mut impl DrawWords) -> (usize, usize) {
    let (Reservoir { top, raised, draws, at_raise, ties }, tied_others) = sparse_reservoir(scores);
    let counted_from = if top > i64::MIN { 2 } else { 1 };
    let Some(i) = last_zero((counted_from, at_raise, ties), draws, words) else {
        return (raised, draws);
    };
    // The ties from the last back (with a raise, those after the index that raised):
    // `later` of them come after tie `i`.
    let after = if top > i64::MIN { raised + 1 } else { 0 };
    let mut later = ties - 1 - i;
    // Others are merged into the bits only where some tie: on a lightly loaded cluster
    // none does (the occupied nodes score below the empty ones).
    let mut others = if tied_others > 0 { scores.others.len() } else { 0 };
    for w in (after / 64..scores.len.div_ceil(64)).rev() {
        let mut mask = if scores.common == top { scores.bits[w] } else { 0 };
        while others > 0 && scores.others[others - 1].0 as usize / 64 >= w {
            let (k, score) = scores.others[others - 1];
            if score == top {
                mask |= 1 << (k % 64);
            }
            others -= 1;
        }
        mask &= span(w, after, scores.len);
        let here = mask.count_ones() as usize;
        if later >= here {
            later -= here;
            continue;
        }
        for _ in 0..later {
            mask &= !(1 << (63 - mask.leading_zeros()));
        }
        return (64 * w + 63 - mask.leading_zeros() as usize, draws);
    }
    unreachable!("tie {i} of {ties} is among the scores")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::{Stream, Streams};

    fn stream() -> SimRng {
        Streams::new(7).stream(Stream::Placement)
    }

    /// The pick gives the walk's index and leaves the stream where the walk leaves it,
    /// one pick after another (walked and read from the end in turn), on scores with
    /// many ties, rising maxima, a first score of `i64::MIN` (which ties the starting
    /// best and draws), all scores `i64::MIN`, and single nodes.
    #[test]
    fn the_pick_is_the_walks_with_the_same_draws() {
        let mut scores_rng = Streams::new(3).stream(Stream::Arrivals);
        let mut cases: Vec<Vec<i64>> = vec![
            vec![],
            vec![5],
            vec![i64::MIN, i64::MIN, 3, 3],
            vec![i64::MIN; 100],
            [i64::MIN; 70].into_iter().chain([2; 70]).collect(),
            vec![1, 1, 2, 2, 2, 1, 3, 3, 3, 3],
            vec![7; 500],
            vec![7; 5000],
            (0..500).collect(),
            (0..500).rev().collect(),
        ];
        for spread in [1, 2, 3, 8, 200] {
            for len in [2, 17, 64, 65, 500, 1000] {
                cases.push((0..len).map(|_| scores_rng.below(spread) as i64).collect());
            }
        }
        let (mut walk_rng, mut ties) = (stream(), TieBreaker::new(stream()));
        for round in 0..3 {
            for scores in &cases {
                let expected = reservoir_best(&mut |n| walk_rng.below(n), scores.iter().copied());
                assert_eq!(ties.pick(scores), expected, "round {round}: {scores:?}");
            }
            assert_eq!(ties.next_u64(), walk_rng.next_u64(), "round {round}: the same words taken");
        }
    }

    /// Sparse scores give the walk's index from the same words, and leave the stream
    /// where the walk leaves it: common scores above, below and among the others (ties
    /// of both), others of `i64::MIN` (unscored losers) first and last, runs across
    /// word boundaries, and no common index at all.
    #[test]
    fn sparse_scores_pick_as_the_walk() {
        let mut shape = Streams::new(5).stream(Stream::Arrivals);
        let (mut walk_rng, mut ties) = (stream(), TieBreaker::new(stream()));
        let mut cases = 0;
        for len in [64usize, 65, 127, 128, 129, 420, 1000] {
            for common in [0i64, 5, 9] {
                // How many indices are others, in 16ths.
                for sixteenths in [0u64, 1, 6, 15, 16] {
                    for first_loses in [false, true] {
                        let mut bits = vec![0u64; len.div_ceil(64)];
                        let mut others = Vec::new();
                        for k in 0..len {
                            if shape.below(16) < sixteenths {
                                let score = match shape.below(4) {
                                    0 if k > 0 || first_loses => i64::MIN,
                                    _ => shape.below(10) as i64,
                                };
                                others.push((k as u32, score));
                            } else {
                                bits[k / 64] |= 1 << (k % 64);
                            }
                        }
                        let others_top = others.iter().map(|&(_, s)| s).max().unwrap_or(i64::MIN);
                        let sparse = SparseScores { len, common, bits: &bits, others: &others, others_top };
                        let scores = sparse.expand();
                        let expected = reservoir_best(&mut |n| walk_rng.below(n), scores.iter().copied());
                        assert_eq!(ties.pick_sparse(&sparse), expected, "{len} scores, {others:?}");
                        assert_eq!(ties.next_position(), walk_rng.position(), "{len} scores: the same draws");
                        cases += 1;
                    }
                }
            }
        }
        // Every score `i64::MIN` (each ties the walk's starting best and draws), and a
        // common score of `i64::MIN` among others.
        let all_lose: Vec<(u32, i64)> = (0..100).map(|k| (k, i64::MIN)).collect();
        let mut half_bits = vec![0u64; 2];
        let mut half_others = Vec::new();
        for k in 0..100 {
            match k % 2 {
                0 => half_bits[k / 64] |= 1 << (k % 64),
                _ => half_others.push((k as u32, i64::MIN)),
            }
        }
        for sparse in [
            SparseScores { len: 100, common: 3, bits: &[0, 0], others: &all_lose, others_top: i64::MIN },
            SparseScores { len: 100, common: i64::MIN, bits: &half_bits, others: &half_others, others_top: i64::MIN },
        ] {
            let expected = reservoir_best(&mut |n| walk_rng.below(n), sparse.expand().into_iter());
            assert_eq!(ties.pick_sparse(&sparse), expected, "{sparse:?}");
            assert_eq!(ties.next_position(), walk_rng.position(), "{sparse:?}: the same draws");
        }
        assert_eq!(ties.next_u64(), walk_rng.next_u64(), "the same words taken");
        assert_eq!(cases, 210);
    }

    /// Words read from the end of a pick's draws, a buffer at a time, are the stream's
    /// words in order, from any place in the generator's blocks (odd and even 32-bit
    /// offsets, block ends) and for any number of draws; the rejected draws' words
    /// follow the draws.
    #[test]
    fn words_read_from_the_end_are_the_streams_words() {
        for offset in [0u128, 1, 2, 15, 16, 17, 31, 63, 64, 65, 127, 200] {
            for draws in [1usize, 2, 31, 32, 33, 64, 65, 300] {
                let mut plain = stream();
                plain.seek(offset);
                let expected: Vec<u64> = (0..draws + 2).map(|_| plain.next_u64()).collect();
                let mut rng = stream();
                let mut words =
                    StreamWords { rng: &mut rng, start: offset, copy: [0; BUFFER], first: usize::MAX, after: 0 };
                for d in (0..draws).rev() {
                    let (first, run) = words.run(d);
                    assert_eq!(run, &expected[first..=d], "offset {offset}, draw {d} of {draws}");
                }
                assert_eq!(words.extra(draws), expected[draws], "offset {offset}: the first after");
                assert_eq!(words.extra(draws), expected[draws + 1], "offset {offset}: the second after");
            }
        }
    }

    /// Words given by hand: the first word of each draw, and the words after the draws.
    struct GivenWords {
        first: Vec<u64>,
        after: Vec<u64>,
        taken: usize,
    }

    impl DrawWords for GivenWords {
        fn run(&mut self, d: usize) -> (usize, &[u64]) {
            (0, &self.first[..=d])
        }

        fn extra(&mut self, draws: usize) -> u64 {
            assert_eq!(draws, self.first.len(), "the pick's draws");
            self.taken += 1;
            self.after[self.taken - 1]
        }
    }

    /// A word whose low half falls below the tie count may be rejected by `below`:
    /// when the pick reads that draw, its next word is the first after the pick's
    /// draws; when the pick stops at a later draw, the rejected word is never read
    /// (the walk would have drawn again there, and picked the same node). The ties of
    /// the best (4, set by node 0) are nodes 1, 2, 3, 304 and 305, counting 2 to 6.
    /// With 3 ties `2^64 mod 3 = 1`, so the word 0 is rejected; with 6, `2^64 mod 6 = 4`,
    /// so 0 and `⌈2^64/6⌉` (low half 2) are.
    #[test]
    fn a_rejected_word_draws_again_after_the_picks_draws() {
        let scores: Vec<i64> = [4, 4, 4, 4].into_iter().chain([1; 300]).chain([4, 4]).collect();
        let (max, sixth) = (u64::MAX, u64::MAX / 6);
        let above_sixth = sixth + 1;
        // (first words, words after, picked, words after taken)
        let cases: [([u64; 5], &[u64], usize, usize); 7] = [
            // Node 305 draws 5 of 6, node 304 1 of 5, node 3 0 of 4.
            ([max, 1, 7, 1 << 62, max], &[], 3, 0),
            // Node 2's word is rejected, but the pick stops at node 3.
            ([max, 0, 7, 1 << 62, max], &[], 3, 0),
            // Node 305 draws 0: picked.
            ([max, 1, 7, 1 << 62, sixth], &[], 305, 0),
            // Node 305's word is rejected, and the next word draws 0.
            ([max, 1, 7, 1 << 62, 0], &[sixth], 305, 1),
            ([max, 1, 7, 1 << 62, above_sixth], &[sixth], 305, 1),
            // Rejected twice, then 5: on to node 304 and node 3.
            ([max, 1, 7, 1 << 62, 0], &[0, max], 3, 2),
            // No draw comes out 0: node 0 set the best.
            ([max, max, max, max, max], &[], 0, 0),
        ];
        for (first, after, picked, taken) in cases {
            let mut words = GivenWords { first: first.to_vec(), after: after.to_vec(), taken: 0 };
            let mut ties = Vec::new();
            assert_eq!(
                pick_from_the_end(&scores, &mut ties, &mut words),
                (picked, 5),
                "words {first:?} then {after:?}"
            );
            assert_eq!(words.taken, taken, "words {first:?} then {after:?}");
        }
        assert_eq!((u128::from(above_sixth) * 6) as u64, 2, "a word rejected with 6 ties");
    }
}
