//! Code generation from a checked [`Model`]: the block, completed with the associated types
//! it leaves out, then the driver entry, `DriverEntry` and `driver_init`. Nothing here
//! validates; everything callback-specific comes from the [table](super::callbacks).
//!
//! The generated code only names things in `::erldrv::__private`; every trampoline is an
//! ordinary generic function there, instantiated here for the user's type.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{ImplItem, ItemImpl};

use super::call_types;
use super::callbacks::{self, ASYNC, CALL_ARGS, CALL_REPLY, CALLBACKS, Slot};
use super::check::{Block, Model};
use super::dispatch;

pub fn driver(model: Model) -> TokenStream {
    let slots: Vec<_> = CALLBACKS
        .iter()
        .filter(|c| c.slot.has_field())
        .map(|c| {
            let field = format_ident!("{}", c.name);
            let on = model.block.writes(c)
                || (c.slot == Slot::FlagOrWatchCallers && model.watch_callers)
                || c.commands.fills(&model.block.commands);
            quote!(#field: #on)
        })
        .collect();
    let process_exit = CALLBACKS
        .iter()
        .filter(|c| c.slot == Slot::FlagOrWatchCallers)
        .any(|c| model.block.writes(c) || model.watch_callers);
    let own_requests = model.block.writes(callbacks::requests());
    let commands = dispatch::entry_items(&model.block.commands, own_requests);
    let inherent = dispatch::inherent(&model.block.item.self_ty, &model.block.inherent);
    let imp = completed(model.block);
    let ty = &imp.self_ty;
    let name = syn::LitCStr::new(model.name.as_c_str(), Span::call_site());
    // A candidate's entry is presented by `erldrv::driver_init!`, which chooses at load.
    let driver_init = (!model.candidate).then(|| {
        quote! {
            /// Called by the VM when it loads the driver: installs the driver's panic hook
            /// and returns the driver entry.
            #[unsafe(no_mangle)]
            pub extern "C" fn driver_init() -> *mut ::erldrv::__private::sys::ErlDrvEntry {
                ::erldrv::__private::driver_init::<#ty>(&ENTRY)
            }
        }
    });
    let flags = if model.flags.is_empty() {
        quote!(0)
    } else {
        let f = model
            .flags
            .iter()
            .map(|f| format_ident!("{}", f.constant()));
        quote!(#(::erldrv::__private::sys::#f as ::core::ffi::c_int)|*)
    };
    let workers = model.workers.map(|n| quote!(const WORKERS: usize = #n;));
    let queue = model.queue.map(|n| quote!(const QUEUE: usize = #n;));
    quote! {
        #imp

        #inherent

        const _: () = {
            // `DriverEntry` has no `Driver` supertrait, so that an `impl Driver` that fails (say,
            // the type is not `Send`) is reported once, at the block, and not again here.
            impl ::erldrv::__private::DriverEntry for #ty {
                const NAME: &'static ::core::ffi::CStr = #name;
                const PROCESS_EXIT: bool = #process_exit;
                #workers
                #queue
                #commands

                fn entry() -> *mut ::erldrv::__private::sys::ErlDrvEntry {
                    ENTRY.get()
                }
            }

            static ENTRY: ::erldrv::__private::EntryCell = ::erldrv::__private::EntryCell::new(
                ::erldrv::__private::entry::<#ty>(&::erldrv::__private::Slots {
                    name: #name,
                    flags: #flags,
                    #(#slots,)*
                }),
            );

            #driver_init
        };
    }
}

/// The block with the associated types it leaves out: `type Async = ();`, and `CallArgs`
/// and `CallReply` as read off `call`; and `#[inline]` on its request callbacks.
pub fn completed(block: Block) -> ItemImpl {
    let mut imp = block.item;
    inline_requests(&mut imp);
    if block.async_default {
        let ident = format_ident!("{}", ASYNC);
        imp.items.push(syn::parse_quote! { type #ident = (); });
    }
    let lt = call_types::lifetime();
    for (name, ty) in [
        (CALL_ARGS, block.call_types.args),
        (CALL_REPLY, block.call_types.reply),
    ] {
        if let Some(ty) = ty {
            let ident = format_ident!("{}", name);
            imp.items
                .push(syn::parse_quote! { type #ident<#lt> = #ty; });
        }
    }
    imp
}

/// Marks the request callbacks of the block `#[inline]` (see [`Callback::inline`]), except
/// where the block says how to inline them itself.
///
/// [`Callback::inline`]: super::callbacks::Callback::inline
fn inline_requests(imp: &mut ItemImpl) {
    for item in &mut imp.items {
        if let ImplItem::Fn(f) = item
            && callbacks::find(&f.sig.ident.to_string()).is_some_and(|c| c.inline)
            && !f.attrs.iter().any(|a| a.path().is_ident("inline"))
        {
            f.attrs.push(syn::parse_quote!(#[inline]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inline_attrs(imp: &ItemImpl, name: &str) -> Vec<String> {
        imp.items
            .iter()
            .find_map(|i| match i {
                ImplItem::Fn(f) if f.sig.ident == name => Some(f),
                _ => None,
            })
            .expect("method in the block")
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("inline"))
            .map(|a| quote!(#a).to_string())
            .collect()
    }

    #[test]
    fn request_callbacks_are_inlined_unless_the_block_says_otherwise() {
        let mut imp: ItemImpl = syn::parse_quote! {
            impl Driver for D {
                fn start(port: &Port, command: &[u8]) -> Result<Self, StartError> { todo!() }
                fn output(&mut self, port: &Port, data: &[u8]) {}
                fn outputv(&mut self, port: &Port, data: IoVec<'_>) {}
                fn control(&mut self, port: &Port, command: u32, data: &[u8], reply: &mut Reply)
                    -> Result<(), Badarg> { Ok(()) }
                #[inline(never)]
                fn call(&mut self, port: &Port, command: u32, args: ()) -> Result<(), CallError> {
                    Ok(())
                }
                fn timeout(&mut self, port: &Port) {}
                fn helper(&self) {}
            }
        };
        inline_requests(&mut imp);
        for name in ["output", "outputv", "control"] {
            assert_eq!(inline_attrs(&imp, name), ["# [inline]"], "{name}");
        }
        assert_eq!(inline_attrs(&imp, "call"), ["# [inline (never)]"]);
        for name in ["start", "timeout", "helper"] {
            assert!(inline_attrs(&imp, name).is_empty(), "{name}");
        }
    }
}
