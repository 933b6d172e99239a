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
const FEW: usize = 64;

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

    #[cfg(test)]
    pub fn next_u64(&mut self) -> u64 {
        self.settle();
        self.rng.next_u64()
    }
}

/// The words of a pick's draws, by number.
trait DrawWords {
    /// The word of draw `d` (each asked for once, the last first).
    fn word(&mut self, d: usize) -> u64;
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
    fn word(&mut self, d: usize) -> u64 {
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
        self.copy[d - self.first]
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
    for (i, &k) in ties[..len].iter().enumerate().rev() {
        let t = (i + counted_from) as u64;
        let w = words.word(at_raise + i);
        let product = u128::from(w) * u128::from(t);
        let value = if (product as u64) < t {
            let mut first = Some(w);
            below_from(t, || first.take().unwrap_or_else(|| words.extra(draws)))
        } else {
            (product >> 64) as u64
        };
        if value == 0 {
            return (k as usize, draws);
        }
    }
    (raised, draws)
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
                    assert_eq!(words.word(d), expected[d], "offset {offset}, draw {d} of {draws}");
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
        fn word(&mut self, d: usize) -> u64 {
            self.first[d]
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
