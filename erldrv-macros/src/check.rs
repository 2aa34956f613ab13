//! Validation: turns the parsed options and impl block into a [`Model`], reporting every
//! mistake at once, each at the token that caused it.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{FnArg, ImplItem, ItemImpl};

use crate::ast::{Opt, OptValue};
use crate::callbacks::{self, Receiver};
use crate::symbol;

/// Collects errors so that all of them are reported together.
#[derive(Default)]
pub struct Errors(Vec<syn::Error>);

impl Errors {
    pub fn push(&mut self, span: Span, msg: impl std::fmt::Display) {
        self.0.push(syn::Error::new(span, msg));
    }

    pub fn push_error(&mut self, e: syn::Error) {
        self.0.push(e);
    }

    pub fn into_combined(self) -> Option<syn::Error> {
        self.0.into_iter().reduce(|mut a, b| {
            a.combine(b);
            a
        })
    }
}

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
                OptValue::Value(other) => errors.push(
                    other.span(),
                    "`name` takes a string literal, e.g. name = \"my_drv\"",
                ),
                OptValue::Flag | OptValue::List(_) => {
                    errors.push(opt.key_span, "`name` needs a value: name = \"my_drv\"")
                }
            }
        } else if let Some((_, flag)) = symbol::FLAGS.iter().find(|(k, _)| *k == key) {
            match &opt.value {
                OptValue::Flag => flags.push(flag),
                OptValue::Value(v) => errors.push(
                    v.span(),
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
            let hint = match callbacks::closest(key, symbol::all()) {
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
/// so that the re-emitted block does not add rustc's follow-up errors to ours.
pub fn check_impl(item: &mut ItemImpl, errors: &mut Errors) -> (Vec<&'static str>, bool) {
    if let Some((_, path, _)) = &item.trait_ {
        let last = path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if last != symbol::TRAIT {
            errors.push(
                path.span(),
                format_args!("#[erl_driver] implements `erldrv::Driver`, not `{last}`: write `impl erldrv::Driver for YourType`"),
            );
        }
    } else {
        errors.push(
            item.self_ty.span(),
            "#[erl_driver] goes on a trait impl: write `impl erldrv::Driver for YourType`",
        );
    }
    if !item.generics.params.is_empty() {
        errors.push(
            item.generics.span(),
            "a driver cannot be generic: the VM loads one concrete driver entry per library",
        );
    }

    let mut written: Vec<&'static str> = Vec::new();
    let mut has_async_type = false;
    let mut keep = Vec::with_capacity(item.items.len());
    for it in std::mem::take(&mut item.items) {
        match &it {
            ImplItem::Fn(f) => {
                let ident = &f.sig.ident;
                let name = ident.to_string();
                let Some(cb) = callbacks::find(&name) else {
                    let hint = match callbacks::closest(
                        &name,
                        callbacks::CALLBACKS.iter().map(|c| c.name),
                    ) {
                        Some(s) => format!("did you mean `{s}`? "),
                        None => String::new(),
                    };
                    errors.push(
                        ident.span(),
                        format_args!(
                            "`{name}` is not a driver callback; {hint}Callbacks are: {}. Put helper methods in a separate `impl` block",
                            callbacks::CALLBACKS.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
                        ),
                    );
                    continue;
                };
                let receiver = receiver_of(&f.sig);
                if receiver != cb.receiver {
                    let why = match cb.receiver {
                        Receiver::None if cb.name == "stop_select" => {
                            "`stop_select` takes no `self`: it runs with no port and no lock, possibly after the port is gone, and must not use the driver API"
                        }
                        Receiver::None => "this callback takes no `self`",
                        Receiver::RefMut | Receiver::Ref => "this callback takes `&mut self`",
                        Receiver::Value => "`stop` takes `self`: it consumes the port's state",
                    };
                    let span = f
                        .sig
                        .inputs
                        .first()
                        .map(|a| a.span())
                        .unwrap_or_else(|| f.sig.paren_token.span.join());
                    errors.push(
                        span,
                        format_args!(
                            "{why}; expected `{}` (C: `{}`)",
                            cb.rust_shape, cb.c_signature
                        ),
                    );
                    continue;
                }
                if cb.name == "stop_select" && f.sig.inputs.len() != 1 {
                    errors.push(
                        f.sig.paren_token.span.join(),
                        format_args!(
                            "`stop_select` takes exactly the event; expected `{}`",
                            cb.rust_shape
                        ),
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
    item.items = keep;

    if !written.contains(&"start") && errors_allow_start_check(item) {
        let span = item
            .trait_
            .as_ref()
            .map(|(_, p, _)| p.span())
            .unwrap_or_else(|| item.self_ty.span());
        errors.push(
            span,
            format_args!(
                "a driver needs `start`: it creates the port's state when open_port/2 is called; add `{}`",
                callbacks::find("start").map(|c| c.rust_shape).unwrap_or_default()
            ),
        );
    }
    (written, has_async_type)
}

/// `start` is only worth asking for on an impl of the right shape.
fn errors_allow_start_check(item: &ItemImpl) -> bool {
    item.trait_.is_some()
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

#[cfg(test)]
mod tests {
    use super::validate_name;

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
