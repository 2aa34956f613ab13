//! The attribute's options, `#[erl_driver(name = "my_drv", port_locking, ...)]`: every
//! keyword, the one type they parse into, and the parsing, which reports each mistake at the
//! option that makes it.

use std::ffi::{CStr, CString};

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Meta, Token};

use crate::diag::{Errors, closest};

/// `name = "..."`: the driver name.
pub const NAME: &str = "name";

/// `workers = N`: the size of the driver's worker pool.
pub const WORKERS: &str = "workers";

/// `queue = N`: how many pool jobs may wait for a worker.
pub const QUEUE: &str = "queue";

/// `#[command]` on a method of the block: a command ([`commands`](super::commands)).
pub const COMMAND: &str = "command";
/// `#[command(async)]`: the command runs on the worker pool.
pub const COMMAND_ASYNC: &str = "async";
/// `#[command(id = N)]`: the command's number, instead of its name's hash.
pub const COMMAND_ID: &str = "id";

/// The options that take a positive integer.
const NUMBERS: [&str; 2] = [WORKERS, QUEUE];

/// A flag option: a keyword alone, which sets one `ERL_DRV_FLAG_*`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Flag {
    /// `port_locking`: one lock per port instead of one per driver.
    PortLocking,
    /// `soft_busy`: `output`/`outputv` may be called while the port is busy.
    SoftBusy,
    /// `no_busy_msgq`: no busy message-queue limits.
    NoBusyMsgq,
    /// `init_ack`: `open_port/2` waits for `Port::init_ack`.
    InitAck,
}

impl Flag {
    pub const ALL: [Flag; 4] = [
        Flag::PortLocking,
        Flag::SoftBusy,
        Flag::NoBusyMsgq,
        Flag::InitAck,
    ];

    pub const fn keyword(self) -> &'static str {
        match self {
            Flag::PortLocking => "port_locking",
            Flag::SoftBusy => "soft_busy",
            Flag::NoBusyMsgq => "no_busy_msgq",
            Flag::InitAck => "init_ack",
        }
    }

    /// The constant it sets, as `erldrv::__private::sys` names it.
    pub const fn constant(self) -> &'static str {
        match self {
            Flag::PortLocking => "ERL_DRV_FLAG_USE_PORT_LOCKING",
            Flag::SoftBusy => "ERL_DRV_FLAG_SOFT_BUSY",
            Flag::NoBusyMsgq => "ERL_DRV_FLAG_NO_BUSY_MSGQ",
            Flag::InitAck => "ERL_DRV_FLAG_USE_INIT_ACK",
        }
    }

    fn from_keyword(key: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.keyword() == key)
    }
}

/// A switch option: a keyword alone that changes what the attribute generates, not a
/// flag of the entry.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Switch {
    /// `watch_callers`: the entry gets `process_exit` (for `Request::watch_caller`) even
    /// when the block does not write it.
    WatchCallers,
    /// `candidate`: no `driver_init`; `erldrv::driver_init!` chooses among candidates at
    /// load time.
    Candidate,
}

impl Switch {
    pub const ALL: [Switch; 2] = [Switch::WatchCallers, Switch::Candidate];

    pub const fn keyword(self) -> &'static str {
        match self {
            Switch::WatchCallers => "watch_callers",
            Switch::Candidate => "candidate",
        }
    }

    fn from_keyword(key: &str) -> Option<Switch> {
        Switch::ALL.into_iter().find(|f| f.keyword() == key)
    }
}

/// Every option keyword, for suggestions and for the list in messages.
fn keywords() -> impl Iterator<Item = &'static str> {
    core::iter::once(NAME)
        .chain(NUMBERS)
        .chain(Flag::ALL.iter().map(|f| f.keyword()))
        .chain(Switch::ALL.iter().map(|f| f.keyword()))
}

/// The attribute's options. Those written wrong are left out (and reported).
#[derive(Default)]
pub struct Options {
    pub name: Option<DriverName>,
    /// In the order written.
    pub flags: Vec<Flag>,
    /// `workers = N`.
    pub workers: Option<usize>,
    /// `queue = N`.
    pub queue: Option<usize>,
    /// In the order written.
    pub switches: Vec<Switch>,
}

/// A valid driver name. It becomes a file name and a C string, so it is kept to a C
/// identifier.
#[derive(Debug)]
pub struct DriverName(CString);

impl DriverName {
    /// The name, or why it is not a valid one.
    pub fn new(name: &str) -> Result<DriverName, &'static str> {
        let mut chars = name.chars();
        match chars.next() {
            None => return Err("it is empty"),
            Some(c) if !(c.is_ascii_alphabetic() || c == '_') => {
                return Err("it must start with an ASCII letter or `_`");
            }
            _ => {}
        }
        if !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(
                "use only ASCII letters, digits and `_` (it is also the driver's file name)",
            );
        }
        if name.len() > 255 {
            return Err("it is longer than 255 bytes");
        }
        // Cannot fail: the characters are checked above.
        CString::new(name)
            .map(DriverName)
            .map_err(|_| "it contains a NUL byte")
    }

    pub fn as_c_str(&self) -> &CStr {
        &self.0
    }
}

impl Options {
    /// Parses the attribute's arguments. A syntax error, or an option that is not a plain
    /// keyword, is reported alone and leaves no options; otherwise every option is
    /// looked at and each mistake reported.
    pub fn parse(args: TokenStream, errors: &mut Errors) -> Options {
        let mut options = Options::default();
        let metas = match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args) {
            Ok(metas) => metas,
            Err(e) => {
                errors.push_error(e);
                return options;
            }
        };
        let keyed: syn::Result<Vec<(String, Meta)>> = metas
            .into_iter()
            .map(|meta| match meta.path().get_ident() {
                Some(key) => Ok((key.to_string(), meta)),
                None => Err(syn::Error::new_spanned(
                    meta.path(),
                    "expected an option name, such as `port_locking`",
                )),
            })
            .collect();
        let keyed = match keyed {
            Ok(keyed) => keyed,
            Err(e) => {
                errors.push_error(e);
                return options;
            }
        };

        let mut seen: Vec<&str> = Vec::new();
        for (key, meta) in &keyed {
            let key_span = meta.path().span();
            if seen.contains(&key.as_str()) {
                errors.push(key_span, format_args!("duplicate option `{key}`"));
                continue;
            }
            seen.push(key);
            if key == NAME {
                options.name = name_value(meta, errors);
            } else if key == WORKERS {
                options.workers = number_value(meta, key, 1024, errors);
            } else if key == QUEUE {
                options.queue = number_value(meta, key, 1 << 24, errors);
            } else if let Some(switch) = Switch::from_keyword(key) {
                if keyword_alone(meta, key, errors) {
                    options.switches.push(switch);
                }
            } else if let Some(flag) = Flag::from_keyword(key) {
                if keyword_alone(meta, key, errors) {
                    options.flags.push(flag);
                }
            } else {
                let known = keywords()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let hint = match closest(key, keywords()) {
                    Some(s) => format!("; did you mean `{s}`?"),
                    None => String::new(),
                };
                errors.push(
                    key_span,
                    format_args!("unknown option `{key}`{hint} (options: {known})"),
                );
            }
        }
        options
    }
}

/// Whether `meta` is the keyword alone, as flags and switches are written; reports it if
/// not.
fn keyword_alone(meta: &Meta, key: &str, errors: &mut Errors) -> bool {
    match meta {
        Meta::Path(_) => return true,
        Meta::NameValue(nv) => errors.push_spanned(
            &nv.value,
            format_args!("`{key}` is a flag and takes no value: write `{key}` alone"),
        ),
        Meta::List(list) => errors.push(
            list.delimiter.span().join(),
            format_args!("`{key}` is a flag and takes no arguments: write `{key}` alone"),
        ),
    }
    false
}

/// The value of `key = N`, if it is an integer from 1 to `max`.
fn number_value(meta: &Meta, key: &str, max: usize, errors: &mut Errors) -> Option<usize> {
    match meta {
        Meta::NameValue(syn::MetaNameValue {
            value:
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Int(n),
                    ..
                }),
            ..
        }) => match n.base10_parse::<usize>() {
            Ok(v) if (1..=max).contains(&v) => Some(v),
            _ => {
                errors.push(
                    n.span(),
                    format_args!("`{key}` must be an integer from 1 to {max}"),
                );
                None
            }
        },
        Meta::NameValue(nv) => {
            errors.push_spanned(
                &nv.value,
                format_args!("`{key}` takes an integer, e.g. {key} = 4"),
            );
            None
        }
        Meta::Path(_) | Meta::List(_) => {
            errors.push(
                meta.path().span(),
                format_args!("`{key}` needs a value: {key} = 4"),
            );
            None
        }
    }
}

/// The value of `name = "..."`, if it is a string that is a valid driver name.
fn name_value(meta: &Meta, errors: &mut Errors) -> Option<DriverName> {
    match meta {
        Meta::NameValue(syn::MetaNameValue {
            value:
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }),
            ..
        }) => {
            let value = s.value();
            DriverName::new(&value)
                .map_err(|why| {
                    errors.push(
                        s.span(),
                        format_args!("invalid driver name {value:?}: {why}"),
                    )
                })
                .ok()
        }
        Meta::NameValue(nv) => {
            errors.push_spanned(
                &nv.value,
                format_args!("`{NAME}` takes a string literal, e.g. {NAME} = \"my_drv\""),
            );
            None
        }
        Meta::Path(_) | Meta::List(_) => {
            errors.push(
                meta.path().span(),
                format_args!("`{NAME}` needs a value: {NAME} = \"my_drv\""),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(args: TokenStream) -> (Option<String>, Vec<Flag>, usize) {
        let mut errors = Errors::default();
        let options = Options::parse(args, &mut errors);
        let name = options
            .name
            .map(|n| n.as_c_str().to_str().unwrap().to_owned());
        (name, options.flags, errors.len())
    }

    #[test]
    fn options_map_to_flags() {
        let (name, flags, errors) = options(quote::quote!(
            name = "x_drv",
            port_locking,
            soft_busy,
            no_busy_msgq,
            init_ack
        ));
        assert_eq!(name.as_deref(), Some("x_drv"));
        assert_eq!(flags, Flag::ALL);
        assert_eq!(
            flags.iter().map(|f| f.constant()).collect::<Vec<_>>(),
            [
                "ERL_DRV_FLAG_USE_PORT_LOCKING",
                "ERL_DRV_FLAG_SOFT_BUSY",
                "ERL_DRV_FLAG_NO_BUSY_MSGQ",
                "ERL_DRV_FLAG_USE_INIT_ACK"
            ]
        );
        assert_eq!(errors, 0);
        assert_eq!(options(quote::quote!()), (None, vec![], 0));
    }

    #[test]
    fn every_bad_option_is_reported() {
        // Unknown, duplicate, flag with a value, bad name: four errors, and the good
        // flag is still taken.
        let (name, flags, errors) = options(quote::quote!(
            port_lockin,
            soft_busy,
            soft_busy,
            init_ack = true,
            name = "my-drv"
        ));
        assert_eq!(name, None);
        assert_eq!(flags, [Flag::SoftBusy]);
        assert_eq!(errors, 4);
    }

    #[test]
    fn a_path_or_a_syntax_error_is_reported_alone() {
        assert_eq!(
            options(quote::quote!(erldrv::port_locking, frob)),
            (None, vec![], 1)
        );
        assert_eq!(
            options(quote::quote!(name = "a" port_locking)),
            (None, vec![], 1)
        );
    }

    #[test]
    fn switches() {
        let mut errors = Errors::default();
        let o = Options::parse(quote::quote!(watch_callers, candidate), &mut errors);
        assert_eq!(o.switches, Switch::ALL);
        assert!(o.flags.is_empty());
        assert_eq!(errors.len(), 0);
        let o = Options::parse(quote::quote!(candidate = true, watch_caller), &mut errors);
        assert!(o.switches.is_empty());
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn names() {
        assert!(DriverName::new("echo_drv").is_ok());
        assert!(DriverName::new("_x9").is_ok());
        assert!(DriverName::new("").is_err());
        assert!(DriverName::new("9x").is_err());
        assert!(DriverName::new("my-drv").is_err());
        assert!(DriverName::new("a/b").is_err());
        assert!(DriverName::new(&"a".repeat(256)).is_err());
    }
}
