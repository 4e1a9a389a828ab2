//! Turning what a user typed into a full-text query that can never be a syntax error, the
//! text normalisation of the search index, and the spelling corrections of a search.

use crate::stem;
use unicode_normalization::UnicodeNormalization as _;

/// Between a tldr page's command name and its description in an entry's title.
const NAME_SEPARATOR: &str = crate::foreign::tldr::TITLE_SEPARATOR;

/// Text as the word index holds it (never as it is stored): tldr's mnemonic marks taken out
/// (`E[x]tract` is indexed as `Extract`), Unicode compatibility forms unified (NFKC: the `ﬁ`
/// ligature is `fi`, a full-width `Ｆ` is `F`) and case folded, so that what people type
/// finds the word however it was written.
pub fn index_text(text: &str) -> String {
    let unmarked = without_marks(text);
    // ASCII text is its own NFKC form: the common case skips the Unicode tables.
    if unmarked.is_ascii() {
        return unmarked.to_ascii_lowercase();
    }
    unmarked.nfkc().flat_map(char::to_lowercase).collect()
}

/// The words of a body that the stemmed index must read otherwise than they are written, as
/// [`index_text`] gives them (`E[x]tract` as `extract`, `ﬁle` as `file`), each once; `None`
/// for the many bodies that have none. The stemmed index holds them beside the body as it is
/// written (whose snippets it shows), so `extract archive` finds the tldr page that says
/// `E[x]tract an archive`. Case alone is no difference: the index folds case itself.
pub fn body_folded(body: &str) -> Option<String> {
    if body.is_ascii() && !body.contains('[') {
        return None;
    }
    let mut seen = std::collections::HashSet::new();
    let mut folded: Vec<String> = Vec::new();
    for word in body.split_whitespace() {
        let indexed = index_text(word);
        if indexed != word.to_lowercase() && seen.insert(indexed.clone()) {
            folded.push(indexed);
        }
    }
    (!folded.is_empty()).then(|| folded.join(" "))
}

/// tldr marks the letter an option is named after: `[c]reate`, `E[x]tract`, `Lis[t]`. A mark
/// is one to three letters in brackets touching a letter on at least one side; other brackets
/// (`{{[-C|--directory]}}`, `a[0]`) are left as they are.
fn without_marks(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('[') {
        return text.into();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '['
            && let Some(len) = chars[i + 1..]
                .iter()
                .take(4)
                .position(|&c| c == ']')
                .filter(|len| (1..=3).contains(len))
            && chars[i + 1..i + 1 + len].iter().all(|c| c.is_alphabetic())
        {
            let before = i.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i + len + 2).copied();
            if before.is_some_and(char::is_alphabetic) || after.is_some_and(char::is_alphabetic) {
                out.extend(&chars[i + 1..i + 1 + len]);
                i += len + 2;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out.into()
}

/// The name a tool is called by, for the index's `name` column: a tldr page's name (its title
/// before ` — `), else the first word of its command. Not both: an alias page's command is the
/// command it stands for (`vivaldi` runs `chromium`), and would rank it with that command.
pub fn index_name(title: &str, command: Option<&str>) -> String {
    match page_name(title) {
        Some(name) => index_text(name),
        None => command
            .and_then(|c| c.split_whitespace().next())
            .map(index_text)
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .unwrap_or_default(),
    }
}

/// A tldr page's name: the title before ` — `.
fn page_name(title: &str) -> Option<&str> {
    title
        .split_once(NAME_SEPARATOR)
        .map(|(name, _)| name.trim())
        .filter(|n| !n.is_empty())
}

/// What a whole query or title is compared as for an exact match: normalised like the index,
/// words separated by single spaces.
pub fn exact_key(text: &str) -> String {
    index_text(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The exact-match keys of an entry: its whole title and, for a tldr page, its name.
pub fn exact_keys(title: &str) -> Vec<String> {
    let mut keys = vec![exact_key(title)];
    if let Some(name) = page_name(title) {
        keys.push(exact_key(name));
    }
    keys.retain(|k| !k.is_empty());
    keys.dedup();
    keys
}

/// What a user typed, as the word index sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    /// Normalised like the index, each holding at least one letter or digit.
    pub words: Vec<String>,
    /// The last word is still being typed (the text does not end in a space).
    pub last_is_prefix: bool,
}

impl Words {
    pub fn parse(text: &str) -> Option<Words> {
        let words: Vec<String> = text
            .split(|c: char| c.is_whitespace() || c == '\0')
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .map(index_text)
            .collect();
        (!words.is_empty()).then(|| Words {
            words,
            last_is_prefix: !text.ends_with(char::is_whitespace),
        })
    }

    /// The FTS5 query: every word quoted (a phrase of its tokens: `commit-tree` is two), all
    /// must match; `prefix` makes the last a prefix.
    pub fn fts(&self, prefix: bool) -> String {
        let mut query: Vec<String> = self.words.iter().map(|w| quote(w)).collect();
        if prefix && let Some(last) = query.last_mut() {
            last.push('*');
        }
        query.join(" ")
    }

    /// The query of the stemmed index (bodies): as [`Words::fts`], except that the last word,
    /// while still being typed, also matches as each of its likely completions. The stemmer
    /// cuts endings (`deployments` is held as `deploy`), so a half-typed word that has grown
    /// past its stem (`deploym`) is a prefix of nothing the index holds; its completions
    /// (`deployment`...) are stemmed by the query as the body was, and meet the stem.
    pub fn fts_stemmed(&self) -> String {
        if !self.last_is_prefix {
            return self.fts(false);
        }
        let mut query: Vec<String> = self.words.iter().map(|w| quote(w)).collect();
        let last = query.pop().unwrap_or_default();
        query.push(self.completed_last().unwrap_or_else(|| format!("{last}*")));
        // FTS5 takes a group in parentheses only after an explicit AND.
        query.join(" AND ")
    }

    /// The query of the stemmed index for the words close together, as people describe a task
    /// in the words of a page (`Extract a compressed archive`): every word, in any order, all
    /// within a window of as many tokens as the query has between the first and the last (so
    /// a word or two left out between them still counts, `create a repository` for `Create a
    /// git repository`), the last as a prefix while being typed. `None` for one word, where
    /// nearness says nothing, and for more words than [`NEAR_WORDS`].
    pub fn fts_near(&self) -> Option<String> {
        if self.words.len() < 2 || self.words.len() > NEAR_WORDS {
            return None;
        }
        let mut phrases: Vec<String> = self.words.iter().map(|w| quote(w)).collect();
        if self.last_is_prefix
            && let Some(last) = phrases.last_mut()
        {
            last.push('*');
        }
        let tokens: usize = self.words.iter().map(|w| tokens_of(w).max(1)).sum();
        Some(format!("NEAR({}, {tokens})", phrases.join(" ")))
    }

    /// The last word as a prefix or any of its completions, `("deploym"* OR "deploymed" OR
    /// ...)`; `None` when it is no plain word of [`COMPLETED_FROM`] letters or more.
    pub fn completed_last(&self) -> Option<String> {
        let last = self.words.last()?;
        if last.chars().count() < COMPLETED_FROM || !last.chars().all(char::is_alphabetic) {
            return None;
        }
        let mut any = vec![format!("{}*", quote(last))];
        any.extend(completions_beyond_prefix(last).iter().map(|c| quote(c)));
        Some(format!("({})", any.join(" OR ")))
    }

    /// The same words restricted to the name and title columns.
    pub fn fts_in_names(&self, prefix: bool) -> String {
        format!("{{name title}} : ({})", self.fts(prefix))
    }

    /// Any word, each as a prefix when `prefix`: what a snippet highlights.
    pub fn fts_any(&self, prefix: bool) -> String {
        let star = if prefix { "*" } else { "" };
        self.words
            .iter()
            .map(|w| format!("{}{star}", quote(w)))
            .collect::<Vec<_>>()
            .join(" OR ")
    }

    pub fn text(&self) -> String {
        self.words.join(" ")
    }
}

/// The most words a query of words close together is made for: beyond that a query is a
/// sentence pasted in, whose words rarely stand together in any one place.
const NEAR_WORDS: usize = 12;

/// How many tokens the index cuts a word into (`commit-tree` is two).
fn tokens_of(word: &str) -> usize {
    word.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .count()
}

/// How long a half-typed word must be before its completions are searched: shorter ones are
/// still prefixes of their stems (`depl`).
const COMPLETED_FROM: usize = 5;

/// English endings the Porter stemmer cuts, to complete a half-typed word with: what it cuts
/// from `deployment`, `certificates`, `maintenance`, `replication`, `configuring`...
const ENDINGS: &[&str] = &[
    "e", "s", "es", "ed", "ing", "y", "ies", "ion", "ions", "ation", "ations", "tion", "tions",
    "ment", "ments", "ance", "ence", "nce", "ce", "te", "tes", "ted", "ting", "ity", "al", "ally",
    "ly", "er", "ers", "or", "ors", "ic", "ical", "ize", "ise", "ized", "able", "ible", "ness",
    "ive", "ous", "ate", "ates", "ated", "ating", "ant", "ent", "ism", "ist", "ful",
];

/// The completions of a half-typed `last` word that can match what the word as a prefix does
/// not, one per stem. FTS5 stems the prefix too (`"relief"*` looks for stems beginning with
/// `relief`), so a completion whose stem begins with the prefix's stem adds nothing, and two of
/// one stem match the same rows; yet each phrase of a query costs a pass over its postings
/// when bm25 ranks, which made the completions most of the cost of a rare phrase. Words that
/// are not plain ASCII keep every completion: FTS5's tokenizer folds them first.
fn completions_beyond_prefix(last: &str) -> Vec<String> {
    let all = ENDINGS.iter().map(|end| format!("{last}{end}"));
    if !last.bytes().all(|b| b.is_ascii_lowercase()) {
        return all.collect();
    }
    let covered = stem::porter(last);
    let mut stems = std::collections::HashSet::new();
    all.filter(|completion| {
        let stem = stem::porter(completion);
        !stem.starts_with(&covered) && stems.insert(stem)
    })
    .collect()
}

fn quote(word: &str) -> String {
    format!("\"{}\"", word.replace('"', "\"\""))
}

/// How far a typed word may be from a correction: none for short words, where one letter
/// changes the word (`cat`, `cut`, `cp`), one edit up to six letters, two beyond.
pub fn max_edits(word: &str) -> usize {
    match word.chars().count() {
        0..=3 => 0,
        4..=6 => 1,
        _ => 2,
    }
}

/// Edit distance with adjacent swaps as one edit (optimal string alignment), the kind of typo
/// people make: `rsycn` is one edit from `rsync`, as are `rsyc` and `rssync`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// Every word one edit from `word`, in the order corrections prefer them: two neighbours
/// swapped, a letter added (one was left out), a letter removed (one was doubled or slipped
/// in), then a letter changed; the first three keep every letter typed, which makes them the
/// likelier reading when two known words are one edit away (`pkfile`: `pkgfile` before
/// `mkfile`). Letters are a-z, 0-9, `-` and those of the word.
pub fn one_edit_away(word: &str) -> Vec<(String, EditKind)> {
    let chars: Vec<char> = word.chars().collect();
    let mut alphabet: Vec<char> = ('a'..='z').chain('0'..='9').chain(['-']).collect();
    for &c in &chars {
        if !alphabet.contains(&c) {
            alphabet.push(c);
        }
    }
    let string = |v: &[char]| v.iter().collect::<String>();
    let mut swaps = Vec::new();
    let mut inserts = Vec::new();
    let mut deletes = Vec::new();
    let mut changes = Vec::new();
    for i in 0..chars.len() {
        if i + 1 < chars.len() {
            let mut v = chars.clone();
            v.swap(i, i + 1);
            swaps.push(string(&v));
        }
        let mut v = chars.clone();
        v.remove(i);
        deletes.push(string(&v));
        for &c in &alphabet {
            let mut v = chars.clone();
            v[i] = c;
            changes.push(string(&v));
        }
    }
    for i in 0..=chars.len() {
        for &c in &alphabet {
            let mut v = chars.clone();
            v.insert(i, c);
            inserts.push(string(&v));
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    let kinds = [
        (EditKind::Swap, swaps),
        (EditKind::Insert, inserts),
        (EditKind::Delete, deletes),
        (EditKind::Change, changes),
    ];
    for (kind, variants) in kinds {
        for variant in variants {
            if variant != word
                && variant.chars().any(char::is_alphanumeric)
                && seen.insert(variant.clone())
            {
                out.push((variant, kind));
            }
        }
    }
    out
}

/// How a correction differs from what was typed, likeliest first (see [`one_edit_away`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EditKind {
    Swap,
    Insert,
    Delete,
    Change,
    /// Found by comparing, not by one edit: possibly two.
    Compared,
}

/// Of the known words near a typed one, each with how it was found and the number of entries
/// that hold it: the fewest edits, then the likeliest kind of edit, then the most entries.
pub fn best_correction(word: &str, known: &[(String, EditKind, i64)]) -> Option<String> {
    let limit = max_edits(word);
    known
        .iter()
        .map(|(term, kind, docs)| (edit_distance(word, term), *kind, -docs, term))
        .filter(|(d, ..)| *d >= 1 && *d <= limit)
        .min()
        .map(|(.., term)| term.clone())
}

/// Build an FTS5 query from free text: every word is quoted (so `"`, `*`, `:`, `-`, `AND`, `NEAR`
/// and the rest are just text), words must all match, and the last word also matches as a
/// prefix unless the text ends in a space, so results appear while a word is still being typed.
/// Returns `None` when the text has no word to search for.
pub fn fts_query(text: &str) -> Option<String> {
    // FTS5 reads a query up to its first NUL, which would leave a quote open: NUL splits words.
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '\0')
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect();
    let (last, rest) = words.split_last()?;
    let quote = |w: &str| format!("\"{}\"", w.replace('"', "\"\""));
    let mut query: Vec<String> = rest.iter().map(|w| quote(w)).collect();
    let prefix = !text.ends_with(char::is_whitespace);
    query.push(if prefix {
        format!("{}*", quote(last))
    } else {
        quote(last)
    });
    Some(query.join(" "))
}

/// Words of three letters or more that every question has ("how do we ... the ..."): matching
/// on them alone would list unrelated entries as similar.
const STOP_WORDS: &[&str] = &[
    "all", "and", "any", "are", "but", "can", "did", "does", "for", "from", "has", "have", "how",
    "its", "not", "our", "should", "that", "the", "their", "then", "there", "this", "was", "what",
    "when", "where", "which", "who", "why", "will", "with", "you", "your",
];

/// The words of a text that can say what it is about: three letters or more, not the words
/// every question has, lowercase, unique, at most 16.
pub fn similarity_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        let word = index_text(word);
        if word.chars().count() >= 3
            && !STOP_WORDS.contains(&word.as_str())
            && !words.contains(&word)
            && words.len() < 16
        {
            words.push(word);
        }
    }
    words
}

/// Whether an entry titled `title` answers `question` so plainly that a menu may offer it first:
/// its title holds every word of the question that says what it is about, and there are at
/// least two (one shared word is too weak a sign).
pub fn title_answers(question: &str, title: &str) -> bool {
    let asked = similarity_words(question);
    let titled = similarity_words(title);
    asked.len() >= 2 && asked.iter().all(|w| titled.contains(w))
}

/// A query for entries similar to a text: any of its words may match, and bm25 ranks those
/// that match more and rarer words first.
pub fn similarity_query(text: &str) -> Option<String> {
    let words = similarity_words(text);
    if words.is_empty() {
        return None;
    }
    Some(
        words
            .iter()
            .map(|w| quote(w))
            .collect::<Vec<_>>()
            .join(" OR "),
    )
}

/// How many of a question's words an entry must share to be similar: two, unless the question
/// has only one.
pub fn min_shared_words(words: usize) -> usize {
    words.clamp(1, 2)
}

/// Short words that carry no subject ("how do I ... in the ..."), on top of `STOP_WORDS`.
const SHORT_STOP_WORDS: &[&str] = &[
    "a", "am", "an", "as", "at", "be", "by", "do", "i", "if", "in", "is", "it", "me", "my", "of",
    "on", "or", "so", "to", "up", "we",
];

/// The words of a search that found nothing, normalised so that similar searches group together:
/// lowercase, a plural `s` dropped, words every question has ("how", "do", "the") left out,
/// sorted and unique. A search of only such words keeps them. `None` when no word is left.
/// `rep search rotate certs` and `rep ask "How do we rotate the certs?"` give the same key.
pub fn miss_key(text: &str) -> Option<String> {
    let mut words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let w = w.to_lowercase();
            match w.strip_suffix('s') {
                Some(stem) if stem.chars().count() >= 3 && !stem.ends_with('s') => stem.to_owned(),
                _ => w,
            }
        })
        .collect();
    let is_stop =
        |w: &String| STOP_WORDS.contains(&w.as_str()) || SHORT_STOP_WORDS.contains(&w.as_str());
    if !words.iter().all(is_stop) {
        words.retain(|w| !is_stop(w));
    }
    words.sort();
    words.dedup();
    (!words.is_empty()).then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_answers_when_it_holds_every_word_asked() {
        assert!(title_answers(
            "what holds a lock?",
            "Find what holds a lock"
        ));
        assert!(!title_answers(
            "nightly migration blocked by a lock",
            "A lock blocks the nightly migration"
        ));
        assert!(!title_answers("lock", "Find what holds a lock"));
    }
    use proptest::prelude::*;
    use rusqlite::Connection;

    #[test]
    fn the_index_text_drops_tldr_marks_and_unifies_compatibility_forms() {
        assert_eq!(index_text("E[x]tract a [f]ile"), "extract a file");
        assert_eq!(index_text("Lis[t] [c]ontents"), "list contents");
        assert_eq!(index_text("[d]ry-[r]un"), "dry-run");
        // Not marks: options in placeholders, an index, a lone word in brackets.
        assert_eq!(index_text("{{[-C|--directory]}}"), "{{[-c|--directory]}}");
        assert_eq!(index_text("a[0] [ab]"), "a[0] [ab]");
        assert_eq!(index_text("ﬁle ＦＩＬＥ File"), "file file file");
        assert_eq!(index_text("Straße"), "straße");
    }

    #[test]
    fn a_body_lends_the_index_only_the_words_it_writes_otherwise() {
        assert_eq!(body_folded("Plain text, [brackets] and a[0]."), None);
        assert_eq!(body_folded("Éclair au café"), None);
        assert_eq!(
            body_folded("- E[x]tract an archive:\n- [c]reate, E[x]tract again, the ﬁle"),
            Some("extract create, file".into())
        );
    }

    #[test]
    fn names_come_from_the_page_or_the_command() {
        assert_eq!(
            index_name("git commit — Commit files.", Some("git commit -m")),
            "git commit"
        );
        assert_eq!(
            index_name("vivaldi — An alias of chromium.", Some("chromium")),
            "vivaldi"
        );
        assert_eq!(
            index_name("Find what holds a lock", Some("psql -c x")),
            "psql"
        );
        assert_eq!(index_name("Find what holds a lock", None), "");
        assert_eq!(
            exact_keys("tar — Archiving utility."),
            ["tar — archiving utility.", "tar"]
        );
        assert_eq!(exact_keys("Find  a LOCK"), ["find a lock"]);
    }

    #[test]
    fn typed_words_are_normalised_like_the_index() {
        let words = Words::parse("Git COMIT").unwrap();
        assert_eq!(words.words, ["git", "comit"]);
        assert!(words.last_is_prefix);
        assert_eq!(words.fts(true), r#""git" "comit"*"#);
        assert_eq!(
            words.fts_in_names(false),
            r#"{name title} : ("git" "comit")"#
        );
        assert!(!Words::parse("tar ").unwrap().last_is_prefix);
        assert_eq!(Words::parse(" ?! "), None);
    }

    #[test]
    fn words_close_together_are_a_near_group_as_wide_as_the_query() {
        let near = |typed: &str| Words::parse(typed).unwrap().fts_near();
        assert_eq!(
            near("extract compressed arch").as_deref(),
            Some(r#"NEAR("extract" "compressed" "arch"*, 3)"#)
        );
        assert_eq!(
            near("commit-tree help ").as_deref(),
            Some(r#"NEAR("commit-tree" "help", 3)"#)
        );
        assert_eq!(near("tar"), None);
        assert_eq!(near(&"word ".repeat(NEAR_WORDS + 1)), None);
        let conn = index();
        let count = |typed: &str| -> i64 {
            conn.query_row(
                "SELECT count(*) FROM t WHERE t MATCH ?1",
                [near(typed).unwrap()],
                |r| r.get(0),
            )
            .unwrap()
        };
        // `the quick brown fox`: any order, a word left out between them, stems.
        assert_eq!(count("fox quick"), 1);
        assert_eq!(count("quick fox"), 1);
        assert_eq!(count("foxes bro"), 1);
        conn.execute(
            "INSERT INTO t VALUES ('quick to start, and when it stops the fox is gone')",
            [],
        )
        .unwrap();
        assert_eq!(count("quick fox "), 1, "too far apart in the second row");
    }

    #[test]
    fn edit_distance_counts_a_swap_as_one() {
        assert_eq!(edit_distance("rsycn", "rsync"), 1);
        assert_eq!(edit_distance("comit", "commit"), 1);
        assert_eq!(edit_distance("kubeclt", "kubectl"), 1);
        assert_eq!(edit_distance("kubctl", "kubectl"), 1);
        assert_eq!(edit_distance("certficate", "certificate"), 1);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("abc", "xyz"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn corrections_prefer_fewer_edits_then_kept_letters_then_frequency() {
        let near = |word: &str, known: &[&str]| -> Option<String> {
            let variants = one_edit_away(word);
            let found: Vec<(String, EditKind, i64)> = variants
                .into_iter()
                .filter(|(v, _)| known.contains(&v.as_str()))
                .map(|(v, k)| (v, k, 1))
                .collect();
            best_correction(word, &found)
        };
        assert_eq!(near("rsycn", &["rsync", "async"]).as_deref(), Some("rsync"));
        assert_eq!(
            near("pkfile", &["mkfile", "pkgfile"]).as_deref(),
            Some("pkgfile")
        );
        assert_eq!(near("cta", &["cat"]), None, "short words are not corrected");
        let by_docs = [
            ("commit".to_owned(), EditKind::Insert, 3),
            ("comity".to_owned(), EditKind::Insert, 9),
        ];
        assert_eq!(
            best_correction("comit", &by_docs).as_deref(),
            Some("comity")
        );
        let far = [("kubernetes".to_owned(), EditKind::Compared, 1)];
        assert_eq!(
            best_correction("kuberntees", &far).as_deref(),
            Some("kubernetes")
        );
        assert_eq!(best_correction("kbrnetse", &far), None, "three edits");
    }

    #[test]
    fn similar_means_two_shared_words_unless_there_is_one() {
        assert_eq!(min_shared_words(1), 1);
        assert_eq!(min_shared_words(2), 2);
        assert_eq!(min_shared_words(9), 2);
    }

    #[test]
    fn words_are_quoted_and_the_last_is_a_prefix() {
        assert_eq!(fts_query("vacuum full").unwrap(), r#""vacuum" "full"*"#);
        assert_eq!(fts_query("vacuum ").unwrap(), r#""vacuum""#);
        assert_eq!(
            fts_query(r#"say "hi" AND"#).unwrap(),
            r#""say" """hi""" "AND"*"#
        );
        assert_eq!(fts_query("  - * "), None);
        assert_eq!(fts_query("a\0b").unwrap(), r#""a" "b"*"#);
    }

    fn index() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE VIRTUAL TABLE t USING fts5(a, tokenize = 'porter unicode61 remove_diacritics 2');
             INSERT INTO t VALUES ('the quick brown fox'), ('NEAR AND OR NOT');",
        )
        .unwrap();
        conn
    }

    #[test]
    fn similarity_takes_any_longer_word() {
        assert_eq!(
            similarity_query("How do I fix a DNS error?").unwrap(),
            r#""fix" OR "dns" OR "error""#
        );
        assert_eq!(similarity_query("a b ?"), None);
        assert_eq!(similarity_query("Who has the key?").unwrap(), r#""key""#);
        assert_eq!(
            similarity_query("How does this work?").unwrap(),
            r#""work""#
        );
        assert_eq!(similarity_query("what is the, and why"), None);
    }

    #[test]
    fn misses_group_by_their_words() {
        assert_eq!(
            miss_key("Rotate certs staging").unwrap(),
            "cert rotate staging"
        );
        assert_eq!(
            miss_key("staging: rotate the cert"),
            miss_key("cert rotate staging the")
        );
        assert_eq!(miss_key("class glass"), Some("class glass".into()));
        assert_eq!(
            miss_key("How do we rotate the staging certs?"),
            miss_key("rotate staging cert")
        );
        assert_eq!(miss_key("how do I").unwrap(), "do how i");
        assert_eq!(miss_key("  ?! "), None);
    }

    #[test]
    fn only_completions_that_reach_past_the_prefix_are_searched() {
        // Every ending of `relief` stems to something beginning with `relief`: the prefix
        // alone finds all of them.
        assert_eq!(completions_beyond_prefix("relief"), Vec::<String>::new());
        let deploym = completions_beyond_prefix("deploym");
        assert!(deploym.contains(&"deployment".to_owned()), "{deploym:?}");
        let stems: Vec<String> = deploym.iter().map(|c| stem::porter(c)).collect();
        let distinct: std::collections::HashSet<&String> = stems.iter().collect();
        assert_eq!(distinct.len(), stems.len(), "one per stem: {stems:?}");
        assert!(stems.iter().all(|s| !s.starts_with("deploym")), "{stems:?}");
        // Not plain ASCII: FTS5 folds it before stemming, so every completion is kept.
        assert_eq!(completions_beyond_prefix("réplic").len(), ENDINGS.len());
    }

    #[test]
    fn a_half_typed_word_meets_its_stem_through_its_completions() {
        let conn = index();
        conn.execute(
            "INSERT INTO t VALUES ('Rolling deployments need certificates and maintenance')",
            [],
        )
        .unwrap();
        let count = |typed: &str| -> i64 {
            let words = Words::parse(typed).unwrap();
            conn.query_row(
                "SELECT count(*) FROM t WHERE t MATCH ?1",
                [words.fts_stemmed()],
                |r| r.get(0),
            )
            .unwrap()
        };
        for typed in [
            "depl",
            "deploy",
            "deploym",
            "deploymen",
            "certif",
            "certifica",
            "certificat",
            "maintena",
            "rolling cert",
            "rolling deploym",
        ] {
            assert_eq!(count(typed), 1, "{typed}");
        }
        // A whole word (typed with a space after it) is matched by its stem alone.
        assert_eq!(count("deploym "), 0);
        assert_eq!(count("deployq"), 0);
    }

    #[test]
    fn stems_and_prefixes_match() {
        let conn = index();
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM t WHERE t MATCH ?1",
                [fts_query("foxes bro").unwrap()],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        #[test]
        fn any_text_is_a_valid_query(text in "\\PC{0,60}|[\"*:^(){}+\\-. a-zA-Z\\x00-\\x1f]{0,30}") {
            let conn = index();
            if let Some(q) = fts_query(&text) {
                let result: rusqlite::Result<i64> =
                    conn.query_row("SELECT count(*) FROM t WHERE t MATCH ?1", [&q], |r| r.get(0));
                prop_assert!(result.is_ok(), "query {:?} from {:?} failed: {:?}", q, text, result);
            }
        }
    }
}
