//! `type CallArgs<'a>` and `type CallReply<'a>`, read off the `call` method's signature.
//!
//! The user writes `fn call(&mut self, port: &Port, command: u32, args: A) -> Result<R,
//! CallError>` with concrete types; the trait needs them as generic associated types over
//! the lifetime of the call's input. Elided lifetimes in `A` (`&[u8]`, `Term<'_>`) and the
//! method's own lifetime parameters become that lifetime; in `R` only named ones can, since
//! an elided lifetime in a return type borrows from `self`.

use proc_macro2::Span;
use syn::visit_mut::{self, VisitMut};
use syn::{
    FnArg, GenericArgument, ImplItem, ItemImpl, Lifetime, PathArguments, ReturnType, Signature,
    Type,
};

use super::callbacks::{CALL_ARGS, CALL_REPLY};
use crate::diag::Errors;

/// The lifetime of the generated associated types.
const LT: &str = "'__erldrv_call";

/// The `CallArgs` and `CallReply` the attribute defines: `None` where the block defines the
/// type itself.
pub struct CallTypes {
    pub args: Option<Type>,
    pub reply: Option<Type>,
}

impl CallTypes {
    /// `()` for each type the block leaves out: a block without a (valid) call method.
    pub fn unit(item: &ItemImpl) -> CallTypes {
        let unit = || -> Type { syn::parse_quote!(()) };
        CallTypes {
            args: (!defines(item, CALL_ARGS)).then(unit),
            reply: (!defines(item, CALL_REPLY)).then(unit),
        }
    }
}

/// Whether the block defines the associated type `name`.
fn defines(item: &ItemImpl, name: &str) -> bool {
    item.items
        .iter()
        .any(|i| matches!(i, ImplItem::Type(t) if t.ident == name))
}

/// Reads the types the block leaves out off `sig`, the signature of the method that defines
/// them, whose arguments are its parameter `args_at`. `None` when the signature is wrong
/// (reported).
pub fn read(
    item: &ItemImpl,
    sig: &Signature,
    args_at: usize,
    errors: &mut Errors,
) -> Option<CallTypes> {
    let before = errors.len();
    let (has_args, has_reply) = (defines(item, CALL_ARGS), defines(item, CALL_REPLY));
    let unit: Type = syn::parse_quote!(());
    let (mut args, mut reply) = (unit.clone(), unit);

    // The trait's own signature, copied: the types would be defined as themselves.
    let names_own_type = |ty: &Type| {
        let text = quote::ToTokens::to_token_stream(ty).to_string();
        [CALL_ARGS, CALL_REPLY]
            .iter()
            .any(|n| text.contains(&format!(":: {n}")))
    };
    let arg_ty = match sig.inputs.iter().nth(args_at) {
        Some(FnArg::Typed(a)) => Some(&*a.ty),
        _ => None,
    };
    let own = arg_ty
        .filter(|t| !has_args && names_own_type(t))
        .map(quote::ToTokens::to_token_stream)
        .or_else(|| {
            reply_type(&sig.output)
                .filter(|t| !has_reply && names_own_type(t))
                .map(quote::ToTokens::to_token_stream)
        });
    if let Some(tokens) = own {
        errors.push_spanned(
            tokens,
            "write the argument and reply types themselves here (say `args: (AtomName<'_>, i64)` \
             and `-> Result<(&'static Atom, i64), CallError>`): #[erl_driver] defines \
             `CallArgs` and `CallReply` from them. To name them yourself instead, add \
             `type CallArgs<'a> = ...;` and `type CallReply<'a> = ...;` to the block",
        );
    }

    let named: Vec<String> = sig
        .generics
        .lifetimes()
        .map(|l| l.lifetime.ident.to_string())
        .collect();
    if !has_args && let Some(ty) = arg_ty {
        args = ty.clone();
        Relifetime {
            named: &named,
            elided_ok: true,
            errors,
        }
        .visit_type_mut(&mut args);
    }
    if !has_reply {
        match reply_type(&sig.output) {
            Some(ty) => {
                reply = ty.clone();
                Relifetime {
                    named: &named,
                    elided_ok: false,
                    errors,
                }
                .visit_type_mut(&mut reply);
            }
            None if sig.inputs.len() == args_at + 1 => errors.push_spanned(
                &sig.output,
                "`call` returns `Result<Reply, CallError>`, where `Reply` is any `ToTerm` type: \
                 the value the port_call/3 caller receives",
            ),
            None => {}
        }
    }
    (errors.len() == before).then(|| CallTypes {
        args: (!has_args).then_some(args),
        reply: (!has_reply).then_some(reply),
    })
}

/// The lifetime parameter of the associated types the attribute defines.
pub fn lifetime() -> Lifetime {
    Lifetime::new(LT, Span::call_site())
}

/// `R` in `Result<R, E>` (any path ending in `Result` with two type arguments).
fn reply_type(out: &ReturnType) -> Option<&Type> {
    let ReturnType::Type(_, ty) = out else {
        return None;
    };
    let Type::Path(p) = &**ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let PathArguments::AngleBracketed(a) = &last.arguments else {
        return None;
    };
    let mut types = a.args.iter().filter_map(|g| match g {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    });
    let first = types.next()?;
    types.next()?;
    Some(first)
}

struct Relifetime<'e> {
    named: &'e [String],
    /// In the arguments an elided lifetime is the input's; in the reply it is an error.
    elided_ok: bool,
    errors: &'e mut Errors,
}

impl Relifetime<'_> {
    fn elided(&mut self, span: Span) -> Option<Lifetime> {
        if self.elided_ok {
            Some(Lifetime::new(LT, span))
        } else {
            self.errors.push(
                span,
                "a reply that borrows from the arguments needs a named lifetime: \
                 `fn call<'a>(&mut self, port: &Port, command: u32, args: Args<'a>) -> Result<Reply<'a>, CallError>`",
            );
            None
        }
    }
}

impl VisitMut for Relifetime<'_> {
    fn visit_lifetime_mut(&mut self, l: &mut Lifetime) {
        if l.ident == "_" {
            if let Some(new) = self.elided(l.apostrophe) {
                *l = new;
            }
        } else if self.named.iter().any(|n| l.ident == n) {
            *l = Lifetime::new(LT, l.apostrophe);
        }
    }

    fn visit_type_reference_mut(&mut self, r: &mut syn::TypeReference) {
        if r.lifetime.is_none() {
            r.lifetime = self.elided(r.and_token.span);
        }
        visit_mut::visit_type_reference_mut(self, r);
    }
}
