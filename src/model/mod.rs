//! The records of a repertoire and their validation. These types, with those of the submodules,
//! are the whole `--json` contract (docs/json.md, checked by tests/cli/json_doc.rs): renaming a
//! field is a breaking change. The store returns them or its own row types; nothing else that
//! `--json` prints is defined elsewhere.

pub mod commands;
pub mod community;
pub mod health;
pub mod news;
pub mod practice;
mod seq;

pub use seq::{EntrySeq, ReplySeq};

use serde::Serialize;

use crate::limits::{BODY_BYTES, DOMAIN_CHARS, FIELD_BYTES, TAG_CHARS, TITLE_CHARS};

/// Version of the `--json` output schema. Bump on any incompatible change.
pub const JSON_SCHEMA_VERSION: u32 = 1;

pub const DEFAULT_DOMAIN: &str = "general";

/// The kind of an entry. Stored as text so later versions can add kinds without a migration:
/// the exchange format allows any lowercase word (docs/format.md), and a kind this rep does not
/// know is kept as it came, in [`Kind::Other`], so that it is shown, exported and synced as it
/// is, never turned into one of ours.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Something that happened and what was learned
    Story,
    /// A trick, command or reusable asset
    Tool,
    /// A recurring problem and how it shows itself
    Problem,
    /// A request for information or experience
    Question,
    /// A write-up of something that keeps coming back (`rep document`)
    Doc,
    /// A later kind, as stored (a lowercase word, checked where records are read).
    Other(String),
}

impl Kind {
    /// The kinds this rep knows, the ones `--kind` offers.
    pub const ALL: [Kind; 5] = [
        Kind::Story,
        Kind::Tool,
        Kind::Problem,
        Kind::Question,
        Kind::Doc,
    ];

    /// The kind stored as `text`, if this rep knows it; `None` for a later one.
    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The kind stored as `text`, a later one as [`Kind::Other`].
    pub fn from_stored(text: &str) -> Kind {
        Kind::parse(text).unwrap_or_else(|| Kind::Other(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        match self {
            Kind::Other(text) => text,
            known => known.word(),
        }
    }

    /// The stored word of a kind this rep knows, as a const for rule lists and SQL filters;
    /// a later kind's word is its own ([`Kind::as_str`]), so here it is empty.
    pub const fn word(&self) -> &'static str {
        match self {
            Kind::Story => "story",
            Kind::Tool => "tool",
            Kind::Problem => "problem",
            Kind::Question => "question",
            Kind::Doc => "doc",
            Kind::Other(_) => "",
        }
    }

    /// What `--kind`'s help says of a kind.
    const fn help(&self) -> &'static str {
        match self {
            Kind::Story => "Something that happened and what was learned",
            Kind::Tool => "A trick, command or reusable asset",
            Kind::Problem => "A recurring problem and how it shows itself",
            Kind::Question => "A request for information or experience",
            Kind::Doc => "A write-up of something that keeps coming back (`rep document`)",
            Kind::Other(_) => "",
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, so that `{:<8}` lines kinds up as it did when a kind was a string.
        f.pad(self.as_str())
    }
}

impl Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A kind reads as its stored word wherever text is wanted (a badge, a cell, a filter), as it
/// did when it was a string.
impl std::ops::Deref for Kind {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Kind {
    fn from(text: &str) -> Kind {
        Kind::from_stored(text)
    }
}

impl AsRef<str> for Kind {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for Kind {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Kind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// `--kind` offers the kinds this rep knows, with the help their doc comments give.
impl clap::ValueEnum for Kind {
    fn value_variants<'a>() -> &'a [Self] {
        static KNOWN: [Kind; 5] = Kind::ALL;
        &KNOWN
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        match self {
            Kind::Other(_) => None,
            known => Some(clap::builder::PossibleValue::new(known.word()).help(known.help())),
        }
    }
}

/// The kinds of link between entries, exactly these four in the exchange format
/// (docs/format.md). `rep link` offers the first three; `rep document` makes the fourth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    /// FROM asks or tells the same as TO
    Duplicate,
    /// See also
    Related,
    /// FROM replaces TO
    Supersedes,
    /// A doc's link to what it writes up
    #[value(skip)]
    Documents,
}

impl LinkKind {
    pub const ALL: [LinkKind; 4] = [
        LinkKind::Duplicate,
        LinkKind::Related,
        LinkKind::Supersedes,
        LinkKind::Documents,
    ];

    /// The link kind stored as `text`, if it is one.
    pub fn parse(text: &str) -> Option<LinkKind> {
        LinkKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            LinkKind::Duplicate => "duplicate",
            LinkKind::Related => "related",
            LinkKind::Supersedes => "supersedes",
            LinkKind::Documents => "documents",
        }
    }
}

/// Which end of a link the shown entry is: `to` when it is the source (it is a duplicate of,
/// supersedes, documents the other), `from` when the other entry links to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkDirection {
    To,
    From,
}

/// What an import did to one record or entry, as `--json` names it: `rep import` of an exchange
/// file and of a foreign source (tldr, navi, cheat, pet, Markdown) share it. A foreign import
/// only counts its unchanged entries, so its listed changes are never `Unchanged`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Added,
    Updated,
    /// The repertoire knew everything the record holds.
    Unchanged,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Added => "added",
            Outcome::Updated => "updated",
            Outcome::Unchanged => "unchanged",
        }
    }
}

/// One entry as users and scripts see it.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: String,
    pub short_id: String,
    pub kind: Kind,
    pub title: String,
    pub body: String,
    pub domain: String,
    pub tags: Vec<String>,
    pub author: String,
    pub command: Option<String>,
    pub link: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub deleted: bool,
}

/// A search hit: the entry, its rank and the matching text.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    #[serde(flatten)]
    pub entry: Entry,
    /// bm25 score; lower is a better match. Only meaningful within one result list.
    pub score: f64,
    /// Matching text with each hit wrapped in `**`.
    pub snippet: String,
    /// How the entry matched, best first: `exact` (the query is its name or title), `name`
    /// (every word a whole word of its name or title), `name-prefix` (the same with the last
    /// word as a prefix), `words` and `prefix` (the same anywhere), `stem` (by word stem).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched: Option<&'static str>,
    /// The query searched for instead, when the words typed matched nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrected: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Count {
    pub name: String,
    pub entries: u64,
}

/// A value that no entry, reply or member may hold. `error.rs` words each with its hint; the
/// offending text is kept as given (unsanitised) for it to show safely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueError {
    TitleEmpty,
    TitleNul,
    TitleLines,
    TitleLong {
        limit: usize,
    },
    BodyLarge {
        bytes: usize,
        limit: usize,
    },
    BodyNul,
    /// A short field (a command, a link, an occurrence note) over its limit.
    FieldLong {
        name: String,
        limit: usize,
    },
    FieldNul {
        name: String,
    },
    /// A domain that cannot be normalised, and why.
    Domain {
        input: String,
        why: String,
    },
    /// A tag that cannot be normalised, and why.
    Tag {
        input: String,
        why: String,
    },
    /// A member name that is not one short line of printable text.
    Member {
        input: String,
    },
}

impl std::error::Error for ValueError {}

pub fn validate_title(title: &str) -> Result<String, ValueError> {
    let title = title.trim();
    if title.is_empty() {
        return Err(ValueError::TitleEmpty);
    }
    if title.contains('\0') {
        return Err(ValueError::TitleNul);
    }
    if title.contains(['\n', '\r']) {
        return Err(ValueError::TitleLines);
    }
    if title.chars().count() > TITLE_CHARS {
        return Err(ValueError::TitleLong { limit: TITLE_CHARS });
    }
    Ok(title.to_owned())
}

pub fn validate_body(body: String) -> Result<String, ValueError> {
    check_body(&body)?;
    Ok(body)
}

/// [`validate_body`] without taking the text.
pub fn check_body(body: &str) -> Result<(), ValueError> {
    if body.len() > BODY_BYTES {
        return Err(ValueError::BodyLarge {
            bytes: body.len(),
            limit: BODY_BYTES,
        });
    }
    if body.contains('\0') {
        return Err(ValueError::BodyNul);
    }
    Ok(())
}

/// Short free-text fields: a tool's command and link.
pub fn validate_field(name: &str, value: &str) -> Result<Option<String>, ValueError> {
    if value.is_empty() {
        return Ok(None);
    }
    if value.len() > FIELD_BYTES {
        return Err(ValueError::FieldLong {
            name: name.to_owned(),
            limit: FIELD_BYTES,
        });
    }
    if value.contains('\0') {
        return Err(ValueError::FieldNul {
            name: name.to_owned(),
        });
    }
    Ok(Some(value.to_owned()))
}

/// Where renaming domain `old` to `new` moves `domain`: `old` itself becomes `new`, and a
/// sub-domain keeps its place under `new` (`k8s/networking` -> `kube/networking`); any other
/// domain stays.
pub fn move_domain(domain: &str, old: &str, new: &str) -> String {
    if domain == old {
        return new.to_owned();
    }
    match domain
        .strip_prefix(old)
        .and_then(|rest| rest.strip_prefix('/'))
    {
        Some(rest) => format!("{new}/{rest}"),
        None => domain.to_owned(),
    }
}

/// Domains are lowercase slugs that nest with `/`: `postgres`, `k8s/networking`.
pub fn normalize_domain(input: &str) -> Result<String, ValueError> {
    let domain = input.trim().trim_matches('/').to_lowercase();
    let invalid = |why: &str| ValueError::Domain {
        input: input.to_owned(),
        why: why.to_owned(),
    };
    if domain.is_empty() {
        return Err(invalid("it is empty"));
    }
    if domain.chars().count() > DOMAIN_CHARS {
        return Err(invalid(&format!("longer than {DOMAIN_CHARS} characters")));
    }
    for segment in domain.split('/') {
        let mut chars = segment.chars();
        let Some(first) = chars.next() else {
            return Err(invalid("it has an empty segment"));
        };
        if !first.is_alphanumeric() {
            return Err(invalid("each segment must start with a letter or digit"));
        }
        if !chars.all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.')) {
            return Err(invalid(
                "it may only contain letters, digits, '-', '_', '.' and '/'",
            ));
        }
    }
    Ok(domain)
}

/// Tags are normalised to lowercase, without a leading `#`, inner spaces becoming `-`.
pub fn normalize_tag(input: &str) -> Result<String, ValueError> {
    let tag = input.trim().trim_start_matches('#').to_lowercase();
    let tag = tag.split_whitespace().collect::<Vec<_>>().join("-");
    let invalid = |why: &str| ValueError::Tag {
        input: input.to_owned(),
        why: why.to_owned(),
    };
    if tag.is_empty() {
        return Err(invalid("it is empty"));
    }
    if tag.chars().count() > TAG_CHARS {
        return Err(invalid(&format!("longer than {TAG_CHARS} characters")));
    }
    if tag.chars().any(|c| c.is_control() || c == ',') {
        return Err(invalid("it contains a control character or a comma"));
    }
    Ok(tag)
}

/// An entry a rename changes: its tag or domain before and after.
#[derive(Debug, Clone, Serialize)]
pub struct Renamed {
    #[serde(skip)]
    pub seq: EntrySeq,
    pub id: String,
    pub short_id: String,
    pub title: String,
    pub deleted: bool,
    pub from: String,
    pub to: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_domain_moves_with_its_sub_domains_only() {
        assert_eq!(move_domain("k8s", "k8s", "kube"), "kube");
        assert_eq!(
            move_domain("k8s/networking", "k8s", "kube"),
            "kube/networking"
        );
        assert_eq!(move_domain("k8s-old", "k8s", "kube"), "k8s-old");
        assert_eq!(move_domain("k8s", "k8s/networking", "net"), "k8s");
        assert_eq!(move_domain("a/b", "a", "a/c"), "a/c/b");
    }

    #[test]
    fn domains_nest_and_lowercase() {
        assert_eq!(
            normalize_domain(" K8s/Networking/ ").unwrap(),
            "k8s/networking"
        );
        assert_eq!(normalize_domain("postgres").unwrap(), "postgres");
    }

    #[test]
    fn domains_that_could_escape_a_folder_are_rejected() {
        for bad in [
            "../../etc",
            "a/../b",
            "a//b",
            ".hidden",
            "",
            "/",
            "a b",
            "a\u{1b}b",
        ] {
            assert!(normalize_domain(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn tags_normalise() {
        assert_eq!(normalize_tag("#Vacuum").unwrap(), "vacuum");
        assert_eq!(normalize_tag(" slow  query ").unwrap(), "slow-query");
        assert!(normalize_tag("  ").is_err());
        assert!(normalize_tag("a,b").is_err());
    }

    #[test]
    fn titles_are_one_line() {
        assert_eq!(validate_title("  hi ").unwrap(), "hi");
        assert!(validate_title("a\nb").is_err());
        assert!(validate_title(" ").is_err());
        assert!(validate_title(&"x".repeat(TITLE_CHARS + 1)).is_err());
    }

    proptest! {
        #[test]
        fn a_valid_domain_has_only_safe_segments(s in "\\PC{0,40}") {
            if let Ok(d) = normalize_domain(&s) {
                prop_assert!(!d.is_empty());
                for seg in d.split('/') {
                    prop_assert!(!seg.is_empty() && seg != "." && seg != "..");
                    prop_assert!(!seg.starts_with('.'));
                }
                prop_assert_eq!(normalize_domain(&d).unwrap(), d.clone());
            }
        }

        #[test]
        fn tag_normalisation_is_idempotent(s in "\\PC{0,40}") {
            if let Ok(t) = normalize_tag(&s) {
                prop_assert_eq!(normalize_tag(&t).unwrap(), t);
            }
        }
    }
}
