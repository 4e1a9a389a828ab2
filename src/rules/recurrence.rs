//! Recurrence: when "hit this again" becomes a pattern of the community (docs/community.md).

/// Distinct members a recurring entry needs: one person hitting the same thing repeatedly is
/// not yet a pattern. Fixed, unlike the number of occurrences (`recurring.min_occurrences`).
pub const MIN_MEMBERS: u64 = 2;

/// At least `min_occurrences` occurrences from at least [`MIN_MEMBERS`] members.
pub fn is_recurring(occurrences: u64, members: u64, min_occurrences: u64) -> bool {
    occurrences >= min_occurrences && members >= MIN_MEMBERS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recurring_needs_both_occurrences_and_two_members() {
        assert!(is_recurring(3, 2, 3));
        assert!(!is_recurring(3, 1, 3));
        assert!(!is_recurring(2, 2, 3));
    }
}
