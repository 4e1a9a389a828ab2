use super::*;
use crate::batch;
use crate::replica::Record;
use crate::replica::tests::{ID, record, stamp};
use crate::timefmt::Millis;
use proptest::prelude::*;

#[test]
fn headers_are_checked() {
    assert!(parse_header(header_line().as_bytes()).is_ok());
    assert!(parse_header(br#"{"format":"repertoire","version":"2.0"}"#).is_err());
    assert!(parse_header(br#"{"format":"other","version":"1.0"}"#).is_err());
    assert!(parse_header(b"<<<<<<< HEAD").is_err());
}

#[test]
fn lines_round_trip_and_bad_lines_say_why() {
    let r = Record::Entry(record(ID, stamp(1, 0, 1)));
    let line = to_line(&r);
    assert_eq!(parse_line(2, line.as_bytes()).unwrap(), r);
    let err = parse_line(3, &line.as_bytes()[..line.len() - 5]).unwrap_err();
    assert_eq!(err.line, 3);
    assert!(err.reason.contains("truncated"), "{}", err.reason);
    let missing = line.replace(r#""author":"ana","#, "");
    assert!(
        parse_line(4, missing.as_bytes())
            .unwrap_err()
            .reason
            .contains("author")
    );
    let bad_domain = line.replace(r#""value":"general""#, r#""value":"../../etc""#);
    assert!(
        parse_line(5, bad_domain.as_bytes())
            .unwrap_err()
            .reason
            .contains("domain")
    );
    assert!(
        parse_line(6, b"\xff\xfe")
            .unwrap_err()
            .reason
            .contains("UTF-8")
    );
    let unknown = line.replacen('{', r#"{"extra":1,"#, 1);
    assert!(parse_line(7, unknown.as_bytes()).is_err());
}

/// A file of `n` entries, ids in order, as an export writes it.
fn file_of(n: usize) -> Vec<u8> {
    let mut out = format!("{}\n", header_line()).into_bytes();
    for i in 0..n {
        let id = format!("00000000-0000-4000-8000-{i:012}");
        append_line(&mut out, &Record::Entry(record(&id, stamp(1, 0, 1)))).unwrap();
    }
    out
}

#[test]
fn each_record_delivers_every_record_in_order() {
    // More than one batch, and a last batch that is not full.
    let n = batch::SIZE * 3 + 7;
    let mut ids = Vec::new();
    each_record(&file_of(n)[..], Millis::MAX, |r| {
        ids.push(r.id().to_owned());
        Ok(())
    })
    .unwrap();
    assert_eq!(ids.len(), n);
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn each_record_stops_at_a_bad_line_and_says_where() {
    let mut file = file_of(batch::SIZE + 1);
    file.extend_from_slice(b"{not json\n");
    let mut seen = 0;
    let err = each_record(&file[..], Millis::MAX, |_| {
        seen += 1;
        Ok(())
    })
    .unwrap_err();
    match err.downcast::<ReadError>() {
        Ok(ReadError::Line(e)) => assert_eq!(e.line, batch::SIZE + 3),
        other => panic!("expected a line error, got {other:?}"),
    }
    assert_eq!(
        seen,
        batch::SIZE + 1,
        "the records before the bad line were delivered"
    );
}

#[test]
fn each_record_stops_reading_when_the_consumer_fails() {
    // The parser is blocked on a full channel when the consumer gives up: it must notice
    // and end, or this test never returns.
    let mut seen = 0;
    let err = each_record(&file_of(batch::SIZE * 20)[..], Millis::MAX, |_| {
        seen += 1;
        anyhow::ensure!(seen < 3, "consumer failed");
        Ok(())
    })
    .unwrap_err();
    assert_eq!(err.to_string(), "consumer failed");
    assert_eq!(seen, 3);
}

#[test]
fn background_writing_writes_each_record_as_its_line() {
    // Several batches, and far more than the writer gathers before it writes.
    let records: Vec<Record> = (0..batch::SIZE * 8 + 3)
        .map(|i| {
            let id = format!("00000000-0000-4000-8000-{i:012}");
            Record::Entry(record(&id, stamp(1, 0, 1)))
        })
        .collect();
    let mut expected = Vec::new();
    for r in &records {
        expected.extend_from_slice(to_line(r).as_bytes());
        expected.push(b'\n');
    }
    assert!(expected.len() > 1 << 20, "{} bytes", expected.len());
    let mut written = Vec::new();
    let count = write_in_background(&mut written, |sink| {
        for r in records.clone() {
            sink.write(r)?;
        }
        Ok(records.len())
    })
    .unwrap();
    assert_eq!(count, records.len());
    assert_eq!(written, expected);
}

/// A writer that fails after `left` bytes, like a full disk.
struct FailingWriter {
    left: usize,
}

impl std::io::Write for FailingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Err(std::io::Error::other("disk full"));
        }
        let n = buf.len().min(self.left);
        self.left -= n;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn background_writing_reports_the_writers_error() {
    // The producer has far more to send than the channel holds: it must be released when
    // the writer fails, and the error must be the writer's, not a broken channel.
    let err = write_in_background(FailingWriter { left: 10_000 }, |sink| {
        for i in 0..batch::SIZE * 50 {
            let id = format!("00000000-0000-4000-8000-{i:012}");
            sink.write(Record::Entry(record(&id, stamp(1, 0, 1))))?;
        }
        Ok(())
    })
    .unwrap_err();
    assert_eq!(err.to_string(), "disk full");
}

proptest! {
    #[test]
    fn parse_line_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse_line(1, &bytes);
        let _ = parse_header(&bytes);
    }
}
