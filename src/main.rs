//! The `rep` binary: parse, run, map the outcome to an exit code. Nothing else.

fn main() -> std::process::ExitCode {
    repertoire::main_with_args(std::env::args_os())
}
