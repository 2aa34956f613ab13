//! The code of `#[command]` methods: the inherent impl they move to, and the items of
//! `DriverEntry` that describe and run them (the table, and one dispatch function per
//! kind, each a `match` on the command number). Every helper it calls is in
//! `::erldrv::__private::command`.
//!
//! Calls that can fail to type-check because of what the user wrote (an argument that is
//! not `FromTerm`, a result that is not `ToTerm`) carry the span of the offending type, so
//! rustc reports them there.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{ImplItemFn, Type};

use super::commands::{Command, ElideLifetimes, Kind, Receiver};
use crate::diag::tidy_tokens;

/// The methods, with their docs and attributes, in `impl T { ... }`.
pub fn inherent(self_ty: &Type, methods: &[ImplItemFn]) -> TokenStream {
    if methods.is_empty() {
        return TokenStream::new();
    }
    quote! {
        impl #self_ty {
            #(#methods)*
        }
    }
}

/// The `DriverEntry` items for the commands; nothing for a block without any (the trait's
/// defaults describe no command). `own_requests`: the block writes the callback requests
/// arrive in, which then gets those that are no async command.
pub fn entry_items(commands: &[Command], own_requests: bool) -> TokenStream {
    if commands.is_empty() {
        return TokenStream::new();
    }
    let table = commands.iter().map(info);
    let has = |k: Kind| commands.iter().any(|c| c.kind == k);
    let (sync, bytes) = (has(Kind::Sync), has(Kind::Bytes));
    let sync_fn = sync.then(|| sync_command(commands));
    let bytes_fn = bytes.then(|| bytes_command(commands));
    let async_fn =
        (has(Kind::Async) || !own_requests).then(|| async_command(commands, own_requests));
    quote! {
        const COMMANDS: &'static [::erldrv::__private::command::CommandInfo] = &[#(#table),*];
        const SYNC_COMMANDS: bool = #sync;
        const BYTES_COMMANDS: bool = #bytes;
        #sync_fn
        #bytes_fn
        #async_fn
    }
}

/// The command's row of the table.
fn info(c: &Command) -> TokenStream {
    let name = &c.name;
    let id = c.id;
    let kind = format_ident!("{}", c.kind.variant());
    // The descriptions are `fn` pointers, spanned at the types: a type that is not
    // `TermType` is reported there.
    let args = c.args.iter().map(|a| {
        let n = &a.name;
        let t = type_text(&a.ty);
        let ty = elided(&a.ty);
        let desc = quote_spanned!(a.ty.span()=> ::erldrv::__private::command::input_of::<#ty>);
        quote!(::erldrv::__private::command::ArgInfo::new(#n, #t, #desc))
    });
    let ret = c.ret.as_ref().map_or_else(|| "()".to_owned(), type_text);
    let output = match &c.ret {
        Some(ty) => {
            let elided = elided(ty);
            quote_spanned!(ty.span()=> ::erldrv::__private::command::output_of::<#elided>)
        }
        None => quote!(::erldrv::__private::command::output_of::<()>),
    };
    let returns_result = c.returns_result;
    let doc = &c.doc;
    quote! {
        ::erldrv::__private::command::CommandInfo::new(
            #name,
            #id,
            ::erldrv::__private::command::CommandKind::#kind,
            &[#(#args),*],
            #ret,
            #output,
            #returns_result,
            #doc,
        )
    }
}

fn type_text(ty: &Type) -> String {
    tidy_tokens(&ty.to_token_stream().to_string())
}

/// A type written inside the dispatch: the method's own lifetimes do not exist there.
fn elided(ty: &Type) -> Type {
    let mut ty = ty.clone();
    ElideLifetimes.visit_type_mut(&mut ty);
    ty
}

/// `__a1, __a2, ...`: the decoded arguments.
fn arg_vars(c: &Command) -> Vec<syn::Ident> {
    (1..=c.args.len())
        .map(|i| format_ident!("__a{}", i))
        .collect()
}

/// Decodes the arguments tuple from `__args` into `__a1, ...`; `?` on a refusal.
fn decode_args(c: &Command) -> TokenStream {
    let name = &c.name;
    let arity = c.args.len();
    let lets = c
        .args
        .iter()
        .zip(arg_vars(c))
        .enumerate()
        .map(|(i, (a, var))| {
            let ty = elided(&a.ty);
            let index = i + 1;
            let arg_name = &a.name;
            let decode = quote_spanned! {a.ty.span()=>
                ::erldrv::__private::command::arg::<#ty>(__args, #name, #index, #arg_name)
            };
            quote!(let #var = #decode?;)
        });
    quote! {
        ::erldrv::__private::command::arity(__args, #name, #arity)?;
        #(#lets)*
        ::erldrv::__private::command::end(__args, #name)?;
    }
}

/// `Self::name(self, __port, __a1, ...)`.
fn invoke(c: &Command, context: TokenStream) -> TokenStream {
    let ident = &c.ident;
    let receiver = match c.receiver {
        Receiver::None => None,
        Receiver::Ref | Receiver::RefMut => Some(quote!(self,)),
    };
    let context = c.context.then_some(quote!(#context,));
    let vars = arg_vars(c);
    quote!(Self::#ident(#receiver #context #(#vars),*))
}

/// The span errors about the result point at: the return type, or the name when there is
/// none.
fn ret_span(c: &Command) -> Span {
    c.ret.as_ref().map_or_else(|| c.ident.span(), Spanned::span)
}

fn sync_command(commands: &[Command]) -> TokenStream {
    let arms = commands.iter().filter(|c| c.kind == Kind::Sync).map(|c| {
        let id = c.id;
        let decode = decode_args(c);
        let call = invoke(c, quote!(__port));
        let reply = quote_spanned! {ret_span(c)=>
            ::erldrv::__private::command::reply(&__r, __port, __out)
        };
        quote! {
            #id => {
                #decode
                let __r = #call;
                #reply
            }
        }
    });
    quote! {
        #[inline]
        fn sync_command<'__a, __W: ::erldrv::__private::command::SyncOut + ?Sized>(
            &mut self,
            __port: &::erldrv::__private::command::Port<'_>,
            __id: u32,
            __args: &mut ::erldrv::__private::command::Decoder<'__a>,
            __out: &mut __W,
        ) -> ::core::result::Result<(), ::erldrv::__private::command::CallError> {
            match __id {
                #(#arms)*
                _ => ::core::result::Result::Err(::erldrv::__private::command::unknown(__id)),
            }
        }
    }
}

fn bytes_command(commands: &[Command]) -> TokenStream {
    let arms = commands.iter().filter(|c| c.kind == Kind::Bytes).map(|c| {
        let id = c.id;
        let ident = &c.ident;
        let receiver = (c.receiver != Receiver::None).then_some(quote!(self,));
        let port = c.context.then_some(quote!(__port,));
        let put = quote_spanned! {ret_span(c)=>
            ::erldrv::__private::command::BytesReply::put(__r, __reply)
        };
        quote! {
            #id => {
                let __r = Self::#ident(#receiver #port __data);
                #put;
                true
            }
        }
    });
    quote! {
        #[inline]
        fn bytes_command(
            &mut self,
            __port: &::erldrv::__private::command::Port<'_>,
            __id: u32,
            __data: &[u8],
            __reply: &mut ::erldrv::__private::command::Reply<'_>,
        ) -> bool {
            match __id {
                #(#arms)*
                _ => false,
            }
        }
    }
}

fn async_command(commands: &[Command], own_requests: bool) -> TokenStream {
    let arms = commands.iter().filter(|c| c.kind == Kind::Async).map(|c| {
        let id = c.id;
        let name = &c.name;
        let decode = decode_args(c);
        let vars = arg_vars(c);
        let call = invoke(c, quote!(__cancel));
        let map = if c.returns_result {
            quote_spanned!(ret_span(c)=> ::erldrv::__private::command::from_result(#call))
        } else {
            quote_spanned!(ret_span(c)=> ::erldrv::__private::command::from_value(#call))
        };
        quote! {
            #id => ::core::option::Option::Some(::erldrv::__private::command::spawn(
                __port,
                #name,
                __data,
                |__args| {
                    #decode
                    ::core::result::Result::Ok((#(#vars,)*))
                },
                |__cancel, (#(#vars,)*)| {
                    let _ = __cancel;
                    #map
                },
            )),
        }
    });
    // Without a `control` of the block's own, nothing else takes requests: say why.
    let other = if own_requests {
        quote!(::core::option::Option::None)
    } else {
        quote! {
            ::core::option::Option::Some(::core::result::Result::Err(
                ::erldrv::__private::command::unknown_async(__id),
            ))
        }
    };
    quote! {
        fn async_command(
            __port: &::erldrv::__private::command::Port<'_>,
            __id: u32,
            __data: &[u8],
        ) -> ::core::option::Option<
            ::core::result::Result<(), ::erldrv::__private::command::Badarg>,
        > {
            match __id {
                #(#arms)*
                _ => #other,
            }
        }
    }
}
