//! Where pages link to, and the words they quote: URLs on the server or relative files of the
//! static export, percent-encoded segments, and shell words for the "rep command" line.

/// Where pages link to: the server's paths, or the static export's relative files.
#[derive(Clone, Debug)]
pub struct Links {
    /// `/` on the server; `../` repeated to the export's top folder in a static page.
    pub(super) root: String,
    pub(super) static_site: bool,
}

impl Links {
    pub fn server() -> Links {
        Links {
            root: "/".into(),
            static_site: false,
        }
    }

    /// Links for the static page at `path` (relative to the export's folder, `/`-separated).
    pub fn static_page(path: &str) -> Links {
        Links {
            root: "../".repeat(path.matches('/').count()),
            static_site: true,
        }
    }

    pub(super) fn page(&self, name: &str) -> String {
        if self.static_site {
            format!("{}{name}.html", self.root)
        } else {
            format!("{}{name}", self.root)
        }
    }

    pub fn home(&self) -> String {
        if self.static_site {
            format!("{}index.html", self.root)
        } else {
            self.root.clone()
        }
    }

    pub fn search(&self) -> String {
        self.page("search")
    }

    pub fn entry(&self, id: &str) -> String {
        self.page(&format!("entry/{}", url_segment(id)))
    }

    pub fn domain(&self, domain: &str) -> String {
        self.page(&format!("domain/{}", url_path(domain)))
    }

    pub(super) fn asset(&self, name: &str) -> String {
        format!("{}assets/{name}", self.root)
    }

    pub(super) fn map_svg(&self) -> String {
        format!("{}map.svg", self.root)
    }
}

/// Percent-encode everything but unreserved characters (RFC 3986) and, for a path, `/`.
fn encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && b == b'/')
        {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn url_segment(text: &str) -> String {
    encode(text, false)
}

fn url_path(text: &str) -> String {
    encode(text, true)
}

/// A word for a shell command line: quoted unless it is plainly safe.
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word.chars().all(|c| {
            c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':' | '@' | '+' | ',')
        });
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
