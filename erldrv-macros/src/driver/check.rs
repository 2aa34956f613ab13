//! Validation: turns the parsed options and impl block into a [`Model`], reporting every
//! mistake at once, each at the token that caused it. Everything callback-specific comes
//! from the [table](super::callbacks).

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::{FnArg, ImplItem, ImplItemFn, ItemImpl, Signature};

use super::call_types::{self, CallTypes};
use super::callbacks::{self, ASYNC, CALLBACKS, Callback, Needs, Presence, Receiver};
use super::commands::{self, Command};
use super::options::{DriverName, Flag, Options, Switch};
use crate::diag::{Errors, closest, tidy_tokens};

/// A driver with nothing wrong: all that `expand` needs, and nothing it has to verify.
pub struct Model {
    pub block: Block,
    /// The `name` option, or the crate's name.
    pub name: DriverName,
    /// In the order written.
    pub flags: Vec<Flag>,
    /// `workers = N`, `queue = N`.
    pub workers: Option<usize>,
    pub queue: Option<usize>,
    /// `watch_callers`: `process_exit` in the entry even when the block leaves it out.
    pub watch_callers: bool,
    /// `candidate`: no `driver_init` (`erldrv::driver_init!` chooses at load time).
    pub candidate: bool,
}

/// An `impl Driver` block and what the attribute adds to it.
pub struct Block {
    /// The block as written, less any method rejected (and reported).
    pub item: ItemImpl,
    /// The callbacks the block writes, less any rejected.
    pub written: Vec<&'static Callback>,
    /// Whether to add `type Async = ();` (the block does not set it).
    pub async_default: bool,
    pub call_types: CallTypes,
    /// The `#[command]` methods, checked, in the order written.
    pub commands: Vec<Command>,
    /// The `#[command]` methods as written (less the attribute), for an inherent impl.
    pub inherent: Vec<ImplItemFn>,
}

impl Block {
    pub fn writes(&self, callback: &Callback) -> bool {
        self.written.iter().any(|w| w.name == callback.name)
    }
}

/// Input with mistakes: every error, and what to re-emit beside them.
pub struct Rejected {
    pub error: syn::Error,
    pub rest: Rest,
}

pub enum Rest {
    /// An `impl Driver` block: re-emitted completed, so that rustc sees a whole impl.
    Driver(Box<Block>),
    /// Any other impl block: re-emitted as written.
    Other(TokenStream),
}

/// Checks the block and the options, adding its errors to those of parsing.
pub fn check(options: Options, mut item: ItemImpl, mut errors: Errors) -> Result<Model, Rejected> {
    let methods = check_methods(&mut item, &mut errors);
    let name = options.name.or_else(|| crate_name(&mut errors));
    let rest = match methods {
        Some(methods) => Rest::Driver(Box::new(finish_block(item, methods, &mut errors))),
        None => Rest::Other(item.into_token_stream()),
    };
    match (errors.into_combined(), name, rest) {
        (None, Some(name), Rest::Driver(block)) => Ok(Model {
            block: *block,
            name,
            flags: options.flags,
            workers: options.workers,
            queue: options.queue,
            watch_callers: options.switches.contains(&Switch::WatchCallers),
            candidate: options.switches.contains(&Switch::Candidate),
        }),
        (Some(error), _, rest) => Err(Rejected { error, rest }),
        // Not reached: a missing name and a block of another trait are reported.
        (None, _, rest) => Err(Rejected {
            error: syn::Error::new(Span::call_site(), "#[erl_driver] found nothing to expand"),
            rest,
        }),
    }
}

/// The crate's name, which is also the file Cargo writes (`lib<crate>.so`).
fn crate_name(errors: &mut Errors) -> Option<DriverName> {
    match std::env::var("CARGO_CRATE_NAME") {
        Ok(n) => match DriverName::new(&n) {
            Ok(name) => Some(name),
            Err(why) => {
                errors.push(
                    Span::call_site(),
                    format_args!("the crate name {n:?} is not a valid driver name ({why}); set one with name = \"...\""),
                );
                None
            }
        },
        Err(_) => {
            errors.push(
                Span::call_site(),
                "no crate name to use as the driver name (not built by Cargo?); set one with name = \"...\"",
            );
            None
        }
    }
}

/// What the methods of an `impl Driver` block are.
struct Methods {
    written: Vec<&'static Callback>,
    has_async_type: bool,
    commands: Vec<Command>,
    inherent: Vec<ImplItemFn>,
}

/// Checks that `item` implements `Driver` and that its methods are callbacks, written as
/// the table says. Methods that are wrong are removed (and reported), so that the re-emitted
/// block does not add rustc's follow-up errors to ours. A block that is not an
/// `impl Driver for ...` gets that one error, and `None`, and is left as it was.
fn check_methods(item: &mut ItemImpl, errors: &mut Errors) -> Option<Methods> {
    let trait_path = match &item.trait_ {
        Some((_, path, _)) if is_driver_trait(path) => path.clone(),
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
            return None;
        }
        None => {
            errors.push_spanned(
                &item.self_ty,
                "#[erl_driver] goes on a trait impl: write `impl erldrv::Driver for YourType`",
            );
            return None;
        }
    };
    if !item.generics.params.is_empty() {
        errors.push_spanned(
            &item.generics,
            "a driver cannot be generic: the VM loads one concrete driver entry per library",
        );
    }

    // Every callback the block writes, rejected or not (a rejected one has had its error).
    let mut present: Vec<&'static Callback> = Vec::new();
    let mut written: Vec<&'static Callback> = Vec::new();
    let mut has_async_type = false;
    let mut keep = Vec::with_capacity(item.items.len());
    let mut commands = Vec::new();
    let mut inherent: Vec<ImplItemFn> = Vec::new();
    for it in std::mem::take(&mut item.items) {
        let it = match it {
            ImplItem::Fn(mut f) if commands::is_command(&f) => {
                commands.extend(commands::take(&mut f, errors));
                // A second method of one name is reported as a second command of that name.
                if !inherent.iter().any(|g| g.sig.ident == f.sig.ident) {
                    inherent.push(f);
                }
                continue;
            }
            other => other,
        };
        match &it {
            ImplItem::Fn(f) => {
                let Some(cb) = callbacks::find(&f.sig.ident.to_string()) else {
                    not_a_callback(&f.sig.ident, errors);
                    continue;
                };
                present.push(cb);
                if !check_signature(cb, &f.sig, errors) {
                    continue;
                }
                written.push(cb);
            }
            ImplItem::Type(t) if t.ident == ASYNC => has_async_type = true,
            _ => {}
        }
        keep.push(it);
    }
    if !has_async_type {
        keep.retain(|it| match it {
            ImplItem::Fn(f) => match callbacks::find(&f.sig.ident.to_string()) {
                Some(cb) if !check_without_async_type(cb, &f.sig, errors) => {
                    written.retain(|w| w.name != cb.name);
                    false
                }
                _ => true,
            },
            _ => true,
        });
    }
    item.items = keep;
    commands::unique(&mut commands, errors);
    // The callbacks the dispatch takes over: the block cannot write them too.
    for cb in CALLBACKS {
        let Some(command) = cb.commands.taken_by(&commands) else {
            continue;
        };
        let Some(f) = item.items.iter().find_map(|i| match i {
            ImplItem::Fn(f) if f.sig.ident == cb.name => Some(f),
            _ => None,
        }) else {
            continue;
        };
        errors.push(
            f.sig.ident.span(),
            format_args!(
                "the {} command `{}` is served by the `{}` #[erl_driver] generates: a block with {} commands cannot write `{}` too; make what it does #[command] methods",
                command.kind.describe(),
                command.name,
                cb.name,
                command.kind.describe(),
                cb.name,
            ),
        );
    }

    for cb in CALLBACKS {
        if let Presence::Required { why, .. } = cb.presence
            && !present.iter().any(|n| n.name == cb.name)
        {
            errors.push_spanned(
                &trait_path,
                format_args!(
                    "a driver needs `{}`: {why}; add `{}`",
                    cb.name, cb.rust_shape
                ),
            );
        }
    }
    Some(Methods {
        written,
        has_async_type,
        commands,
        inherent,
    })
}

/// Reads the call types off the block's methods: the last step, since a mistake there
/// removes the method that defines them.
fn finish_block(mut item: ItemImpl, mut methods: Methods, errors: &mut Errors) -> Block {
    let call_types = match callbacks::call_types() {
        Some((cb, args_at)) => {
            let sig = item.items.iter().find_map(|i| match i {
                ImplItem::Fn(f) if f.sig.ident == cb.name => Some(&f.sig),
                _ => None,
            });
            match sig.map(|sig| call_types::read(&item, sig, args_at, errors)) {
                Some(Some(types)) => types,
                None => CallTypes::unit(&item),
                // Reported: re-emitted without the method, and `()` for its types.
                Some(None) => {
                    item.items
                        .retain(|i| !matches!(i, ImplItem::Fn(f) if f.sig.ident == cb.name));
                    methods.written.retain(|w| w.name != cb.name);
                    CallTypes::unit(&item)
                }
            }
        }
        None => CallTypes::unit(&item),
    };
    Block {
        item,
        written: methods.written,
        async_default: !methods.has_async_type,
        call_types,
        commands: methods.commands,
        inherent: methods.inherent,
    }
}

fn not_a_callback(ident: &syn::Ident, errors: &mut Errors) {
    let name = ident.to_string();
    if name == "spawn_async" {
        errors.push(
            ident.span(),
            "`spawn_async` is provided by the `Driver` trait: call it (`self.spawn_async(port, || ...)`), do not define it",
        );
        return;
    }
    let msg = match closest(&name, callbacks::names()) {
        Some(s) => format!(
            "`{name}` is not a driver callback; did you mean `{s}`? (helper methods go in a separate `impl` block)"
        ),
        None => format!(
            "`{name}` is not a driver callback; the callbacks are: {}. Helper methods go in a separate `impl` block",
            callbacks::names().collect::<Vec<_>>().join(", ")
        ),
    };
    errors.push(ident.span(), msg);
}

/// The receiver, and the parameter count where the table gives one. `false`: reported.
fn check_signature(cb: &Callback, sig: &Signature, errors: &mut Errors) -> bool {
    if receiver_of(sig) != cb.receiver {
        let what = cb.receiver.describe();
        let why = match cb.why {
            Some(why) => format!("`{}` takes {what}: {why}", cb.name),
            None => format!("this callback takes {what}"),
        };
        let msg = format!(
            "{why}; expected `{}` (C: `{}`)",
            cb.rust_shape, cb.c_signature
        );
        match sig.inputs.first() {
            Some(first) => errors.push_spanned(first, msg),
            None => errors.push(sig.paren_token.span.join(), msg),
        }
        return false;
    }
    if let Some(params) = &cb.params
        && sig.inputs.len() != params.count
    {
        let why = if sig.inputs.len() < params.count {
            format!("`{}` takes {}", cb.name, params.missing)
        } else {
            match cb.why {
                Some(why) => format!("`{}` takes {}: {why}", cb.name, params.extra),
                None => format!("`{}` takes {}", cb.name, params.extra),
            }
        };
        errors.push(
            sig.paren_token.span.join(),
            format_args!("{why}; expected `{}`", cb.rust_shape),
        );
        return false;
    }
    true
}

/// With no `type Async` in the block, `Self::Async` is `()`: a callback that receives it
/// but wrote another type forgot the type (rustc's only hint would be "expected `()`, found
/// `u64`"). `false`: reported.
fn check_without_async_type(cb: &Callback, sig: &Signature, errors: &mut Errors) -> bool {
    let Needs::AsyncType { param } = cb.needs else {
        return true;
    };
    match async_param_type(sig, param) {
        Some(ty) => {
            errors.push_spanned(
                ty,
                format_args!(
                    "`{}` receives `Self::{ASYNC}`, which is `()` unless the block sets it: add `type {ASYNC} = {};`",
                    cb.name,
                    tidy_tokens(&quote::ToTokens::to_token_stream(ty).to_string())
                ),
            );
            false
        }
        None => true,
    }
}

/// The job type in parameter `param` (`Result<Job, JobPanic>`) when it is neither `()`
/// nor some path to `Async`.
fn async_param_type(sig: &Signature, param: usize) -> Option<&syn::Type> {
    let FnArg::Typed(arg) = sig.inputs.iter().nth(param)? else {
        return None;
    };
    not_async(job_type(&arg.ty))
}

/// `T` in `Result<T, ..>`; the type itself otherwise (rustc reports the mismatch).
fn job_type(ty: &syn::Type) -> &syn::Type {
    if let syn::Type::Path(p) = ty
        && let Some(last) = p.path.segments.last()
        && last.ident == "Result"
        && let syn::PathArguments::AngleBracketed(args) = &last.arguments
        && let Some(syn::GenericArgument::Type(first)) = args.args.first()
    {
        return first;
    }
    ty
}

/// `ty` unless it is `()` or some path to `Async`.
fn not_async(ty: &syn::Type) -> Option<&syn::Type> {
    match ty {
        syn::Type::Tuple(t) if t.elems.is_empty() => None,
        // `Self::Async`, `<Self as Driver>::Async`, ...
        syn::Type::Path(p)
            if p.path.segments.len() > 1
                && p.path.segments.last().is_some_and(|s| s.ident == ASYNC) =>
        {
            None
        }
        other => Some(other),
    }
}

/// Whether the trait is `Driver`, however it is reached (by the path's last segment).
fn is_driver_trait(path: &syn::Path) -> bool {
    path.segments
        .last()
        .is_some_and(|s| s.ident == callbacks::TRAIT)
}

fn receiver_of(sig: &Signature) -> Receiver {
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
    use super::*;

    #[test]
    fn async_param_types() {
        let wrong = |ty: syn::Type| {
            let sig: Signature = syn::parse_quote!(fn f(&mut self, port: &Port, result: #ty));
            async_param_type(&sig, 2).is_some()
        };
        assert!(!wrong(syn::parse_quote!(())));
        assert!(!wrong(syn::parse_quote!(Self::Async)));
        assert!(!wrong(syn::parse_quote!(<Self as Driver>::Async)));
        assert!(!wrong(syn::parse_quote!(<Self as erldrv::Driver>::Async)));
        assert!(wrong(syn::parse_quote!(u64)));
        assert!(wrong(syn::parse_quote!(Vec<u8>)));
        assert!(!wrong(syn::parse_quote!(Result<(), JobPanic>)));
        assert!(!wrong(
            syn::parse_quote!(Result<Self::Async, erldrv::JobPanic>)
        ));
        assert!(wrong(syn::parse_quote!(Result<u64, JobPanic>)));
    }

    fn check_block(item: ItemImpl) -> Result<Model, Rejected> {
        let options = Options {
            name: DriverName::new("t_drv").ok(),
            ..Options::default()
        };
        check(options, item, Errors::default())
    }

    fn error_count(r: &Result<Model, Rejected>) -> usize {
        match r {
            Ok(_) => 0,
            Err(r) => r.error.clone().into_iter().count(),
        }
    }

    #[test]
    fn model_of_a_good_block() {
        let model = check_block(syn::parse_quote! {
            impl erldrv::Driver for D {
                type Async = u8;
                fn start(port: &Port, command: &[u8]) -> Result<Self, StartError> { todo!() }
                fn output(&mut self, port: &Port, data: &[u8]) {}
                fn ready_async(&mut self, port: &Port, n: u8) {}
            }
        });
        let Ok(model) = model else { panic!("rejected") };
        let written: Vec<_> = model.block.written.iter().map(|c| c.name).collect();
        assert_eq!(written, ["start", "output", "ready_async"]);
        assert!(!model.block.async_default);
        assert!(model.block.call_types.args.is_some() && model.block.call_types.reply.is_some());
    }

    #[test]
    fn every_mistake_at_once_and_the_block_kept_whole() {
        // A misspelt callback, a wrong receiver, `ready_async` without `type Async`, no
        // `start`: four errors; the three methods are gone from the re-emitted block.
        let r = check_block(syn::parse_quote! {
            impl Driver for D {
                fn ouptut(&mut self, port: &Port, data: &[u8]) {}
                fn timeout(port: &Port) {}
                fn ready_async(&mut self, port: &Port, n: u8) {}
                fn flush(&mut self, port: &Port) {}
            }
        });
        assert_eq!(error_count(&r), 4);
        let Err(Rejected {
            rest: Rest::Driver(block),
            ..
        }) = r
        else {
            panic!("not rejected as a driver block")
        };
        let written: Vec<_> = block.written.iter().map(|c| c.name).collect();
        assert_eq!(written, ["flush"]);
        assert_eq!(block.item.items.len(), 1);
        assert!(block.async_default);
    }

    #[test]
    fn another_trait_is_left_alone() {
        let r = check_block(syn::parse_quote! {
            impl Clone for D {
                fn clone(&self) -> Self { todo!() }
            }
        });
        assert_eq!(error_count(&r), 1);
        assert!(matches!(
            r,
            Err(Rejected {
                rest: Rest::Other(_),
                ..
            })
        ));
    }
}
