//! The `rep` binary: parse, run, map the outcome to an exit code. Nothing else.

// Import and export each hand records from one thread to another; the system allocator made
// the receiving thread's frees contend with the sender's allocations and lost the overlap
// (an export took 1.2-1.8 s instead of 0.9 s).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    repertoire::main_with_args(std::env::args_os())
}
