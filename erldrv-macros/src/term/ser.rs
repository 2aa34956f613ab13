//! Code generation for `#[derive(ToTerm)]`: one `write` in prefix order, with a `static`
//! for every atom (so that term output looks each one up only once).

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::check::{Elem, Model, STRUCT_KEY, Shape, VariantKind};
use super::generics;

/// The atoms of one impl, each in a `static` named after its position.
#[derive(Default)]
struct Atoms {
    statics: Vec<TokenStream>,
}

impl Atoms {
    /// A reference to the static holding `name`.
    fn get(&mut self, name: &str) -> TokenStream {
        let ident = format_ident!("__ERLDRV_ATOM_{}", self.statics.len());
        self.statics.push(quote! {
            static #ident: ::erldrv::term::Atom = ::erldrv::term::Atom::new(#name);
        });
        quote!(&#ident)
    }
}

pub fn generate(m: &Model<'_>) -> TokenStream {
    let mut atoms = Atoms::default();
    let body = match &m.shape {
        Shape::Map {
            fields,
            elixir_struct,
        } => {
            let n = fields.len() + usize::from(elixir_struct.is_some());
            let module = elixir_struct.as_ref().map(|m| {
                let key = atoms.get(STRUCT_KEY);
                let module = atoms.get(&format!("Elixir.{m}"));
                quote! {
                    ::erldrv::term::TermWriter::atom(__w, #key);
                    ::erldrv::term::TermWriter::atom(__w, #module);
                }
            });
            let pairs = fields.iter().map(|f| {
                let key = atoms.get(&f.key);
                let member = &f.member;
                let write = quote_spanned!(f.ty.span()=>
                    ::erldrv::term::ToTerm::write(&self.#member, __w);
                );
                quote! {
                    ::erldrv::term::TermWriter::atom(__w, #key);
                    #write
                }
            });
            quote! {
                ::erldrv::term::TermWriter::map(__w, #n);
                #module
                #(#pairs)*
            }
        }
        Shape::Tuple { tag, elems } => {
            let arity = elems.len() + usize::from(tag.is_some());
            let tag = tag.as_ref().map(|t| {
                let t = atoms.get(t);
                quote!(::erldrv::term::TermWriter::atom(__w, #t);)
            });
            let elems = elems.iter().map(|e| write_elem(e, quote!(&self.)));
            quote! {
                ::erldrv::term::TermWriter::tuple(__w, #arity);
                #tag
                #(#elems)*
            }
        }
        Shape::Transparent(e) => write_elem(e, quote!(&self.)),
        Shape::Atom(name) => {
            let a = atoms.get(name);
            quote!(::erldrv::term::TermWriter::atom(__w, #a);)
        }
        Shape::Enum(variants) => {
            let arms = variants.iter().map(|v| {
                let ident = v.ident;
                match &v.kind {
                    VariantKind::Atom(name) => {
                        let a = atoms.get(name);
                        quote!(Self::#ident {} => ::erldrv::term::TermWriter::atom(__w, #a),)
                    }
                    VariantKind::Tagged { tag, elems } => {
                        let t = atoms.get(tag);
                        let arity = elems.len() + 1;
                        let (pattern, writes) = bind(elems);
                        quote! {
                            Self::#ident { #pattern } => {
                                ::erldrv::term::TermWriter::tuple(__w, #arity);
                                ::erldrv::term::TermWriter::atom(__w, #t);
                                #writes
                            }
                        }
                    }
                    VariantKind::Transparent(e) => {
                        let (pattern, writes) = bind(std::slice::from_ref(e));
                        quote!(Self::#ident { #pattern } => { #writes })
                    }
                }
            });
            quote! {
                match self {
                    #(#arms)*
                }
            }
        }
    };

    let (impl_generics, ty_generics, where_clause) =
        generics::bounded(m.generics, None, quote!(::erldrv::term::ToTerm));
    let ident = m.ident;
    let statics = &atoms.statics;
    quote! {
        const _: () = {
            #(#statics)*

            #[automatically_derived]
            impl #impl_generics ::erldrv::term::ToTerm for #ident #ty_generics #where_clause {
                fn write<__W: ::erldrv::term::TermWriter + ?::core::marker::Sized>(
                    &self,
                    __w: &mut __W,
                ) {
                    #body
                }
            }
        };
    }
}

/// Writes one field, reached as `#prefix #member` (`&self.name`), or bound by a pattern.
fn write_elem(e: &Elem<'_>, prefix: TokenStream) -> TokenStream {
    let member = &e.member;
    quote_spanned!(e.ty.span()=> ::erldrv::term::ToTerm::write(#prefix #member, __w);)
}

/// A pattern binding a variant's fields to `__f0`, `__f1`, ..., and the writes of them.
fn bind(elems: &[Elem<'_>]) -> (TokenStream, TokenStream) {
    let names: Vec<_> = (0..elems.len()).map(|i| format_ident!("__f{i}")).collect();
    let members = elems.iter().map(|e| &e.member);
    let pattern = quote!(#(#members: #names),*);
    let writes = elems
        .iter()
        .zip(&names)
        .map(|(e, n)| quote_spanned!(e.ty.span()=> ::erldrv::term::ToTerm::write(#n, __w);));
    (pattern, quote!(#(#writes)*))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Errors;
    use crate::term::{ast, check};

    fn expand(input: syn::DeriveInput) -> String {
        let mut errors = Errors::default();
        let parsed = ast::parse(&input, "ToTerm", &mut errors).expect("parses");
        let model = check::check(&parsed, &mut errors).expect("valid");
        generate(&model).to_string()
    }

    #[test]
    fn one_static_per_atom_and_prefix_order() {
        let out = expand(syn::parse_quote! {
            enum Reply { NotFound, Value(u32), #[term(transparent)] Raw(String) }
        });
        assert!(out.contains("__ERLDRV_ATOM_0"), "{out}");
        assert!(out.contains("__ERLDRV_ATOM_1"), "{out}");
        assert!(!out.contains("__ERLDRV_ATOM_2"), "{out}");
        assert!(out.contains("Atom :: new (\"not_found\")"), "{out}");
        assert!(out.contains("Atom :: new (\"value\")"), "{out}");
        let tuple = out
            .find("TermWriter :: tuple (__w , 2usize)")
            .expect("tuple header");
        let tag = out
            .find("TermWriter :: atom (__w , & __ERLDRV_ATOM_1)")
            .expect("tag");
        assert!(tuple < tag);
    }
}
