//! `selectHost` (`schedule_one.go`): the highest total among the scored nodes, ties
//! broken by reservoir sampling: one draw for each node that ties the best so far, which
//! takes the pick when it comes out 0, so each tied node is equally likely.
//!
//! [`reservoir_best`] is that walk, one node at a time. [`pick`] gives the same index
//! from the same draws in the same order, faster where ties are many: on a large cluster
//! of a few pod sizes half of the 500 scored nodes tie the best (`scale-5000.yaml` draws
//! 271 words a pod), and the walk's branch on each node's comparison, taken or not at
//! random, cost more than the comparisons. It notes the draws the walk would make with
//! no branch but at the few nodes that raise the best, takes their words from the
//! generator at once, and chooses with selects.

use crate::engine::SimRng;

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

/// [`reservoir_best`] over `scores` with `rng`'s draws: the same index, and the same
/// words taken from the stream.
pub fn pick(rng: &mut SimRng, scores: &[i64]) -> usize {
    // A few nodes are walked: setting up the lists would cost more than the branches
    // (the CronJob fleet's 20 nodes: 1.6% more instructions in all).
    if scores.len() >= FEW {
        let start = rng.position();
        if let Some(best) = pick_without_branches(scores, |words| rng.fill_u64(words)) {
            return best;
        }
        // A word `below` may reject: the walk again from the same place, node by node.
        rng.seek(start);
    }
    reservoir_best(&mut |n| rng.below(n), scores.iter().copied())
}

/// Below this many nodes [`pick`] walks them one at a time.
const FEW: usize = 64;

/// How many scores [`pick_without_branches`] takes at a time: its lists are on the
/// stack, made for each pick without an allocation.
const RUN: usize = 256;

/// The walk's pick with the words `fill` gives, or `None` if a word may be rejected.
///
/// Each node equal to the best before it draws `below(t)`, `t` counting the nodes of that
/// best so far; the pick is the later of the last node that raised the best and the last
/// node whose draw came out 0. A run of scores at a time: every node writes its index in
/// the next slot of the draws, which only a node equal to the best keeps, and a node that
/// raises the best (a few, early) notes where its draws begin; the words are taken at
/// once, and each `below(t)` read as the high word of `word · t`, exact unless the low
/// word is below `t`, when `below` may reject the word and draw again (about once in 2^55
/// draws among 500 nodes).
///
/// A call of its own: inlined into the scheduling cycle, its counters lived on the
/// stack.
#[inline(never)]
fn pick_without_branches(scores: &[i64], mut fill: impl FnMut(&mut [u64])) -> Option<usize> {
    // Twice the run, so that a slot's index masked to the length is the index itself
    // and needs no bounds check on every node.
    let mut draws = [0u32; 2 * RUN];
    let mut raises = [0u32; RUN];
    let mut words = [0u64; RUN];
    let (mut top, mut raised, mut ties, mut hit, mut unsure) = (i64::MIN, 0, 0u64, 0, false);
    for (r, run) in scores.chunks(RUN).enumerate() {
        let (mut n, mut m) = (0, 0);
        for (j, &s) in run.iter().enumerate() {
            let k = r * RUN + j;
            draws[n & (2 * RUN - 1)] = k as u32;
            n += usize::from(s == top);
            if s > top {
                // The draws from here on tie this node's score.
                raises[m] = n as u32;
                (m, top, raised) = (m + 1, s, k);
            }
        }
        fill(&mut words[..n]);
        // Between two raises the draws count the ties on: 2, 3, … after a raise; 1, 2, …
        // for nodes of the lowest score before any (and on from the last run).
        let mut from = 0;
        for (e, to) in raises[..m].iter().map(|&d| d as usize).chain([n]).enumerate() {
            if e > 0 {
                ties = 1;
            }
            for (&k, &word) in draws[from..to].iter().zip(&words[from..to]) {
                ties += 1;
                let product = u128::from(word) * u128::from(ties);
                unsure |= (product as u64) < ties;
                hit = if product >> 64 == 0 { k as usize } else { hit };
            }
            from = to;
        }
    }
    (!unsure).then_some(raised.max(hit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::{Stream, Streams, below_from};

    fn stream() -> SimRng {
        Streams::new(7).stream(Stream::Placement)
    }

    /// The batched pick gives the walk's index and leaves the stream where the walk
    /// leaves it, on scores with many ties, rising maxima, a first score of
    /// `i64::MIN` (which ties the starting best and draws) and single nodes.
    #[test]
    fn the_pick_is_the_walks_with_the_same_draws() {
        let mut scores_rng = Streams::new(3).stream(Stream::Arrivals);
        let mut cases: Vec<Vec<i64>> = vec![
            vec![],
            vec![5],
            vec![i64::MIN, i64::MIN, 3, 3],
            vec![1, 1, 2, 2, 2, 1, 3, 3, 3, 3],
            vec![7; 500],
            (0..500).collect(),
            (0..500).rev().collect(),
        ];
        for spread in [1, 2, 3, 8, 200] {
            for len in [2, 17, 64, 65, 500, 1000] {
                cases.push((0..len).map(|_| scores_rng.below(spread) as i64).collect());
            }
        }
        let (mut walk_rng, mut rng) = (stream(), stream());
        for scores in &cases {
            let expected = reservoir_best(&mut |n| walk_rng.below(n), scores.iter().copied());
            assert_eq!(pick(&mut rng, scores), expected, "{scores:?}");
            assert_eq!(rng.next_u64(), walk_rng.next_u64(), "the same words taken: {scores:?}");
        }
    }

    /// A word whose low half falls below the tie count may be rejected by `below`: the
    /// pick without branches gives up on it (and `pick` walks again node by node); on
    /// every other word it gives the walk's index. With 3 ties `2^64 mod 3 = 1`, so the
    /// word 0 (low half 0) is drawn again, and `⌈2^64/3⌉` (low half 2) is looked at.
    #[test]
    fn a_word_that_may_be_rejected_is_left_to_the_walk() {
        let scores: Vec<i64> = [4, 4, 4, 4].into_iter().chain([1; 300]).chain([4, 4]).collect();
        let close = u64::MAX / 3 + 1;
        for second in [0u64, 1, close, u64::MAX / 3, u64::MAX] {
            for last in [0u64, 1, u64::MAX / 6, u64::MAX] {
                // The draws of nodes 1, 2, 3 (ties 2, 3, 4) and of the last two (5, 6).
                let words = [u64::MAX, second, 7, 1 << 62, last];
                let mut given = words.iter().copied();
                let got = pick_without_branches(&scores, |out| out.fill_with(|| given.next().expect("five")));
                let mut plain = words.iter().copied();
                let walk =
                    reservoir_best(&mut |n| below_from(n, || plain.next().unwrap_or(u64::MAX)), scores.iter().copied());
                let low = |w: u64, t: u64| (u128::from(w) * u128::from(t)) as u64;
                let may_reject = low(second, 3) < 3 || low(last, 6) < 6;
                match got {
                    Some(best) => assert_eq!(best, walk, "words {words:?}"),
                    None => assert!(may_reject, "gave up on words {words:?}"),
                }
                assert_eq!(got.is_none(), may_reject, "words {words:?}");
            }
        }
    }
}
