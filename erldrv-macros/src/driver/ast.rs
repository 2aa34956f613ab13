//! Parsing the item the attribute is on, before any checks: it must be an impl block.
//! (The attribute's arguments are parsed in [`options`](super::options).)

use proc_macro2::{Span, TokenStream};
use syn::ItemImpl;
use syn::spanned::Spanned;

/// Parses the item the attribute is on; anything but an impl block is an error at the item.
pub fn parse_item(item: TokenStream) -> syn::Result<ItemImpl> {
    match syn::parse2::<syn::Item>(item.clone()) {
        Ok(syn::Item::Impl(imp)) => Ok(imp),
        Ok(other) => Err(syn::Error::new(
            item_keyword_span(&other),
            match type_defined_by(&other) {
                Some((kind, ty)) => format!(
                    "#[erl_driver] goes on the `impl erldrv::Driver for {ty}` block, not on the {kind}: move it there"
                ),
                None => "#[erl_driver] goes on an `impl erldrv::Driver for YourType` block".into(),
            },
        )),
        Err(e) => Err(e),
    }
}

/// For an item that defines a type (the usual place the attribute lands by mistake), what
/// it is and the type's name.
fn type_defined_by(item: &syn::Item) -> Option<(&'static str, &syn::Ident)> {
    match item {
        syn::Item::Struct(s) => Some(("struct", &s.ident)),
        syn::Item::Enum(e) => Some(("enum", &e.ident)),
        syn::Item::Union(u) => Some(("union", &u.ident)),
        _ => None,
    }
}

/// The span of the item's leading keyword (`struct`, `fn`, ...), or the whole item.
fn item_keyword_span(item: &syn::Item) -> Span {
    match item {
        syn::Item::Struct(s) => s.struct_token.span,
        syn::Item::Enum(e) => e.enum_token.span,
        syn::Item::Union(u) => u.union_token.span,
        syn::Item::Fn(f) => f.sig.fn_token.span,
        syn::Item::Trait(t) => t.trait_token.span,
        syn::Item::Mod(m) => m.mod_token.span,
        other => other.span(),
    }
}
