//! A PostgreSQL remote as `rep remote set` takes it: `postgres://USER@HOST[:PORT]/DB[?...]`.
//! Pure: parsing, the refusal of a password in the URL, and the masked form that is shown.

use std::path::PathBuf;

/// How TLS is used, as libpq names it (docs/sync.md, "TLS").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    /// TLS when the server offers it, unverified (libpq's default).
    Prefer,
    /// TLS or no connection; the certificate is checked against `sslrootcert` when one is given.
    Require,
    /// TLS with a certificate signed by the CA of `sslrootcert`, whatever its host name.
    VerifyCa,
    /// TLS with a certificate signed by the CA of `sslrootcert` and naming the host.
    VerifyFull,
}

impl SslMode {
    fn parse(text: &str) -> Option<SslMode> {
        Some(match text {
            "disable" => SslMode::Disable,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }
}

/// Where the server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    Tcp(String),
    /// A folder holding the server's Unix socket (`?host=/run/postgresql`).
    Socket(PathBuf),
}

/// A parsed PostgreSQL remote. It never holds a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgUrl {
    pub user: String,
    pub host: Host,
    pub port: u16,
    pub dbname: String,
    pub sslmode: SslMode,
    pub sslrootcert: Option<PathBuf>,
    pub connect_timeout_s: u64,
}

/// Whether `url` names a PostgreSQL server rather than a git remote.
pub fn is_postgres(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// Why a URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("a password inside the remote URL is never stored")]
    Password,
    #[error("{0}")]
    Invalid(String),
}

impl PgUrl {
    pub fn parse(url: &str) -> Result<PgUrl, UrlError> {
        let invalid = |why: &str| UrlError::Invalid(why.to_owned());
        let rest = url.trim();
        let rest = match rest.split_once("://") {
            Some((scheme, rest))
                if scheme.eq_ignore_ascii_case("postgres")
                    || scheme.eq_ignore_ascii_case("postgresql") =>
            {
                rest
            }
            _ => {
                return Err(invalid(
                    "it does not start with postgres:// or postgresql://",
                ));
            }
        };
        if rest.contains(char::is_whitespace) || rest.contains(char::is_control) {
            return Err(invalid("it holds spaces or control characters"));
        }
        let (authority, rest) = rest.split_once('/').unwrap_or((rest, ""));
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((userinfo, hostport)) => (Some(userinfo), hostport),
            None => (None, authority),
        };
        let user = match userinfo {
            Some(info) if info.contains(':') => return Err(UrlError::Password),
            Some(info) => decode(info).ok_or_else(|| invalid("the user name is badly escaped"))?,
            None => String::new(),
        };
        if user.is_empty() {
            return Err(invalid("it names no user: write postgres://USER@HOST/DB"));
        }
        let (host, port) =
            split_port(hostport).ok_or_else(|| invalid("the port is not a number"))?;
        let host = decode(host).ok_or_else(|| invalid("the host is badly escaped"))?;
        let dbname = decode(path).ok_or_else(|| invalid("the database name is badly escaped"))?;
        if dbname.is_empty() || dbname.contains('/') {
            return Err(invalid(
                "it names no database: write postgres://USER@HOST/DB",
            ));
        }
        let mut parsed = PgUrl {
            user,
            host: if host.starts_with('/') {
                Host::Socket(PathBuf::from(host))
            } else {
                Host::Tcp(host)
            },
            port: port.unwrap_or(5432),
            dbname,
            sslmode: SslMode::Prefer,
            sslrootcert: None,
            connect_timeout_s: 10,
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode(value).ok_or_else(|| invalid("a parameter is badly escaped"))?;
            match key {
                "sslmode" => {
                    parsed.sslmode = SslMode::parse(&value).ok_or_else(|| {
                        invalid(
                            "sslmode is one of disable, prefer, require, verify-ca, verify-full",
                        )
                    })?;
                }
                "sslrootcert" => parsed.sslrootcert = Some(PathBuf::from(value)),
                "host" => parsed.host = Host::Socket(PathBuf::from(value)),
                "port" => {
                    parsed.port = value
                        .parse()
                        .map_err(|_| invalid("the port is not a number"))?
                }
                "connect_timeout" => {
                    parsed.connect_timeout_s = value
                        .parse()
                        .map_err(|_| invalid("connect_timeout is a number of seconds"))?
                }
                "password" => return Err(UrlError::Password),
                other => {
                    return Err(UrlError::Invalid(format!(
                        "unknown parameter `{}` (rep reads sslmode, sslrootcert, host, port, connect_timeout)",
                        crate::text::sanitize_line(other)
                    )));
                }
            }
        }
        if let Host::Tcp(h) = &parsed.host
            && h.is_empty()
        {
            return Err(invalid("it names no host: write postgres://USER@HOST/DB"));
        }
        Ok(parsed)
    }

    /// The host as `.pgpass` and messages name it: a socket counts as `localhost`.
    pub fn host_name(&self) -> &str {
        match &self.host {
            Host::Tcp(h) => h,
            Host::Socket(_) => "localhost",
        }
    }
}

/// `host[:port]`, `[v6]:port` or `[v6]`.
fn split_port(hostport: &str) -> Option<(&str, Option<u16>)> {
    if let Some(rest) = hostport.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return match after.strip_prefix(':') {
            Some(port) => Some((host, Some(port.parse().ok()?))),
            None if after.is_empty() => Some((host, None)),
            None => None,
        };
    }
    match hostport.rsplit_once(':') {
        Some((host, port)) => Some((host, Some(port.parse().ok()?))),
        None => Some((hostport, None)),
    }
}

/// Percent-decoding, refusing what does not decode to UTF-8.
fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `url` as it may be shown: a password in it (`user:secret@`, `password=secret`) becomes
/// `***`. rep never stores one, but a URL is shown as the user typed it in errors too.
pub fn masked(url: &str) -> String {
    let (head, query) = url.split_once('?').unwrap_or((url, ""));
    let mut shown = match head.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = match rest.find('/') {
                Some(i) => rest.split_at(i),
                None => (rest, ""),
            };
            let authority = match authority.rsplit_once('@') {
                Some((info, host)) => match info.split_once(':') {
                    Some((user, _)) => format!("{user}:***@{host}"),
                    None => authority.to_owned(),
                },
                None => authority.to_owned(),
            };
            format!("{scheme}://{authority}{path}")
        }
        None => head.to_owned(),
    };
    if url.contains('?') {
        let params: Vec<String> = query
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => p.to_owned(),
            })
            .collect();
        shown.push('?');
        shown.push_str(&params.join("&"));
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_with_defaults_and_parameters() {
        let url = PgUrl::parse("postgres://ana@db.example.com/team").unwrap();
        assert_eq!(url.user, "ana");
        assert_eq!(url.host, Host::Tcp("db.example.com".into()));
        assert_eq!((url.port, url.dbname.as_str()), (5432, "team"));
        assert_eq!(url.sslmode, SslMode::Prefer);
        let url = PgUrl::parse(
            "postgresql://a%40b@[::1]:6543/my%20db?sslmode=verify-full&sslrootcert=/etc/ca.pem",
        )
        .unwrap();
        assert_eq!(url.user, "a@b");
        assert_eq!(url.host, Host::Tcp("::1".into()));
        assert_eq!((url.port, url.dbname.as_str()), (6543, "my db"));
        assert_eq!(url.sslmode, SslMode::VerifyFull);
        assert_eq!(url.sslrootcert, Some(PathBuf::from("/etc/ca.pem")));
        let url = PgUrl::parse("postgres://ana@/team?host=/run/postgresql&port=5433").unwrap();
        assert_eq!(url.host, Host::Socket("/run/postgresql".into()));
        assert_eq!((url.port, url.host_name()), (5433, "localhost"));
    }

    #[test]
    fn passwords_and_bad_urls_are_refused() {
        assert_eq!(
            PgUrl::parse("postgres://ana:secret@h/db"),
            Err(UrlError::Password)
        );
        assert_eq!(
            PgUrl::parse("postgres://ana@h/db?password=secret"),
            Err(UrlError::Password)
        );
        for bad in [
            "postgres://h/db",
            "postgres://ana@h",
            "postgres://ana@h/",
            "postgres://ana@h:x/db",
            "postgres://ana@h/db?sslmode=maybe",
            "postgres://ana@h/db?options=-c",
            "git@h:r.git",
        ] {
            assert!(
                matches!(PgUrl::parse(bad), Err(UrlError::Invalid(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn passwords_are_masked_wherever_they_are() {
        assert_eq!(
            masked("postgres://ana:s3cr:t@h:5432/db?sslmode=require"),
            "postgres://ana:***@h:5432/db?sslmode=require"
        );
        assert_eq!(
            masked("postgres://ana@h/db?password=x&sslmode=disable"),
            "postgres://ana@h/db?password=***&sslmode=disable"
        );
        assert_eq!(masked("postgres://ana@h/db"), "postgres://ana@h/db");
        assert!(is_postgres("PostgreSQL://a@h/d") && !is_postgres("/srv/git/r.git"));
    }
}
