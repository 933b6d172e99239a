//! Where the bytes of a trace file go, with the SHA-256 of all of them (summary.json
//! reports the digests, so that two runs can be compared without reading the traces).
//!
//! The writers of the trace (`RowWriter`, `ObjectsWriter`) fill a buffer and hand it
//! over whole. A `Hashing` writer digests and writes it at once, on the simulation's
//! thread. `Background` hands the buffers to one writer thread that digests and writes
//! every file of the run: on a long run the digests and the file system are a sixth of
//! the work, and the machine has a second core. The bytes and their order are the same
//! either way.

use sha2::{Digest, Sha256};
use std::io::{self, Write};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::thread::JoinHandle;

/// The size of the chunks the trace writers hand over.
pub const CHUNK: usize = 1 << 16;

/// A trace file's destination.
pub trait TraceOut {
    /// Takes the bytes of `chunk`, leaving it empty (and able to hold a chunk).
    fn take(&mut self, chunk: &mut Vec<u8>) -> io::Result<()>;

    /// Flushes what was taken and returns the SHA-256 of all of it, in lower-case hex.
    fn finish(&mut self) -> io::Result<String>;
}

/// A writer that hashes what passes through it.
pub struct Hashing<W: Write> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Hashing<W> {
    pub fn new(inner: W) -> Self {
        Hashing { inner, hasher: Sha256::new() }
    }

    /// The SHA-256 of the bytes so far, in lower-case hex.
    pub fn hex_digest(&self) -> String {
        hex(&self.hasher.clone().finalize())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> TraceOut for Hashing<W> {
    fn take(&mut self, chunk: &mut Vec<u8>) -> io::Result<()> {
        let result = self.write_all(chunk);
        chunk.clear();
        result
    }

    fn finish(&mut self) -> io::Result<String> {
        self.flush()?;
        Ok(self.hex_digest())
    }
}

enum Message {
    Chunk {
        file: usize,
        bytes: Vec<u8>,
    },
    /// Flush the file and answer with its digest.
    Finish {
        file: usize,
        answer: SyncSender<io::Result<String>>,
    },
}

/// Chunks in flight at most: 4 MiB at the usual chunk size, enough to ride out a
/// slow write without letting a stalled disk hold the trace in memory.
const IN_FLIGHT: usize = 64;

/// The writer thread of a run, and a `Pipe` to each of its files.
pub struct Background;

impl Background {
    /// Starts the thread; the `Pipe`s come back in the order of `files`. The thread
    /// ends when every pipe is dropped, flushing what is left.
    pub fn start<W: Write + Send + 'static>(files: Vec<W>) -> Vec<Pipe> {
        let (to_writer, inbox) = sync_channel::<Message>(IN_FLIGHT);
        // Emptied buffers go back to the simulation's thread for reuse.
        let (recycle, recycled) = sync_channel::<Vec<u8>>(IN_FLIGHT);
        let count = files.len();
        let handle = std::thread::Builder::new()
            .name("podsim-trace".into())
            .spawn(move || write_all(files, inbox, recycle))
            .expect("the trace writer thread starts");
        let shared = std::sync::Arc::new(Shared { recycled: std::sync::Mutex::new(recycled), handle: Some(handle) });
        (0..count).map(|file| Pipe { file, to_writer: to_writer.clone(), shared: shared.clone() }).collect()
    }
}

/// What the pipes of one writer thread share.
struct Shared {
    recycled: std::sync::Mutex<Receiver<Vec<u8>>>,
    handle: Option<JoinHandle<()>>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        // The last pipe is gone, so the channel is closed: wait for the thread to drain
        // it, so that every byte is in its file when the run's folder is committed.
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

fn write_all<W: Write>(files: Vec<W>, inbox: Receiver<Message>, recycle: SyncSender<Vec<u8>>) {
    let mut files: Vec<Hashing<W>> = files.into_iter().map(Hashing::new).collect();
    // The first error of each file, reported by its `finish`.
    let mut errors: Vec<Option<io::Error>> = files.iter().map(|_| None).collect();
    while let Ok(message) = inbox.recv() {
        match message {
            Message::Chunk { file, mut bytes } => {
                if errors[file].is_none()
                    && let Err(e) = files[file].take(&mut bytes)
                {
                    errors[file] = Some(e);
                }
                bytes.clear();
                // A full recycling channel means the other side has buffers enough.
                let _ = recycle.try_send(bytes);
            }
            Message::Finish { file, answer } => {
                let result = match errors[file].take() {
                    Some(e) => Err(e),
                    None => files[file].finish(),
                };
                let _ = answer.send(result);
            }
        }
    }
}

/// One file of a `Background` writer.
pub struct Pipe {
    file: usize,
    to_writer: SyncSender<Message>,
    shared: std::sync::Arc<Shared>,
}

fn gone() -> io::Error {
    io::Error::other("the trace writer thread stopped")
}

impl TraceOut for Pipe {
    fn take(&mut self, chunk: &mut Vec<u8>) -> io::Result<()> {
        if chunk.is_empty() {
            return Ok(());
        }
        let spare = match self.shared.recycled.lock().map(|r| r.try_recv()) {
            Ok(Ok(buffer)) => buffer,
            Ok(Err(TryRecvError::Empty | TryRecvError::Disconnected)) | Err(_) => Vec::with_capacity(CHUNK + 1024),
        };
        let bytes = std::mem::replace(chunk, spare);
        self.to_writer.send(Message::Chunk { file: self.file, bytes }).map_err(|_| gone())
    }

    fn finish(&mut self) -> io::Result<String> {
        let (answer, reply) = sync_channel(1);
        self.to_writer.send(Message::Finish { file: self.file, answer }).map_err(|_| gone())?;
        reply.recv().map_err(|_| gone())?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A file that keeps its bytes where the test can see them.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn digest(bytes: &[u8]) -> String {
        format!("{:x}", Sha256::digest(bytes))
    }

    #[test]
    fn background_files_get_their_bytes_in_order_with_their_digests() {
        let files: Vec<Shared> = (0..3).map(|_| Shared::default()).collect();
        let mut pipes = Background::start(files.clone());
        let mut expected: Vec<Vec<u8>> = vec![Vec::new(); 3];
        for round in 0..500u32 {
            let file = (round % 3) as usize;
            let mut chunk = format!("round {round} of file {file}\n").repeat(1 + round as usize % 7).into_bytes();
            expected[file].extend_from_slice(&chunk);
            pipes[file].take(&mut chunk).unwrap();
            assert!(chunk.is_empty());
        }
        let digests: Vec<String> = pipes.iter_mut().map(|p| p.finish().unwrap()).collect();
        for file in 0..3 {
            assert_eq!(*files[file].0.lock().unwrap(), expected[file]);
            assert_eq!(digests[file], digest(&expected[file]));
        }
    }

    #[test]
    fn a_write_error_is_reported_by_finish() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::other("disk full"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut pipes = Background::start(vec![Broken]);
        pipes[0].take(&mut b"row\n".to_vec()).unwrap();
        let err = pipes[0].finish().unwrap_err();
        assert_eq!(err.to_string(), "disk full");
    }

    #[test]
    fn hashing_digests_what_it_writes() {
        let mut out = Hashing::new(Vec::new());
        out.take(&mut b"a,b\n".to_vec()).unwrap();
        out.take(&mut b"c,d\n".to_vec()).unwrap();
        assert_eq!(out.finish().unwrap(), digest(b"a,b\nc,d\n"));
    }
}
