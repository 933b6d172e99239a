//! Random streams derived from the scenario seed.
//!
//! Every draw comes from a ChaCha8 generator (a fixed, documented algorithm, unlike
//! `StdRng`) on a stream chosen by purpose, so that more draws for one purpose never
//! shift another. Draws about one object (a container's run time, a pull failure) use
//! a stream keyed by the purpose *and* the object's stable name, so they do not depend
//! on the order in which events happen: two variants of a scenario (say, two scheduler
//! policies) give each container the same behaviour, which makes their comparison fair
//! (common random numbers).

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

/// What a stream of draws is for. The numbers are part of the determinism contract:
/// never renumber, only add.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Stream {
    /// Arrival times of workload streams.
    Arrivals = 1,
    /// Container behaviour: run time, exit code, pull failures (keyed by container).
    Behavior = 2,
    /// Scheduler tie-breaks among equally scored nodes.
    Placement = 3,
    /// Random node failures and repairs (keyed by node).
    Faults = 4,
    /// Random name suffixes (generateName), as the API server would make them.
    Names = 5,
    /// Where preemption's dry run starts among the nodes (`GetOffsetAndNumCandidates`).
    Preemption = 6,
    /// Where the API server's ClusterIP allocator starts looking in the service CIDR
    /// (`ipallocator.go` draws the start of its scan at random).
    ClusterIps = 7,
    /// The order in which the DaemonSet controller walks the nodes (upstream lists
    /// them from a map, in random order).
    DaemonSets = 8,
    /// Object uids: one short stream per object, keyed by its kind and serial.
    Uids = 9,
    /// How long a provisioner takes to make a claim's volume (keyed by the claim).
    Provisioning = 10,
    /// The resources each copy of an arrival stream draws (`arrivals.resources`), one
    /// stream per arrival stream: the copies' arrival times do not move.
    ArrivalResources = 11,
    /// The jitter of each pod's volume stats calculator (keyed by pod).
    VolumeStats = 20,
    /// The attach/detach controller's operation times.
    AttachDetach = 21,
    /// The kubelet's mount of an attached volume (keyed by pod and volume).
    Mounts = 22,
}

/// The root of every random stream of one run.
#[derive(Clone, Debug)]
pub struct Streams {
    seed: u64,
}

impl Streams {
    pub fn new(seed: u64) -> Self {
        Streams { seed }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The stream for a purpose.
    pub fn stream(&self, purpose: Stream) -> SimRng {
        self.keyed(purpose, 0)
    }

    /// The stream for a purpose and one object, named by a stable key (see [`key_of`]).
    pub fn keyed(&self, purpose: Stream, key: u64) -> SimRng {
        let mut rng = ChaCha8Rng::from_seed(expand_seed(self.seed));
        rng.set_stream(splitmix64((purpose as u64) << 56 ^ key));
        SimRng(rng)
    }
}

/// A stable 64-bit key for a name (FNV-1a), independent of platform and program run.
pub fn key_of(parts: &[&str]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// An object's uid, shaped as the API server's (a version 4 UUID, `8-4-4-4-12` hex
/// digits, as `uuid.NewUUID` in `k8s.io/apimachinery/pkg/util/uuid` draws it), drawn
/// from a stream of its own keyed by the object's `kind` and `serial` (its number in
/// the run): the same object has the same uid in every view of a run, and no other
/// draw moves.
pub fn uuid(seed: u64, kind: &str, serial: u64) -> String {
    let mut rng = Streams::new(seed).keyed(Stream::Uids, key_of(&[kind]) ^ splitmix64(serial));
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&rng.next_u64().to_be_bytes());
    b[8..].copy_from_slice(&rng.next_u64().to_be_bytes());
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    // Written digit by digit: one allocation (a uid per object made it 7% of a CronJob
    // fleet's run as sixteen `format!`s).
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(36);
    for (i, x) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        text.push(DIGITS[usize::from(x >> 4)] as char);
        text.push(DIGITS[usize::from(x & 0x0f)] as char);
    }
    text
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The 256-bit ChaCha key from the 64-bit seed, by a fixed rule of our own (so that a
/// change of `seed_from_u64` in rand_core could never change a run).
fn expand_seed(seed: u64) -> [u8; 32] {
    let mut key = [0u8; 32];
    let mut x = seed;
    for chunk in key.chunks_exact_mut(8) {
        x = splitmix64(x);
        chunk.copy_from_slice(&x.to_le_bytes());
    }
    key
}

/// A generator with the few primitive draws the simulation needs, each defined here
/// bit for bit so that no library upgrade can change a run.
#[derive(Clone, Debug)]
pub struct SimRng(ChaCha8Rng);

impl SimRng {
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in (0, 1]: safe to take the logarithm of.
    pub fn unit_open(&mut self) -> f64 {
        1.0 - self.unit()
    }

    /// Uniform integer in [0, n), without modulo bias (see [`below_from`]). Inlined: the
    /// scheduler draws one for every tie of every cycle.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        below_from(n, || self.next_u64())
    }

    /// Where the stream is: the words drawn from it so far (32-bit ones, two a draw).
    pub fn position(&self) -> u128 {
        self.0.get_word_pos()
    }

    /// Puts the stream back (or forward) to a [`position`](Self::position).
    pub fn seek(&mut self, position: u128) {
        self.0.set_word_pos(position);
    }

    /// The next `out.len()` words of [`next_u64`](Self::next_u64), in order, copied from
    /// the generator's blocks a run at a time: the same words, without the book-keeping
    /// of one call each.
    pub fn fill_u64(&mut self, out: &mut [u64]) {
        let mut bytes = [0u8; 512];
        for run in out.chunks_mut(bytes.len() / 8) {
            let bytes = &mut bytes[..run.len() * 8];
            self.0.fill_bytes(bytes);
            for (word, b) in run.iter_mut().zip(bytes.chunks_exact(8)) {
                *word = u64::from_le_bytes(b.try_into().expect("8 bytes"));
            }
        }
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.unit() < p
    }
}

/// [`SimRng::below`] over the words `next` gives: uniform in [0, n) without modulo bias
/// (Lemire's method with rejection). The rejection threshold (`2^64 mod n`, below `n`)
/// is worked out only when the low half of the product is below `n`, which is rare: its
/// 64-bit division was a tenth of the node search on the 1,250-node day (perf). The
/// draws and results are those of always computing it.
#[inline]
pub fn below_from(n: u64, mut next: impl FnMut() -> u64) -> u64 {
    assert!(n > 0, "below(0)");
    let mut product = u128::from(next()) * u128::from(n);
    if (product as u64) < n {
        let threshold = n.wrapping_neg() % n;
        while (product as u64) < threshold {
            product = u128::from(next()) * u128::from(n);
        }
    }
    (product >> 64) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The threshold worked out only when needed gives the same numbers from the same
    /// stream as working it out every time, rejections included (a bound just above
    /// 2^63 rejects about half the draws).
    #[test]
    fn below_draws_as_the_plain_method_does() {
        let plain = |rng: &mut SimRng, n: u64| {
            let threshold = n.wrapping_neg() % n;
            loop {
                let product = u128::from(rng.next_u64()) * u128::from(n);
                if (product as u64) >= threshold {
                    return (product >> 64) as u64;
                }
            }
        };
        for n in [1, 2, 3, 7, 100, 420, 1 << 32, (1 << 63) + 1, u64::MAX - 1, u64::MAX] {
            let (mut a, mut b) = (Streams::new(n).stream(Stream::Placement), Streams::new(n).stream(Stream::Placement));
            for _ in 0..2000 {
                assert_eq!(a.below(n), plain(&mut b, n), "n = {n}");
            }
            assert_eq!(a.next_u64(), b.next_u64(), "n = {n}: the same draws taken");
        }
    }

    /// Words taken a run at a time are the words `next_u64` gives, from any place in
    /// the generator's block (odd and even offsets, across block ends) and for runs
    /// longer than the copy buffer.
    #[test]
    fn filled_words_are_the_next_words() {
        for skip in [0, 1, 31, 32, 33, 63, 100] {
            for len in [0, 1, 2, 31, 32, 33, 64, 65, 150] {
                let (mut a, mut b) =
                    (Streams::new(5).stream(Stream::Placement), Streams::new(5).stream(Stream::Placement));
                for _ in 0..skip {
                    assert_eq!(a.next_u64(), b.next_u64());
                }
                let mut filled = vec![0; len];
                a.fill_u64(&mut filled);
                let drawn: Vec<u64> = (0..len).map(|_| b.next_u64()).collect();
                assert_eq!(filled, drawn, "skip {skip}, len {len}");
                assert_eq!(a.next_u64(), b.next_u64(), "the stream goes on alike");
            }
        }
    }

    /// A stream put back to where it was gives the same words again.
    #[test]
    fn a_stream_put_back_draws_the_same_words() {
        let mut rng = Streams::new(5).stream(Stream::Placement);
        for skip in [0, 1, 31, 32, 33, 100] {
            for _ in 0..skip {
                rng.next_u64();
            }
            let at = rng.position();
            let first: Vec<u64> = (0..70).map(|_| rng.next_u64()).collect();
            rng.seek(at);
            let again: Vec<u64> = (0..70).map(|_| rng.next_u64()).collect();
            assert_eq!(first, again, "skip {skip}");
        }
    }

    #[test]
    fn uids_are_version_4_uuids_from_the_seed() {
        let u = uuid(1, "pod", 17);
        assert_eq!(u.len(), 36);
        let groups: Vec<&str> = u.split('-').collect();
        assert_eq!(groups.iter().map(|g| g.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
        assert!(groups[2].starts_with('4'), "{u}");
        assert!(matches!(groups[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'), "{u}");
        assert!(u.bytes().all(|c| c == b'-' || c.is_ascii_digit() || (b'a'..=b'f').contains(&c)), "{u}");
        assert_eq!(u, uuid(1, "pod", 17));
        assert_ne!(u, uuid(2, "pod", 17));
        assert_ne!(u, uuid(1, "pod", 18));
        assert_ne!(u, uuid(1, "job", 17));
    }

    #[test]
    fn streams_are_reproducible_and_independent() {
        let s = Streams::new(42);
        let a: Vec<u64> = (0..4).map(|_| s.stream(Stream::Arrivals).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]), "same stream, same first draw");
        let mut arrivals = s.stream(Stream::Arrivals);
        let mut faults = s.stream(Stream::Faults);
        assert_ne!(arrivals.next_u64(), faults.next_u64());
        let k1 = s.keyed(Stream::Behavior, key_of(&["default", "web", "nginx"])).next_u64();
        let k2 = s.keyed(Stream::Behavior, key_of(&["default", "web", "sidecar"])).next_u64();
        assert_ne!(k1, k2);
        assert_ne!(Streams::new(43).stream(Stream::Arrivals).next_u64(), a[0]);
    }

    #[test]
    fn first_draws_are_pinned() {
        // Pinned values: if this changes, every user's results change. Never update
        // these numbers without a major version and a note in the changelog.
        let mut rng = Streams::new(1).stream(Stream::Arrivals);
        let draws: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(draws, PINNED);
    }
    const PINNED: [u64; 3] = [11473342708051343177, 3266496750176154481, 13757404753187326295];

    #[test]
    fn below_is_in_range_and_covers_it() {
        let mut rng = Streams::new(7).stream(Stream::Placement);
        let mut seen = [false; 7];
        for _ in 0..1000 {
            seen[rng.below(7) as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
        assert_ne!(key_of(&["a", "bc"]), key_of(&["ab", "c"]));
    }
}
