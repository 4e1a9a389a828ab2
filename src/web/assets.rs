//! The style sheet and the script, embedded in the binary: the pages load nothing else.

pub const STYLE_CSS: &str = include_str!("assets/style.css");
pub const APP_JS: &str = include_str!("assets/app.js");
pub const ICON_SVG: &str = include_str!("assets/icon.svg");

/// The Content-Security-Policy of every served page: nothing but this server's own script,
/// style sheet and images; no inline script or style, no frames, no form posting elsewhere.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                       connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The same policy for the static export, as a `<meta>` element (which cannot carry
/// frame-ancestors). From `file://`, 'self' is the folder's own files.
pub const STATIC_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
                              img-src 'self'; form-action 'self'; base-uri 'none'";
