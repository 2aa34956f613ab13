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
