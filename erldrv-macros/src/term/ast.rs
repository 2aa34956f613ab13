//! Parsing: the derive's input and its `#[term(...)]` options as written, before any
//! checks.

use proc_macro2::{Span, TokenTree};
use syn::spanned::Spanned;
use syn::{Attribute, Data, DeriveInput, Generics, Ident, Member, Token, Type};

use super::symbol as sym;
use crate::diag::Errors;

/// One option as written: `key`, `key = "..."`, `key = other` or `key(...)`.
pub struct Opt {
    pub key: String,
    pub span: Span,
    pub value: OptValue,
}

pub enum OptValue {
    Flag,
    Str(syn::LitStr),
    /// A value that is not a string literal.
    Other(Span),
    /// Arguments in parentheses.
    List(Span),
}

/// The type the derive is on.
pub struct Input<'a> {
    pub ident: &'a Ident,
    pub generics: &'a Generics,
    pub opts: Vec<Opt>,
    pub body: Body<'a>,
}

pub enum Body<'a> {
    Struct(Fields<'a>),
    /// The variants, and the span of `enum` (for an enum without variants).
    Enum(Vec<Variant<'a>>, Span),
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `{ a: A, b: B }`
    Named,
    /// `(A, B)`
    Unnamed,
    /// No fields, no brackets.
    Unit,
}

pub struct Fields<'a> {
    pub style: Style,
    pub list: Vec<Field<'a>>,
}

pub struct Field<'a> {
    pub member: Member,
    pub ty: &'a Type,
    pub opts: Vec<Opt>,
}

pub struct Variant<'a> {
    pub ident: &'a Ident,
    pub opts: Vec<Opt>,
    pub fields: Fields<'a>,
}

/// Parses `input`. Malformed `#[term]` attributes are reported and skipped; a union is an
/// error (`None`).
pub fn parse<'a>(input: &'a DeriveInput, derive: &str, errors: &mut Errors) -> Option<Input<'a>> {
    let body = match &input.data {
        Data::Struct(s) => Body::Struct(fields(&s.fields, errors)),
        Data::Enum(e) => Body::Enum(
            e.variants
                .iter()
                .map(|v| Variant {
                    ident: &v.ident,
                    opts: opts(&v.attrs, errors),
                    fields: fields(&v.fields, errors),
                })
                .collect(),
            e.enum_token.span,
        ),
        Data::Union(u) => {
            errors.push(
                u.union_token.span,
                format_args!(
                    "{derive} cannot be derived for a union: a term says nothing about which field is in use; use an enum"
                ),
            );
            return None;
        }
    };
    Some(Input {
        ident: &input.ident,
        generics: &input.generics,
        opts: opts(&input.attrs, errors),
        body,
    })
}

fn fields<'a>(fields: &'a syn::Fields, errors: &mut Errors) -> Fields<'a> {
    let style = match fields {
        syn::Fields::Named(_) => Style::Named,
        syn::Fields::Unnamed(_) => Style::Unnamed,
        syn::Fields::Unit => Style::Unit,
    };
    let list = fields
        .iter()
        .enumerate()
        .map(|(i, f)| Field {
            member: match &f.ident {
                Some(id) => Member::Named(id.clone()),
                None => Member::Unnamed(syn::Index {
                    index: i as u32,
                    span: f.ty.span(),
                }),
            },
            ty: &f.ty,
            opts: opts(&f.attrs, errors),
        })
        .collect();
    Fields { style, list }
}

/// The options of every `#[term(...)]` among `attrs`, in order.
fn opts(attrs: &[Attribute], errors: &mut Errors) -> Vec<Opt> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident(sym::ATTR)) {
        if let syn::Meta::Path(p) = &attr.meta {
            errors.push_spanned(p, "write the options in parentheses: #[term(option, ...)]");
            continue;
        }
        let parsed = attr.parse_nested_meta(|meta| {
            let Some(key) = meta.path.get_ident() else {
                return Err(meta.error("expected an option name, such as `rename`"));
            };
            let value = if meta.input.peek(Token![=]) {
                match meta.value()?.parse::<syn::Expr>()? {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) => OptValue::Str(s),
                    other => OptValue::Other(other.span()),
                }
            } else if meta.input.peek(syn::token::Paren) {
                let group: TokenTree = meta.input.parse()?;
                OptValue::List(group.span())
            } else {
                OptValue::Flag
            };
            out.push(Opt {
                key: key.to_string(),
                span: key.span(),
                value,
            });
            Ok(())
        });
        if let Err(e) = parsed {
            errors.push_error(e);
        }
    }
    out
}
