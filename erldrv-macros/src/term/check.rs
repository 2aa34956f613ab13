//! Validation: turns the parsed input into a [`Model`] of the Erlang representation,
//! reporting every misuse of `#[term(...)]` at once, each at the option or item that
//! caused it.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::{Generics, Ident, Member, Type};

use super::ast::{Body, Field, Fields, Input, Opt, OptValue, Style, Variant};
use super::names;
use super::symbol as sym;
use crate::diag::{Errors, closest};

/// What the derives expand from: the type and how it looks in Erlang.
pub struct Model<'a> {
    pub ident: &'a Ident,
    pub generics: &'a Generics,
    /// The type's name, for the context of errors.
    pub name: String,
    pub shape: Shape<'a>,
}

pub enum Shape<'a> {
    /// `#{key => value, ...}` with atom keys; with `elixir_struct`, also
    /// `'__struct__' => 'Elixir.Module'` (the module's alias kept here, without `Elixir.`).
    Map {
        fields: Vec<MapField<'a>>,
        elixir_struct: Option<String>,
    },
    /// `{F1, F2, ...}`, or with a tag: `{tag, F1, F2, ...}`.
    Tuple {
        tag: Option<String>,
        elems: Vec<Elem<'a>>,
    },
    /// The one field's value alone.
    Transparent(Elem<'a>),
    /// The atom.
    Atom(String),
    /// The variants, in declaration order.
    Enum(Vec<VariantModel<'a>>),
}

pub struct MapField<'a> {
    pub member: Member,
    pub ty: &'a Type,
    /// The key's atom.
    pub key: String,
    /// The field's name (for messages, when it differs from the key).
    pub name: String,
    /// `Default::default()` when the key is missing.
    pub default: bool,
}

/// A field read and written by position (or alone, when transparent).
pub struct Elem<'a> {
    pub member: Member,
    pub ty: &'a Type,
    /// Where it is, for the context of errors: "element 2", "field age at element 3".
    pub at: String,
}

pub struct VariantModel<'a> {
    pub ident: &'a Ident,
    pub kind: VariantKind<'a>,
}

pub enum VariantKind<'a> {
    /// A unit variant: the atom.
    Atom(String),
    /// `{tag, F1, ...}`.
    Tagged { tag: String, elems: Vec<Elem<'a>> },
    /// The one field's value alone.
    Transparent(Elem<'a>),
}

impl VariantKind<'_> {
    /// How the variant looks, for messages: `not_found`, `{value, _}`.
    pub fn describe(&self) -> Option<String> {
        match self {
            VariantKind::Atom(a) => Some(names::erlang_atom(a)),
            VariantKind::Tagged { tag, elems } => Some(names::tagged_pattern(tag, elems.len())),
            VariantKind::Transparent(_) => None,
        }
    }
}

/// The key of an Elixir struct's module.
pub const STRUCT_KEY: &str = "__struct__";

/// The options given on one item, checked.
#[derive(Default)]
struct Options {
    tuple: Option<Span>,
    /// `record`, with its name if given.
    record: Option<(Span, Option<syn::LitStr>)>,
    rename: Option<syn::LitStr>,
    transparent: Option<Span>,
    default: Option<Span>,
    /// `elixir_struct = "MyApp.Point"`.
    elixir_struct: Option<syn::LitStr>,
}

/// Kinds of items that take options, with their names for messages.
#[derive(Clone, Copy)]
enum Place {
    Struct,
    Enum,
    Variant,
    Field,
}

impl Place {
    fn allowed(self) -> &'static [&'static str] {
        match self {
            Place::Struct => sym::ON_STRUCT,
            Place::Enum => sym::ON_ENUM,
            Place::Variant => sym::ON_VARIANT,
            Place::Field => sym::ON_FIELD,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Place::Struct => "a struct",
            Place::Enum => "an enum",
            Place::Variant => "a variant",
            Place::Field => "a field",
        }
    }

    /// "(options of a field: rename, default)".
    fn listing(self) -> String {
        match self.allowed() {
            [] => format!(
                "({} takes no options; put them on its variants)",
                self.name()
            ),
            keys => format!("(options of {}: {})", self.name(), keys.join(", ")),
        }
    }
}

/// What an option is written with.
enum Takes {
    /// Nothing: `tuple`.
    Flag,
    /// A name: `rename = "x"`.
    Name,
    /// Either: `record`, `record = "x"`.
    FlagOrName,
}

fn takes(key: &str) -> Takes {
    match key {
        sym::RENAME | sym::ELIXIR_STRUCT => Takes::Name,
        sym::RECORD => Takes::FlagOrName,
        _ => Takes::Flag,
    }
}

/// Checks each option's name, value and uniqueness for `place`.
fn options(opts: &[Opt], place: Place, errors: &mut Errors) -> Options {
    let mut out = Options::default();
    let mut seen: Vec<&str> = Vec::new();
    for opt in opts {
        let key = opt.key.as_str();
        if !place.allowed().contains(&key) {
            let msg = if sym::ALL.contains(&key) {
                format!(
                    "`{key}` is not an option of {} {}",
                    place.name(),
                    place.listing()
                )
            } else {
                let hint = match closest(key, sym::ALL.iter().copied()) {
                    Some(s) => format!("; did you mean `{s}`?"),
                    None => String::new(),
                };
                format!("unknown option `{key}`{hint} {}", place.listing())
            };
            errors.push(opt.span, msg);
            continue;
        }
        if seen.contains(&key) {
            errors.push(opt.span, format_args!("duplicate option `{key}`"));
            continue;
        }
        seen.push(key);
        let value = match (&opt.value, takes(key)) {
            (OptValue::Flag, Takes::Flag | Takes::FlagOrName) => None,
            (OptValue::Str(s), Takes::Name) if key == sym::ELIXIR_STRUCT => {
                if let Err(why) = names::check_elixir_alias(&s.value()) {
                    errors.push(s.span(), format_args!("not an Elixir module name: {why}"));
                    continue;
                }
                Some(s.clone())
            }
            (OptValue::Str(s), Takes::Name | Takes::FlagOrName) => {
                if let Err(why) = names::check_atom(&s.value()) {
                    errors.push(s.span(), format_args!("not a valid atom: {why}"));
                    continue;
                }
                Some(s.clone())
            }
            (value, Takes::Flag) => {
                let span = match value {
                    OptValue::Str(s) => s.span(),
                    OptValue::Other(span) | OptValue::List(span) => *span,
                    OptValue::Flag => unreachable!("a flag is accepted above"),
                };
                errors.push(
                    span,
                    format_args!("`{key}` is a flag and takes no value: write `{key}` alone"),
                );
                continue;
            }
            (value, Takes::Name | Takes::FlagOrName) => {
                let span = match value {
                    OptValue::Other(span) | OptValue::List(span) => *span,
                    _ => opt.span,
                };
                errors.push(
                    span,
                    format_args!(
                        "`{key}` takes a name in a string: {key} = \"{}\"",
                        if key == sym::ELIXIR_STRUCT {
                            "MyApp.Name"
                        } else {
                            "name"
                        }
                    ),
                );
                continue;
            }
        };
        match key {
            sym::TUPLE => out.tuple = Some(opt.span),
            sym::RECORD => out.record = Some((opt.span, value)),
            sym::RENAME => out.rename = value,
            sym::TRANSPARENT => out.transparent = Some(opt.span),
            sym::DEFAULT => out.default = Some(opt.span),
            sym::ELIXIR_STRUCT => out.elixir_struct = value,
            _ => unreachable!("every allowed option is handled"),
        }
    }
    out
}

/// Builds the model, or `None` if anything was wrong (all of it reported).
pub fn check<'a>(input: &'a Input<'a>, errors: &mut Errors) -> Option<Model<'a>> {
    let before = errors.len();
    let name = input.ident.unraw().to_string();
    let shape = match &input.body {
        Body::Struct(fields) => {
            let opts = options(&input.opts, Place::Struct, errors);
            let generic = input.generics.type_params().next().is_some()
                || input.generics.const_params().next().is_some();
            if let Some(es) = opts.elixir_struct.as_ref().filter(|_| generic) {
                errors.push(
                    es.span(),
                    "`elixir_struct` on a generic type: one Elixir module cannot be the struct of every instance; use it on a type without type or const parameters",
                );
            }
            struct_shape(input.ident, &opts, fields, errors)
        }
        Body::Enum(variants, enum_span) => {
            options(&input.opts, Place::Enum, errors);
            if variants.is_empty() {
                errors.push(
                    *enum_span,
                    "an enum without variants has no values to convert; add a variant",
                );
            }
            let variants: Vec<_> = variants.iter().map(|v| variant(v, errors)).collect();
            check_unique_variants(&variants, errors);
            Shape::Enum(variants)
        }
    };
    (errors.len() == before).then_some(Model {
        ident: input.ident,
        generics: input.generics,
        name,
        shape,
    })
}

fn struct_shape<'a>(
    ident: &Ident,
    opts: &Options,
    fields: &'a Fields<'a>,
    errors: &mut Errors,
) -> Shape<'a> {
    let default_name = names::snake_case(&ident.unraw().to_string());
    if let (Some(_), Some((r, _))) = (opts.tuple, &opts.record) {
        errors.push(
            *r,
            "`tuple` and `record` exclude each other: a record is a tuple that starts with its name",
        );
    }
    if let (Some((_, Some(_))), Some(rename)) = (&opts.record, &opts.rename) {
        errors.push(
            rename.span(),
            "the record's name is given twice: keep either `record = \"...\"` or `rename`",
        );
    }
    if let Some(t) = opts.transparent {
        let other = opts.tuple.is_some() || opts.record.is_some() || opts.rename.is_some();
        if other {
            errors.push(
                t,
                "`transparent` writes the field's value alone: it takes no other option",
            );
        }
    }

    // An Elixir struct is a map: any option or field style that writes something else
    // leaves it nothing to be.
    if let Some(es) = &opts.elixir_struct {
        let why = if fields.style == Style::Unit {
            Some("a unit struct is written as an atom".to_owned())
        } else if fields.style == Style::Unnamed {
            Some("a tuple struct is written as a tuple or its field's value".to_owned())
        } else {
            [
                (opts.tuple.is_some(), sym::TUPLE),
                (opts.record.is_some(), sym::RECORD),
                (opts.transparent.is_some(), sym::TRANSPARENT),
            ]
            .into_iter()
            .find(|(on, _)| *on)
            .map(|(_, key)| format!("`{key}` writes it as something else"))
        };
        if let Some(why) = why {
            errors.push(
                es.span(),
                format_args!(
                    "`elixir_struct` needs a struct written as a map (named fields, no `tuple`, `record` or `transparent`): {why}"
                ),
            );
        }
    }

    let record_tag = opts.record.as_ref().map(|(_, name)| {
        name.as_ref()
            .or(opts.rename.as_ref())
            .map_or_else(|| default_name.clone(), |n| n.value())
    });

    match fields.style {
        Style::Unit => {
            for (span, key) in [
                (opts.tuple, sym::TUPLE),
                (opts.record.as_ref().map(|r| r.0), sym::RECORD),
                (opts.transparent, sym::TRANSPARENT),
            ] {
                if let Some(span) = span {
                    errors.push(
                        span,
                        format_args!(
                            "`{key}` needs fields: a unit struct is written as the atom {}",
                            names::erlang_atom(&default_name)
                        ),
                    );
                }
            }
            Shape::Atom(opts.rename.as_ref().map_or(default_name, |r| r.value()))
        }
        Style::Named | Style::Unnamed => {
            let one_field = fields.list.len() == 1;
            if let Some(t) = opts.transparent.filter(|_| !one_field) {
                errors.push(
                    t,
                    format_args!(
                        "`transparent` needs exactly one field, and this struct has {}",
                        fields.list.len()
                    ),
                );
            }
            let unnamed = opts.record.is_none() && opts.transparent.is_none();
            if let Some(r) = opts.rename.as_ref().filter(|_| unnamed) {
                let written = if fields.style == Style::Named && opts.tuple.is_none() {
                    "a map"
                } else {
                    "a tuple"
                };
                errors.push(
                    r.span(),
                    format_args!(
                        "`rename` names a unit struct's atom or a record's tag, but this struct is written as {written}, which has no name; did you mean `record = {}`?",
                        quote::ToTokens::to_token_stream(r)
                    ),
                );
            }
            let is_map = fields.style == Style::Named
                && opts.tuple.is_none()
                && opts.record.is_none()
                && opts.transparent.is_none();
            if is_map {
                let fields = map_fields(&fields.list, errors);
                if let Some(es) = &opts.elixir_struct {
                    for f in fields.iter().filter(|f| f.key == STRUCT_KEY) {
                        errors.push(
                            es.span(),
                            format_args!(
                                "field `{}` has the key __struct__, which holds an Elixir struct's module: rename the field's key",
                                f.name
                            ),
                        );
                    }
                }
                return Shape::Map {
                    fields,
                    elixir_struct: opts.elixir_struct.as_ref().map(syn::LitStr::value),
                };
            }
            let transparent = opts.transparent.is_some()
                || (fields.style == Style::Unnamed
                    && one_field
                    && opts.tuple.is_none()
                    && opts.record.is_none());
            if transparent {
                reject_field_options(&fields.list, "the struct is its field's value", errors);
                return match fields.list.first() {
                    Some(f) => Shape::Transparent(elem(f, None)),
                    // Already reported: `transparent` without a field.
                    None => Shape::Tuple {
                        tag: None,
                        elems: Vec::new(),
                    },
                };
            }
            let why = if record_tag.is_some() {
                "fields of a record are tuple elements"
            } else {
                "fields of this struct are tuple elements"
            };
            reject_field_options(&fields.list, why, errors);
            let offset = usize::from(record_tag.is_some());
            Shape::Tuple {
                elems: fields
                    .list
                    .iter()
                    .enumerate()
                    .map(|(i, f)| elem(f, Some(i + offset)))
                    .collect(),
                tag: record_tag,
            }
        }
    }
}

/// The fields of a struct written as a map, with unique keys.
fn map_fields<'a>(fields: &'a [Field<'a>], errors: &mut Errors) -> Vec<MapField<'a>> {
    let mut out: Vec<MapField<'a>> = Vec::with_capacity(fields.len());
    for f in fields {
        let opts = options(&f.opts, Place::Field, errors);
        let Member::Named(ident) = &f.member else {
            unreachable!("a map is made of named fields")
        };
        let field_name = ident.unraw().to_string();
        let key = opts
            .rename
            .as_ref()
            .map_or(field_name.clone(), |r| r.value());
        if let Some(first) = out.iter().find(|m| m.key == key) {
            let span = opts.rename.as_ref().map_or(ident.span(), |r| r.span());
            errors.push(
                span,
                format_args!(
                    "the key {} is already the key of field `{}`",
                    names::erlang_atom(&key),
                    first.name
                ),
            );
        }
        out.push(MapField {
            member: f.member.clone(),
            ty: f.ty,
            key,
            name: field_name,
            default: opts.default.is_some(),
        });
    }
    out
}

/// Reports field options where fields have no keys.
fn reject_field_options(fields: &[Field<'_>], why: &str, errors: &mut Errors) {
    for f in fields {
        let opts = options(&f.opts, Place::Field, errors);
        if let Some(r) = &opts.rename {
            errors.push(
                r.span(),
                format_args!("`rename` names a map key, and there is none here: {why}"),
            );
        }
        if let Some(d) = opts.default {
            errors.push(
                d,
                format_args!("`default` fills in a missing map key, and there is none here: {why}"),
            );
        }
    }
}

/// A field at tuple position `position` (0 for the first element), or alone (`None`).
fn elem<'a>(f: &Field<'a>, position: Option<usize>) -> Elem<'a> {
    let at = match (position, &f.member) {
        (None, _) => String::new(),
        (Some(p), Member::Named(id)) => format!("field {} at element {}", id.unraw(), p + 1),
        (Some(p), Member::Unnamed(_)) => format!("element {}", p + 1),
    };
    Elem {
        member: f.member.clone(),
        ty: f.ty,
        at,
    }
}

fn variant<'a>(v: &'a Variant<'a>, errors: &mut Errors) -> VariantModel<'a> {
    let opts = options(&v.opts, Place::Variant, errors);
    let name = opts.rename.as_ref().map_or_else(
        || names::snake_case(&v.ident.unraw().to_string()),
        |r| r.value(),
    );
    let fields = &v.fields;
    let kind = match (fields.style, opts.transparent) {
        (Style::Unit, Some(t)) => {
            errors.push(
                t,
                "`transparent` needs exactly one field, and a unit variant has none",
            );
            VariantKind::Atom(name)
        }
        (Style::Unit, None) => VariantKind::Atom(name),
        (_, Some(t)) => {
            if fields.list.len() != 1 {
                errors.push(
                    t,
                    format_args!(
                        "`transparent` needs exactly one field, and this variant has {}",
                        fields.list.len()
                    ),
                );
            }
            if let Some(r) = &opts.rename {
                errors.push(
                    r.span(),
                    "a `transparent` variant is written as its field's value, without a tag to rename",
                );
            }
            reject_field_options(&fields.list, "the variant is its field's value", errors);
            match fields.list.first() {
                Some(f) => VariantKind::Transparent(elem(f, None)),
                None => VariantKind::Atom(name),
            }
        }
        (_, None) => {
            reject_field_options(
                &fields.list,
                "fields of a variant are elements of its tagged tuple",
                errors,
            );
            VariantKind::Tagged {
                tag: name,
                elems: fields
                    .list
                    .iter()
                    .enumerate()
                    .map(|(i, f)| elem(f, Some(i + 1)))
                    .collect(),
            }
        }
    };
    VariantModel {
        ident: v.ident,
        kind,
    }
}

/// Two variants written the same way could not be told apart when reading.
fn check_unique_variants(variants: &[VariantModel<'_>], errors: &mut Errors) {
    for (i, v) in variants.iter().enumerate() {
        let clash = variants[..i].iter().find(|w| match (&v.kind, &w.kind) {
            (VariantKind::Atom(a), VariantKind::Atom(b)) => a == b,
            (
                VariantKind::Tagged { tag: a, elems: x },
                VariantKind::Tagged { tag: b, elems: y },
            ) => a == b && x.len() == y.len(),
            _ => false,
        });
        if let (Some(first), Some(what)) = (clash, v.kind.describe()) {
            errors.push(
                v.ident.span(),
                format_args!(
                    "variants `{}` and `{}` are both written as {what}: rename one",
                    first.ident.unraw(),
                    v.ident.unraw()
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::term::ast;

    /// The model's shape, or the messages of every error.
    fn check_input(input: syn::DeriveInput) -> Result<String, Vec<String>> {
        let mut errors = Errors::default();
        let parsed = ast::parse(&input, "FromTerm", &mut errors);
        let model = parsed.as_ref().and_then(|p| check(p, &mut errors));
        match (model, errors.into_combined()) {
            (Some(m), None) => Ok(describe(&m.shape)),
            (_, Some(e)) => Err(e.into_iter().map(|e| e.to_string()).collect()),
            (None, None) => unreachable!("no model without an error"),
        }
    }

    fn describe(shape: &Shape<'_>) -> String {
        match shape {
            Shape::Map {
                fields,
                elixir_struct,
            } => {
                let keys: Vec<String> = fields
                    .iter()
                    .map(|f| format!("{}{}", f.key, if f.default { "?" } else { "" }))
                    .collect();
                match elixir_struct {
                    Some(m) => format!("struct {m} {}", keys.join(" ")),
                    None => format!("map {}", keys.join(" ")),
                }
            }
            Shape::Tuple { tag, elems } => {
                let at: Vec<&str> = elems.iter().map(|e| e.at.as_str()).collect();
                format!("tuple {tag:?} [{}]", at.join("; "))
            }
            Shape::Transparent(_) => "transparent".into(),
            Shape::Atom(a) => format!("atom {a}"),
            Shape::Enum(vs) => {
                let parts: Vec<String> = vs
                    .iter()
                    .map(|v| v.kind.describe().unwrap_or_else(|| "_".into()))
                    .collect();
                format!("enum {}", parts.join(" "))
            }
        }
    }

    #[test]
    fn shapes() {
        let ok = |i| check_input(i).expect("valid");
        assert_eq!(
            ok(syn::parse_quote!(
                struct S {
                    a: u8,
                    #[term(rename = "B", default)]
                    b: u8,
                }
            )),
            "map a B?"
        );
        assert_eq!(
            ok(syn::parse_quote!(
                #[term(tuple)]
                struct S {
                    a: u8,
                    b: u8,
                }
            )),
            "tuple None [field a at element 1; field b at element 2]"
        );
        assert_eq!(
            ok(syn::parse_quote!(
                #[term(record)]
                struct HTTPReq {
                    a: u8,
                }
            )),
            "tuple Some(\"http_req\") [field a at element 2]"
        );
        assert_eq!(
            ok(syn::parse_quote!(
                #[term(record = "r")]
                struct S(u8, u8);
            )),
            "tuple Some(\"r\") [element 2; element 3]"
        );
        assert_eq!(
            ok(syn::parse_quote!(
                struct S(u8);
            )),
            "transparent"
        );
        assert_eq!(
            ok(syn::parse_quote!(
                #[term(tuple)]
                struct S(u8);
            )),
            "tuple None [element 1]"
        );
        assert_eq!(
            ok(syn::parse_quote!(
                #[term(transparent)]
                struct S {
                    a: u8,
                }
            )),
            "transparent"
        );
        assert_eq!(
            ok(syn::parse_quote!(
                struct NoReply;
            )),
            "atom no_reply"
        );
        assert_eq!(
            ok(syn::parse_quote!(
                #[term(rename = "x")]
                struct S;
            )),
            "atom x"
        );
        assert_eq!(
            ok(syn::parse_quote!(
                enum E {
                    A,
                    B(u8),
                    C {
                        x: u8,
                        y: u8,
                    },
                    #[term(transparent)]
                    D(u8),
                    #[term(rename = "e")]
                    Eh(),
                }
            )),
            "enum a {b, _} {c, _, _} _ {e}"
        );
        // Same tag, another arity: told apart when reading.
        assert_eq!(
            ok(syn::parse_quote!(
                enum E {
                    #[term(rename = "v")]
                    One(u8),
                    #[term(rename = "v")]
                    Two(u8, u8),
                }
            )),
            "enum {v, _} {v, _, _}"
        );
    }

    #[test]
    fn every_mistake_is_reported_at_once() {
        let errors = check_input(syn::parse_quote! {
            #[term(recrod, tuple, tuple)]
            struct S(#[term(rename = "k")] u8, #[term(default)] u8);
        })
        .unwrap_err();
        assert_eq!(
            errors,
            [
                "unknown option `recrod`; did you mean `record`? (options of a struct: tuple, record, rename, transparent, elixir_struct)",
                "duplicate option `tuple`",
                "`rename` names a map key, and there is none here: fields of this struct are tuple elements",
                "`default` fills in a missing map key, and there is none here: fields of this struct are tuple elements",
            ]
        );
    }

    #[test]
    fn option_values() {
        let errors = check_input(syn::parse_quote! {
            #[term(record = 1, tuple = true)]
            struct S {
                #[term(rename)]
                a: u8,
                #[term(rename(b))]
                b: u8,
                #[term(default = "no")]
                c: u8,
                #[term(rename = "a\0")]
                d: u8,
            }
        })
        .unwrap_err();
        assert_eq!(
            errors,
            [
                "`record` takes a name in a string: record = \"name\"",
                "`tuple` is a flag and takes no value: write `tuple` alone",
                "`rename` takes a name in a string: rename = \"name\"",
                "`rename` takes a name in a string: rename = \"name\"",
                "`default` is a flag and takes no value: write `default` alone",
                "not a valid atom: an atom cannot contain NUL",
            ]
        );
    }

    #[test]
    fn malformed_attributes() {
        let errors = check_input(syn::parse_quote! {
            #[term]
            #[term(a::b)]
            #[term(tuple(x))]
            struct S {
                a: u8,
            }
        })
        .unwrap_err();
        assert_eq!(
            errors,
            [
                "write the options in parentheses: #[term(option, ...)]",
                "expected an option name, such as `rename`",
                "`tuple` is a flag and takes no value: write `tuple` alone",
            ]
        );
    }

    #[test]
    fn options_in_the_wrong_place() {
        let errors = check_input(syn::parse_quote! {
            #[term(rename = "e")]
            enum E {
                #[term(default)]
                A,
                #[term(transparent)]
                B(u8, u8),
                #[term(transparent, rename = "c")]
                C(u8),
                #[term(transparent)]
                D,
                E(#[term(rename = "x")] u8),
            }
        })
        .unwrap_err();
        assert_eq!(
            errors,
            [
                "`rename` is not an option of an enum (an enum takes no options; put them on its variants)",
                "`default` is not an option of a variant (options of a variant: rename, transparent)",
                "`transparent` needs exactly one field, and this variant has 2",
                "a `transparent` variant is written as its field's value, without a tag to rename",
                "`transparent` needs exactly one field, and a unit variant has none",
                "`rename` names a map key, and there is none here: fields of a variant are elements of its tagged tuple",
            ]
        );
    }

    #[test]
    fn struct_option_conflicts() {
        let err = |i| check_input(i).unwrap_err();
        assert_eq!(
            err(syn::parse_quote!(
                #[term(tuple, record)]
                struct S {
                    a: u8,
                }
            )),
            [
                "`tuple` and `record` exclude each other: a record is a tuple that starts with its name"
            ]
        );
        assert_eq!(
            err(syn::parse_quote!(
                #[term(record = "a", rename = "b")]
                struct S {
                    a: u8,
                }
            )),
            ["the record's name is given twice: keep either `record = \"...\"` or `rename`"]
        );
        assert_eq!(
            err(syn::parse_quote!(
                #[term(transparent, tuple)]
                struct S {
                    a: u8,
                }
            )),
            ["`transparent` writes the field's value alone: it takes no other option"]
        );
        assert_eq!(
            err(syn::parse_quote!(
                #[term(transparent)]
                struct S(u8, u8);
            )),
            ["`transparent` needs exactly one field, and this struct has 2"]
        );
        assert_eq!(
            err(syn::parse_quote!(
                #[term(rename = "p")]
                struct S {
                    a: u8,
                }
            )),
            [
                "`rename` names a unit struct's atom or a record's tag, but this struct is written as a map, which has no name; did you mean `record = \"p\"`?"
            ]
        );
        assert_eq!(
            err(syn::parse_quote!(
                #[term(record)]
                struct Unit;
            )),
            ["`record` needs fields: a unit struct is written as the atom unit"]
        );
    }

    #[test]
    fn elixir_structs() {
        assert_eq!(
            check_input(syn::parse_quote!(
                #[term(elixir_struct = "MyApp.Point")]
                struct Point {
                    x: u8,
                    #[term(default)]
                    y: u8,
                }
            )),
            Ok("struct MyApp.Point x y?".to_owned())
        );
        let err = |i| check_input(i).unwrap_err();
        assert_eq!(
            err(syn::parse_quote!(
                #[term(elixir_struct = "MyApp.Point")]
                struct Point(u8, u8);
            )),
            [
                "`elixir_struct` needs a struct written as a map (named fields, no `tuple`, `record` or `transparent`): a tuple struct is written as a tuple or its field's value"
            ]
        );
        assert_eq!(
            err(syn::parse_quote!(
                #[term(record, elixir_struct = "P")]
                struct Point {
                    x: u8,
                }
            )),
            [
                "`elixir_struct` needs a struct written as a map (named fields, no `tuple`, `record` or `transparent`): `record` writes it as something else"
            ]
        );
        assert_eq!(
            err(syn::parse_quote!(
                #[term(elixir_struct = "P")]
                enum E {
                    A,
                }
            )),
            [
                "`elixir_struct` is not an option of an enum (an enum takes no options; put them on its variants)"
            ]
        );
        assert_eq!(
            err(syn::parse_quote!(
                #[term(elixir_struct = "my_app.point")]
                struct Point {
                    x: u8,
                }
            )),
            [
                "not an Elixir module name: each part of an alias starts with a capital letter and holds only letters, digits and `_` (MyApp.Point)"
            ]
        );
        assert_eq!(
            err(syn::parse_quote!(
                #[term(elixir_struct)]
                struct Point {
                    #[term(rename = "__struct__")]
                    x: u8,
                }
            )),
            ["`elixir_struct` takes a name in a string: elixir_struct = \"MyApp.Name\""]
        );
        assert_eq!(
            err(syn::parse_quote!(
                #[term(elixir_struct = "P")]
                struct Point {
                    #[term(rename = "__struct__")]
                    x: u8,
                }
            )),
            [
                "field `x` has the key __struct__, which holds an Elixir struct's module: rename the field's key"
            ]
        );
    }

    #[test]
    fn clashing_names() {
        let err = |i| check_input(i).unwrap_err();
        assert_eq!(
            err(syn::parse_quote!(
                struct S {
                    a: u8,
                    #[term(rename = "a")]
                    b: u8,
                }
            )),
            ["the key a is already the key of field `a`"]
        );
        assert_eq!(
            err(syn::parse_quote!(
                enum E {
                    NotFound,
                    #[term(rename = "not_found")]
                    Missing,
                }
            )),
            ["variants `NotFound` and `Missing` are both written as not_found: rename one"]
        );
        assert_eq!(
            err(syn::parse_quote!(
                enum E {
                    V(u8),
                    #[term(rename = "v")]
                    W(i8),
                }
            )),
            ["variants `V` and `W` are both written as {v, _}: rename one"]
        );
        assert_eq!(
            err(syn::parse_quote!(
                enum E {}
            )),
            ["an enum without variants has no values to convert; add a variant"]
        );
        assert_eq!(
            err(syn::parse_quote!(union U { a: u8 })),
            [
                "FromTerm cannot be derived for a union: a term says nothing about which field is in use; use an enum"
            ]
        );
    }
}
