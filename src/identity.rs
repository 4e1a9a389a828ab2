//! Who is who: member names compare case-insensitively (`Bruno` and `bruno` are one member)
//! and through the aliases members declare (`rep members alias bruno b.rossi`), and each
//! member shows by the spelling first written. The one owner of that rule: the snapshot behind
//! members, map, gaps and stats, `rep who` and the author filter all ask [`Identities`].

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use crate::timefmt::Millis;

/// A member name is one short line of printable text.
pub fn validate_member(name: &str) -> Result<String, crate::model::ValueError> {
    let trimmed = name.trim();
    if trimmed.is_empty()
        || trimmed.chars().count() > crate::limits::MEMBER_CHARS
        || trimmed.chars().any(char::is_control)
    {
        return Err(crate::model::ValueError::Member {
            input: trimmed.to_owned(),
        });
    }
    Ok(trimmed.to_owned())
}

/// The form two names are compared in: trimmed, NFC, lower case.
pub fn fold(name: &str) -> String {
    name.trim().nfc().collect::<String>().to_lowercase()
}

/// The declared aliases, folded: each alias names one member.
#[derive(Debug, Default, Clone)]
pub struct Identities {
    alias_to_member: HashMap<String, String>,
}

impl Identities {
    /// From `(alias, member)` pairs as stored; the latest declaration of an alias wins.
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Identities {
        Identities {
            alias_to_member: pairs
                .into_iter()
                .map(|(alias, member)| (fold(&alias), fold(&member)))
                .collect(),
        }
    }

    /// The key that every spelling and alias of one member shares.
    pub fn key(&self, name: &str) -> String {
        let folded = fold(name);
        match self.alias_to_member.get(&folded) {
            Some(member) => member.clone(),
            None => folded,
        }
    }
}

/// Which spelling shows for each member: the earliest written of the member's own name, and
/// an alias only for a member who never wrote under the name itself.
#[derive(Debug, Default)]
pub struct Spellings {
    identities: Identities,
    best: HashMap<String, (bool, Millis, String)>,
    /// Every spelling noted, by member key.
    all: HashMap<String, Vec<String>>,
}

impl Spellings {
    pub fn new(identities: Identities) -> Spellings {
        Spellings {
            identities,
            best: HashMap::new(),
            all: HashMap::new(),
        }
    }

    /// `name` was written at `at`; returns the member's key.
    pub fn note(&mut self, name: &str, at: Millis) -> String {
        let key = self.identities.key(name);
        let candidate = (fold(name) != key, at, name.trim().to_owned());
        let all = self.all.entry(key.clone()).or_default();
        if !all.iter().any(|s| s == name) {
            all.push(name.to_owned());
        }
        match self.best.get_mut(&key) {
            Some(best) if candidate < *best => *best = candidate,
            Some(_) => {}
            None => {
                self.best.insert(key.clone(), candidate);
            }
        }
        key
    }

    /// Every spelling of the member `name` noted so far (none when it was never written).
    pub fn spellings_of(&self, name: &str) -> Vec<String> {
        self.all
            .get(&self.identities.key(name))
            .cloned()
            .unwrap_or_default()
    }

    /// How the member `name` (any spelling or alias) shows.
    pub fn display(&self, name: &str) -> String {
        let key = self.identities.key(name);
        match self.best.get(&key) {
            Some((_, _, spelling)) => spelling.clone(),
            None => name.trim().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_differing_in_case_are_one_member() {
        let ids = Identities::default();
        assert_eq!(ids.key("Bruno"), ids.key("bruno "));
        assert_eq!(ids.key("ÉMILE"), ids.key("émile"));
        assert_ne!(ids.key("bruno"), ids.key("bruna"));
    }

    #[test]
    fn aliases_resolve_to_their_member() {
        let ids = Identities::new([("b.rossi".to_owned(), "Bruno".to_owned())]);
        assert_eq!(ids.key("B.Rossi"), ids.key("bruno"));
        assert_eq!(ids.key("b.rossi"), "bruno");
    }

    #[test]
    fn the_first_spelling_of_the_name_itself_shows() {
        let ids = Identities::new([("b.rossi".to_owned(), "bruno".to_owned())]);
        let mut s = Spellings::new(ids);
        s.note("b.rossi", 1);
        assert_eq!(s.display("bruno"), "b.rossi", "only the alias was written");
        s.note("bruno", 5);
        s.note("Bruno", 3);
        assert_eq!(s.display("B.ROSSI"), "Bruno");
    }
}
