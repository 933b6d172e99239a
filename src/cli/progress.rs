//! A study's progress on stderr: a bar with the runs done and failed and the time left
//! when stderr is a terminal; otherwise (a log, CI) a line every few seconds, as
//! `podsim run` does.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use podsim::engine::time::format_duration;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub struct StudyProgress {
    bar: Option<ProgressBar>,
    /// When the last line was written (lines mode), `None` when quiet.
    lines: Option<Mutex<Instant>>,
    total: u64,
    /// Runs that had ended before this invocation.
    before: u64,
    done: AtomicU64,
    failed: AtomicU64,
    started: Instant,
}

const EVERY: Duration = Duration::from_secs(5);

impl StudyProgress {
    pub fn new(total: u64, before: u64, quiet: bool) -> StudyProgress {
        let terminal = !quiet && std::io::stderr().is_terminal();
        let bar = terminal.then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {msg} [{elapsed_precise}, about {eta} left]")
            {
                bar.set_style(style);
            }
            bar.set_position(before);
            bar.reset_eta();
            bar.set_message("0 failed");
            bar
        });
        let lines = (!quiet && !terminal).then(|| Mutex::new(Instant::now()));
        StudyProgress {
            bar,
            lines,
            total,
            before,
            done: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            started: Instant::now(),
        }
    }

    /// A run ended (`failed`: it is a row with an error).
    pub fn finished(&self, failed: bool) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let failed = self.failed.fetch_add(u64::from(failed), Ordering::Relaxed) + u64::from(failed);
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{failed} failed"));
            bar.inc(1);
        }
        if let Some(lines) = &self.lines {
            let mut last = lines.lock().unwrap_or_else(|e| e.into_inner());
            if last.elapsed() >= EVERY && self.before + done < self.total {
                *last = Instant::now();
                let left = self.total - self.before - done;
                let per_run = self.started.elapsed().as_secs_f64() / done as f64;
                let eta = (per_run * left as f64 * 1000.0) as u64;
                eprintln!(
                    "progress: {}/{} runs done, {failed} failed, about {} left",
                    self.before + done,
                    self.total,
                    format_duration(eta.max(1000) / 1000 * 1000)
                );
            }
        }
    }

    /// A line above the bar.
    pub fn note(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{text}")),
            None => eprintln!("{text}"),
        }
    }

    pub fn clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
