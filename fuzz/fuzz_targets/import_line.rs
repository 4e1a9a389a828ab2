//! One line of an exchange file, as header and as record.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| repertoire::fuzzing::parse_line(data));
