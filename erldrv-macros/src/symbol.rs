//! The attributes' option keywords, in one place.

/// `name = "..."`: the driver name.
pub const NAME: &str = "name";
/// Flag options and the `ERL_DRV_FLAG_*` constant each one sets.
pub const FLAGS: &[(&str, &str)] = &[
    ("port_locking", "ERL_DRV_FLAG_USE_PORT_LOCKING"),
    ("soft_busy", "ERL_DRV_FLAG_SOFT_BUSY"),
    ("no_busy_msgq", "ERL_DRV_FLAG_NO_BUSY_MSGQ"),
    ("init_ack", "ERL_DRV_FLAG_USE_INIT_ACK"),
];

/// Every option keyword, for suggestions.
pub fn all() -> impl Iterator<Item = &'static str> {
    core::iter::once(NAME).chain(FLAGS.iter().map(|(k, _)| *k))
}

/// The trait the attribute goes on.
pub const TRAIT: &str = "Driver";
/// The associated type the attribute defaults to `()`.
pub const ASYNC_TYPE: &str = "Async";
/// The associated types the attribute reads off the `call` method.
pub const CALL_ARGS: &str = "CallArgs";
pub const CALL_REPLY: &str = "CallReply";

/// `#[term(...)]` options of `#[derive(ToTerm, FromTerm)]`.
pub mod term {
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

    /// The options each kind of item takes, for checking and for messages.
    pub const ON_STRUCT: &[&str] = &[TUPLE, RECORD, RENAME, TRANSPARENT];
    pub const ON_ENUM: &[&str] = &[];
    pub const ON_VARIANT: &[&str] = &[RENAME, TRANSPARENT];
    pub const ON_FIELD: &[&str] = &[RENAME, DEFAULT];

    /// Every option, for suggestions.
    pub const ALL: &[&str] = &[TUPLE, RECORD, RENAME, TRANSPARENT, DEFAULT];
}
