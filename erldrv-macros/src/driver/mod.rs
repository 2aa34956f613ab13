//! `#[erl_driver]`: parse the options ([`options`]) and the impl block ([`ast`]), check them
//! into a [`Model`](check::Model) of the driver ([`check`], with [`call_types`]), then
//! generate the driver entry from the model ([`expand`](mod@expand)), or, when something
//! is wrong, re-emit the block beside the errors ([`fallback`]).
//!
//! Every callback-specific fact (names, receivers, `Slots` flags, what the block must
//! write or needs besides) is in one table, [`callbacks`]; every option keyword is in
//! [`options`].

mod ast;
mod call_types;
mod callbacks;
mod check;
mod commands;
mod dispatch;
mod expand;
mod fallback;
mod options;

use proc_macro2::TokenStream;

use crate::diag::{Errors, Failed};
use options::Options;

/// The attribute's expansion, or its errors and what to emit beside them.
pub fn expand(args: TokenStream, item: TokenStream) -> Result<TokenStream, Failed> {
    let mut errors = Errors::default();
    let options = Options::parse(args, &mut errors);
    let item = match ast::parse_item(item.clone()) {
        Ok(imp) => imp,
        // Not an impl block: hand the item back unchanged.
        Err(e) => {
            return Err(Failed {
                error: errors.combined_with(e),
                fallback: item,
            });
        }
    };
    match check::check(options, item, errors) {
        Ok(model) => Ok(expand::driver(model)),
        Err(rejected) => Err(Failed {
            error: rejected.error,
            fallback: fallback::rest(rejected.rest),
        }),
    }
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use quote::quote;

    fn errors(args: TokenStream, item: TokenStream) -> Vec<String> {
        match super::expand(args, item) {
            Ok(_) => Vec::new(),
            Err(f) => f.error.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn talks_to_the_runtime_through_private_only() {
        let out = super::expand(
            quote!(name = "t_drv", soft_busy),
            quote! {
                impl erldrv::Driver for T {
                    fn start(port: &Port, command: &[u8]) -> Result<Self, StartError> { todo!() }
                    fn output(&mut self, port: &Port, data: &[u8]) {}
                    fn timeout(&mut self, port: &Port) {}
                }
            },
        )
        .unwrap_or_else(|f| panic!("{}", f.error))
        .to_string();
        for expected in [
            ":: erldrv :: __private :: DriverEntry for T",
            ":: erldrv :: __private :: EntryCell :: new",
            ":: erldrv :: __private :: entry :: < T >",
            ":: erldrv :: __private :: Slots { name : c\"t_drv\" , \
             flags : :: erldrv :: __private :: sys :: ERL_DRV_FLAG_SOFT_BUSY as :: core :: ffi :: c_int , \
             init : false , output : true , outputv : false , control : false , call : false , \
             ready_async : false , ready_input : false , ready_output : false , flush : false , \
             process_exit : false , }",
            "const PROCESS_EXIT : bool = false ;",
            ":: erldrv :: __private :: driver_init :: < T > (& ENTRY)",
            "type Async = () ;",
            "type CallArgs < '__erldrv_call > = () ;",
        ] {
            assert!(out.contains(expected), "{expected}\nnot in\n{out}");
        }
    }

    #[test]
    fn a_candidate_has_no_driver_init_and_watch_callers_fills_process_exit() {
        let out = super::expand(
            quote!(name = "t_drv", candidate, watch_callers),
            quote! {
                impl erldrv::Driver for T {
                    fn start(port: &Port, command: &[u8]) -> Result<Self, StartError> { todo!() }
                }
            },
        )
        .unwrap_or_else(|f| panic!("{}", f.error))
        .to_string();
        assert!(!out.contains("driver_init"), "{out}");
        assert!(out.contains("process_exit : true"), "{out}");
        assert!(out.contains("const PROCESS_EXIT : bool = true ;"), "{out}");
        assert!(out.contains("fn entry ()"), "{out}");
    }

    #[test]
    fn option_mistakes_are_reported_with_a_misplaced_attribute() {
        assert_eq!(
            errors(
                quote!(nme = "x"),
                quote!(
                    struct Foo;
                )
            )
            .len(),
            2,
        );
    }

    #[test]
    fn the_rejected_block_is_re_emitted_with_a_stand_in_start() {
        let Err(failed) = super::expand(
            quote!(name = "t_drv"),
            quote! {
                impl Driver for T {
                    fn output(&self, port: &Port, data: &[u8]) {}
                }
            },
        ) else {
            panic!("accepted")
        };
        assert_eq!(failed.error.into_iter().count(), 2);
        let out = failed.fallback.to_string();
        assert!(!out.contains("fn output"), "{out}");
        assert!(out.contains("fn start"), "{out}");
        assert!(!out.contains("__private"), "{out}");
    }
}
