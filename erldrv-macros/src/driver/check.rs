//! Validation: turns the parsed options and impl block into a [`Model`], reporting every
//! mistake at once, each at the token that caused it.

use proc_macro2::Span;
use syn::{FnArg, ImplItem, ItemImpl};

use super::ast::{Opt, OptValue};
use super::callbacks::{self, Receiver};
use super::symbol;
use crate::diag::{Errors, closest};

/// Why `stop_select` gets neither the state nor the port.
const STOP_SELECT_WHY: &str = "it runs with no port and no lock, possibly after the port is gone, and must not use the driver API";

/// What the attribute expands from: a checked impl block and its options.
pub struct Model {
    pub item: ItemImpl,
    pub name: String,
    /// The `ERL_DRV_FLAG_*` constants to set.
    pub flags: Vec<&'static str>,
    /// Callback methods the block writes.
    pub written: Vec<&'static str>,
}

pub fn check_options(
    opts: &[Opt],
    errors: &mut Errors,
) -> (Option<(String, Span)>, Vec<&'static str>) {
    let mut name: Option<(String, Span)> = None;
    let mut flags: Vec<&'static str> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for opt in opts {
        let key = opt.key.as_str();
        if seen.contains(&key) {
            errors.push(opt.key_span, format_args!("duplicate option `{key}`"));
            continue;
        }
        seen.push(key);
        if key == symbol::NAME {
            match &opt.value {
                OptValue::Value(syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                })) => {
                    let value = s.value();
                    match validate_name(&value) {
                        Ok(()) => name = Some((value, s.span())),
                        Err(why) => errors.push(
                            s.span(),
                            format_args!("invalid driver name {value:?}: {why}"),
                        ),
                    }
                }
                OptValue::Value(other) => errors.push_spanned(
                    other,
                    "`name` takes a string literal, e.g. name = \"my_drv\"",
                ),
                OptValue::Flag | OptValue::List(_) => {
                    errors.push(opt.key_span, "`name` needs a value: name = \"my_drv\"")
                }
            }
        } else if let Some((_, flag)) = symbol::FLAGS.iter().find(|(k, _)| *k == key) {
            match &opt.value {
                OptValue::Flag => flags.push(flag),
                OptValue::Value(v) => errors.push_spanned(
                    v,
                    format_args!("`{key}` is a flag and takes no value: write `{key}` alone"),
                ),
                OptValue::List(span) => errors.push(
                    *span,
                    format_args!("`{key}` is a flag and takes no arguments: write `{key}` alone"),
                ),
            }
        } else {
            let known = symbol::all()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let hint = match closest(key, symbol::all()) {
                Some(s) => format!("; did you mean `{s}`?"),
                None => String::new(),
            };
            errors.push(
                opt.key_span,
                format_args!("unknown option `{key}`{hint} (options: {known})"),
            );
        }
    }
    (name, flags)
}

/// Driver names become file names and C strings: keep them to C identifiers.
pub fn validate_name(name: &str) -> Result<(), &'static str> {
    let mut chars = name.chars();
    match chars.next() {
        None => return Err("it is empty"),
        Some(c) if !(c.is_ascii_alphabetic() || c == '_') => {
            return Err("it must start with an ASCII letter or `_`");
        }
        _ => {}
    }
    if !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err("use only ASCII letters, digits and `_` (it is also the driver's file name)");
    }
    if name.len() > 255 {
        return Err("it is longer than 255 bytes");
    }
    Ok(())
}

/// Checks the impl block. Methods that are wrong are removed from `item` (and reported),
/// so that the re-emitted block does not add rustc's follow-up errors to ours. A block that
/// is not an `impl Driver for ...` gets that one error, and its methods are left alone.
pub fn check_impl(item: &mut ItemImpl, errors: &mut Errors) -> (Vec<&'static str>, bool) {
    match &item.trait_ {
        Some(_) if is_driver_impl(item) => {}
        Some((_, path, _)) => {
            let last = path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default();
            errors.push_spanned(
                path,
                format_args!("#[erl_driver] implements `erldrv::Driver`, not `{last}`: write `impl erldrv::Driver for YourType`"),
            );
            // The methods belong to another trait: checking them as callbacks is noise.
            return (Vec::new(), false);
        }
        None => {
            errors.push_spanned(
                &item.self_ty,
                "#[erl_driver] goes on a trait impl: write `impl erldrv::Driver for YourType`",
            );
            return (Vec::new(), false);
        }
    }
    if !item.generics.params.is_empty() {
        errors.push_spanned(
            &item.generics,
            "a driver cannot be generic: the VM loads one concrete driver entry per library",
        );
    }

    let mut written: Vec<&'static str> = Vec::new();
    let mut has_async_type = false;
    let mut wrote_start = false;
    let mut keep = Vec::with_capacity(item.items.len());
    for it in std::mem::take(&mut item.items) {
        match &it {
            ImplItem::Fn(f) => {
                let ident = &f.sig.ident;
                let name = ident.to_string();
                let Some(cb) = callbacks::find(&name) else {
                    let msg = match closest(&name, callbacks::CALLBACKS.iter().map(|c| c.name)) {
                        Some(s) => format!(
                            "`{name}` is not a driver callback; did you mean `{s}`? (helper methods go in a separate `impl` block)"
                        ),
                        None => format!(
                            "`{name}` is not a driver callback; the callbacks are: {}. Helper methods go in a separate `impl` block",
                            callbacks::CALLBACKS
                                .iter()
                                .map(|c| c.name)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    errors.push(ident.span(), msg);
                    continue;
                };
                wrote_start |= cb.name == "start";
                let receiver = receiver_of(&f.sig);
                if receiver != cb.receiver {
                    let why = match cb.receiver {
                        Receiver::None if cb.name == "stop_select" => {
                            &format!("`stop_select` takes no `self`: {STOP_SELECT_WHY}")
                        }
                        Receiver::None => "this callback takes no `self`",
                        Receiver::RefMut | Receiver::Ref => "this callback takes `&mut self`",
                        Receiver::Value => "`stop` takes `self`: it consumes the port's state",
                    };
                    let msg = format!(
                        "{why}; expected `{}` (C: `{}`)",
                        cb.rust_shape, cb.c_signature
                    );
                    match f.sig.inputs.first() {
                        Some(first) => errors.push_spanned(first, msg),
                        None => errors.push(f.sig.paren_token.span.join(), msg),
                    }
                    continue;
                }
                if cb.name == "stop_select" && f.sig.inputs.len() != 1 {
                    let why = if f.sig.inputs.is_empty() {
                        "`stop_select` takes the event to close".to_string()
                    } else {
                        format!("`stop_select` takes only the event: {STOP_SELECT_WHY}")
                    };
                    errors.push(
                        f.sig.paren_token.span.join(),
                        format_args!("{why}; expected `{}`", cb.rust_shape),
                    );
                    continue;
                }
                written.push(cb.name);
            }
            ImplItem::Type(t) if t.ident == symbol::ASYNC_TYPE => has_async_type = true,
            _ => {}
        }
        keep.push(it);
    }
    if !has_async_type {
        keep.retain(|it| match it {
            ImplItem::Fn(f) if f.sig.ident == "ready_async" => {
                match check_ready_async_without_async_type(&f.sig) {
                    Some(ty) => {
                        errors.push_spanned(
                            ty,
                            format_args!(
                                "`ready_async` receives `Self::Async`, which is `()` unless the block sets it: add `type Async = {};`",
                                tidy_tokens(&quote::ToTokens::to_token_stream(ty).to_string())
                            ),
                        );
                        written.retain(|w| *w != "ready_async");
                        false
                    }
                    None => true,
                }
            }
            _ => true,
        });
    }
    item.items = keep;

    // A `start` that was written but rejected above has had its own error.
    if let (false, Some((_, path, _))) = (wrote_start, &item.trait_) {
        errors.push_spanned(
            path,
            format_args!(
                "a driver needs `start`: it creates the port's state when open_port/2 is called; add `{}`",
                callbacks::find("start").map(|c| c.rust_shape).unwrap_or_default()
            ),
        );
    }
    (written, has_async_type)
}

/// Whether `item` is `impl ... Driver for ...` (by the trait path's last segment).
pub fn is_driver_impl(item: &ItemImpl) -> bool {
    item.trait_.as_ref().is_some_and(|(_, path, _)| {
        path.segments
            .last()
            .is_some_and(|s| s.ident == symbol::TRAIT)
    })
}

/// With no `type Async`, the result of `ready_async` is `()`: returns the result's type
/// when it is something else (and not `Self::Async`), since the block then forgot the type.
/// Without this, rustc's only hint is "expected `()`, found `u64`".
fn check_ready_async_without_async_type(sig: &syn::Signature) -> Option<&syn::Type> {
    let FnArg::Typed(arg) = sig.inputs.iter().nth(2)? else {
        return None;
    };
    match &*arg.ty {
        syn::Type::Tuple(t) if t.elems.is_empty() => None,
        // `Self::Async`, `<Self as Driver>::Async`, ...
        syn::Type::Path(p)
            if p.path.segments.len() > 1
                && p.path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == symbol::ASYNC_TYPE) =>
        {
            None
        }
        other => Some(other),
    }
}

fn receiver_of(sig: &syn::Signature) -> Receiver {
    match sig.inputs.first() {
        Some(FnArg::Receiver(r)) if r.reference.is_some() && r.mutability.is_some() => {
            Receiver::RefMut
        }
        Some(FnArg::Receiver(r)) if r.reference.is_none() => Receiver::Value,
        Some(FnArg::Receiver(_)) => Receiver::Ref,
        _ => Receiver::None,
    }
}

/// Token streams print as `Vec < u8 >`: drops the spaces a person would not write, for
/// types quoted in messages.
fn tidy_tokens(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' ' {
            let before = out.chars().next_back();
            let after = chars.peek().copied();
            // `Fn (u8)` but not `-> (u8, u16)` or `&mut (u8, u16)`.
            let call_parens = after == Some('(')
                && ["Fn", "FnMut", "FnOnce", "fn"]
                    .iter()
                    .any(|w| out.rsplit([' ', '<', '&', '(']).next() == Some(*w));
            if call_parens
                || matches!(before, Some('<' | '&' | ':' | '(' | '['))
                || matches!(after, Some('<' | '>' | ',' | ':' | ')' | ']' | ';'))
            {
                continue;
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(args: proc_macro2::TokenStream) -> (Option<String>, Vec<&'static str>, usize) {
        let opts = crate::driver::ast::parse_args(args).expect("parses");
        let mut errors = Errors::default();
        let (name, flags) = check_options(&opts, &mut errors);
        (name.map(|(n, _)| n), flags, errors.len())
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
        assert_eq!(
            flags,
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
        assert_eq!(flags, ["ERL_DRV_FLAG_SOFT_BUSY"]);
        assert_eq!(errors, 4);
    }

    #[test]
    fn ready_async_result_types() {
        let result = |ty: syn::Type| {
            let sig: syn::Signature =
                syn::parse_quote!(fn ready_async(&mut self, port: &Port, result: #ty));
            check_ready_async_without_async_type(&sig).is_some()
        };
        assert!(!result(syn::parse_quote!(())));
        assert!(!result(syn::parse_quote!(Self::Async)));
        assert!(!result(syn::parse_quote!(<Self as Driver>::Async)));
        assert!(!result(syn::parse_quote!(<Self as erldrv::Driver>::Async)));
        assert!(result(syn::parse_quote!(u64)));
        assert!(result(syn::parse_quote!(Vec<u8>)));
    }

    #[test]
    fn tidies_types_for_messages() {
        let tidy = |ty: syn::Type| tidy_tokens(&quote::quote!(#ty).to_string());
        assert_eq!(tidy(syn::parse_quote!(u64)), "u64");
        assert_eq!(tidy(syn::parse_quote!(Vec<u8>)), "Vec<u8>");
        assert_eq!(
            tidy(syn::parse_quote!(std::collections::HashMap<String, Vec<u8>>)),
            "std::collections::HashMap<String, Vec<u8>>"
        );
        assert_eq!(tidy(syn::parse_quote!(&'static str)), "&'static str");
        assert_eq!(tidy(syn::parse_quote!((u8, [u16; 4]))), "(u8, [u16; 4])");
        assert_eq!(
            tidy(syn::parse_quote!(Box<dyn Fn() -> u8 + Send>)),
            "Box<dyn Fn() -> u8 + Send>"
        );
        assert_eq!(
            tidy(syn::parse_quote!(Result<(), String>)),
            "Result<(), String>"
        );
        assert_eq!(
            tidy(syn::parse_quote!(fn(&mut (u8, u8)) -> (u8, u16))),
            "fn(&mut (u8, u8)) -> (u8, u16)"
        );
    }

    #[test]
    fn names() {
        assert!(validate_name("echo_drv").is_ok());
        assert!(validate_name("_x9").is_ok());
        assert!(validate_name("").is_err());
        assert!(validate_name("9x").is_err());
        assert!(validate_name("my-drv").is_err());
        assert!(validate_name("a/b").is_err());
        assert!(validate_name(&"a".repeat(256)).is_err());
    }
}
