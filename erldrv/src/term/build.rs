//! Term output (being written).
/// Builds a term for output.
pub struct TermBuilder;
/// A term that cannot be sent.
pub struct BuildError;
