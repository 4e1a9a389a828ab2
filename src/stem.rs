//! The Porter stem of a word exactly as SQLite's FTS5 `porter` tokenizer computes it, for the
//! stemmed index's queries (search::Words::fts_stemmed_with). Written from the published
//! algorithm (M. F. Porter, 1980) with FTS5's two choices: its rule lists (which add `logi`
//! and `bli` to step 2) and that the first rule whose suffix matches decides, applied only if
//! its condition holds. A property test checks it against FTS5 itself on random words.
//!
//! FTS5 stems bytes: anything outside ASCII counts as a consonant, and tokens shorter than 3 or
//! longer than 64 bytes pass through unchanged; so does this.

/// A condition on the stem left once a rule's suffix is cut.
#[derive(Clone, Copy)]
enum When {
    Always,
    /// m > 0: the stem has a vowel followed by a consonant.
    Measure1,
    /// m > 1.
    Measure2,
    /// m > 1 and the stem ends in `s` or `t`.
    Measure2SorT,
    /// The stem holds a vowel.
    Vowel,
}

type Rule = (&'static str, When, &'static str);

const STEP_1B: &[Rule] = &[
    ("eed", When::Measure1, "ee"),
    ("ed", When::Vowel, ""),
    ("ing", When::Vowel, ""),
];

const STEP_1B_AFTER: &[Rule] = &[
    ("at", When::Always, "ate"),
    ("bl", When::Always, "ble"),
    ("iz", When::Always, "ize"),
];

const STEP_2: &[Rule] = &[
    ("ational", When::Measure1, "ate"),
    ("tional", When::Measure1, "tion"),
    ("enci", When::Measure1, "ence"),
    ("anci", When::Measure1, "ance"),
    ("izer", When::Measure1, "ize"),
    ("logi", When::Measure1, "log"),
    ("bli", When::Measure1, "ble"),
    ("alli", When::Measure1, "al"),
    ("entli", When::Measure1, "ent"),
    ("eli", When::Measure1, "e"),
    ("ousli", When::Measure1, "ous"),
    ("ization", When::Measure1, "ize"),
    ("ation", When::Measure1, "ate"),
    ("ator", When::Measure1, "ate"),
    ("alism", When::Measure1, "al"),
    ("iveness", When::Measure1, "ive"),
    ("fulness", When::Measure1, "ful"),
    ("ousness", When::Measure1, "ous"),
    ("aliti", When::Measure1, "al"),
    ("iviti", When::Measure1, "ive"),
    ("biliti", When::Measure1, "ble"),
];

const STEP_3: &[Rule] = &[
    ("icate", When::Measure1, "ic"),
    ("ative", When::Measure1, ""),
    ("alize", When::Measure1, "al"),
    ("iciti", When::Measure1, "ic"),
    ("ical", When::Measure1, "ic"),
    ("ful", When::Measure1, ""),
    ("ness", When::Measure1, ""),
];

const STEP_4: &[Rule] = &[
    ("al", When::Measure2, ""),
    ("ance", When::Measure2, ""),
    ("ence", When::Measure2, ""),
    ("er", When::Measure2, ""),
    ("ic", When::Measure2, ""),
    ("able", When::Measure2, ""),
    ("ible", When::Measure2, ""),
    ("ant", When::Measure2, ""),
    ("ement", When::Measure2, ""),
    ("ment", When::Measure2, ""),
    ("ent", When::Measure2, ""),
    ("ion", When::Measure2SorT, ""),
    ("ou", When::Measure2, ""),
    ("ism", When::Measure2, ""),
    ("ate", When::Measure2, ""),
    ("iti", When::Measure2, ""),
    ("ous", When::Measure2, ""),
    ("ive", When::Measure2, ""),
    ("ize", When::Measure2, ""),
];

/// The FTS5 Porter stem of one token as FTS5's `unicode61` tokenizer gives it (lower case).
pub fn porter(token: &str) -> String {
    let bytes = token.as_bytes();
    if !(3..=64).contains(&bytes.len()) {
        return token.to_owned();
    }
    let mut w = bytes.to_vec();
    step_1a(&mut w);
    // `ed` and `ing` (not `eed`) cut, the stem is tidied.
    if let Some((rule, true)) = apply(&mut w, STEP_1B)
        && rule > 0
        && apply(&mut w, STEP_1B_AFTER).is_none()
    {
        let last = w[w.len() - 1];
        // Here `y` counts as a consonant whatever precedes it.
        if !b"aeiou".contains(&last) && !b"lsz".contains(&last) && ends_doubled(&w) {
            w.pop();
        } else if measure(&w) == 1 && ends_cvc(&w) {
            w.push(b'e');
        }
    }
    if w.last() == Some(&b'y') && has_vowel(&w[..w.len() - 1]) {
        let end = w.len() - 1;
        w[end] = b'i';
    }
    apply(&mut w, STEP_2);
    apply(&mut w, STEP_3);
    apply(&mut w, STEP_4);
    if w.last() == Some(&b'e') {
        let stem = &w[..w.len() - 1];
        let m = measure(stem);
        if m > 1 || (m == 1 && !ends_cvc(stem)) {
            w.pop();
        }
    }
    if w.len() > 1 && w.ends_with(b"ll") && measure(&w[..w.len() - 1]) > 1 {
        w.pop();
    }
    // Only ASCII bytes are ever cut or added, so the bytes stay UTF-8.
    String::from_utf8(w).unwrap_or_else(|_| token.to_owned())
}

/// Plurals: `sses` → `ss`, `ies` → `i`, `ss` stays, `s` goes.
fn step_1a(w: &mut Vec<u8>) {
    let n = w.len();
    if w[n - 1] != b's' {
        return;
    }
    if w[n - 2] == b'e' {
        let cut_two =
            (n > 4 && w[n - 4] == b's' && w[n - 3] == b's') || (n > 3 && w[n - 3] == b'i');
        w.truncate(if cut_two { n - 2 } else { n - 1 });
    } else if w[n - 2] != b's' {
        w.truncate(n - 1);
    }
}

/// The first rule whose suffix ends `w` (with at least one byte before it) decides: its
/// replacement is made when its condition holds. `None`: no suffix matched; else the rule's
/// place in `rules` and whether it applied.
fn apply(w: &mut Vec<u8>, rules: &[Rule]) -> Option<(usize, bool)> {
    let (rule, (suffix, when, replacement)) = rules
        .iter()
        .enumerate()
        .find(|(_, (suffix, ..))| w.len() > suffix.len() && w.ends_with(suffix.as_bytes()))?;
    let stem = w.len() - suffix.len();
    let holds = match when {
        When::Always => true,
        When::Measure1 => measure(&w[..stem]) > 0,
        When::Measure2 => measure(&w[..stem]) > 1,
        When::Measure2SorT => b"st".contains(&w[stem - 1]) && measure(&w[..stem]) > 1,
        When::Vowel => has_vowel(&w[..stem]),
    };
    if holds {
        w.truncate(stem);
        w.extend_from_slice(replacement.as_bytes());
    }
    Some((rule, holds))
}

/// A consonant is any byte but a, e, i, o, u, and but a `y` after a consonant.
fn is_consonant(w: &[u8], i: usize) -> bool {
    match w[i] {
        b'a' | b'e' | b'i' | b'o' | b'u' => false,
        b'y' => i == 0 || !is_consonant(w, i - 1),
        _ => true,
    }
}

/// `*v*`, as FTS5 tests it: a, e, i, o or u anywhere, or a `y` anywhere but first (whatever
/// precedes it, unlike the consonant rule).
fn has_vowel(w: &[u8]) -> bool {
    w.iter()
        .enumerate()
        .any(|(i, &c)| b"aeiou".contains(&c) || (c == b'y' && i > 0))
}

/// Porter's m: the number of vowel-consonant sequences in `[C](VC){m}[V]`, counted up to 2
/// (no rule asks for more).
fn measure(w: &[u8]) -> usize {
    let mut m = 0;
    let mut i = 0;
    while i < w.len() && is_consonant(w, i) {
        i += 1;
    }
    while i < w.len() && m < 2 {
        while i < w.len() && !is_consonant(w, i) {
            i += 1;
        }
        if i == w.len() {
            break;
        }
        m += 1;
        while i < w.len() && is_consonant(w, i) {
            i += 1;
        }
    }
    m
}

fn ends_doubled(w: &[u8]) -> bool {
    let n = w.len();
    n >= 2 && w[n - 1] == w[n - 2]
}

/// `*o`: the word ends consonant-vowel-consonant, the last not `w`, `x` or `y`.
fn ends_cvc(w: &[u8]) -> bool {
    let n = w.len();
    n >= 3
        && !b"wxy".contains(&w[n - 1])
        && is_consonant(w, n - 1)
        && !is_consonant(w, n - 2)
        && is_consonant(w, n - 3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rusqlite::Connection;

    /// FTS5's own stems of `words`, read back from a scratch index.
    fn fts5_stems(words: &[String]) -> Vec<String> {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE VIRTUAL TABLE t USING fts5(w, tokenize = 'porter unicode61 remove_diacritics 2');
             CREATE VIRTUAL TABLE v USING fts5vocab(t, instance);",
        )
        .unwrap();
        conn.execute("INSERT INTO t(rowid, w) VALUES (1, ?1)", [words.join(" ")])
            .unwrap();
        let mut stmt = conn.prepare("SELECT term FROM v ORDER BY offset").unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn known_stems() {
        for (word, stem) in [
            ("caresses", "caress"),
            ("ponies", "poni"),
            ("cats", "cat"),
            ("feed", "feed"),
            ("agreed", "agre"),
            ("plastered", "plaster"),
            ("motoring", "motor"),
            ("conflated", "conflat"),
            ("hopping", "hop"),
            ("filing", "file"),
            ("happy", "happi"),
            ("relational", "relat"),
            ("deployment", "deploy"),
            ("certificates", "certif"),
            ("maintenance", "mainten"),
            ("replication", "replic"),
            ("controll", "control"),
            ("ab", "ab"),
        ] {
            assert_eq!(porter(word), stem, "{word}");
        }
    }

    #[test]
    fn agrees_with_fts5_on_english_endings() {
        let words: Vec<String> = [
            "deploym",
            "certifica",
            "relief",
            "rsync",
            "kubectl",
            "gener",
        ]
        .iter()
        .flat_map(|w| {
            [
                "", "s", "es", "ed", "ing", "y", "ies", "ation", "ment", "ness", "ally",
            ]
            .iter()
            .map(move |e| format!("{w}{e}"))
        })
        .collect();
        let ours: Vec<String> = words.iter().map(|w| porter(w)).collect();
        assert_eq!(ours, fts5_stems(&words));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Random words, weighted towards the letters and endings the rules look at.
        #[test]
        fn agrees_with_fts5(words in prop::collection::vec(
            "[a-z]{0,6}(y|e|s|ed|ing|ies|sses|ational|tional|enci|anci|izer|logi|bli|alli|entli|eli|ousli|ization|ation|ator|alism|iveness|fulness|ousness|aliti|iviti|biliti|icate|ative|alize|iciti|ical|ful|ness|al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|sion|tion|ou|ism|ate|iti|ous|ive|ize|ll|at|bl|iz|[a-z]{0,3})",
            1..40,
        )) {
            let words: Vec<String> = words.into_iter().filter(|w| !w.is_empty()).collect();
            prop_assume!(!words.is_empty());
            let ours: Vec<String> = words.iter().map(|w| porter(w)).collect();
            prop_assert_eq!(ours, fts5_stems(&words), "{:?}", words);
        }
    }
}
