//! The `#[term(...)]` option keywords of `#[derive(ToTerm, FromTerm)]`, in one place.

/// The helper attribute's name.
pub const ATTR: &str = "term";
/// Struct: a tuple of the fields instead of a map.
pub const TUPLE: &str = "tuple";
/// Struct: a record `{name, F1, ...}`, optionally `record = "name"`.
pub const RECORD: &str = "record";
/// `rename = "..."`: the atom of a struct, variant or map key.
pub const RENAME: &str = "rename";
/// Single-field struct or variant: the inner value alone.
pub const TRANSPARENT: &str = "transparent";
/// Field of a map struct: `Default::default()` when the key is missing.
pub const DEFAULT: &str = "default";
/// Struct written as a map: an Elixir struct, `elixir_struct = "MyApp.Point"` (the map also
/// holds `__struct__ => 'Elixir.MyApp.Point'`).
pub const ELIXIR_STRUCT: &str = "elixir_struct";

/// The options each kind of item takes, for checking and for messages.
pub const ON_STRUCT: &[&str] = &[TUPLE, RECORD, RENAME, TRANSPARENT, ELIXIR_STRUCT];
pub const ON_ENUM: &[&str] = &[];
pub const ON_VARIANT: &[&str] = &[RENAME, TRANSPARENT];
pub const ON_FIELD: &[&str] = &[RENAME, DEFAULT];

/// Every option, for suggestions.
pub const ALL: &[&str] = &[TUPLE, RECORD, RENAME, TRANSPARENT, DEFAULT, ELIXIR_STRUCT];
