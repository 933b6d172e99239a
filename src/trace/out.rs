//! Where the bytes of a trace file go, with the SHA-256 of all of them (summary.json
//! reports the digests, so that two runs can be compared without reading the traces).
//!
//! The writers of the trace (`RowWriter`, `ObjectsWriter`) fill a buffer and hand it
//! over whole. A `Hashing` writer encodes (CSV rows and the lines of objects.jsonl come
//! packed), digests and writes it at once, on the simulation's thread. `Background` hands the buffers to one writer
//! thread that does that for every file of the run: on a long run the encoding, the
//! digests and the file system are a quarter of the work, and the machine has a second
//! core. The bytes and their order are the same either way.

use super::row::CsvEncoder;
use super::templates::{ObjectsChunk, SpecTemplates};
use sha2::{Digest, Sha256};
use std::io::{self, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

/// The size of the chunks the trace writers hand over: large, because each hand-over
/// to the writer thread may wake it (a system call).
pub const CHUNK: usize = 1 << 18;

/// A trace file's destination.
pub trait TraceOut {
    /// Whether what it takes is encoded on another thread. Lines that can go in as they
    /// will be written are packed only then: packing pays where the simulation's
    /// thread is spared the encoding, and costs where it encodes them anyway.
    const ENCODES_ELSEWHERE: bool;

    /// Takes the bytes of `chunk`, leaving it empty (and able to hold a chunk).
    fn take(&mut self, chunk: &mut Vec<u8>) -> io::Result<()>;

    /// Takes the packed rows of `chunk` (from a `RowWriter`), to be written as CSV.
    fn take_rows(&mut self, chunk: &mut Vec<u8>) -> io::Result<()>;

    /// Takes the packed lines of `chunk` (from an `ObjectsWriter`) and the specs they
    /// name, to be written as JSON lines, leaving it empty.
    fn take_objects(&mut self, chunk: &mut ObjectsChunk) -> io::Result<()>;

    /// Flushes what was taken and returns the SHA-256 of all of it, in lower-case hex.
    fn finish(&mut self) -> io::Result<String>;
}

/// A writer that hashes what passes through it.
pub struct Hashing<W: Write> {
    inner: W,
    hasher: Sha256,
    encoder: CsvEncoder,
    /// CSV or JSON lines encoded from a packed chunk, on their way to `inner`.
    encoded: Vec<u8>,
    /// The spec templates, for an `objects.jsonl`.
    templates: SpecTemplates,
}

impl<W: Write> Hashing<W> {
    pub fn new(inner: W) -> Self {
        Hashing {
            inner,
            hasher: Sha256::new(),
            encoder: CsvEncoder::default(),
            encoded: Vec::new(),
            templates: SpecTemplates::default(),
        }
    }

    /// The SHA-256 of the bytes so far, in lower-case hex.
    pub fn hex_digest(&self) -> String {
        hex(&self.hasher.clone().finalize())
    }
}

impl<W: Write> Hashing<W> {
    fn write_encoded(&mut self) -> io::Result<()> {
        self.inner.write_all(&self.encoded)?;
        self.hasher.update(&self.encoded);
        Ok(())
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
    const ENCODES_ELSEWHERE: bool = false;

    fn take(&mut self, chunk: &mut Vec<u8>) -> io::Result<()> {
        let result = self.write_all(chunk);
        chunk.clear();
        result
    }

    fn take_rows(&mut self, chunk: &mut Vec<u8>) -> io::Result<()> {
        self.encoded.clear();
        self.encoder.encode(chunk, &mut self.encoded);
        chunk.clear();
        self.write_encoded()
    }

    fn take_objects(&mut self, chunk: &mut ObjectsChunk) -> io::Result<()> {
        let Hashing { inner, hasher, encoded, templates, .. } = self;
        encoded.clear();
        let written = templates.write_json(chunk, encoded, |json| {
            inner.write_all(json)?;
            hasher.update(&json[..]);
            json.clear();
            Ok(())
        });
        chunk.clear();
        written
    }

    fn finish(&mut self) -> io::Result<String> {
        self.flush()?;
        Ok(self.hex_digest())
    }
}

enum Message {
    /// Bytes for the file; packed rows when `rows`.
    Chunk { file: usize, bytes: Vec<u8>, rows: bool },
    /// Packed lines of objects.jsonl.
    Objects { file: usize, chunk: ObjectsChunk },
    /// Flush the file and answer with its digest.
    Finish { file: usize, answer: SyncSender<io::Result<String>> },
}

/// Chunks in flight at most: 4 MiB, enough to ride out a slow write without letting
/// a stalled disk hold the trace in memory.
const IN_FLIGHT: usize = 16;

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
            Message::Chunk { file, mut bytes, rows } => {
                let out = &mut files[file];
                if errors[file].is_none()
                    && let Err(e) = if rows { out.take_rows(&mut bytes) } else { out.take(&mut bytes) }
                {
                    errors[file] = Some(e);
                }
                bytes.clear();
                // A full recycling channel means the other side has buffers enough.
                let _ = recycle.try_send(bytes);
            }
            Message::Objects { file, mut chunk } => {
                if errors[file].is_none()
                    && let Err(e) = files[file].take_objects(&mut chunk)
                {
                    errors[file] = Some(e);
                }
                chunk.lines.clear();
                let _ = recycle.try_send(chunk.lines.items);
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

impl Pipe {
    fn send(&mut self, chunk: &mut Vec<u8>, rows: bool) -> io::Result<()> {
        if chunk.is_empty() {
            return Ok(());
        }
        let bytes = std::mem::replace(chunk, self.spare());
        self.to_writer.send(Message::Chunk { file: self.file, bytes, rows }).map_err(|_| gone())
    }

    /// An empty buffer that can hold a chunk: one the writer thread emptied, if any.
    fn spare(&self) -> Vec<u8> {
        let recycled = self.shared.recycled.lock().ok().and_then(|r| r.try_recv().ok());
        recycled.unwrap_or_else(|| Vec::with_capacity(CHUNK + 1024))
    }
}

impl TraceOut for Pipe {
    const ENCODES_ELSEWHERE: bool = true;

    fn take(&mut self, chunk: &mut Vec<u8>) -> io::Result<()> {
        self.send(chunk, false)
    }

    fn take_rows(&mut self, chunk: &mut Vec<u8>) -> io::Result<()> {
        self.send(chunk, true)
    }

    fn take_objects(&mut self, chunk: &mut ObjectsChunk) -> io::Result<()> {
        if chunk.is_empty() {
            return Ok(());
        }
        // The text goes along at the end of the items; its buffer stays for the next chunk.
        let text = chunk.lines.seal();
        let sealed = std::mem::replace(chunk, ObjectsChunk::in_buffer(self.spare()));
        chunk.lines.text = text;
        self.to_writer.send(Message::Objects { file: self.file, chunk: sealed }).map_err(|_| gone())
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
    fn rows_are_encoded_alike_on_either_thread() {
        use crate::trace::row::RowWriter;
        let rows: Vec<[String; 4]> = (0..20_000)
            .map(|i| {
                let message =
                    if i % 7 == 0 { format!("Saw \"job-{i}\", condition: Complete") } else { format!("m{i}") };
                [i.to_string(), "Pod".into(), format!("tick-{}-{i}", i % 100), message]
            })
            .collect();
        let inline = {
            let file = Shared::default();
            let mut w = RowWriter::new(file.clone());
            rows.iter().for_each(|r| w.write_record(r).unwrap());
            let digest = w.finish().unwrap();
            (file.0.lock().unwrap().clone(), digest)
        };
        let background = {
            let file = Shared::default();
            let pipe = Background::start(vec![file.clone()]).pop().unwrap();
            let mut w = RowWriter::to(pipe);
            rows.iter().for_each(|r| w.write_record(r).unwrap());
            let digest = w.finish().unwrap();
            drop(w);
            (file.0.lock().unwrap().clone(), digest)
        };
        assert!(inline.0.len() > 400_000, "several chunks");
        assert_eq!(inline.0, background.0);
        assert_eq!(inline.1, background.1);
        assert_eq!(inline.1, digest(&inline.0));
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
