//! Search text, typed and raw, against an in-memory repertoire.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| repertoire::fuzzing::search(data));
