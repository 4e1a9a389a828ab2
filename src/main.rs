//! The `rep` binary: parse, run, map the outcome to an exit code. Nothing else.

// Import and export each hand records from one thread to another; the system allocator made
// the receiving thread's frees contend with the sender's allocations and lost the overlap (an
// export of 100,000 entries took 1.1-1.3 s instead of 0.7 s). Built without transparent huge
// pages (feature `no_thp`): with them, a search's peak memory grew from 12.7 to 19 MB. Its
// version 2, for how soon it gives freed memory back (Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    repertoire::main_with_args(std::env::args_os())
}
