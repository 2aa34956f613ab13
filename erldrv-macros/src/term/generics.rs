//! The generics of the derived impls: the type's own, each type parameter bounded by the
//! trait, and for `FromTerm` the input's lifetime.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::{GenericParam, Generics, Lifetime, LifetimeParam};

/// `(impl generics, type generics, where clause)` for an impl of `bound` for the type:
/// every type parameter gets `T: bound`, and `extra` (a lifetime the type does not have)
/// is added first.
pub fn bounded(
    generics: &Generics,
    extra: Option<&Lifetime>,
    bound: TokenStream,
) -> (TokenStream, TokenStream, TokenStream) {
    let mut g = generics.clone();
    for param in &mut g.params {
        if let GenericParam::Type(t) = param {
            t.bounds.push(syn::parse_quote!(#bound));
        }
    }
    if let Some(lt) = extra {
        g.params
            .insert(0, GenericParam::Lifetime(LifetimeParam::new(lt.clone())));
    }
    let (impl_generics, _, where_clause) = g.split_for_impl();
    let (_, ty_generics, _) = generics.split_for_impl();
    (
        impl_generics.to_token_stream(),
        ty_generics.to_token_stream(),
        where_clause.map_or_else(TokenStream::new, |w| quote!(#w)),
    )
}
