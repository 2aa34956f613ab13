//! The `Driver` trait as the attribute knows it: the names of its associated types, and the
//! closed table of its callbacks.
//!
//! Check and expand read everything callback-specific off [`CALLBACKS`]: which methods
//! exist, what they take, which `Slots` flag each one sets, what the block must write and
//! what it needs besides. No other module names a callback.

use syn::ImplItem;

use super::commands::{Command, Kind};

/// The trait the attribute goes on, matched by the last segment of the path.
pub const TRAIT: &str = "Driver";
/// The associated type of async job results; `()` unless the block sets it.
pub const ASYNC: &str = "Async";
/// The associated types of typed `port_call`, read off the callback that
/// [`Needs::CallTypes`] unless the block sets them.
pub const CALL_ARGS: &str = "CallArgs";
pub const CALL_REPLY: &str = "CallReply";

/// One `ErlDrvEntry` callback and the `Driver` method behind it.
pub struct Callback {
    /// The method name, which is also the `ErlDrvEntry` field and, for [`Slot::Flag`], the
    /// `Slots` field.
    pub name: &'static str,
    /// How the method receives the port's state.
    pub receiver: Receiver,
    /// Why the method takes what it does, where that is not what its kind takes; said when
    /// the block gets the receiver or the parameters wrong.
    pub why: Option<&'static str>,
    /// Parameters the attribute counts itself, for the few callbacks where rustc's "expected
    /// N parameters" would not say why.
    pub params: Option<Params>,
    /// How `erldrv::__private::entry` fills the slot.
    pub slot: Slot,
    /// Whether the block may leave the method out.
    pub presence: Presence,
    /// What else in the block the method's signature involves.
    pub needs: Needs,
    /// Whether the `#[command]` dispatch runs in the callback.
    pub commands: Commands,
    /// Whether the block's method gets `#[inline]` (unless it carries an `inline`
    /// attribute of its own): a request callback, run for every `port_command`,
    /// `port_control` or `port_call`. Its trampoline is its one caller, and compiled into
    /// it the method costs no second prologue and no result passed through memory: for a
    /// small `port_call` that is a tenth of the time the driver adds.
    pub inline: bool,
    /// The C signature, for messages.
    pub c_signature: &'static str,
    /// The Rust signature, for messages.
    pub rust_shape: &'static str,
}

/// How a method receives the port's state.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Receiver {
    /// No `self`: driver-level callbacks, `start` (which creates the state) and
    /// `stop_select` (which runs without a port).
    None,
    /// `&mut self`: port callbacks.
    RefMut,
    /// `self`: `stop`, which consumes the state.
    Value,
    /// `&self`: no callback takes it (the state is always exclusively borrowed); a block
    /// can still write it.
    Ref,
}

impl Receiver {
    /// The receiver as a message says it: "this callback takes ...".
    pub fn describe(self) -> &'static str {
        match self {
            Receiver::None => "no `self`",
            Receiver::RefMut => "`&mut self`",
            Receiver::Value => "`self`",
            Receiver::Ref => "`&self`",
        }
    }
}

/// A parameter count the attribute checks (receiver included).
pub struct Params {
    pub count: usize,
    /// What the method takes, said when parameters are missing: "takes the event to close".
    pub missing: &'static str,
    /// What the method takes, said when there are too many: "takes only the event".
    pub extra: &'static str,
}

/// How the driver entry's slot is filled.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Slot {
    /// NULL unless the block writes the method: the `Slots` field of the same name says
    /// which.
    Flag,
    /// NULL unless the block writes the method or the attribute has `watch_callers` (the
    /// framework's monitors of `Request::watch_caller` arrive there); a `Slots` field.
    FlagOrWatchCallers,
    /// Always installed, because the framework uses it (the state, its own timer,
    /// `select_owned` descriptors, driver threads and pools); unwritten, the trait's
    /// default runs.
    Always,
}

impl Slot {
    /// Whether `erldrv::__private::Slots` has a field for the callback.
    pub fn has_field(self) -> bool {
        self != Slot::Always
    }
}

/// Whether the block may leave the method out.
#[derive(Clone, Copy)]
pub enum Presence {
    /// The trait has a default.
    Optional,
    /// The trait has no default.
    Required {
        /// Why a driver needs it, for the message when it is missing.
        why: &'static str,
        /// A stand-in that never runs, added to the block re-emitted beside the errors so
        /// that rustc does not report the method missing a second time.
        stub: fn() -> ImplItem,
    },
}

/// What else in the block a method's signature involves.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Needs {
    Nothing,
    /// The parameter at this index (receiver included) is `Self::Async`.
    AsyncType {
        param: usize,
    },
    /// The parameter at `args` (receiver included) and the `Ok` type of the result define
    /// `CallArgs` and `CallReply`.
    CallTypes {
        args: usize,
    },
}

/// What `#[command]` methods do to a callback.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Commands {
    Unused,
    /// The dispatch runs in the callback: its slot is filled when the block has commands
    /// of a kind in `filled_for`, and a block with commands of a kind in `taken_by` cannot
    /// write the method itself (the dispatch takes every call of the callback).
    Dispatch {
        filled_for: &'static [Kind],
        taken_by: &'static [Kind],
    },
}

impl Commands {
    /// Whether the slot is filled for these commands.
    pub fn fills(self, commands: &[Command]) -> bool {
        match self {
            Commands::Unused => false,
            Commands::Dispatch { filled_for, .. } => {
                commands.iter().any(|c| filled_for.contains(&c.kind))
            }
        }
    }

    /// The first command that keeps the block from writing the method.
    pub fn taken_by(self, commands: &[Command]) -> Option<&Command> {
        match self {
            Commands::Unused => None,
            Commands::Dispatch { taken_by, .. } => {
                commands.iter().find(|c| taken_by.contains(&c.kind))
            }
        }
    }
}

/// A driver-level callback: no state, a `Slots` flag of its own, nothing needed.
const fn driver(name: &'static str, c: &'static str, rust: &'static str) -> Callback {
    Callback {
        receiver: Receiver::None,
        ..port(name, c, rust)
    }
}

/// A port callback: `&mut self`, a `Slots` flag of its own, nothing needed.
const fn port(name: &'static str, c: &'static str, rust: &'static str) -> Callback {
    Callback {
        name,
        receiver: Receiver::RefMut,
        why: None,
        params: None,
        slot: Slot::Flag,
        presence: Presence::Optional,
        needs: Needs::Nothing,
        commands: Commands::Unused,
        inline: false,
        c_signature: c,
        rust_shape: rust,
    }
}

/// A request callback: a port callback that the attribute marks `#[inline]`.
const fn request(name: &'static str, c: &'static str, rust: &'static str) -> Callback {
    Callback {
        inline: true,
        ..port(name, c, rust)
    }
}

const STOP_SELECT_WHY: &str = "it runs with no port and no lock, possibly after the port is gone, and must not use the driver API";

fn start_stub() -> ImplItem {
    syn::parse_quote! {
        fn start(
            _: &::erldrv::Port<'_>,
            _: &[u8],
        ) -> ::core::result::Result<Self, ::erldrv::StartError> {
            ::core::unreachable!()
        }
    }
}

/// Every callback, in the order of the `Driver` trait's methods (which is also the order of
/// the `Slots` fields and of the list in messages).
pub const CALLBACKS: &[Callback] = &[
    driver(
        "init",
        "int (*init)(void)",
        "fn init() -> Result<(), InitError>",
    ),
    Callback {
        slot: Slot::Always,
        ..driver("finish", "void (*finish)(void)", "fn finish()")
    },
    Callback {
        slot: Slot::Always,
        presence: Presence::Required {
            why: "it creates the port's state when open_port/2 is called",
            stub: start_stub,
        },
        ..driver(
            "start",
            "ErlDrvData (*start)(ErlDrvPort, char *)",
            "fn start(port: &Port, command: &[u8]) -> Result<Self, StartError>",
        )
    },
    Callback {
        receiver: Receiver::Value,
        why: Some("it consumes the port's state"),
        slot: Slot::Always,
        ..port(
            "stop",
            "void (*stop)(ErlDrvData)",
            "fn stop(self, port: &Port)",
        )
    },
    request(
        "output",
        "void (*output)(ErlDrvData, char *, ErlDrvSizeT)",
        "fn output(&mut self, port: &Port, data: &[u8])",
    ),
    request(
        "outputv",
        "void (*outputv)(ErlDrvData, ErlIOVec *)",
        "fn outputv(&mut self, port: &Port, data: IoVec<'_>)",
    ),
    Callback {
        // Async commands arrive as requests, and erldrv:commands/1 reads the table here.
        commands: Commands::Dispatch {
            filled_for: &[Kind::Sync, Kind::Async, Kind::Bytes],
            taken_by: &[Kind::Bytes],
        },
        ..request(
            "control",
            "ErlDrvSSizeT (*control)(ErlDrvData, unsigned int, char *, ErlDrvSizeT, char **, ErlDrvSizeT)",
            "fn control(&mut self, port: &Port, command: u32, data: &[u8], reply: &mut Reply) -> Result<(), Badarg>",
        )
    },
    Callback {
        needs: Needs::CallTypes { args: 3 },
        commands: Commands::Dispatch {
            filled_for: &[Kind::Sync],
            taken_by: &[Kind::Sync],
        },
        ..request(
            "call",
            "ErlDrvSSizeT (*call)(ErlDrvData, unsigned int, char *, ErlDrvSizeT, char **, ErlDrvSizeT, unsigned int *)",
            "fn call(&mut self, port: &Port, command: u32, args: Args) -> Result<Reply, CallError>",
        )
    },
    Callback {
        needs: Needs::AsyncType { param: 2 },
        ..port(
            "ready_async",
            "void (*ready_async)(ErlDrvData, ErlDrvThreadData)",
            "fn ready_async(&mut self, port: &Port, result: Result<Self::Async, JobPanic>)",
        )
    },
    port(
        "ready_input",
        "void (*ready_input)(ErlDrvData, ErlDrvEvent)",
        "fn ready_input(&mut self, port: &Port, event: Event)",
    ),
    port(
        "ready_output",
        "void (*ready_output)(ErlDrvData, ErlDrvEvent)",
        "fn ready_output(&mut self, port: &Port, event: Event)",
    ),
    Callback {
        slot: Slot::Always,
        ..port(
            "timeout",
            "void (*timeout)(ErlDrvData)",
            "fn timeout(&mut self, port: &Port)",
        )
    },
    port(
        "flush",
        "void (*flush)(ErlDrvData)",
        "fn flush(&mut self, port: &Port)",
    ),
    Callback {
        slot: Slot::FlagOrWatchCallers,
        ..port(
            "process_exit",
            "void (*process_exit)(ErlDrvData, ErlDrvMonitor *)",
            "fn process_exit(&mut self, port: &Port, monitor: Monitor)",
        )
    },
    Callback {
        why: Some(STOP_SELECT_WHY),
        params: Some(Params {
            count: 1,
            missing: "the event to close",
            extra: "only the event",
        }),
        slot: Slot::Always,
        ..driver(
            "stop_select",
            "void (*stop_select)(ErlDrvEvent, void *)",
            "fn stop_select(event: Event)",
        )
    },
];

/// The callback a method of this name implements.
pub fn find(name: &str) -> Option<&'static Callback> {
    CALLBACKS.iter().find(|c| c.name == name)
}

/// Every callback's name, in table order.
pub fn names() -> impl Iterator<Item = &'static str> {
    CALLBACKS.iter().map(|c| c.name)
}

/// The callback that requests (`erldrv:request/3,4`, so async commands) arrive in.
pub fn requests() -> &'static Callback {
    // Always in the table (see the tests).
    find("control").unwrap_or(&CALLBACKS[0])
}

/// The one callback whose signature defines `CallArgs` and `CallReply`, and the index of its
/// arguments parameter.
pub fn call_types() -> Option<(&'static Callback, usize)> {
    CALLBACKS.iter().find_map(|c| match c.needs {
        Needs::CallTypes { args } => Some((c, args)),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::closest;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(closest("ouptut", names()), Some("output"));
        assert_eq!(closest("ready_inptu", names()), Some("ready_input"));
        assert_eq!(closest("controll", names()), Some("control"));
        assert_eq!(closest("frobnicate", names()), None);
    }

    #[test]
    fn names_are_unique() {
        for (i, a) in CALLBACKS.iter().enumerate() {
            assert!(
                CALLBACKS[i + 1..].iter().all(|b| b.name != a.name),
                "{} twice",
                a.name
            );
        }
    }

    /// The flags are the fields of `erldrv::__private::Slots`, in its order: the generated
    /// code names each one.
    #[test]
    fn flags_are_the_runtime_slots_fields() {
        let flags: Vec<_> = CALLBACKS
            .iter()
            .filter(|c| c.slot.has_field())
            .map(|c| c.name)
            .collect();
        assert_eq!(
            flags,
            [
                "init",
                "output",
                "outputv",
                "control",
                "call",
                "ready_async",
                "ready_input",
                "ready_output",
                "flush",
                "process_exit"
            ]
        );
    }

    #[test]
    fn only_start_is_required_and_it_creates_the_state() {
        let required: Vec<_> = CALLBACKS
            .iter()
            .filter(|c| matches!(c.presence, Presence::Required { .. }))
            .collect();
        assert_eq!(required.len(), 1);
        assert_eq!(required[0].name, "start");
        assert_eq!(required[0].receiver, Receiver::None);
        assert_eq!(required[0].slot, Slot::Always);
        let Presence::Required { stub, .. } = required[0].presence else {
            unreachable!()
        };
        assert!(matches!(stub(), ImplItem::Fn(f) if f.sig.ident == "start"));
    }

    #[test]
    fn needs() {
        assert_eq!(
            call_types().map(|(c, args)| (c.name, args)),
            Some(("call", 3))
        );
        let async_type: Vec<_> = CALLBACKS
            .iter()
            .filter(|c| matches!(c.needs, Needs::AsyncType { .. }))
            .map(|c| (c.name, c.needs))
            .collect();
        assert_eq!(async_type, [("ready_async", Needs::AsyncType { param: 2 })]);
        assert_eq!(requests().name, "control");
        assert_eq!(find("stop_select").unwrap().receiver, Receiver::None);
        assert_eq!(
            find("stop_select").unwrap().params.as_ref().unwrap().count,
            1
        );
    }
}
