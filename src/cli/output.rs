//! The output folder: files are written under temporary names and renamed into place
//! when the run has finished, so a folder never holds half-written files, and never
//! mixes two runs: podsim's own files that this run does not write are removed.

use super::{Failure, interrupt};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

pub struct OutputDir {
    dir: PathBuf,
    pending: Vec<(PathBuf, PathBuf)>,
    /// Files of an earlier run this one does not write: removed at `commit`, so that a
    /// folder never mixes two runs.
    stale: Vec<PathBuf>,
    /// The folders this run created (the output folder and its missing parents).
    created: Vec<PathBuf>,
    written: Arc<Written>,
}

/// What the folder's files were given so far (the progress report shows it), and the
/// first write that failed (the run stops there).
#[derive(Default)]
pub struct Written {
    bytes: AtomicU64,
    failed: AtomicBool,
    error: Mutex<Option<String>>,
}

impl Written {
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    pub fn failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }

    /// The first write error, as the system worded it.
    pub fn error(&self) -> Option<String> {
        self.error.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn fail(&self, e: &io::Error) {
        let mut first = self.error.lock().unwrap_or_else(|e| e.into_inner());
        first.get_or_insert_with(|| described(e));
        self.failed.store(true, Ordering::Relaxed);
    }
}

/// The temporary name of `name` while it is written.
fn temporary(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!(".{name}.tmp"))
}

/// The output folder cannot be written: the user's environment (exit 2), not a bug.
pub fn failure(dir: &Path, e: &io::Error) -> Failure {
    Failure::Environment(format!("{}: cannot write the output: {}", dir.display(), described(e)))
}

/// The system's words for an I/O error, and ours where they are terse.
fn described(e: &io::Error) -> String {
    let hint = match e.kind() {
        io::ErrorKind::StorageFull => " (the disk is full)",
        io::ErrorKind::ReadOnlyFilesystem => " (a read-only file system)",
        io::ErrorKind::PermissionDenied => " (no permission to write there)",
        io::ErrorKind::NotADirectory => " (part of the path is a file, not a folder)",
        io::ErrorKind::FileTooLarge => " (the file size limit was reached)",
        _ => "",
    };
    format!("{e}{hint}")
}

impl OutputDir {
    /// Opens (or creates) `dir` for a run that may write the files `known`: temporary
    /// files of those names left by an earlier run that was killed are removed.
    pub fn create(dir: &Path, known: &[String]) -> Result<OutputDir, Failure> {
        if dir.exists() && !dir.is_dir() {
            return Err(Failure::Environment(format!(
                "{}: exists and is not a folder (the output goes in a folder; choose another --out)",
                dir.display()
            )));
        }
        let created: Vec<PathBuf> =
            dir.ancestors().take_while(|d| !d.as_os_str().is_empty() && !d.exists()).map(Path::to_path_buf).collect();
        for d in created.iter().rev() {
            interrupt::add_dir(d);
        }
        std::fs::create_dir_all(dir).map_err(|e| failure(dir, &e))?;
        for name in known {
            match std::fs::remove_file(temporary(dir, name)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(failure(dir, &e)),
                _ => {}
            }
        }
        let written = Arc::new(Written::default());
        Ok(OutputDir { dir: dir.to_path_buf(), pending: Vec::new(), stale: Vec::new(), created, written })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    pub fn written(&self) -> Arc<Written> {
        self.written.clone()
    }

    /// A buffered writer for `name`, written as `.name.tmp` until `commit`.
    ///
    /// The buffer is small on purpose: the trace writers hand over chunks of 256 KiB and
    /// more, and `BufWriter` passes a write at least as large as its buffer straight to
    /// the file instead of copying it.
    pub fn file(&mut self, name: &str) -> Result<Counted<BufWriter<File>>, Failure> {
        let tmp = temporary(&self.dir, name);
        interrupt::add_file(&tmp);
        let f = File::create(&tmp).map_err(|e| failure(&self.dir, &e))?;
        self.pending.push((tmp, self.dir.join(name)));
        Ok(Counted { inner: BufWriter::with_capacity(1 << 15, f), written: self.written.clone() })
    }

    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), Failure> {
        let mut f = self.file(name)?;
        f.write_all(bytes).and_then(|()| f.flush()).map_err(|e| failure(&self.dir, &e))
    }

    /// `name` is not part of this run: an earlier run's file of that name goes at commit.
    pub fn remove(&mut self, name: &str) {
        self.stale.push(self.dir.join(name));
    }

    /// Renames every file into place and removes the stale ones.
    ///
    /// An earlier run's file is removed before the new one is renamed over it: ext4
    /// treats a rename over an existing file as a request to write the new file's data
    /// to disk first (`auto_da_alloc`), which made a long run into the same folder wait
    /// a second or more for its 1 GB trace to reach the disk.
    pub fn commit(self) -> Result<(), Failure> {
        let held = interrupt::hold();
        let result = self.rename_all();
        drop(held);
        let temporaries: Vec<PathBuf> = self.pending.iter().map(|(tmp, _)| tmp.clone()).collect();
        interrupt::forget(&temporaries, &self.created);
        result.map_err(|e| failure(&self.dir, &e))
    }

    fn rename_all(&self) -> io::Result<()> {
        for (tmp, dest) in &self.pending {
            match std::fs::remove_file(dest) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
            std::fs::rename(tmp, dest)?;
        }
        for path in &self.stale {
            match std::fs::remove_file(path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }

    /// Removes the temporary files (and the folders this run created).
    pub fn abandon(self) {
        let temporaries: Vec<PathBuf> = self.pending.iter().map(|(tmp, _)| tmp.clone()).collect();
        for tmp in &temporaries {
            let _ = std::fs::remove_file(tmp);
        }
        for d in &self.created {
            let _ = std::fs::remove_dir(d);
        }
        interrupt::forget(&temporaries, &self.created);
    }
}

/// A writer that counts the bytes it is given and notes the first failure.
pub struct Counted<W> {
    inner: W,
    written: Arc<Written>,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf).inspect_err(|e| self.written.fail(e))?;
        self.written.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().inspect_err(|e| self.written.fail(e))
    }
}
