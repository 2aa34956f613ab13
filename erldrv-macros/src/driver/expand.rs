//! Code generation: the driver entry, `DriverEntry` and `driver_init`.
//!
//! The generated code only names things; every trampoline is an ordinary generic function
//! in `erldrv::__private`, instantiated here for the user's type.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::ItemImpl;

use super::check::{self, Model};
use super::{ast, symbol};
use super::{call_types, callbacks};
use crate::diag::Errors;

pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let opts = match ast::parse_args(args) {
        Ok(opts) => opts,
        Err(e) => {
            errors.push_error(e);
            Vec::new()
        }
    };
    let mut imp = match ast::parse_item(item.clone()) {
        Ok(imp) => imp,
        Err(e) => {
            // Not an impl block: report, and hand the item back unchanged.
            let mut errs = errors;
            errs.push_error(e);
            let err = errs.into_combined().map(|e| e.to_compile_error());
            return quote! { #err #item };
        }
    };
    let (name, flags) = check::check_options(&opts, &mut errors);
    let (mut written, has_async_type) = check::check_impl(&mut imp, &mut errors);
    let name = match name {
        Some((n, _)) => Some(n),
        None => default_name(&mut errors),
    };
    if check::is_driver_impl(&imp) {
        add_async_default(&mut imp, has_async_type);
        if !call_types::add(&mut imp, &mut errors) {
            written.retain(|w| *w != "call");
        }
    }
    match (errors.into_combined(), name) {
        (None, Some(name)) => generate(&Model {
            item: imp,
            name,
            flags,
            written,
        }),
        (err, _) => {
            // Re-emit the block (without the methods we rejected) so that rustc does not add
            // follow-up errors about the type; a missing `start` gets a body that never runs.
            fill_missing_start(&mut imp);
            let err = err.map(|e| e.to_compile_error());
            quote! { #err #imp }
        }
    }
}

/// The crate's name, which is also the file Cargo writes (`lib<crate>.so`).
fn default_name(errors: &mut Errors) -> Option<String> {
    match std::env::var("CARGO_CRATE_NAME") {
        Ok(n) => match check::validate_name(&n) {
            Ok(()) => Some(n),
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

/// `type Async = ();` unless the block chose a type.
fn add_async_default(imp: &mut ItemImpl, has_async_type: bool) {
    if !has_async_type {
        let ident = format_ident!("{}", symbol::ASYNC_TYPE);
        imp.items.push(syn::parse_quote! { type #ident = (); });
    }
}

fn fill_missing_start(imp: &mut ItemImpl) {
    let has_start = imp
        .items
        .iter()
        .any(|i| matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "start"));
    if check::is_driver_impl(imp) && !has_start {
        imp.items.push(syn::parse_quote! {
            fn start(
                _: &::erldrv::Port<'_>,
                _: &[u8],
            ) -> ::core::result::Result<Self, ::erldrv::StartError> {
                ::core::unreachable!()
            }
        });
    }
}

fn generate(m: &Model) -> TokenStream {
    let imp = &m.item;
    let ty = &imp.self_ty;
    let name = syn::LitCStr::new(
        &std::ffi::CString::new(m.name.clone()).expect("validated: no NUL"),
        Span::call_site(),
    );
    let flags = if m.flags.is_empty() {
        quote!(0)
    } else {
        let f = m.flags.iter().map(|f| format_ident!("{}", f));
        quote!(#(::erldrv::__private::sys::#f as ::core::ffi::c_int)|*)
    };
    let slots = callbacks::CALLBACKS
        .iter()
        .filter(|c| c.optional_slot)
        .map(|c| {
            let field = format_ident!("{}", c.name);
            let on = m.written.contains(&c.name);
            quote!(#field: #on)
        });
    quote! {
        #imp

        const _: () = {
            // `DriverEntry` has no `Driver` supertrait, so that an `impl Driver` that fails (say,
            // the type is not `Send`) is reported once, at the block, and not again here.
            impl ::erldrv::__private::DriverEntry for #ty {
                const NAME: &'static ::core::ffi::CStr = #name;
            }

            static ENTRY: ::erldrv::__private::EntryCell = ::erldrv::__private::EntryCell::new(
                ::erldrv::__private::entry::<#ty>(&::erldrv::__private::Slots {
                    name: #name,
                    flags: #flags,
                    #(#slots,)*
                }),
            );

            /// Called by the VM when it loads the driver: installs the driver's panic hook
            /// and returns the driver entry.
            #[unsafe(no_mangle)]
            pub extern "C" fn driver_init() -> *mut ::erldrv::__private::sys::ErlDrvEntry {
                ::erldrv::__private::driver_init::<#ty>(&ENTRY)
            }
        };
    }
}
