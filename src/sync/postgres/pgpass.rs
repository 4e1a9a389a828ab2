//! Where the server's password comes from: `PGPASSWORD`, the password file (`PGPASSFILE` or
//! `~/.pgpass`, libpq's format and permission rule), or a prompt on a terminal. It is handed to
//! the connection and never stored or printed.

use std::path::PathBuf;

use super::url::PgUrl;

/// One `.pgpass` field against the connection's value: `*` matches anything.
fn field_matches(pattern: &str, value: &str) -> bool {
    pattern == "*" || pattern == value
}

/// A line's five fields, with `\:` and `\\` unescaped; `None` for comments and short lines.
fn fields(line: &str) -> Option<[String; 5]> {
    if line.starts_with('#') {
        return None;
    }
    let mut out: Vec<String> = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    out.last_mut()?.push(next);
                }
            }
            // The password is the rest of the line, colons and all (libpq reads it so too).
            ':' if out.len() < 5 => out.push(String::new()),
            c => out.last_mut()?.push(c),
        }
    }
    out.try_into().ok()
}

/// The password of the first line of a password file that matches, as libpq picks it.
pub fn lookup(text: &str, host: &str, port: u16, dbname: &str, user: &str) -> Option<String> {
    let port = port.to_string();
    text.lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter_map(fields)
        .find(|[h, p, d, u, _]| {
            field_matches(h, host)
                && field_matches(p, &port)
                && field_matches(d, dbname)
                && field_matches(u, user)
        })
        .map(|[.., password]| password)
}

/// The password file: `PGPASSFILE`, else `~/.pgpass`.
fn password_file() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PGPASSFILE") {
        return Some(PathBuf::from(path));
    }
    directories::BaseDirs::new().map(|d| d.home_dir().join(".pgpass"))
}

/// What the password file says for `url`. A file others may read is ignored with a warning, as
/// libpq ignores it; `warn` says so.
pub fn from_file(url: &PgUrl, warn: &mut dyn FnMut(&str)) -> Option<String> {
    let path = password_file()?;
    let meta = std::fs::metadata(&path).ok()?;
    if !meta.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            warn(&format!(
                "the password file {} is ignored: group or others may read it (chmod 600 it)",
                path.display()
            ));
            return None;
        }
    }
    let text = std::fs::read_to_string(&path).ok()?;
    lookup(&text, url.host_name(), url.port, &url.dbname, &url.user)
}

/// The password to send before the server asks: `PGPASSWORD`, else the password file.
pub fn known(url: &PgUrl, warn: &mut dyn FnMut(&str)) -> Option<String> {
    match std::env::var("PGPASSWORD") {
        Ok(password) if !password.is_empty() => Some(password),
        _ => from_file(url, warn),
    }
}

/// Ask on the terminal, when there is one (stdin and stderr both terminals).
pub fn prompt(url: &PgUrl) -> Option<String> {
    use std::io::IsTerminal;
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return None;
    }
    dialoguer::Password::new()
        .with_prompt(format!(
            "password of {} on {}",
            crate::text::sanitize_line(&url.user),
            crate::text::sanitize_line(url.host_name())
        ))
        .allow_empty_password(false)
        .interact()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_matching_line_gives_the_password() {
        let text = "# team server\n\
                    db.example.com:5432:team:ana:first\n\
                    *:*:team:ana:second\n\
                    *:*:*:*:any\\:thing:with:colons\n\
                    short:line\n";
        let look = |h, p, d, u| lookup(text, h, p, d, u);
        assert_eq!(
            look("db.example.com", 5432, "team", "ana").as_deref(),
            Some("first")
        );
        assert_eq!(
            look("other", 5433, "team", "ana").as_deref(),
            Some("second")
        );
        assert_eq!(
            look("other", 1, "x", "bob").as_deref(),
            Some("any:thing:with:colons")
        );
        assert_eq!(
            lookup("h\\:x:1:d:u:p\n", "h:x", 1, "d", "u").as_deref(),
            Some("p")
        );
        assert_eq!(lookup("h:1:d:u:p\n", "h", 2, "d", "u"), None);
    }
}
