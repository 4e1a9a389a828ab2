//! A whole exchange file imported into an in-memory repertoire.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| repertoire::fuzzing::import(data));
