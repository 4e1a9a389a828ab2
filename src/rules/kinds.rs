//! Which kinds of entry take part in which rules.

use crate::model::Kind;

/// The kinds, as stored, that have a status (open, answered, resolved) and occurrences, and so
/// can recur and be documented: problems and questions.
pub const WITH_STATUS: &[&str] = &[Kind::Problem.word(), Kind::Question.word()];

/// Whether entries of `kind` (a [`Kind`] or the word stored; a later kind has none) have a
/// status and occurrences.
pub fn has_status(kind: &(impl AsRef<str> + ?Sized)) -> bool {
    WITH_STATUS.contains(&kind.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_questions_and_problems_have_a_status() {
        assert!(has_status("question") && has_status("problem"));
        assert!(!has_status("tool") && !has_status("story") && !has_status("doc"));
        assert!(!has_status("recipe"), "a later kind has none");
        assert!(has_status(&Kind::Question) && !has_status(&Kind::Other("recipe".into())));
    }
}
