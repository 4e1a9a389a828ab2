//! What the snapshot keeps instead of strings: domains, kinds and members interned once each,
//! and record ids packed into 128 bits. A repertoire of a million entries has a few dozen
//! domains, a few kinds and ten thousand members; a String per row for each was most of the
//! snapshot's memory and much of its time.

use std::cmp::Ordering;

use rustc_hash::FxHashMap as HashMap;

use crate::identity::{Identities, Spellings};
use crate::timefmt::Millis;

/// One kind of name, interned: each distinct text gets the next number.
#[derive(Default)]
pub(super) struct Interned {
    index: HashMap<Box<str>, u32>,
    names: Vec<String>,
    /// The last text met and its number: rows come in index order, grouped by kind and domain,
    /// so most rows name what the row before named.
    last: Option<u32>,
}

impl Interned {
    /// `name` as SQLite gives it: compared as bytes with the last name met first, checked as
    /// UTF-8 only when it is not that one.
    pub(super) fn intern_bytes(&mut self, name: &[u8]) -> anyhow::Result<u32> {
        if let Some(i) = self.last
            && self.names[i as usize].as_bytes() == name
        {
            return Ok(i);
        }
        Ok(self.intern(std::str::from_utf8(name)?))
    }

    pub(super) fn intern(&mut self, name: &str) -> u32 {
        if let Some(i) = self.last
            && self.names[i as usize] == name
        {
            return i;
        }
        let i = match self.index.get(name) {
            Some(i) => *i,
            None => {
                let i = self.names.len() as u32;
                self.names.push(name.to_owned());
                self.index.insert(name.into(), i);
                i
            }
        };
        self.last = Some(i);
        i
    }

    pub(super) fn get(&self, i: u32) -> &str {
        &self.names[i as usize]
    }

    pub(super) fn names(&self) -> &[String] {
        &self.names
    }
}

/// Members, interned by identity (case and aliases: [`crate::identity`]), so that every
/// spelling of one member counts as one; each shows as first written once
/// [`Members::settle`] has run. Each spelling is folded once, not once a row.
pub(super) struct Members {
    identities: Identities,
    by_key: Interned,
    /// Each member spelling met (as bytes, so that a known one needs no UTF-8 check), with its
    /// member's number and when it was first written.
    spellings: HashMap<Box<[u8]>, (u32, Millis)>,
}

impl Members {
    pub(super) fn new(identities: Identities) -> Members {
        Members {
            identities,
            by_key: Interned::default(),
            spellings: HashMap::default(),
        }
    }

    pub(super) fn intern(&mut self, name: &[u8], at: Millis) -> anyhow::Result<u32> {
        if let Some((i, first)) = self.spellings.get_mut(name) {
            *first = (*first).min(at);
            return Ok(*i);
        }
        let i = self
            .by_key
            .intern(&self.identities.key(std::str::from_utf8(name)?));
        self.spellings.insert(name.into(), (i, at));
        Ok(i)
    }

    /// Every member's name as it shows: [`Spellings::display`] of its key.
    pub(super) fn settle(self) -> Interned {
        let mut shown = Spellings::new(self.identities);
        for (spelling, (_, first)) in &self.spellings {
            // Checked as UTF-8 when first met.
            shown.note(&String::from_utf8_lossy(spelling), *first);
        }
        let mut names = self.by_key;
        for name in &mut names.names {
            *name = shown.display(name);
        }
        names.index.clear();
        names.last = None;
        names
    }
}

/// A record id as rep writes it (a lowercase hyphenated UUID), as a number whose order is the
/// text's order: the hyphens stand at the same places in every such id, and the hex digits
/// `0-9a-f` sort as their values. Any other id is `None` and is kept as text.
pub(super) fn pack_id(id: &[u8]) -> Option<u128> {
    if id.len() != 36 || [8, 13, 18, 23].iter().any(|&i| id[i] != b'-') {
        return None;
    }
    let mut value = 0u128;
    for part in [&id[..8], &id[9..13], &id[14..18], &id[19..23], &id[24..]] {
        for &b in part {
            let digit = HEX[usize::from(b)];
            if digit == NOT_HEX {
                return None;
            }
            value = (value << 4) | u128::from(digit);
        }
    }
    Some(value)
}

const NOT_HEX: u8 = 0xff;

/// The value of each lowercase hex digit; [`NOT_HEX`] for every other byte.
const HEX: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// The text of a packed id: [`pack_id`] undone.
pub(super) fn unpack_id(value: u128) -> String {
    let hex = format!("{value:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// An entry's id: packed, or as text when it is not one rep writes.
#[derive(Clone, Copy)]
pub(super) enum IdRef<'a> {
    Packed(u128),
    Text(&'a str),
}

impl IdRef<'_> {
    pub(super) fn to_text(self) -> String {
        match self {
            IdRef::Packed(v) => unpack_id(v),
            IdRef::Text(t) => t.to_owned(),
        }
    }

    /// The order of the ids' texts.
    pub(super) fn cmp_text(self, other: IdRef<'_>) -> Ordering {
        match (self, other) {
            (IdRef::Packed(a), IdRef::Packed(b)) => a.cmp(&b),
            (IdRef::Text(a), IdRef::Text(b)) => a.cmp(b),
            (a, b) => a.to_text().cmp(&b.to_text()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_ids_sort_as_their_text_and_unpack_to_it() {
        let mut ids: Vec<String> = (0..200).map(|_| crate::ids::new_id()).collect();
        ids.push("00000000-0000-0000-0000-000000000000".into());
        ids.push("ffffffff-ffff-ffff-ffff-ffffffffffff".into());
        for id in &ids {
            assert_eq!(unpack_id(pack_id(id.as_bytes()).unwrap()), *id);
        }
        let mut by_text = ids.clone();
        by_text.sort();
        let mut by_value = ids.clone();
        by_value.sort_by_key(|id| pack_id(id.as_bytes()).unwrap());
        assert_eq!(by_text, by_value);
        for odd in [
            "",
            "abc",
            "ABCDEF00-0000-0000-0000-000000000000",
            "0000000000000-0000-0000-000000000000",
        ] {
            assert_eq!(pack_id(odd.as_bytes()), None, "{odd:?}");
        }
        let (a, b) = (
            IdRef::Text("zzz"),
            IdRef::Packed(pack_id(ids[0].as_bytes()).unwrap()),
        );
        assert_eq!(a.cmp_text(b), Ordering::Greater);
        assert_eq!(b.cmp_text(a), Ordering::Less);
    }

    /// What [`pack_id`] must agree with: the id's hex digits read as one number, when it is a
    /// lowercase hyphenated UUID's shape.
    fn packed_by_text(id: &[u8]) -> Option<u128> {
        let text = std::str::from_utf8(id).ok()?;
        let shape = text.len() == 36
            && text.char_indices().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => c == '-',
                _ => c.is_ascii_digit() || ('a'..='f').contains(&c),
            });
        shape.then(|| u128::from_str_radix(&text.replace('-', ""), 16).ok())?
    }

    proptest::proptest! {
        #[test]
        fn pack_id_reads_exactly_the_ids_rep_writes(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(b"0123456789abcdef-".to_vec()),
                    proptest::sample::select(b"ABCDEFgxyz/:@`G ".to_vec()),
                    proptest::num::u8::ANY,
                ],
                34..=38,
            ),
            hyphens in proptest::bool::ANY,
        ) {
            let mut id = bytes;
            if hyphens && id.len() == 36 {
                for i in [8, 13, 18, 23] {
                    id[i] = b'-';
                }
            }
            proptest::prop_assert_eq!(pack_id(&id), packed_by_text(&id));
        }
    }
}
