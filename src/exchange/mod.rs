//! The exchange format (docs/format.md): a header line, then one record per line sorted by
//! (type, id). Reading and writing lines, why a line or a file is refused, the streaming record
//! reader and the background pipelines of import and export. What the records mean and how two
//! of them join is `crate::replica`; this module never decides a merge.

use serde::{Deserialize, Serialize};

use crate::limits;
use crate::replica::Record;

mod pipeline;
mod reader;

pub use pipeline::{each_record, write_in_background};
pub use reader::RecordReader;

pub const FORMAT_NAME: &str = "repertoire";
/// Major changes are refused by older readers; minor ones only add optional data.
pub const FORMAT_MAJOR: u32 = 1;
/// 1.1: a reply's body is versioned (`body_at`, `body_by`) and keeps its history (`revisions`).
pub const FORMAT_MINOR: u32 = 1;
const MAX_LINE_BYTES: usize = limits::LINE_BYTES;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub format: String,
    pub version: String,
}

impl Header {
    pub fn current() -> Header {
        Header {
            format: FORMAT_NAME.to_owned(),
            version: format!("{FORMAT_MAJOR}.{FORMAT_MINOR}"),
        }
    }

    pub fn check(&self) -> Result<(), HeaderError> {
        if self.format != FORMAT_NAME {
            return Err(HeaderError::NotAnExport(self.format.clone()));
        }
        // Exactly MAJOR.MINOR, each a plain decimal number: `1.0.1` or `01.0` is no version rep
        // writes, and a reader that guessed at it could misread a later format.
        let number = |part: &str| {
            let plain = !part.is_empty()
                && part.bytes().all(|b| b.is_ascii_digit())
                && (part == "0" || !part.starts_with('0'));
            if plain {
                part.parse::<u32>().ok()
            } else {
                None
            }
        };
        let major = match self.version.split_once('.') {
            Some((major, minor)) if number(minor).is_some() => number(major),
            _ => None,
        };
        match major {
            None => Err(HeaderError::UnreadableVersion(self.version.clone())),
            Some(m) if m > FORMAT_MAJOR => Err(HeaderError::Newer(self.version.clone())),
            Some(_) => Ok(()),
        }
    }
}

/// Why a header is not one this rep reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderError {
    /// Another format's name.
    NotAnExport(String),
    /// A version that is not exactly MAJOR.MINOR.
    UnreadableVersion(String),
    /// A later major version.
    Newer(String),
}

impl std::fmt::Display for HeaderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HeaderError::NotAnExport(format) => {
                write!(f, "this is not a repertoire export (format {format:?})")
            }
            HeaderError::UnreadableVersion(version) => {
                write!(f, "unreadable format version {version:?}")
            }
            HeaderError::Newer(version) => write!(
                f,
                "format version {version} is newer than this rep reads ({FORMAT_MAJOR}.x); upgrade rep"
            ),
        }
    }
}

pub fn header_line() -> String {
    serde_json::to_string(&Header::current()).expect("the header always serialises")
}

/// One record as its line of the file, without the newline.
pub fn to_line(record: &Record) -> String {
    serde_json::to_string(record).expect("records always serialise")
}

/// One record and its newline, appended to `buffer`: serialised into memory, since writing to
/// `dyn Write` piece by piece was twice as slow, and many records to one buffer, which the
/// export writes out at once, instead of a new buffer and a write per record.
pub fn append_line(buffer: &mut Vec<u8>, record: &Record) -> std::io::Result<()> {
    serde_json::to_writer(&mut *buffer, record).map_err(std::io::Error::from)?;
    buffer.push(b'\n');
    Ok(())
}

/// Why a line was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// Parse and check one line (1-based `line` for messages).
pub fn parse_line(line: usize, bytes: &[u8]) -> Result<Record, LineError> {
    let fail = |reason: String| LineError { line, reason };
    let text = std::str::from_utf8(bytes)
        .map_err(|e| fail(format!("not valid UTF-8 (at byte {})", e.valid_up_to())))?;
    if let Some(marker) = conflict_marker(text) {
        return Err(fail(format!(
            "a git conflict marker ({marker}); resolve the merge or use `rep git-setup`"
        )));
    }
    let record = parse_record(text).map_err(|e| fail(json_reason(&e)))?;
    match &record {
        Record::Entry(entry) => entry.validate().map_err(|e| fail(e.to_string()))?,
        Record::Reply(reply) => reply.validate().map_err(|e| fail(e.to_string()))?,
    }
    Ok(record)
}

/// Records as rep writes them start with their type, which lets the parser read them straight
/// into their struct; any other key order goes through serde's buffered tag lookup, which
/// allocates far more.
fn parse_record(text: &str) -> serde_json::Result<Record> {
    const ENTRY: &str = r#"{"type":"entry","#;
    const REPLY: &str = r#"{"type":"reply","#;
    if let Some(rest) = text.strip_prefix(ENTRY) {
        return serde_json::from_str(&format!("{{{rest}")).map(Record::Entry);
    }
    if let Some(rest) = text.strip_prefix(REPLY) {
        return serde_json::from_str(&format!("{{{rest}")).map(Record::Reply);
    }
    serde_json::from_str(text)
}

pub fn parse_header(bytes: &[u8]) -> Result<Header, LineError> {
    let fail = |reason: String| LineError { line: 1, reason };
    let text = std::str::from_utf8(bytes).map_err(|_| fail("not valid UTF-8".into()))?;
    if let Some(marker) = conflict_marker(text) {
        return Err(fail(format!("a git conflict marker ({marker})")));
    }
    let header: Header = serde_json::from_str(text).map_err(|e| {
        fail(format!(
            "not a repertoire export header: {}",
            json_reason(&e)
        ))
    })?;
    header.check().map_err(|e| fail(e.to_string()))?;
    Ok(header)
}

fn conflict_marker(text: &str) -> Option<&'static str> {
    ["<<<<<<<", "=======", ">>>>>>>", "|||||||"]
        .into_iter()
        .find(|m| text.starts_with(m))
}

fn json_reason(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Eof => "truncated JSON",
        Category::Syntax => "not valid JSON",
        Category::Data => "unexpected content",
        Category::Io => "unreadable",
    };
    let detail = e.to_string();
    // serde_json appends "at line 1 column N": the column is useful, the line is ours.
    let detail = detail.split(" at line ").next().unwrap_or(&detail);
    format!("{what}: {}", crate::text::sanitize_line(detail))
}

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    Line(LineError),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot read: {e}"),
            ReadError::Line(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ReadError {}

/// A whole file's text for `records`, in canonical order.
pub fn file_text(records: &[Record]) -> String {
    let mut sorted: Vec<&Record> = records.iter().collect();
    sorted.sort_by(|x, y| x.sort_key().cmp(&y.sort_key()));
    let mut text = header_line();
    text.push('\n');
    for r in sorted {
        text.push_str(&to_line(r));
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests;
