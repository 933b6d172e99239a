//! The output folder: files are written under temporary names and renamed into place
//! when the run has finished, so a folder never holds half-written files.

use std::fs::File;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

pub struct OutputDir {
    dir: PathBuf,
    pending: Vec<(PathBuf, PathBuf)>,
    /// Files of an earlier run this one does not write: removed at `commit`, so that a
    /// folder never mixes two runs.
    stale: Vec<PathBuf>,
    created_dir: bool,
}

impl OutputDir {
    pub fn create(dir: &Path) -> io::Result<OutputDir> {
        let created_dir = !dir.exists();
        std::fs::create_dir_all(dir)?;
        Ok(OutputDir { dir: dir.to_path_buf(), pending: Vec::new(), stale: Vec::new(), created_dir })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// A buffered writer for `name`, written as `.name.tmp` until `commit`.
    ///
    /// The buffer is small on purpose: the trace writers hand over chunks of 256 KiB and
    /// more, and `BufWriter` passes a write at least as large as its buffer straight to
    /// the file instead of copying it.
    pub fn file(&mut self, name: &str) -> io::Result<BufWriter<File>> {
        let tmp = self.dir.join(format!(".{name}.tmp"));
        let f = File::create(&tmp)?;
        self.pending.push((tmp, self.dir.join(name)));
        Ok(BufWriter::with_capacity(1 << 15, f))
    }

    pub fn write(&mut self, name: &str, bytes: &[u8]) -> io::Result<()> {
        use std::io::Write;
        let mut f = self.file(name)?;
        f.write_all(bytes)?;
        f.flush()
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
    pub fn commit(self) -> io::Result<()> {
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

    /// Removes the temporary files (and the folder, if this run created it).
    pub fn abandon(self) {
        for (tmp, _) in &self.pending {
            let _ = std::fs::remove_file(tmp);
        }
        if self.created_dir {
            let _ = std::fs::remove_dir(&self.dir);
        }
    }
}
