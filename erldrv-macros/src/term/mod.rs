//! `#[derive(ToTerm, FromTerm)]`: parse ([`ast`]), check into a model of the Erlang
//! representation ([`check`]), then generate each trait's impl ([`ser`], [`de`], [`ty`]).

mod ast;
mod check;
mod de;
mod generics;
mod names;
mod ser;
mod symbol;
mod ty;

use proc_macro2::TokenStream;
use quote::quote;
use syn::{DeriveInput, Lifetime};

use crate::diag::Errors;

/// Which trait is derived.
#[derive(Clone, Copy)]
pub enum Derive {
    ToTerm,
    FromTerm,
    TermType,
}

pub fn expand(derive: Derive, input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error(),
    };
    let mut errors = Errors::default();
    let trait_name = match derive {
        Derive::ToTerm => "ToTerm",
        Derive::FromTerm => "FromTerm",
        Derive::TermType => "TermType",
    };
    let parsed = ast::parse(&input, trait_name, &mut errors);
    let model = parsed.as_ref().and_then(|p| check::check(p, &mut errors));
    let out = match (derive, &model) {
        (Derive::ToTerm, Some(m)) => Some(ser::generate(m)),
        (Derive::FromTerm, Some(m)) => {
            let (lt, add) = de::input_lifetime(m.generics, &mut errors);
            Some(de::generate(m, &lt, add))
        }
        (Derive::TermType, Some(m)) => Some(ty::generate(m, &input.attrs)),
        (_, None) => None,
    };
    match (errors.into_combined(), out) {
        (None, Some(out)) => out,
        (err, _) => {
            let err = err.map(|e| e.to_compile_error());
            let fallback = fallback(derive, &input);
            quote!(#err #fallback)
        }
    }
}

/// An impl that never runs, emitted next to the errors so that uses of the trait do not add
/// "trait not implemented" errors to them.
fn fallback(derive: Derive, input: &DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let (_, ty_generics, where_clause) = input.generics.split_for_impl();
    match derive {
        Derive::ToTerm => {
            let (impl_generics, _, _) = input.generics.split_for_impl();
            quote! {
                impl #impl_generics ::erldrv::term::ToTerm for #ident #ty_generics #where_clause {
                    fn write<__W: ::erldrv::term::TermWriter + ?::core::marker::Sized>(
                        &self,
                        _: &mut __W,
                    ) {
                        ::core::unreachable!()
                    }
                }
            }
        }
        Derive::TermType => {
            let (impl_generics, _, _) = input.generics.split_for_impl();
            quote! {
                impl #impl_generics ::erldrv::term::TermType for #ident #ty_generics #where_clause {
                    fn output_type() -> ::erldrv::term::TypeDesc {
                        ::core::unreachable!()
                    }
                }
            }
        }
        Derive::FromTerm => {
            let lt = Lifetime::new("'__a", proc_macro2::Span::call_site());
            let mut g = input.generics.clone();
            g.params.insert(0, syn::parse_quote!(#lt));
            let (impl_generics, _, _) = g.split_for_impl();
            quote! {
                impl #impl_generics ::erldrv::term::FromTerm<#lt> for #ident #ty_generics #where_clause {
                    fn decode(
                        _: &mut ::erldrv::term::Decoder<#lt>,
                    ) -> ::erldrv::term::Result<Self> {
                        ::core::unreachable!()
                    }
                }
            }
        }
    }
}
