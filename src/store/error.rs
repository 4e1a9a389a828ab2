//! What the store refuses, as values: an id that names no reply, or names one in the wrong state.
//! The store never writes a sentence for the user; `error.rs` turns each refusal into its
//! message, exit code and hint, in one place.

/// A reply id as typed that the store cannot take. `input` is the text as the user gave it,
/// unsanitised: whoever shows it sanitises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyIdError {
    /// Shorter than the shortest prefix, or not hex.
    NotAnId { input: String },
    /// It names an entry, not a reply.
    AnEntry { input: String },
    /// No reply has an id that starts so.
    NoSuch { input: String },
    /// More than one reply starts so.
    Ambiguous { input: String },
    /// More than one record (replies and entries together) starts so.
    AmbiguousRecord { input: String },
    /// The reply is deleted and the command wants a live one.
    Deleted { input: String },
    /// The reply is live and the command wants a deleted one.
    NotDeleted { input: String },
}

// Display (the message) lives in error.rs with the hints: the store writes no sentences.
impl std::error::Error for ReplyIdError {}
