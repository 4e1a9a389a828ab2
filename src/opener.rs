//! Opening an entry's link with the system opener (`rep open`): which links may be opened,
//! whether there is a display to open them on, and the opener itself, spawned directly, never
//! through a shell, so that no character of a link is ever read as a command.

use crate::error::RepError;

/// The schemes rep hands to the opener. A `file:` link, a path or a custom scheme could start
/// a program on the member's machine; those are printed, never opened.
const OPENABLE_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// The link, when its scheme is one rep opens.
pub fn openable(link: &str) -> Result<&str, RepError> {
    let scheme = link.split_once(':').map(|(scheme, _)| scheme);
    match scheme {
        Some(s) if OPENABLE_SCHEMES.iter().any(|o| s.eq_ignore_ascii_case(o)) => Ok(link),
        _ => Err(RepError::user(format!(
            "rep opens only http, https and mailto links, not {}",
            crate::text::sanitize_line(link)
        ))
        .with_hint("`rep open ID --print` prints the link")),
    }
}

/// Whether a program can show a window: on Linux and the BSDs only under X11 or Wayland.
pub fn has_display(var: impl Fn(&str) -> Option<String>) -> bool {
    if cfg!(any(target_os = "macos", target_os = "windows")) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| var(v).is_some_and(|value| !value.is_empty()))
}

/// The system's opener program.
pub fn opener() -> &'static str {
    if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    }
}

/// Hand `link` to the opener as one argument and wait for it (openers return once the browser
/// or mail client has it).
pub fn open(link: &str) -> Result<(), RepError> {
    let program = opener();
    let status = std::process::Command::new(program)
        .arg(link)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| {
            RepError::environment(format!("cannot run {program}: {e}"))
                .with_hint("`rep open ID --print` prints the link instead")
        })?;
    if !status.success() {
        return Err(
            RepError::environment(format!("{program} failed ({status})"))
                .with_hint("`rep open ID --print` prints the link instead"),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_and_mail_links_are_opened() {
        for ok in [
            "https://example.com/a?b=c",
            "HTTP://example.com",
            "mailto:ops@example.com",
        ] {
            assert!(openable(ok).is_ok(), "{ok}");
        }
        for refused in [
            "file:///etc/passwd",
            "/usr/bin/xterm",
            "javascript:alert(1)",
            "-e foo",
            "ssh://host",
            "example.com",
            "",
        ] {
            assert!(openable(refused).is_err(), "{refused}");
        }
    }

    #[test]
    #[cfg(not(any(target_os = "macos", target_os = "windows")))]
    fn a_display_is_x11_or_wayland() {
        assert!(!has_display(|_| None));
        assert!(!has_display(|_| Some(String::new())));
        assert!(has_display(
            |v| (v == "WAYLAND_DISPLAY").then(|| "wayland-0".into())
        ));
        assert!(has_display(|v| (v == "DISPLAY").then(|| ":0".into())));
    }
}
