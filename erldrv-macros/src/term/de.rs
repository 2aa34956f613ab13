//! Code generation for `#[derive(FromTerm)]`.
//!
//! Tuples and records are read straight through: header (and tag), then each field. Maps
//! keep one `Option` per field, which also tells duplicates and missing keys apart, so
//! reading allocates nothing unless it fails. Enums read the term's head once and compare
//! its atom with each variant's; `transparent` variants are tried in declaration order
//! from a copy of the decoder.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Generics, Lifetime};

use super::check::{Elem, MapField, Model, STRUCT_KEY, Shape, VariantKind, VariantModel};
use super::{generics, names};
use crate::diag::Errors;

/// The lifetime of the input, and whether the impl must add it (the type has none). A type
/// with more than one lifetime is an error: the input is one borrow.
pub fn input_lifetime(g: &Generics, errors: &mut Errors) -> (Lifetime, bool) {
    let mut lifetimes = g.lifetimes();
    match (lifetimes.next(), lifetimes.next()) {
        (None, _) => (Lifetime::new("'__a", Span::call_site()), true),
        (Some(one), None) => (one.lifetime.clone(), false),
        (Some(first), Some(second)) => {
            errors.push_spanned(
                &second.lifetime,
                format_args!(
                    "FromTerm can borrow from its input with one lifetime only, and this type has `{}` and `{}`: use `{}` for every borrowed field",
                    first.lifetime, second.lifetime, first.lifetime
                ),
            );
            (first.lifetime.clone(), false)
        }
    }
}

/// `::erldrv::__private::term::$name`.
macro_rules! rt {
    ($name:ident) => {
        quote!(::erldrv::__private::term::$name)
    };
}

pub fn generate(m: &Model<'_>, lt: &Lifetime, add_lifetime: bool) -> TokenStream {
    let body = match &m.shape {
        Shape::Map {
            fields,
            elixir_struct,
        } => map(fields, elixir_struct.as_deref(), lt),
        Shape::Tuple { tag, elems } => {
            let arity = elems.len() + usize::from(tag.is_some());
            let header = match tag {
                Some(tag) => {
                    let record = rt!(record);
                    let expected = names::tagged_pattern(tag, elems.len());
                    quote!(#record(__d, #arity, #tag, #expected)?;)
                }
                None => {
                    let tuple = rt!(tuple);
                    let expected = names::tuple_of(arity);
                    quote!(#tuple(__d, #arity, #expected)?;)
                }
            };
            let construct = construct(quote!(Self), elems, lt);
            if elems.is_empty() {
                quote! {
                    #header
                    ::core::result::Result::Ok(#construct)
                }
            } else {
                quote! {
                    #header
                    ::erldrv::term::Decoder::nested(__d, |__d| {
                        ::core::result::Result::Ok(#construct)
                    })
                }
            }
        }
        Shape::Transparent(e) => {
            let member = &e.member;
            let read = read_inner(e, lt);
            quote! {
                ::core::result::Result::map(#read, |__v| Self { #member: __v })
            }
        }
        Shape::Atom(name) => {
            let atom = rt!(atom);
            let expected = format!("the atom {}", names::erlang_atom(name));
            quote! {
                #atom(__d, #name, #expected)?;
                ::core::result::Result::Ok(Self {})
            }
        }
        Shape::Enum(variants) => enumeration(variants, lt),
    };

    let (impl_generics, ty_generics, where_clause) = generics::bounded(
        m.generics,
        add_lifetime.then_some(lt),
        quote!(::erldrv::term::FromTerm<#lt>),
    );
    let ident = m.ident;
    let name = &m.name;
    let within = rt!(within);
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #impl_generics ::erldrv::term::FromTerm<#lt> for #ident #ty_generics #where_clause {
                fn decode(
                    __d: &mut ::erldrv::term::Decoder<#lt>,
                ) -> ::erldrv::term::Result<Self> {
                    #within(__d, #name, |__d| { #body })
                }
            }
        };
    }
}

/// `Path { member: <read the field>, ... }`: the fields read in order.
fn construct(path: TokenStream, elems: &[Elem<'_>], lt: &Lifetime) -> TokenStream {
    let inits = elems.iter().map(|e| {
        let read = read_field(e.ty, &e.at, lt);
        let member = &e.member;
        quote!(#member: #read)
    });
    quote!(#path { #(#inits),* })
}

/// Reads a field of type `ty` from `__d`, adding `at` to the context of an error. Spanned at
/// the type, so that a type without `FromTerm` is reported there.
fn read_field(ty: &syn::Type, at: &str, lt: &Lifetime) -> TokenStream {
    quote_spanned! {ty.span()=>
        <#ty as ::erldrv::term::FromTerm<#lt>>::decode(__d).map_err(|__e| __e.context(#at))?
    }
}

/// Reads a transparent field's value from `__d`.
fn read_inner(e: &Elem<'_>, lt: &Lifetime) -> TokenStream {
    let ty = e.ty;
    quote_spanned!(ty.span()=> <#ty as ::erldrv::term::FromTerm<#lt>>::decode(__d))
}

/// A struct written as a map. With `elixir_struct`, the key `__struct__` may be there (once),
/// holding the module's atom and no other.
fn map(fields: &[MapField<'_>], elixir_struct: Option<&str>, lt: &Lifetime) -> TokenStream {
    let key = rt!(key);
    let unknown_key = rt!(unknown_key);
    let keys = match fields {
        [] => "expected an empty map".to_owned(),
        [one] => format!("the only key is {}", names::erlang_atom(&one.key)),
        _ => format!(
            "the keys are {}",
            names::atom_list(fields.iter().map(|f| f.key.as_str()))
        ),
    };
    let struct_arm = elixir_struct.map(|m| {
        let struct_key = rt!(struct_key);
        let atom = format!("Elixir.{m}");
        quote! {
            if __k.is(#STRUCT_KEY) {
                if __module {
                    return ::core::result::Result::Err(::erldrv::term::DecodeError::custom(
                        "duplicate key __struct__",
                    ));
                }
                __module = true;
                #struct_key(__d, #atom, #m)?;
            } else
        }
    });
    let module_slot = elixir_struct.map(|_| quote!(let mut __module = false;));
    if fields.is_empty() && elixir_struct.is_none() {
        return quote! {
            if ::erldrv::term::Decoder::map(__d)? != 0 {
                let __k = #key(__d)?;
                return ::core::result::Result::Err(#unknown_key(__k, #keys));
            }
            ::core::result::Result::Ok(Self {})
        };
    }
    if fields.is_empty() {
        return quote! {
            let __n = ::erldrv::term::Decoder::map(__d)?;
            #module_slot
            for _ in 0..__n {
                let __k = #key(__d)?;
                #struct_arm {
                    return ::core::result::Result::Err(#unknown_key(__k, #keys));
                }
            }
            ::core::result::Result::Ok(Self {})
        };
    }
    let slots: Vec<_> = (0..fields.len()).map(|i| format_ident!("__f{i}")).collect();
    let arms = fields.iter().zip(&slots).map(|(f, slot)| {
        let name = &f.key;
        let duplicate = format!("duplicate key {}", names::erlang_atom(name));
        let at = format!("value of key {}", names::erlang_atom(name));
        let read = read_field(f.ty, &at, lt);
        quote! {
            if __k.is(#name) {
                if #slot.is_some() {
                    return ::core::result::Result::Err(
                        ::erldrv::term::DecodeError::custom(#duplicate),
                    );
                }
                #slot = ::core::option::Option::Some(#read);
            } else
        }
    });
    let inits = fields.iter().zip(&slots).map(|(f, slot)| {
        let member = &f.member;
        let missing = if f.default {
            quote_spanned!(f.ty.span()=> ::core::default::Default::default())
        } else {
            let key = names::erlang_atom(&f.key);
            let msg = if f.key == f.name {
                format!("missing key {key}")
            } else {
                format!("missing key {key}, for field {}", f.name)
            };
            quote! {
                return ::core::result::Result::Err(::erldrv::term::DecodeError::custom(#msg))
            }
        };
        quote! {
            #member: match #slot {
                ::core::option::Option::Some(__v) => __v,
                ::core::option::Option::None => #missing,
            }
        }
    });
    quote! {
        let __n = ::erldrv::term::Decoder::map(__d)?;
        ::erldrv::term::Decoder::nested(__d, |__d| {
            #(let mut #slots = ::core::option::Option::None;)*
            #module_slot
            for _ in 0..__n {
                let __k = #key(__d)?;
                #struct_arm
                #(#arms)* {
                    return ::core::result::Result::Err(#unknown_key(__k, #keys));
                }
            }
            ::core::result::Result::Ok(Self { #(#inits),* })
        })
    }
}

/// One step of reading an enum: a run of tagged variants (told apart by their head), or a
/// transparent variant.
enum Step<'m, 'a> {
    Tagged(Vec<&'m VariantModel<'a>>),
    Transparent(&'m VariantModel<'a>, &'m Elem<'a>),
}

fn enumeration(variants: &[VariantModel<'_>], lt: &Lifetime) -> TokenStream {
    let mut steps: Vec<Step<'_, '_>> = Vec::new();
    for v in variants {
        match (&v.kind, steps.last_mut()) {
            (VariantKind::Transparent(e), _) => steps.push(Step::Transparent(v, e)),
            (_, Some(Step::Tagged(run))) => run.push(v),
            _ => steps.push(Step::Tagged(vec![v])),
        }
    }
    let alternatives: Vec<Option<String>> = variants.iter().map(|v| v.kind.describe()).collect();

    let any_transparent = steps.iter().any(|s| matches!(s, Step::Transparent(..)));
    if !any_transparent {
        // Only tagged variants: one look at the head decides; a variant whose tag matches
        // reports its own errors.
        let Some(Step::Tagged(run)) = steps.first() else {
            unreachable!("an enum has variants, checked before")
        };
        let parts: Vec<&str> = alternatives.iter().flatten().map(String::as_str).collect();
        let expected = match parts.as_slice() {
            [one] => (*one).to_owned(),
            _ => format!("one of {}", parts.join(", ")),
        };
        let dispatch = dispatch(run, lt, |e| quote!(::core::result::Result::Err(#e)), true);
        let mismatch = rt!(mismatch);
        return quote! {
            let __save = *__d;
            let mut __t = __save;
            #dispatch
            ::core::result::Result::Err(#mismatch(__save, #expected, true))
        };
    }

    let failures = rt!(Failures);
    let steps = steps.iter().map(|step| match step {
        Step::Tagged(run) => {
            let on_error = |e: TokenStream| quote!(__fail.tagged(#e));
            let dispatch = dispatch(run, lt, on_error, false);
            quote! {
                {
                    let mut __t = __save;
                    #dispatch
                    __save.abandon(&__t, __out)?;
                }
            }
        }
        Step::Transparent(v, e) => {
            let ident = v.ident;
            let member = &e.member;
            let read = read_inner(e, lt);
            quote! {
                {
                    let mut __t = __save;
                    let __d = &mut __t;
                    match #read {
                        ::core::result::Result::Ok(__v) => {
                            *__out = __t;
                            return ::core::result::Result::Ok(Self::#ident { #member: __v });
                        }
                        ::core::result::Result::Err(__e) => {
                            __fail.inner(__e, &__save, &__t);
                            __save.abandon(&__t, __out)?;
                        }
                    }
                }
            }
        }
    });
    let alternatives = alternatives.iter().map(|a| match a {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::None),
    });
    quote! {
        let mut __save = *__d;
        let __out = __d;
        let mut __fail = #failures::new();
        #(#steps)*
        __out.keep_spent(&__save);
        ::core::result::Result::Err(__fail.finish(__save, &[#(#alternatives),*]))
    }
}

/// Reads the head of the term into `__t` (a copy of the decoder) and tries each variant of
/// `run` against it. A variant that matches is returned, after moving the caller's decoder
/// past it; a variant whose tag and arity match but whose fields fail becomes
/// `on_error(error)`: returned directly when `returns`, else recorded.
fn dispatch(
    run: &[&VariantModel<'_>],
    lt: &Lifetime,
    on_error: impl Fn(TokenStream) -> TokenStream,
    returns: bool,
) -> TokenStream {
    let head = rt!(head);
    let head_ty = rt!(Head);
    // The caller's decoder: `__d` when the enum has only tagged variants, else `__out`
    // (`__d` then names the copy being read).
    let out = if returns { quote!(__d) } else { quote!(__out) };
    let mut atoms = Vec::new();
    let mut tagged = Vec::new();
    for v in run {
        let ident = v.ident;
        match &v.kind {
            VariantKind::Atom(name) => atoms.push(quote! {
                if __a.is(#name) {
                    *#out = __t;
                    return ::core::result::Result::Ok(Self::#ident {});
                }
            }),
            VariantKind::Tagged { tag, elems } => {
                let arity = elems.len() + 1;
                let pattern = names::tagged_pattern(tag, elems.len());
                let construct = construct(quote!(Self::#ident), elems, lt);
                let failed = on_error(quote!(__e.context(#pattern)));
                let on_failure = if returns {
                    quote!({ return #failed; })
                } else {
                    quote!({ #failed; })
                };
                tagged.push(quote! {
                    if __n == #arity && __a.is(#tag) {
                        match ::erldrv::term::Decoder::nested(&mut __t, |__d| {
                            ::core::result::Result::Ok(#construct)
                        }) {
                            ::core::result::Result::Ok(__v) => {
                                *#out = __t;
                                return ::core::result::Result::Ok(__v);
                            }
                            ::core::result::Result::Err(__e) => #on_failure
                        }
                    }
                });
            }
            VariantKind::Transparent(_) => unreachable!("a run holds tagged variants only"),
        }
    }
    let atom_arm = (!atoms.is_empty()).then(|| quote!(#head_ty::Atom(__a) => { #(#atoms)* }));
    let tagged_arm =
        (!tagged.is_empty()).then(|| quote!(#head_ty::Tagged(__a, __n) => { #(#tagged)* }));
    quote! {
        match #head(&mut __t)? {
            #atom_arm
            #tagged_arm
            _ => {}
        }
    }
}
