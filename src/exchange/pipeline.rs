//! The two pipelines that overlap the format's work with the database's: an export's lines
//! written on a second thread, an import's file read and parsed on one.

use super::{ReadError, RecordReader, append_line};
use crate::batch;
use crate::replica::Record;
use crate::timefmt::Millis;

/// How much of the export gathers in one buffer before the writer thread writes it.
const WRITE_BYTES: usize = 256 * 1024;

/// How many full buffers may wait for the writer: enough to ride over a slow write, few enough
/// that memory stays bounded.
const BUFFERS_IN_FLIGHT: usize = 4;

/// Serialises records into buffers handed to a writing thread; see [`write_in_background`].
pub struct RecordSink {
    buffer: Vec<u8>,
    sender: std::sync::mpsc::SyncSender<Vec<u8>>,
}

impl RecordSink {
    pub fn write(&mut self, record: Record) -> anyhow::Result<()> {
        append_line(&mut self.buffer, &record)?;
        if self.buffer.len() >= WRITE_BYTES {
            self.send()?;
        }
        Ok(())
    }

    fn send(&mut self) -> anyhow::Result<()> {
        let full = std::mem::replace(&mut self.buffer, Vec::with_capacity(2 * WRITE_BYTES));
        anyhow::ensure!(self.sender.send(full).is_ok(), "the export writer stopped");
        Ok(())
    }
}

/// Run `produce` with a sink that serialises records into large buffers, which a second
/// thread writes to `out`: the writing (system calls and the file system's work, a third of an
/// export's time) overlaps with reading the database. Records are serialised and dropped on
/// the thread that made them: serialised on the writer, each record was freed on another
/// thread than the one that allocated it, and the allocator took 9% of an export's perf
/// samples (3% after).
pub fn write_in_background<W: std::io::Write + Send, T>(
    mut out: W,
    produce: impl FnOnce(&mut RecordSink) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<u8>>(BUFFERS_IN_FLIGHT);
        let writer = scope.spawn(move || -> std::io::Result<()> {
            // Large writes: a write per record (or per 8 KiB of a `BufWriter`) was 25,000
            // system calls for 100,000 entries.
            for buffer in receiver {
                out.write_all(&buffer)?;
            }
            out.flush()
        });
        let mut sink = RecordSink {
            buffer: Vec::with_capacity(2 * WRITE_BYTES),
            sender,
        };
        let produced = produce(&mut sink).and_then(|value| {
            sink.send()?;
            Ok(value)
        });
        drop(sink);
        match writer.join() {
            // The writer's own error (a full disk, a closed pipe) explains a failed send.
            Ok(Err(e)) => Err(e.into()),
            Ok(Ok(())) => produced,
            Err(_) => Err(anyhow::anyhow!("the export writer crashed")),
        }
    })
}

/// What crosses from the parsing thread, in order.
#[allow(clippy::large_enum_variant)] // nearly every item is a record; boxing buys nothing
enum Parsed {
    Record(Record),
    Failed(ReadError),
    End,
}

/// Feed every record of `input` to `apply`, parsing on a second thread meanwhile: reading and
/// JSON parsing are a sixth of a large import and overlap with the database work. Memory stays
/// bounded (a few batches in flight). A reading error is returned as a [`ReadError`] inside
/// the `anyhow::Error`, after the records before it; an error from `apply` stops the parsing.
pub fn each_record<R: std::io::BufRead + Send>(
    input: R,
    now: Millis,
    mut apply: impl FnMut(Record) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    std::thread::scope(|scope| {
        let (mut sender, receiver) = batch::channel();
        let parser = scope.spawn(move || {
            let mut reader = RecordReader::new(input, now);
            loop {
                let parsed = match reader.next_record() {
                    Ok(Some(record)) => Parsed::Record(record),
                    Ok(None) => Parsed::End,
                    Err(e) => Parsed::Failed(e),
                };
                let last = !matches!(parsed, Parsed::Record(_));
                // A failed send means the consumer stopped on an error of its own.
                if !sender.push(parsed) || last {
                    let _ = sender.flush();
                    return;
                }
            }
        });
        let mut outcome = Err(anyhow::anyhow!("the file reader stopped before the end"));
        'batches: for batch in receiver.iter() {
            for parsed in batch {
                let stop = match parsed {
                    Parsed::Record(record) => apply(record).err().map(Err),
                    Parsed::Failed(e) => Some(Err(e.into())),
                    Parsed::End => Some(Ok(())),
                };
                if let Some(end) = stop {
                    outcome = end;
                    break 'batches;
                }
            }
        }
        // Dropping the receiver ends a parser still running; a parser that panicked is a bug,
        // reported as one, and the caller's transaction is never committed on it.
        drop(receiver);
        match parser.join() {
            Ok(()) => outcome,
            Err(_) => Err(anyhow::anyhow!("the file reader crashed")),
        }
    })
}
