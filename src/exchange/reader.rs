//! The streaming reader of an exchange file and the format's order check.

use super::{LineError, MAX_LINE_BYTES, ReadError, parse_header, parse_line};
use crate::replica::{Record, canonical, check_stamps_ahead, join_reply};
use crate::timefmt::Millis;

/// Why a record cannot follow the one before it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum OrderError {
    Twice { id: String },
    OutOfOrder { id: String, before: String },
}

impl std::fmt::Display for OrderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OrderError::Twice { id } => write!(f, "record {id} appears twice"),
            OrderError::OutOfOrder { id, before } => write!(
                f,
                "record {id} is out of order: entries come first, then replies, each \
                 sorted by id, as `rep export` writes them (the record before is {before})"
            ),
        }
    }
}

/// The format's order: each record after the one before it by [`Record::sort_key`], as every
/// export writes them. Checking it finds a repeated id in constant memory, whatever the size.
#[derive(Default)]
struct OrderCheck {
    last: Option<(u8, String)>,
}

impl OrderCheck {
    /// Why `record` cannot follow the record before it, if it cannot.
    fn follow(&mut self, record: &Record) -> Result<(), OrderError> {
        let (order, id) = record.sort_key();
        if let Some((last_order, last_id)) = &mut self.last {
            match (*last_order, last_id.as_str()).cmp(&(order, id)) {
                std::cmp::Ordering::Less => {
                    *last_order = order;
                    last_id.clear();
                    last_id.push_str(id);
                }
                std::cmp::Ordering::Equal => return Err(OrderError::Twice { id: id.to_owned() }),
                std::cmp::Ordering::Greater => {
                    return Err(OrderError::OutOfOrder {
                        id: id.to_owned(),
                        before: last_id.clone(),
                    });
                }
            }
        } else {
            self.last = Some((order, id.to_owned()));
        }
        Ok(())
    }
}

/// Reads an exchange file record by record, checking the header, line limits, truncation and
/// order (hence repeated ids) as it goes, so a file of any size streams in constant memory.
pub struct RecordReader<R> {
    input: R,
    buf: Vec<u8>,
    line: usize,
    order: OrderCheck,
    /// The reader's wall clock: stamps far ahead of it are refused.
    now: Millis,
}

impl<R: std::io::BufRead> RecordReader<R> {
    /// A reader for `input`, refusing stamps more than [`limits::STAMP_AHEAD_MS`] ahead of `now`.
    pub fn new(input: R, now: Millis) -> RecordReader<R> {
        RecordReader {
            input,
            buf: Vec::new(),
            line: 0,
            order: OrderCheck::default(),
            now,
        }
    }

    /// The next record, canonicalised; `None` at the end of the file.
    pub fn next_record(&mut self) -> Result<Option<Record>, ReadError> {
        use std::io::{BufRead as _, Read as _};
        loop {
            self.buf.clear();
            let read = (&mut self.input)
                .take(MAX_LINE_BYTES as u64 + 1)
                .read_until(b'\n', &mut self.buf)
                .map_err(ReadError::Io)?;
            if read == 0 {
                if self.line == 0 {
                    return Err(self.fail(1, "the file is empty: there is no header".into()));
                }
                return Ok(None);
            }
            self.line += 1;
            if self.buf.last() != Some(&b'\n') {
                let reason = if self.buf.len() > MAX_LINE_BYTES {
                    format!("longer than the limit of {MAX_LINE_BYTES} bytes")
                } else {
                    "the last line has no newline: the file looks truncated".to_owned()
                };
                return Err(self.fail(self.line, reason));
            }
            self.buf.pop();
            if self.buf.last() == Some(&b'\r') {
                self.buf.pop();
            }
            if self.line == 1 {
                parse_header(&self.buf).map_err(ReadError::Line)?;
                continue;
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let record = parse_line(self.line, &self.buf).map_err(ReadError::Line)?;
            if let Err(reason) = self.order.follow(&record) {
                return Err(self.fail(self.line, reason.to_string()));
            }
            if let Err(reason) = check_stamps_ahead(&record, self.now) {
                return Err(self.fail(self.line, reason.to_string()));
            }
            return Ok(Some(match record {
                Record::Entry(entry) => Record::Entry(canonical(entry)),
                Record::Reply(reply) => Record::Reply(join_reply(&reply, &reply)),
            }));
        }
    }

    fn fail(&self, line: usize, reason: String) -> ReadError {
        ReadError::Line(LineError { line, reason })
    }
}
