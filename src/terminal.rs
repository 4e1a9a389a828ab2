//! Giving the terminal back as it was, on every way out of a prompt: the cursor a list hid and
//! the line mode that reading single keys turned off, when the prompt ends normally, on Esc,
//! on Ctrl-C, and when SIGINT, SIGTERM or SIGHUP arrives from elsewhere (a closed terminal
//! window, `kill`). A signal ends rep with 128 + its number, as a shell reports a process the
//! signal stopped (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP), and nothing is written.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once, OnceLock};

use dialoguer::console::Term;

use crate::error::ExitStatus;

/// The terminal's settings before the first prompt, to put back on the way out.
#[cfg(unix)]
static SAVED: Mutex<Option<rustix::termios::Termios>> = Mutex::new(None);

/// SIGTERM or SIGHUP once received (0 before): a signal that interrupts a key being read makes
/// console raise SIGINT as if Ctrl-C had been pressed, and the status must still name the
/// signal that came first.
static ENDED_BY: OnceLock<Arc<AtomicUsize>> = OnceLock::new();

/// Call before a prompt draws anything: remembers the terminal's settings (once) and, once,
/// starts the thread that gives them back when a signal ends rep during a prompt.
pub fn guard() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        #[cfg(unix)]
        {
            use std::os::fd::AsFd as _;
            if let Ok(settings) = rustix::termios::tcgetattr(std::io::stdin().as_fd())
                && let Ok(mut saved) = SAVED.lock()
            {
                *saved = Some(settings);
            }
            use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
            let ended_by = ENDED_BY.get_or_init(Arc::default);
            for signal in [SIGTERM, SIGHUP] {
                // Set in the signal handler itself, before any read it interrupts returns.
                let _ = signal_hook::flag::register_usize(
                    signal,
                    Arc::clone(ended_by),
                    signal as usize,
                );
            }
            // Without the thread a signal still ends rep, only with the terminal left as the
            // prompt had it (cursor hidden, keys not echoed).
            if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
            {
                std::thread::spawn(move || {
                    if let Some(signal) = signals.forever().next() {
                        leave(128 + signal);
                    }
                });
            }
        }
    });
}

/// Show the cursor again and put the terminal's settings back (harmless when nothing changed).
pub fn restore() {
    let _ = Term::stderr().show_cursor();
    #[cfg(unix)]
    {
        use std::os::fd::AsFd as _;
        if let Ok(saved) = SAVED.lock()
            && let Some(settings) = saved.as_ref()
        {
            let _ = rustix::termios::tcsetattr(
                std::io::stdin().as_fd(),
                rustix::termios::OptionalActions::Now,
                settings,
            );
        }
    }
}

/// Ctrl-C pressed in a prompt that reads it as a key: the terminal back, then 130.
pub fn interrupted() -> ! {
    leave(ExitStatus::Interrupted as i32)
}

fn leave(status: i32) -> ! {
    let status = match ENDED_BY.get().map(|s| s.load(Ordering::SeqCst)) {
        Some(signal @ 1..) => 128 + signal as i32,
        _ => status,
    };
    restore();
    std::process::exit(status)
}
