//! SIGINT and SIGTERM while podsim writes an output folder: the temporary files (and the
//! folders this run created) are removed before the process ends, so an interrupted run
//! leaves nothing behind. A run killed outright (SIGKILL, a power cut) cannot clean up;
//! the next run into its folder removes the temporaries it left (`OutputDir::create`).
//!
//! The signals are blocked in every thread and taken by one thread of our own with
//! `sigwait`, so the clean-up runs as ordinary code (locks, file removal), never inside
//! a signal handler.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// What an interruption removes: temporary files, then the folders this run created
/// (only if empty by then).
pub struct Pending {
    files: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
}

static PENDING: Mutex<Pending> = Mutex::new(Pending { files: Vec::new(), dirs: Vec::new() });

fn pending() -> MutexGuard<'static, Pending> {
    // A panic while holding the lock leaves the list as it was: still right to use.
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// A temporary file to remove if the run is interrupted.
pub fn add_file(path: &Path) {
    pending().files.push(path.to_path_buf());
}

/// A folder this run created, removed (if empty) if the run is interrupted.
pub fn add_dir(path: &Path) {
    pending().dirs.push(path.to_path_buf());
}

/// Forgets `files` and `dirs` (renamed into place, kept, or removed already).
pub fn forget(files: &[PathBuf], dirs: &[PathBuf]) {
    let mut p = pending();
    p.files.retain(|f| !files.contains(f));
    p.dirs.retain(|d| !dirs.contains(d));
}

/// Held while files are renamed into place: an interruption waits for the renames to
/// end, so a folder is never left half old run, half new.
pub fn hold() -> MutexGuard<'static, Pending> {
    pending()
}

fn clean_up() -> usize {
    let mut p = pending();
    let removed = p.files.iter().filter(|f| std::fs::remove_file(f).is_ok()).count();
    for d in p.dirs.iter().rev() {
        let _ = std::fs::remove_dir(d);
    }
    p.files.clear();
    p.dirs.clear();
    // The lock is kept until the process ends: nothing may be renamed after this.
    std::mem::forget(p);
    removed
}

/// Takes SIGINT and SIGTERM from here on. Call it before any other thread starts:
/// threads inherit the blocked signals, and one that did not would take them itself.
#[cfg(unix)]
pub fn install() {
    // SAFETY: plain libc calls on a signal set we own, before other threads exist.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
            return;
        }
        set
    };
    let watcher = std::thread::Builder::new().name("signals".into()).spawn(move || {
        loop {
            let mut signal = 0;
            // SAFETY: `set` is a valid signal set and `signal` a valid place to write.
            if unsafe { libc::sigwait(&set, &mut signal) } == 0 {
                let removed = clean_up();
                if removed > 0 {
                    eprintln!("interrupted: removed {removed} temporary file(s) of the output folder");
                }
                // The shell's convention for a process ended by a signal.
                std::process::exit(128 + signal);
            }
        }
    });
    if watcher.is_err() {
        // No thread to take the signals: let them end the process as before.
        // SAFETY: as above.
        unsafe {
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        }
    }
}

#[cfg(not(unix))]
pub fn install() {}
