//! The runs of a study on every core: each run is a simulation of its own on one
//! thread, and the results come back in the order of the runs, so nothing a study
//! writes depends on which thread ran what.

use rayon::prelude::*;

/// `work` for each job on `threads` threads (0: one per core), results in the jobs'
/// order.
pub fn run_all<J: Send, T: Send>(jobs: Vec<J>, threads: usize, work: impl Fn(J) -> T + Sync + Send) -> Vec<T> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).thread_name(|i| format!("sweep-{i}")).build();
    match pool {
        // One job at a time per thread: a run is long enough that handing out more
        // at once would only leave a thread idle at the end.
        Ok(pool) => pool.install(|| jobs.into_par_iter().with_max_len(1).map(&work).collect()),
        // No threads to be had: one after the other on this one.
        Err(_) => jobs.into_iter().map(work).collect(),
    }
}

/// The number of threads `run_all` uses for `threads` (0: every core).
pub fn threads(threads: usize) -> usize {
    if threads > 0 { threads } else { std::thread::available_parallelism().map_or(1, |n| n.get()) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_come_back_in_order() {
        let jobs: Vec<u64> = (0..100).collect();
        for threads in [1, 2, 3] {
            let out = super::run_all(jobs.clone(), threads, |j| j * j);
            assert_eq!(out, (0..100).map(|j| j * j).collect::<Vec<_>>());
        }
    }
}
