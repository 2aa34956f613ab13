//! Code generation for `#[derive(TermType)]`: the type's description, from the same model
//! `ToTerm` and `FromTerm` are generated from, so the three agree.
//!
//! A type without type or const parameters is a named type (`point()`), whose definition
//! is the trait's `definition`; a generic one is described inline (its instances differ).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Attribute, Member, Type};

use super::check::{Elem, Model, Shape, VariantKind};
use super::{generics, names};

pub fn generate(m: &Model<'_>, attrs: &[Attribute]) -> TokenStream {
    let body = match &m.shape {
        Shape::Map {
            fields,
            elixir_struct,
        } => {
            // The module's key first: required when written, optional when read (a plain
            // map reads too).
            let module = elixir_struct.as_ref().map(|m| {
                let atom = format!("Elixir.{m}");
                quote!(::erldrv::__private::term::type_struct_key(#atom, __dir),)
            });
            let fields = fields.iter().map(|f| {
                let key = &f.key;
                let value = describe(f.ty);
                let default = f.default;
                quote! {
                    ::erldrv::__private::term::type_map_field(#key, #value, #default, __dir)
                }
            });
            quote!(::erldrv::term::TypeDesc::Fields(
                ::std::vec![#module #(#fields),*]
            ))
        }
        Shape::Tuple { tag: None, elems } => {
            let elems = elems.iter().map(|e| describe(e.ty));
            quote!(::erldrv::term::TypeDesc::Tuple(::std::vec![#(#elems),*]))
        }
        Shape::Tuple {
            tag: Some(tag),
            elems,
        } => record(tag, elems),
        Shape::Transparent(e) => describe(e.ty),
        Shape::Atom(name) => quote!(::erldrv::__private::term::type_literal(#name)),
        Shape::Enum(variants) => {
            let alts = variants.iter().map(|v| match &v.kind {
                VariantKind::Atom(name) => quote!(::erldrv::__private::term::type_literal(#name)),
                VariantKind::Tagged { tag, elems } => record(tag, elems),
                VariantKind::Transparent(e) => describe(e.ty),
            });
            quote!(::erldrv::term::TypeDesc::Union(::std::vec![#(#alts),*]))
        }
    };

    let generic =
        m.generics.type_params().next().is_some() || m.generics.const_params().next().is_some();
    let reference = |dir: TokenStream| {
        let dir = quote!(::erldrv::term::Dir::#dir);
        let define = quote!(<Self as ::erldrv::term::TermType>::definition);
        if generic {
            quote! {
                ::erldrv::__private::term::inline_generic(
                    ::core::any::type_name::<Self>(), #dir, #define,
                )
            }
        } else {
            let name = names::snake_case(&m.ident.unraw().to_string());
            let rust = &m.name;
            let doc = doc(attrs);
            quote! {
                ::erldrv::term::TypeDesc::Named(::erldrv::term::Named::new(
                    #name,
                    ::core::concat!(::core::module_path!(), "::", #rust),
                    #doc,
                    #dir,
                    #define,
                ))
            }
        }
    };
    let output = reference(quote!(Output));
    let input = reference(quote!(Input));

    let (impl_generics, ty_generics, where_clause) =
        generics::bounded(m.generics, None, quote!(::erldrv::term::TermType));
    let ident = m.ident;
    quote! {
        #[automatically_derived]
        impl #impl_generics ::erldrv::term::TermType for #ident #ty_generics #where_clause {
            fn output_type() -> ::erldrv::term::TypeDesc {
                #output
            }
            fn input_type() -> ::erldrv::term::TypeDesc {
                #input
            }
            fn definition(__dir: ::erldrv::term::Dir) -> ::erldrv::term::TypeDesc {
                #body
            }
        }
    }
}

/// The description of a field's type in `__dir`; an error for a type that has none points
/// at the field's type.
fn describe(ty: &Type) -> TokenStream {
    quote_spanned!(ty.span()=> <#ty as ::erldrv::term::TermType>::term_type(__dir))
}

/// `{tag, F1, ...}`, with the fields' names where they have them.
fn record(tag: &str, elems: &[Elem<'_>]) -> TokenStream {
    let fields = elems.iter().map(|e| {
        let name = match &e.member {
            Member::Named(id) => {
                let n = id.unraw().to_string();
                quote!(::core::option::Option::Some(#n))
            }
            Member::Unnamed(_) => quote!(::core::option::Option::None),
        };
        let value = describe(e.ty);
        quote!(::erldrv::__private::term::type_record_field(#name, #value))
    });
    quote!(::erldrv::__private::term::type_record(#tag, ::std::vec![#(#fields),*]))
}

/// The doc comment, as written: one leading space dropped from each line, blank lines
/// around it dropped.
fn doc(attrs: &[Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &nv.value
        {
            // `///` alone is an empty attribute: a blank line, kept.
            for line in s.value().split('\n') {
                lines.push(line.strip_prefix(' ').unwrap_or(line).trim_end().to_owned());
            }
        }
    }
    while lines.first().is_some_and(|l| l.is_empty()) {
        lines.remove(0);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Errors;
    use crate::term::{ast, check};

    fn expand(input: syn::DeriveInput) -> String {
        let mut errors = Errors::default();
        let parsed = ast::parse(&input, "TermType", &mut errors).expect("parses");
        let model = check::check(&parsed, &mut errors).expect("valid");
        generate(&model, &input.attrs).to_string()
    }

    #[test]
    fn a_plain_type_is_named_with_its_doc() {
        let out = expand(syn::parse_quote! {
            /// A point.
            ///
            ///  Indented.
            struct Point { x: i32, #[term(default)] y: i32 }
        });
        assert!(
            out.contains("\"Point\") , \"A point.\\n\\n Indented.\""),
            "{out}"
        );
        assert!(out.contains("type_map_field (\"y\""), "{out}");
        assert!(out.contains("true , __dir"), "{out}");
    }

    #[test]
    fn a_generic_type_is_inline() {
        let out = expand(syn::parse_quote! {
            enum Tagged<T> { Plain(T), Pair { a: T, b: u8 } }
        });
        assert!(out.contains("inline_generic"), "{out}");
        assert!(!out.contains("Named :: new"), "{out}");
        assert!(out.contains("T : :: erldrv :: term :: TermType"), "{out}");
        assert!(out.contains("Some (\"a\")"), "{out}");
    }
}
