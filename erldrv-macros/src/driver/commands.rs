//! `#[command]` methods: parsing their attribute, checking their signatures into a
//! [`Command`] each, and the checks across commands (names, numbers, the `call` and
//! `control` the dispatch takes over). The dispatch itself is generated in
//! [`dispatch`](super::dispatch).

use proc_macro2::Span;
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::visit_mut::VisitMut;
use syn::{FnArg, ImplItemFn, Pat, ReturnType, Type};

use super::options::{COMMAND, COMMAND_ASYNC, COMMAND_ID};
use crate::diag::{Errors, tidy_tokens};

/// The first number the runtime keeps for itself (`erldrv::command::RESERVED`).
const RESERVED: u32 = 0xFFFF_FF00;
/// The lowest hashed number (`erldrv::command::HASHED_FROM`).
const HASHED_FROM: u32 = 0x0100_0000;

/// `erldrv::command::id_of`, at compile time: the same numbers, checked by the tests of
/// both crates.
pub fn id_of(name: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for &b in name.as_bytes() {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    HASHED_FROM + hash % (RESERVED - HASHED_FROM)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Sync,
    Async,
    Bytes,
}

impl Kind {
    /// The kind in messages: "the sync command `add`".
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Sync => "sync",
            Kind::Async => "async",
            Kind::Bytes => "bytes",
        }
    }

    /// The `erldrv::command::CommandKind` variant.
    pub fn variant(self) -> &'static str {
        match self {
            Kind::Sync => "Sync",
            Kind::Async => "Async",
            Kind::Bytes => "Bytes",
        }
    }
}

/// How a command receives the port's state.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Receiver {
    None,
    Ref,
    RefMut,
}

pub struct Arg {
    /// As the table names it.
    pub name: String,
    /// As written.
    pub ty: Type,
}

/// A checked command: all the dispatch needs.
pub struct Command {
    pub ident: syn::Ident,
    /// The name without `r#`.
    pub name: String,
    pub id: u32,
    /// The `id = N` literal, when given.
    pub id_span: Option<Span>,
    pub kind: Kind,
    pub receiver: Receiver,
    /// Sync and bytes: takes `&Port` first. Async: takes `&Cancel` first.
    pub context: bool,
    pub args: Vec<Arg>,
    /// `None` for `-> ()` left out.
    pub ret: Option<Type>,
    /// Async: the return type is a `Result` (mapped to `{ok, T}` / `{error, E}` itself).
    pub returns_result: bool,
    pub doc: String,
}

/// What `#[command(...)]` says.
#[derive(Default)]
struct Attr {
    asynchronous: bool,
    id: Option<(u32, Span)>,
}

impl Parse for Attr {
    fn parse(input: ParseStream<'_>) -> syn::Result<Attr> {
        let mut attr = Attr::default();
        while !input.is_empty() {
            if input.peek(syn::Token![async]) {
                let kw: syn::Token![async] = input.parse()?;
                if attr.asynchronous {
                    return Err(syn::Error::new(kw.span, "`async` given twice"));
                }
                attr.asynchronous = true;
            } else {
                let key: syn::Ident = input.parse()?;
                if key != COMMAND_ID {
                    return Err(syn::Error::new(
                        key.span(),
                        format_args!(
                            "unknown command option `{key}`; the options are `{COMMAND_ASYNC}` and `{COMMAND_ID} = N`"
                        ),
                    ));
                }
                if attr.id.is_some() {
                    return Err(syn::Error::new(key.span(), "`id` given twice"));
                }
                let _: syn::Token![=] = input.parse()?;
                let lit: syn::LitInt = input.parse()?;
                let id = match lit.base10_parse::<u32>() {
                    Ok(id) if id < RESERVED => id,
                    _ => {
                        return Err(syn::Error::new(
                            lit.span(),
                            format_args!(
                                "a command number is below {RESERVED:#X}: the numbers from there up are the runtime's own `port_control` commands"
                            ),
                        ));
                    }
                };
                attr.id = Some((id, lit.span()));
            }
            if !input.is_empty() {
                let _: syn::Token![,] = input.parse()?;
            }
        }
        Ok(attr)
    }
}

/// Whether `f` is marked `#[command]`.
pub fn is_command(f: &ImplItemFn) -> bool {
    f.attrs.iter().any(|a| a.path().is_ident(COMMAND))
}

/// Takes the `#[command]` attributes off `f` and checks its signature. `None`: reported.
pub fn take(f: &mut ImplItemFn, errors: &mut Errors) -> Option<Command> {
    let before = errors.len();
    let mut attr = Attr::default();
    let mut seen = false;
    for a in std::mem::take(&mut f.attrs) {
        if !a.path().is_ident(COMMAND) {
            f.attrs.push(a);
            continue;
        }
        if seen {
            errors.push_spanned(&a, "one `#[command]` per method: put its options together, as `#[command(async, id = 7)]`");
            continue;
        }
        seen = true;
        match &a.meta {
            syn::Meta::Path(_) => {}
            syn::Meta::List(list) => match syn::parse2::<Attr>(list.tokens.clone()) {
                Ok(parsed) => attr = parsed,
                Err(e) => errors.push_error(e),
            },
            syn::Meta::NameValue(nv) => errors.push_spanned(
                nv,
                "write `#[command]`, `#[command(async)]` or `#[command(id = N)]`",
            ),
        }
    }

    let sig = &f.sig;
    if let Some(a) = &sig.asyncness {
        errors.push(
            a.span,
            "a command is a plain `fn`: for one that runs off the schedulers, write `#[command(async)]` on a blocking `fn`, which runs on the driver's worker pool",
        );
    }
    if let Some(u) = &sig.unsafety {
        errors.push(
            u.span,
            "a command cannot be `unsafe`: Erlang calls it with any arguments",
        );
    }
    if let Some(p) = sig
        .generics
        .params
        .iter()
        .find(|p| !matches!(p, syn::GenericParam::Lifetime(_)))
    {
        errors.push_spanned(
            p,
            "a command cannot be generic: its argument types are decoded from Erlang terms, so they must be concrete",
        );
    }

    let name = sig.ident.to_string();
    let name = name.strip_prefix("r#").unwrap_or(&name).to_owned();
    let receiver = receiver(sig, attr.asynchronous, errors);

    let mut context = false;
    let mut args = Vec::new();
    for (i, input) in sig.inputs.iter().enumerate() {
        let FnArg::Typed(pt) = input else { continue };
        let first = i == usize::from(sig.receiver().is_some());
        match (refers_to(&pt.ty, "Port"), refers_to(&pt.ty, "Cancel")) {
            (true, _) if attr.asynchronous => errors.push_spanned(
                &pt.ty,
                "an async command runs on a worker, where there is no port to use: take `cancel: &Cancel` (to stop early when nobody waits for the answer) or nothing",
            ),
            (true, _) if first => context = true,
            (true, _) => errors.push_spanned(&pt.ty, "the port comes first, before the command's arguments"),
            (_, true) if !attr.asynchronous => errors.push_spanned(
                &pt.ty,
                "`&Cancel` is for async commands (`#[command(async)]`); a sync command runs at once and can take `port: &Port`",
            ),
            (_, true) if first => context = true,
            (_, true) => errors.push_spanned(&pt.ty, "the cancel flag comes first, before the command's arguments"),
            _ => {
                let arg_name = match &*pt.pat {
                    Pat::Ident(p) => {
                        let n = p.ident.to_string();
                        n.strip_prefix("r#").unwrap_or(&n).to_owned()
                    }
                    _ => format!("arg{}", args.len() + 1),
                };
                if attr.asynchronous {
                    owned(&pt.ty, errors);
                }
                args.push(Arg {
                    name: arg_name,
                    ty: (*pt.ty).clone(),
                });
            }
        }
    }

    let ret = match &sig.output {
        ReturnType::Default => None,
        ReturnType::Type(_, ty) => Some((**ty).clone()),
    };
    let returns_result = ret.as_ref().is_some_and(is_result);
    let kind = if attr.asynchronous {
        Kind::Async
    } else if args.len() == 1 && is_byte_slice(&args[0].ty) && ret.as_ref().is_some_and(is_bytes) {
        Kind::Bytes
    } else {
        Kind::Sync
    };
    let (id, id_span) = match attr.id {
        Some((id, span)) => (id, Some(span)),
        None => (id_of(&name), None),
    };
    (errors.len() == before).then(|| Command {
        ident: sig.ident.clone(),
        name,
        id,
        id_span,
        kind,
        receiver,
        context,
        args,
        ret,
        returns_result,
        doc: doc(&f.attrs),
    })
}

fn receiver(sig: &syn::Signature, asynchronous: bool, errors: &mut Errors) -> Receiver {
    let Some(r) = sig.receiver() else {
        return Receiver::None;
    };
    if asynchronous {
        errors.push_spanned(
            r,
            format_args!(
                "an async command runs on a worker, without the port's state, so it cannot take `{}`: remove it, and pass what the command needs as arguments (or use a sync `#[command]`, which has the state)",
                tidy_tokens(&r.to_token_stream().to_string())
            ),
        );
        return Receiver::None;
    }
    match (&r.reference, &r.mutability, r.colon_token) {
        (Some(_), Some(_), None) => Receiver::RefMut,
        (Some(_), None, None) => Receiver::Ref,
        _ => {
            errors.push_spanned(
                r,
                "a command takes `&self` or `&mut self` (the port's state, lent for the call), or no receiver",
            );
            Receiver::None
        }
    }
}

/// `&X`, `&X<'_>`, `&path::X`: a reference to the type named `name`.
fn refers_to(ty: &Type, name: &str) -> bool {
    match ty {
        Type::Reference(r) if r.mutability.is_none() => match &*r.elem {
            Type::Path(p) => {
                p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == name)
            }
            _ => false,
        },
        _ => false,
    }
}

/// `&[u8]`, with any lifetime.
fn is_byte_slice(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) if r.mutability.is_none() => {
            matches!(&*r.elem, Type::Slice(s) if is_u8(&s.elem))
        }
        _ => false,
    }
}

fn is_u8(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.is_ident("u8"))
}

/// A bytes command's result: `Vec<u8>`, `&[u8]` or `Binary`.
fn is_bytes(ty: &Type) -> bool {
    if is_byte_slice(ty) {
        return true;
    }
    let Type::Path(p) = ty else { return false };
    let Some(last) = p.path.segments.last() else {
        return false;
    };
    match &last.arguments {
        syn::PathArguments::None => last.ident == "Binary",
        syn::PathArguments::AngleBracketed(a) if last.ident == "Vec" && a.args.len() == 1 => {
            matches!(a.args.first(), Some(syn::GenericArgument::Type(t)) if is_u8(t))
        }
        _ => false,
    }
}

/// A type named `Result` (its `Ok` and `Err` are the reply's `{ok, _}` and `{error, _}`).
fn is_result(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Result"))
}

/// An async command's argument must own its data: it is decoded in `control` and used on a
/// worker after the call has returned. Reports a borrowed one, with the owned type to use.
fn owned(ty: &Type, errors: &mut Errors) {
    // (syn's read-only visitor is not built; the mutable one runs on a copy.)
    struct Borrows(bool);
    impl VisitMut for Borrows {
        fn visit_type_reference_mut(&mut self, _: &mut syn::TypeReference) {
            self.0 = true;
        }
        fn visit_lifetime_mut(&mut self, l: &mut syn::Lifetime) {
            self.0 |= l.ident != "static";
        }
    }
    let mut b = Borrows(false);
    b.visit_type_mut(&mut ty.clone());
    if !b.0 {
        return;
    }
    let written = tidy_tokens(&ty.to_token_stream().to_string());
    let instead = owned_alternative(ty)
        .map(|o| format!("take `{o}` instead of `{written}`"))
        .unwrap_or_else(|| {
            format!(
                "take an owned type instead of `{written}` (`String`, `Vec<T>`, `OwnedTerm`, ...)"
            )
        });
    errors.push_spanned(
        ty,
        format_args!(
            "an async command takes owned arguments: they are decoded when it is called and used on a worker after the call has returned, when the caller's data is gone; {instead}"
        ),
    );
}

fn owned_alternative(ty: &Type) -> Option<String> {
    let tidy = |t: &Type| tidy_tokens(&t.to_token_stream().to_string());
    match ty {
        Type::Reference(r) => match &*r.elem {
            Type::Path(p) if p.path.is_ident("str") => Some("String".into()),
            Type::Slice(s) => Some(format!("Vec<{}>", tidy(&s.elem))),
            elem => {
                let mut e = elem.clone();
                StaticLifetimes.visit_type_mut(&mut e);
                Some(tidy(&e))
            }
        },
        Type::Path(p) => {
            let last = p.path.segments.last()?;
            match last.ident.to_string().as_str() {
                "Term" | "RawTerm" => Some("OwnedTerm".into()),
                "AtomName" | "Cow" => Some("String".into()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Lifetimes made `'static`, for the owned type of a suggestion.
struct StaticLifetimes;

impl VisitMut for StaticLifetimes {
    fn visit_lifetime_mut(&mut self, l: &mut syn::Lifetime) {
        *l = syn::Lifetime::new("'static", l.apostrophe);
    }
}

/// Lifetimes other than `'static` made `'_`: a type of the method's signature written
/// inside the dispatch, where the method's own lifetime parameters do not exist.
pub struct ElideLifetimes;

impl VisitMut for ElideLifetimes {
    fn visit_lifetime_mut(&mut self, l: &mut syn::Lifetime) {
        if l.ident != "static" {
            *l = syn::Lifetime::new("'_", l.apostrophe);
        }
    }
}

/// The doc comment: one line per `///` line, without the one leading space rustdoc drops.
fn doc(attrs: &[syn::Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(syn::MetaNameValue {
                value:
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }),
                ..
            }) => Some(s.value()),
            _ => None,
        })
        .flat_map(|s| s.split('\n').map(str::to_owned).collect::<Vec<_>>())
        .map(|l| l.strip_prefix(' ').map(str::to_owned).unwrap_or(l))
        .collect();
    lines.join("\n").trim().to_owned()
}

/// The checks across the block's commands: one name, one number each. Reports the later of
/// two, and drops it.
pub fn unique(commands: &mut Vec<Command>, errors: &mut Errors) {
    let mut kept: Vec<Command> = Vec::with_capacity(commands.len());
    for c in commands.drain(..) {
        if kept.iter().any(|k| k.name == c.name) {
            errors.push(
                c.ident.span(),
                format_args!(
                    "a second command named `{}`: each command is one Erlang function, named and numbered by its name",
                    c.name
                ),
            );
            continue;
        }
        if let Some(k) = kept.iter().find(|k| k.id == c.id) {
            let how = |c: &Command| match c.id_span {
                Some(_) => "given with `id`",
                None => "hashed from its name",
            };
            errors.push(
                c.id_span.unwrap_or_else(|| c.ident.span()),
                format_args!(
                    "commands `{}` and `{}` have the same number {} (`{}`: {}; `{}`: {}): give one of them another with `#[command(id = N)]`",
                    k.name,
                    c.name,
                    c.id,
                    k.name,
                    how(k),
                    c.name,
                    how(&c)
                ),
            );
            continue;
        }
        kept.push(c);
    }
    *commands = kept;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runtime's `erldrv::command::id_of` has the same values in its tests.
    #[test]
    fn numbers_are_the_runtimes() {
        assert_eq!(id_of("add"), 0x3c39_1274);
        assert_eq!(id_of("echo"), 0xd59d_d484);
        assert_eq!(id_of(""), 0x821c_9dc5);
    }

    fn command(f: ImplItemFn) -> (Option<Command>, usize) {
        let mut f = f;
        let mut errors = Errors::default();
        let c = take(&mut f, &mut errors);
        assert!(!is_command(&f), "the attribute is taken off");
        (c, errors.len())
    }

    #[test]
    fn kinds_by_signature() {
        let kind = |f: ImplItemFn| command(f).0.map(|c| c.kind);
        assert_eq!(
            kind(syn::parse_quote!(
                #[command]
                fn f(&mut self, a: i64) -> i64 {
                    a
                }
            )),
            Some(Kind::Sync)
        );
        assert_eq!(
            kind(syn::parse_quote!(
                #[command]
                fn f(&self, port: &Port, d: &[u8]) -> Vec<u8> {
                    todo!()
                }
            )),
            Some(Kind::Bytes)
        );
        assert_eq!(
            kind(syn::parse_quote!(
                #[command]
                fn f<'a>(d: &'a [u8]) -> &'a [u8] {
                    d
                }
            )),
            Some(Kind::Bytes)
        );
        assert_eq!(
            kind(syn::parse_quote!(
                #[command]
                fn f(d: &[u8]) -> erldrv::Binary {
                    todo!()
                }
            )),
            Some(Kind::Bytes)
        );
        // Bytes in, a term out: an ordinary sync command.
        assert_eq!(
            kind(syn::parse_quote!(
                #[command]
                fn f(d: &[u8]) -> usize {
                    0
                }
            )),
            Some(Kind::Sync)
        );
        assert_eq!(
            kind(syn::parse_quote!(
                #[command]
                fn f(d: &[u8], n: u8) -> Vec<u8> {
                    todo!()
                }
            )),
            Some(Kind::Sync)
        );
        assert_eq!(
            kind(syn::parse_quote!(
                #[command(async)]
                fn f(cancel: &Cancel, d: Vec<u8>) -> Vec<u8> {
                    d
                }
            )),
            Some(Kind::Async)
        );
    }

    #[test]
    fn a_model_of_a_command() {
        let (c, errors) = command(syn::parse_quote! {
            /// Adds.
            ///
            /// Really.
            #[command(id = 7)]
            fn r#add(&mut self, port: &erldrv::Port<'_>, a: i64, (b, c): (u8, u8)) -> Result<i64, String> { todo!() }
        });
        assert_eq!(errors, 0);
        let c = c.unwrap();
        assert_eq!(c.name, "add");
        assert_eq!(c.id, 7);
        assert_eq!(c.receiver, Receiver::RefMut);
        assert!(c.context);
        assert_eq!(
            c.args.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
            ["a", "arg2"]
        );
        assert!(c.returns_result);
        assert_eq!(c.doc, "Adds.\n\nReally.");
    }

    #[test]
    fn mistakes() {
        let errors = |f: ImplItemFn| command(f).1;
        assert_eq!(
            errors(syn::parse_quote!(
                #[command(async)]
                fn f(&mut self) {}
            )),
            1
        );
        assert_eq!(
            errors(syn::parse_quote!(
                #[command(async)]
                fn f(a: &str, b: Vec<&[u8]>, c: Term<'static>) {}
            )),
            2
        );
        assert_eq!(
            errors(syn::parse_quote!(
                #[command(async)]
                fn f(port: &Port) {}
            )),
            1
        );
        assert_eq!(
            errors(syn::parse_quote!(
                #[command]
                fn f(c: &Cancel) {}
            )),
            1
        );
        assert_eq!(
            errors(syn::parse_quote!(
                #[command]
                fn f(a: u8, port: &Port) {}
            )),
            1
        );
        assert_eq!(
            errors(syn::parse_quote!(
                #[command]
                async fn f() {}
            )),
            1
        );
        assert_eq!(
            errors(syn::parse_quote!(
                #[command]
                fn f<T>(t: T) {}
            )),
            1
        );
        assert_eq!(
            errors(syn::parse_quote!(
                #[command]
                fn f(self) {}
            )),
            1
        );
        assert_eq!(
            errors(syn::parse_quote!(
                #[command(id = 0xFFFFFF00)]
                fn f() {}
            )),
            1
        );
        assert_eq!(
            errors(syn::parse_quote!(
                #[command(sync)]
                fn f() {}
            )),
            1
        );
        assert_eq!(
            errors(syn::parse_quote!(
                #[command]
                #[command]
                fn f() {}
            )),
            1
        );
    }

    #[test]
    fn owned_alternatives() {
        let alt = |t: Type| owned_alternative(&t);
        assert_eq!(alt(syn::parse_quote!(&str)).as_deref(), Some("String"));
        assert_eq!(alt(syn::parse_quote!(&'a [u8])).as_deref(), Some("Vec<u8>"));
        assert_eq!(
            alt(syn::parse_quote!(Term<'_>)).as_deref(),
            Some("OwnedTerm")
        );
        assert_eq!(
            alt(syn::parse_quote!(&Foo<'a>)).as_deref(),
            Some("Foo<'static>")
        );
    }

    #[test]
    fn one_name_and_one_number_each() {
        let mk = |f: ImplItemFn| command(f).0.unwrap();
        let mut cs = vec![
            mk(syn::parse_quote!(
                #[command]
                fn a() {}
            )),
            mk(syn::parse_quote!(
                #[command(id = 5)]
                fn b() {}
            )),
            mk(syn::parse_quote!(
                #[command(id = 5)]
                fn c() {}
            )),
            mk(syn::parse_quote!(
                #[command]
                fn a() {}
            )),
        ];
        let mut errors = Errors::default();
        unique(&mut cs, &mut errors);
        assert_eq!(errors.len(), 2);
        assert_eq!(
            cs.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
    }
}
