//! The bare event queue under the classic hold model: with N events pending, pop the
//! next one and schedule one a random (exponential) interval later. The target:
//! at least 20 M events/s with 100,000 pending and 10 M/s with 1,000,000 pending.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use podsim::engine::{EventQueue, SimTime, Stream, Streams};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Exponential increments with a mean of 1 s, drawn once so the bench times only the queue.
fn increments(n: usize) -> Vec<u64> {
    let dist = podsim::engine::Distribution::Exponential { mean: 1_000_000 };
    let mut rng = Streams::new(1).stream(Stream::Arrivals);
    (0..n).map(|_| dist.sample(&mut rng)).collect()
}

const HOLDS: u64 = 1_000_000;

fn hold(c: &mut Criterion) {
    let incs = increments(1 << 16);
    let mut group = c.benchmark_group("event_queue_hold");
    group.throughput(Throughput::Elements(HOLDS));
    group.sample_size(10);
    for pending in [100_000usize, 1_000_000] {
        group.bench_with_input(BenchmarkId::new("radix_heap", pending), &pending, |b, &n| {
            let mut q = EventQueue::new();
            for i in 0..n {
                q.schedule(SimTime::from_ms(incs[i & 0xFFFF] * 4), i as u32);
            }
            let mut k = 0usize;
            b.iter(|| {
                for _ in 0..HOLDS {
                    let (t, e) = q.pop().expect("hold keeps the queue full");
                    k = k.wrapping_add(1);
                    q.schedule(t.after(incs[k & 0xFFFF]), e);
                }
            });
        });
        group.bench_with_input(BenchmarkId::new("std_binary_heap", pending), &pending, |b, &n| {
            let mut q = BinaryHeap::new();
            let mut seq = 0u64;
            for i in 0..n {
                q.push(Reverse((incs[i & 0xFFFF] * 4, seq, i as u32)));
                seq += 1;
            }
            let mut k = 0usize;
            b.iter(|| {
                for _ in 0..HOLDS {
                    let Reverse((t, _, e)) = q.pop().expect("hold keeps the heap full");
                    k = k.wrapping_add(1);
                    q.push(Reverse((t + incs[k & 0xFFFF], seq, e)));
                    seq += 1;
                }
            });
        });
    }
    group.finish();
}

criterion_group!(benches, hold);
criterion_main!(benches);
