//! What the attribute emits beside its errors, so that rustc and IDEs do not bury them under
//! follow-up errors of their own: the user's block, with the methods that were rejected
//! taken out and stand-ins for what it must have.

use proc_macro2::TokenStream;
use quote::ToTokens;

use super::callbacks::{CALLBACKS, Presence};
use super::check::Rest;
use super::{dispatch, expand};

pub fn rest(rest: Rest) -> TokenStream {
    match rest {
        // The associated types, and a required method that is missing (or was rejected)
        // given a body that never runs.
        Rest::Driver(block) => {
            let missing: Vec<_> = CALLBACKS
                .iter()
                .filter_map(|c| match c.presence {
                    Presence::Required { stub, .. } if !block.writes(c) => Some(stub),
                    _ => None,
                })
                .collect();
            // The commands stay callable as methods, so that calls to them add no errors.
            let inherent = dispatch::inherent(&block.item.self_ty, &block.inherent);
            let mut imp = expand::completed(*block);
            imp.items.extend(missing.into_iter().map(|stub| stub()));
            let mut out = imp.into_token_stream();
            out.extend(inherent);
            out
        }
        Rest::Other(item) => item,
    }
}
