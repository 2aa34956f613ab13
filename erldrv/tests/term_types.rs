//! `TermType`: the mapping table (Rust type → Erlang typespec → Elixir typespec, each
//! direction), the derive, declarations, fingerprints, and properties that catch a
//! description that lies about its codec: every value written matches the output type,
//! and every term that reads matches the input type.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use erldrv::term::{
    self, Atom, AtomName, BigInt, Dir, FromTerm, Integer, NoneAtom, OrNil, OwnedTerm, RawTerm,
    Term, TermType, TermWriter, ToTerm, TypeDesc, declarations, fingerprint,
};
use erldrv::{Binary, CallError, Pid, PortId};
use proptest::prelude::*;

mod common;

// ---- the mapping table ----

/// Checks `T`'s output and input types in both languages.
fn row<T: TermType + ?Sized>(erl_out: &str, erl_in: &str, ex_out: &str, ex_in: &str) {
    let name = std::any::type_name::<T>();
    assert_eq!(
        T::output_type().to_erlang(),
        erl_out,
        "Erlang output of {name}"
    );
    assert_eq!(
        T::input_type().to_erlang(),
        erl_in,
        "Erlang input of {name}"
    );
    assert_eq!(
        T::output_type().to_elixir(),
        ex_out,
        "Elixir output of {name}"
    );
    assert_eq!(T::input_type().to_elixir(), ex_in, "Elixir input of {name}");
    assert_eq!(T::term_type(Dir::Output), T::output_type());
    assert_eq!(T::term_type(Dir::Input), T::input_type());
}

/// A type that reads what it writes, with the same text in both languages.
fn same<T: TermType + ?Sized>(both: &str) {
    row::<T>(both, both, both, both);
}

#[test]
fn integers_keep_their_ranges() {
    same::<u8>("0..255");
    same::<i8>("-128..127");
    same::<u16>("0..65535");
    same::<i16>("-32768..32767");
    same::<u32>("0..4294967295");
    same::<i32>("-2147483648..2147483647");
    same::<u64>("0..18446744073709551615");
    same::<i64>("-9223372036854775808..9223372036854775807");
    same::<u128>("0..340282366920938463463374607431768211455");
    same::<i128>(
        "-170141183460469231731687303715884105728..170141183460469231731687303715884105727",
    );
    assert_eq!(usize::output_type(), TypeDesc::int(0, usize::MAX as u64));
    assert_eq!(
        isize::output_type(),
        TypeDesc::int(isize::MIN as i64, isize::MAX as i64)
    );
    same::<Integer<'_>>("integer()");
    same::<BigInt<'_>>("integer()");
    same::<char>("0..1114111");
}

#[test]
fn open_ranges_use_the_named_integer_types() {
    let from = |lo: i64| TypeDesc::Integer {
        min: Some(lo.into()),
        max: None,
    };
    let to = |hi: i64| TypeDesc::Integer {
        min: None,
        max: Some(hi.into()),
    };
    assert_eq!(from(0).to_erlang(), "non_neg_integer()");
    assert_eq!(from(1).to_elixir(), "pos_integer()");
    assert_eq!(from(7).to_erlang(), "non_neg_integer()");
    assert_eq!(from(-7).to_erlang(), "integer()");
    assert_eq!(to(-1).to_erlang(), "neg_integer()");
    assert_eq!(to(-9).to_elixir(), "neg_integer()");
    assert_eq!(to(9).to_erlang(), "integer()");
}

#[test]
fn scalars() {
    same::<f64>("float()");
    same::<f32>("float()");
    same::<bool>("boolean()");
    row::<String>("binary()", "binary()", "String.t()", "String.t()");
    row::<&str>("binary()", "binary()", "String.t()", "String.t()");
    row::<str>("binary()", "binary()", "String.t()", "String.t()");
    row::<Cow<'_, str>>("binary()", "binary()", "String.t()", "String.t()");
    same::<Atom>("atom()");
    same::<AtomName<'_>>("atom()");
    same::<Binary>("binary()");
    same::<Term<'_>>("term()");
    same::<RawTerm<'_>>("term()");
    same::<OwnedTerm>("term()");
    same::<Pid>("pid()");
    same::<PortId>("port()");
    same::<()>("{}");
}

#[test]
fn bytes_and_lists() {
    same::<&[u8]>("binary()");
    same::<[u8]>("binary()");
    same::<[u8; 4]>("binary()");
    row::<Vec<u8>>(
        "binary()",
        "binary() | [0..255]",
        "binary()",
        "binary() | [0..255]",
    );
    same::<Vec<u16>>("[0..65535]");
    same::<[i8; 2]>("[-128..127]");
    row::<Vec<String>>("[binary()]", "[binary()]", "[String.t()]", "[String.t()]");
    row::<Vec<Vec<u8>>>(
        "[binary()]",
        "[binary() | [0..255]]",
        "[binary()]",
        "[binary() | [0..255]]",
    );
}

#[test]
fn pointers_are_transparent() {
    same::<Box<u8>>("0..255");
    same::<Arc<bool>>("boolean()");
    same::<std::rc::Rc<f64>>("float()");
    same::<&&u8>("0..255");
    row::<Box<Vec<u8>>>(
        "binary()",
        "binary() | [0..255]",
        "binary()",
        "binary() | [0..255]",
    );
}

#[test]
fn tuples() {
    row::<(u8, String)>(
        "{0..255, binary()}",
        "{0..255, binary()}",
        "{0..255, String.t()}",
        "{0..255, String.t()}",
    );
    same::<(bool,)>("{boolean()}");
    same::<(u8, u8, u8, u8, u8, u8, u8, u8, u8, u8, u8, bool)>(
        "{0..255, 0..255, 0..255, 0..255, 0..255, 0..255, 0..255, 0..255, 0..255, 0..255, 0..255, boolean()}",
    );
}

#[test]
fn option_and_or_nil() {
    row::<Option<u8>>(
        "undefined | 0..255",
        "undefined | 0..255",
        ":undefined | 0..255",
        ":undefined | 0..255",
    );
    same::<OrNil<u8>>("nil | 0..255");
    assert_eq!(
        <Option<u8>>::output_type(),
        TypeDesc::Optional(Box::new(u8::output_type()), NoneAtom::Undefined)
    );
}

#[test]
fn results() {
    row::<Result<u8, String>>(
        "{ok, 0..255} | {error, binary()}",
        "{ok, 0..255} | {error, binary()}",
        "{:ok, 0..255} | {:error, String.t()}",
        "{:ok, 0..255} | {:error, String.t()}",
    );
    row::<Result<(), bool>>(
        "ok | {error, boolean()}",
        "ok | {ok, {}} | {error, boolean()}",
        ":ok | {:error, boolean()}",
        ":ok | {:ok, {}} | {:error, boolean()}",
    );
}

#[test]
fn maps() {
    row::<HashMap<String, u8>>(
        "#{binary() => 0..255}",
        "#{binary() => 0..255}",
        "%{optional(String.t()) => 0..255}",
        "%{optional(String.t()) => 0..255}",
    );
    row::<BTreeMap<u8, Vec<u8>>>(
        "#{0..255 => binary()}",
        "#{0..255 => binary() | [0..255]}",
        "%{optional(0..255) => binary()}",
        "%{optional(0..255) => binary() | [0..255]}",
    );
}

#[test]
fn call_error() {
    row::<CallError>(
        "{erldrv_badarg, binary()}",
        "{erldrv_badarg, binary()}",
        "{:erldrv_badarg, String.t()}",
        "{:erldrv_badarg, String.t()}",
    );
}

#[test]
fn atoms_are_quoted_where_needed() {
    let lit = |s: &'static str| TypeDesc::literal(s);
    assert_eq!(lit("ok").to_erlang(), "ok");
    assert_eq!(lit("end").to_erlang(), "'end'");
    assert_eq!(lit("Upper").to_erlang(), "'Upper'");
    assert_eq!(lit("it's").to_erlang(), "'it\\'s'");
    assert_eq!(lit("nil").to_elixir(), "nil");
    assert_eq!(lit("true").to_elixir(), "true");
    assert_eq!(lit("ok?").to_elixir(), ":ok?");
    assert_eq!(lit("a b").to_elixir(), ":\"a b\"");
    assert_eq!(lit("#{x}").to_elixir(), ":\"\\#{x}\"");
    assert_eq!(lit("end").to_elixir(), ":end");
}

// ---- the derive ----

/// A person.
///
/// Known by name.
#[derive(Clone, Debug, PartialEq, ToTerm, FromTerm, TermType)]
struct Person {
    name: String,
    #[term(default)]
    age: u32,
    #[term(rename = "max-size")]
    max_size: Option<u8>,
}

#[derive(Clone, Debug, PartialEq, ToTerm, FromTerm, TermType)]
#[term(record)]
struct Rec {
    id: u16,
    on: bool,
}

#[derive(Clone, Debug, PartialEq, ToTerm, FromTerm, TermType)]
#[term(record = "coords")]
struct Coords(i8, i8);

#[derive(Clone, Debug, PartialEq, ToTerm, FromTerm, TermType)]
#[term(tuple)]
struct Pair {
    a: u8,
    b: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, ToTerm, FromTerm, TermType)]
struct Meters(u32);

#[derive(Clone, Debug, PartialEq, ToTerm, FromTerm, TermType)]
#[term(tuple)]
struct One(u32);

#[derive(Clone, Debug, PartialEq, ToTerm, FromTerm, TermType)]
struct Ping;

#[derive(Clone, Debug, PartialEq, ToTerm, FromTerm, TermType)]
enum Cmd {
    Stop,
    Get(u32),
    Put {
        key: String,
        value: i32,
    },
    #[term(rename = "del")]
    Delete(u16),
    #[term(transparent)]
    Raw(Vec<u8>),
}

#[derive(Clone, Debug, PartialEq, ToTerm, FromTerm, TermType)]
enum Tree {
    Leaf(u8),
    Node(Box<Tree>, Box<Tree>),
}

#[derive(Clone, Debug, PartialEq, ToTerm, FromTerm, TermType)]
struct Wrapper<T> {
    inner: T,
}

#[derive(Clone, Debug, PartialEq, ToTerm, FromTerm, TermType)]
enum Chain<T> {
    End,
    Link(T, Box<Chain<T>>),
}

/// A spot on the map.
#[derive(Clone, Debug, PartialEq, ToTerm, FromTerm, TermType)]
#[term(elixir_struct = "Kv.Spot")]
struct Spot {
    name: String,
    #[term(default)]
    n: u8,
}

#[derive(Debug, PartialEq, ToTerm, FromTerm, TermType)]
struct Borrowed<'a> {
    key: &'a str,
    bytes: &'a [u8],
}

fn decl_text(roots: &[TypeDesc]) -> Vec<(String, String)> {
    declarations(roots)
        .expect("no conflict")
        .iter()
        .map(|d| (d.to_erlang(), d.to_elixir()))
        .collect()
}

#[test]
fn a_map_struct_is_named_with_its_doc_and_an_input_type() {
    row::<Person>("person()", "person_input()", "person()", "person_input()");
    let decls = decl_text(&[Person::output_type(), Person::input_type()]);
    assert_eq!(
        decls,
        [
            (
                "%% A person.\n%%\n%% Known by name.\n\
                 -type person() :: #{name := binary(), age := 0..4294967295, 'max-size' := undefined | 0..255}."
                    .to_owned(),
                "@typedoc \"\"\"\nA person.\n\nKnown by name.\n\"\"\"\n\
                 @type person :: %{name: String.t(), age: 0..4294967295, \"max-size\": :undefined | 0..255}"
                    .to_owned()
            ),
            (
                "%% A person.\n%%\n%% Known by name.\n\
                 -type person_input() :: #{name := binary(), age => 0..4294967295, 'max-size' := undefined | 0..255}."
                    .to_owned(),
                "@typedoc \"\"\"\nA person.\n\nKnown by name.\n\"\"\"\n\
                 @type person_input :: %{required(:name) => String.t(), optional(:age) => 0..4294967295, required(:\"max-size\") => :undefined | 0..255}"
                    .to_owned()
            ),
        ]
    );
}

#[test]
fn an_elixir_struct_has_its_module_key() {
    row::<Spot>("spot()", "spot_input()", "Kv.Spot.t()", "spot_input()");
    let decls = decl_text(&[Spot::output_type(), Spot::input_type()]);
    assert_eq!(
        decls,
        [
            (
                "%% A spot on the map.\n\
                 -type spot() :: #{'__struct__' := 'Elixir.Kv.Spot', name := binary(), n := 0..255}."
                    .to_owned(),
                "defmodule Kv.Spot do\n  @moduledoc \"\"\"\n  A spot on the map.\n  \"\"\"\n  \
                 defstruct [:name, :n]\n\n  @type t :: %__MODULE__{name: String.t(), n: 0..255}\nend"
                    .to_owned()
            ),
            (
                "%% A spot on the map.\n\
                 -type spot_input() :: #{'__struct__' => 'Elixir.Kv.Spot', name := binary(), n => 0..255}."
                    .to_owned(),
                "@typedoc \"\"\"\nA spot on the map.\n\"\"\"\n\
                 @type spot_input :: %{optional(:__struct__) => Kv.Spot, required(:name) => String.t(), optional(:n) => 0..255}"
                    .to_owned()
            ),
        ]
    );
    let spot = Spot {
        name: "a".into(),
        n: 3,
    };
    let bytes = term::to_vec(&spot);
    let t: Term = term::from_slice(&bytes).unwrap();
    assert!(Spot::output_type().matches(&t));
    let Term::Map(pairs) = &t else {
        panic!("{t:?} is no map")
    };
    assert!(
        matches!(&pairs[0], (Term::Atom(k), Term::Atom(v)) if k.is("__struct__") && v.is("Elixir.Kv.Spot")),
        "{t:?}"
    );
    assert_eq!(term::from_slice::<Spot>(&bytes).unwrap(), spot);
    // A plain map reads too; another struct does not, and the error names both.
    let plain = term::to_vec(&MapOf(vec![("name", TermVal::Str("b"))]));
    assert_eq!(
        term::from_slice::<Spot>(&plain).unwrap(),
        Spot {
            name: "b".into(),
            n: 0
        }
    );
    let other = term::to_vec(&MapOf(vec![
        ("__struct__", TermVal::Atom("Elixir.Kv.Other")),
        ("name", TermVal::Str("b")),
    ]));
    assert_eq!(
        term::from_slice::<Spot>(&other).unwrap_err().to_string(),
        "expected a %Kv.Spot{} struct, found %Kv.Other{} (Spot)"
    );
    let erlang = term::to_vec(&MapOf(vec![("__struct__", TermVal::Atom("point"))]));
    assert_eq!(
        term::from_slice::<Spot>(&erlang).unwrap_err().to_string(),
        "expected a %Kv.Spot{} struct, found __struct__ point (Spot)"
    );
}

#[test]
fn records_tuples_and_atoms() {
    let one = |t: TypeDesc| {
        let d = declarations([&t]).unwrap();
        assert_eq!(d.len(), 1);
        (d[0].to_erlang(), d[0].to_elixir())
    };
    assert_eq!(
        one(Rec::output_type()),
        (
            "-type rec() :: {rec, 0..65535, boolean()}.".to_owned(),
            "@type rec :: {:rec, 0..65535, boolean()}".to_owned()
        )
    );
    let TypeDesc::Named(n) = Rec::output_type() else {
        panic!("named")
    };
    let TypeDesc::Record { tag, fields } = n.definition() else {
        panic!("a record")
    };
    assert_eq!(tag, "rec");
    let names: Vec<_> = fields.iter().map(|f| f.name.as_deref()).collect();
    assert_eq!(names, [Some("id"), Some("on")]);

    assert_eq!(
        one(Coords::output_type()).0,
        "-type coords() :: {coords, -128..127, -128..127}."
    );
    assert_eq!(
        one(Pair::output_type()).0,
        "-type pair() :: {0..255, binary()}."
    );
    assert_eq!(
        one(Pair::input_type()).0,
        "-type pair_input() :: {0..255, binary() | [0..255]}."
    );
    assert_eq!(
        one(Meters::output_type()).0,
        "-type meters() :: 0..4294967295."
    );
    assert_eq!(one(One::output_type()).1, "@type one :: {0..4294967295}");
    assert_eq!(
        one(Ping::output_type()),
        (
            "-type ping() :: ping.".to_owned(),
            "@type ping :: :ping".to_owned()
        )
    );
    // A type that reads what it writes has one name both ways.
    row::<Rec>("rec()", "rec()", "rec()", "rec()");
    assert_eq!(Rec::input_type(), Rec::output_type());
    assert_ne!(Pair::input_type(), Pair::output_type());
}

#[test]
fn an_enum_is_the_union_of_its_variants() {
    let d = decl_text(&[Cmd::output_type()]);
    assert_eq!(
        d[0],
        (
            "-type cmd() :: stop | {get, 0..4294967295} | {put, binary(), -2147483648..2147483647} | {del, 0..65535} | binary()."
                .to_owned(),
            "@type cmd :: :stop | {:get, 0..4294967295} | {:put, String.t(), -2147483648..2147483647} | {:del, 0..65535} | binary()"
                .to_owned()
        )
    );
    assert_eq!(
        decl_text(&[Cmd::input_type()])[0].0,
        "-type cmd_input() :: stop | {get, 0..4294967295} | {put, binary(), -2147483648..2147483647} | {del, 0..65535} | binary() | [0..255]."
    );
}

#[test]
fn a_recursive_type_refers_to_itself() {
    let d = decl_text(&[Tree::output_type()]);
    assert_eq!(
        d,
        [(
            "-type tree() :: {leaf, 0..255} | {node, tree(), tree()}.".to_owned(),
            "@type tree :: {:leaf, 0..255} | {:node, tree(), tree()}".to_owned()
        )]
    );
    row::<Tree>("tree()", "tree()", "tree()", "tree()");
}

#[test]
fn a_generic_type_is_inline() {
    row::<Wrapper<u8>>(
        "#{inner := 0..255}",
        "#{inner := 0..255}",
        "%{inner: 0..255}",
        "%{inner: 0..255}",
    );
    assert_eq!(
        <Wrapper<Tree>>::output_type().to_erlang(),
        "#{inner := tree()}"
    );
    assert!(
        declarations([&<Wrapper<u8>>::output_type()])
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_recursive_generic_type_is_refused_by_name() {
    let e = std::panic::catch_unwind(<Chain<u8>>::output_type).unwrap_err();
    let msg = e.downcast_ref::<String>().expect("a message");
    assert!(
        msg.contains("Chain<u8> contains itself and is generic"),
        "{msg}"
    );
    // The thread is clean again afterwards.
    assert_eq!(
        <Wrapper<u8>>::output_type().to_erlang(),
        "#{inner := 0..255}"
    );
}

#[test]
fn borrowed_fields() {
    row::<Borrowed<'_>>("borrowed()", "borrowed()", "borrowed()", "borrowed()");
    assert_eq!(
        decl_text(&[Borrowed::output_type()])[0].0,
        "-type borrowed() :: #{key := binary(), bytes := binary()}."
    );
}

mod other {
    #[derive(erldrv::term::ToTerm, erldrv::term::TermType)]
    pub struct Ping(pub u8);
}

#[test]
fn two_types_with_one_name_conflict() {
    let e = declarations([&Ping::output_type(), &other::Ping::output_type()]).unwrap_err();
    assert_eq!(e.name, "ping");
    assert_eq!(
        e.to_string(),
        "two Rust types have the type name ping(): term_types::Ping and term_types::other::Ping; rename one of them"
    );
    assert!(fingerprint([&Ping::output_type(), &other::Ping::output_type()]).is_err());
}

// ---- descriptions as terms, fingerprints ----

#[test]
fn a_description_is_a_term() {
    let t = OwnedTerm::encode(&Person::output_type()).unwrap();
    assert_eq!(format!("{t:?}"), "OwnedTerm({named, <<\"person\">>})");
    let t = OwnedTerm::encode(&<Result<(), Vec<u128>>>::input_type()).unwrap();
    assert_eq!(
        format!("{t:?}"),
        "OwnedTerm({union, [{literal, <<\"ok\">>}, {tuple, [{literal, <<\"ok\">>}, {tuple, []}]}, \
         {tuple, [{literal, <<\"error\">>}, {list, {integer, 0, 340282366920938463463374607431768211455}}]}]})"
    );
    let decls = declarations([&Rec::output_type()]).unwrap();
    let t = OwnedTerm::encode(&decls).unwrap();
    assert_eq!(
        format!("{t:?}"),
        "OwnedTerm([{type, <<\"rec\">>, <<\"term_types::Rec\">>, <<>>, output, {record, <<\"rec\">>, \
         [{<<\"id\">>, {integer, 0, 65535}}, {<<\"on\">>, boolean}]}}])"
    );
}

#[test]
fn fingerprints_are_stable_and_see_every_change() {
    // Pinned: the fingerprint is compared between builds, so it must not drift.
    assert_eq!(u8::output_type().fingerprint().unwrap(), 0x5c41e92953dca8a7);
    let f = |t: TypeDesc| t.fingerprint().unwrap();
    let all = [
        f(u8::output_type()),
        f(u16::output_type()),
        f(Person::output_type()),
        f(Person::input_type()),
        f(Tree::output_type()),
        f(<Option<u8>>::output_type()),
        f(<OrNil<u8>>::output_type()),
        f(Rec::output_type()),
    ];
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            assert_ne!(a, b);
        }
    }
    assert_eq!(f(Person::output_type()), f(Person::output_type()));
    // The definition counts, not only the name.
    assert_ne!(
        fingerprint([&Person::output_type()]).unwrap(),
        fingerprint([&TypeDesc::literal("person")]).unwrap()
    );
}

#[test]
fn result_shape_is_recognised() {
    let t = <Result<u8, String>>::output_type();
    assert_eq!(
        t.as_result(),
        Some((Some(&u8::output_type()), &TypeDesc::Utf8))
    );
    assert_eq!(
        <Result<(), bool>>::output_type().as_result(),
        Some((None, &TypeDesc::Boolean))
    );
    assert_eq!(u8::output_type().as_result(), None);
}

// ---- the descriptions tell the truth ----

/// `v` written, read back as a term, matches `T`'s output type; and the same bytes, read
/// as `T`, match its input type.
fn written_matches<T: ToTerm + TermType + for<'a> FromTerm<'a> + std::fmt::Debug>(v: &T) {
    let bytes = term::to_vec(v);
    let t: Term = term::from_slice(&bytes).unwrap();
    assert!(
        T::output_type().matches(&t),
        "{v:?} written as {t:?} does not match {}",
        T::output_type()
    );
    assert!(
        T::input_type().matches(&t),
        "{t:?} does not match input {}",
        T::input_type()
    );
}

/// If `bytes` read as `T`, the term matches `T`'s input type.
fn read_matches<T: TermType + for<'a> FromTerm<'a>>(bytes: &[u8]) {
    let Ok(t) = term::from_slice::<Term>(bytes) else {
        return;
    };
    if term::from_slice::<T>(bytes).is_ok() {
        assert!(
            T::input_type().matches(&t),
            "{t:?} reads as {} but does not match {}",
            std::any::type_name::<T>(),
            T::input_type()
        );
    }
}

#[test]
fn what_reads_more_than_it_writes_matches_the_input_only() {
    // A list of bytes reads as a Vec<u8>.
    let bytes = term::to_vec(&[1u16, 2][..]);
    let t: Term = term::from_slice(&bytes).unwrap();
    assert!(term::from_slice::<Vec<u8>>(&bytes).is_ok());
    assert!(<Vec<u8>>::input_type().matches(&t));
    assert!(!<Vec<u8>>::output_type().matches(&t));
    // {ok, {}} reads as Ok(()).
    let bytes = term::to_vec(&(Atom::new("ok"), ()));
    let t: Term = term::from_slice(&bytes).unwrap();
    assert_eq!(term::from_slice::<Result<(), u8>>(&bytes).unwrap(), Ok(()));
    assert!(<Result<(), u8>>::input_type().matches(&t));
    assert!(!<Result<(), u8>>::output_type().matches(&t));
    // So does `ok`, for a boxed unit too (the box writes it as `ok`).
    let ok = term::to_vec(&Atom::new("ok"));
    assert_eq!(term::to_vec(&Ok::<_, u8>(Box::new(()))), ok);
    assert_eq!(
        term::from_slice::<Result<Box<()>, u8>>(&ok).unwrap(),
        Ok(Box::new(()))
    );
    read_matches::<Result<Box<()>, u8>>(&bytes);
    read_matches::<Result<Box<()>, u8>>(&ok);
    // A map without a default key.
    let bytes = term::to_vec(&MapOf(vec![
        ("name", TermVal::Str("x")),
        ("max-size", TermVal::Undefined),
    ]));
    let t: Term = term::from_slice(&bytes).unwrap();
    assert_eq!(
        term::from_slice::<Person>(&bytes).unwrap(),
        Person {
            name: "x".into(),
            age: 0,
            max_size: None
        }
    );
    assert!(Person::input_type().matches(&t));
    assert!(!Person::output_type().matches(&t));
}

/// A map with atom keys, written by hand.
struct MapOf(Vec<(&'static str, TermVal)>);
enum TermVal {
    Str(&'static str),
    Atom(&'static str),
    Undefined,
}
impl ToTerm for MapOf {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.map(self.0.len());
        for (k, v) in &self.0 {
            w.atom_name(AtomName::new(k).unwrap());
            match v {
                TermVal::Str(s) => w.binary(s.as_bytes()),
                TermVal::Atom(a) => w.atom_name(AtomName::new(a).unwrap()),
                TermVal::Undefined => w.atom(&Atom::new("undefined")),
            }
        }
    }
}

fn cmd() -> impl Strategy<Value = Cmd> {
    prop_oneof![
        Just(Cmd::Stop),
        any::<u32>().prop_map(Cmd::Get),
        (".{0,4}", any::<i32>()).prop_map(|(key, value)| Cmd::Put { key, value }),
        any::<u16>().prop_map(Cmd::Delete),
        prop::collection::vec(any::<u8>(), 0..4).prop_map(Cmd::Raw),
    ]
}

fn tree() -> impl Strategy<Value = Tree> {
    any::<u8>()
        .prop_map(Tree::Leaf)
        .prop_recursive(3, 16, 2, |inner| {
            (inner.clone(), inner).prop_map(|(a, b)| Tree::Node(Box::new(a), Box::new(b)))
        })
}

fn person() -> impl Strategy<Value = Person> {
    (".{0,4}", any::<u32>(), any::<Option<u8>>()).prop_map(|(name, age, max_size)| Person {
        name,
        age,
        max_size,
    })
}

/// A term to read, from pieces that the types above read often: their atoms, tags, small
/// and huge integers, binaries that are UTF-8 or not, byte lists.
#[derive(Clone, Debug)]
enum Model {
    Int(i64),
    Big(bool, Vec<u8>),
    Float(f64),
    Atom(&'static str),
    Binary(Vec<u8>),
    Bytes(Vec<u8>),
    Tuple(Vec<Model>),
    List(Vec<Model>),
    Map(Vec<(Model, Model)>),
}

impl ToTerm for Model {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        match self {
            Model::Int(v) => w.int(*v),
            Model::Big(n, m) => w.big(*n, m),
            Model::Float(f) => w.float(*f),
            Model::Atom(a) => w.atom_name(AtomName::new(a).unwrap()),
            Model::Binary(b) => w.binary(b),
            Model::Bytes(b) => w.byte_list(b),
            Model::Tuple(v) => {
                w.tuple(v.len());
                v.iter().for_each(|m| m.write(w));
            }
            Model::List(v) => {
                w.list(v.len());
                v.iter().for_each(|m| m.write(w));
                w.nil();
            }
            Model::Map(pairs) => {
                w.map(pairs.len());
                for (k, v) in pairs {
                    k.write(w);
                    v.write(w);
                }
            }
        }
    }
}

const ATOMS: &[&str] = &[
    "ok",
    "error",
    "undefined",
    "nil",
    "true",
    "false",
    "stop",
    "get",
    "put",
    "del",
    "leaf",
    "node",
    "rec",
    "coords",
    "ping",
    "name",
    "age",
    "max-size",
    "inner",
    "other",
    "__struct__",
    "Elixir.Kv.Spot",
    "Elixir.Kv.Other",
    "n",
];

fn model() -> impl Strategy<Value = Model> {
    let leaf = prop_oneof![
        (-300i64..300).prop_map(Model::Int),
        any::<i64>().prop_map(Model::Int),
        (any::<bool>(), prop::collection::vec(any::<u8>(), 8..18)).prop_map(|(n, mut m)| {
            m.push(1);
            Model::Big(n, m)
        }),
        (-1e3f64..1e3).prop_map(Model::Float),
        prop::sample::select(ATOMS).prop_map(Model::Atom),
        "[a-z]{0,3}".prop_map(|s| Model::Binary(s.into_bytes())),
        prop::collection::vec(any::<u8>(), 0..4).prop_map(Model::Binary),
        prop::collection::vec(any::<u8>(), 1..4).prop_map(Model::Bytes),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Model::Tuple),
            (
                prop::sample::select(ATOMS),
                prop::collection::vec(inner.clone(), 0..3)
            )
                .prop_map(|(tag, mut v)| {
                    v.insert(0, Model::Atom(tag));
                    Model::Tuple(v)
                }),
            prop::collection::vec(inner.clone(), 0..4).prop_map(Model::List),
            prop::collection::vec(
                (
                    prop::sample::select(ATOMS).prop_map(Model::Atom),
                    inner.clone()
                ),
                0..4
            )
            .prop_map(Model::Map),
            prop::collection::vec((inner.clone(), inner), 0..3).prop_map(Model::Map),
        ]
    })
}

/// The property tests' settings, from their own fixed seed.
fn config(cases: u32) -> proptest::test_runner::Config {
    common::config(cases, 0x7e_5ca1_ab1e)
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn written_values_match_their_output_type(
        a in any::<(u8, i8, u16, i16, u32, i32, u64, i64)>(),
        b in any::<(u128, i128, char, bool, String, Vec<u8>, Vec<u16>)>(),
        c in any::<(Option<u8>, Option<String>, Result<u32, String>, Result<(), bool>)>(),
        d in any::<(HashMap<String, i32>, BTreeMap<u8, bool>, f64)>().prop_filter("finite", |t| t.2.is_finite()),
        e in (person(), cmd(), tree(), any::<(u16, bool)>(), any::<(u8, Vec<u8>)>()),
        nil in any::<Option<u8>>(),
    ) {
        written_matches(&a);
        written_matches(&b);
        written_matches(&c);
        written_matches(&d);
        written_matches(&e.0);
        written_matches(&e.1);
        written_matches(&e.2);
        written_matches(&Rec { id: e.3.0, on: e.3.1 });
        written_matches(&Pair { a: e.4.0, b: e.4.1 });
        written_matches(&Wrapper { inner: e.2.clone() });
        written_matches(&OrNil(nil));
        written_matches(&Meters(a.4));
        written_matches(&Coords(a.1, a.1));
        written_matches(&Ping);
        written_matches(&Spot { name: e.0.name.clone(), n: a.0 });
    }

    #[test]
    fn terms_that_read_match_the_input_type(m in model()) {
        let bytes = term::to_vec(&m);
        read_matches::<u8>(&bytes);
        read_matches::<i64>(&bytes);
        read_matches::<u64>(&bytes);
        read_matches::<u128>(&bytes);
        read_matches::<i128>(&bytes);
        read_matches::<char>(&bytes);
        read_matches::<f32>(&bytes);
        read_matches::<bool>(&bytes);
        read_matches::<String>(&bytes);
        read_matches::<Vec<u8>>(&bytes);
        read_matches::<Vec<i16>>(&bytes);
        read_matches::<Vec<Vec<u8>>>(&bytes);
        read_matches::<Option<u8>>(&bytes);
        read_matches::<OrNil<bool>>(&bytes);
        read_matches::<Result<(), u8>>(&bytes);
        read_matches::<Result<std::sync::Arc<()>, u8>>(&bytes);
        read_matches::<Result<Vec<u8>, String>>(&bytes);
        read_matches::<(u8, Option<String>)>(&bytes);
        read_matches::<HashMap<u8, Vec<u8>>>(&bytes);
        read_matches::<Person>(&bytes);
        read_matches::<Spot>(&bytes);
        read_matches::<Rec>(&bytes);
        read_matches::<Coords>(&bytes);
        read_matches::<Pair>(&bytes);
        read_matches::<Meters>(&bytes);
        read_matches::<One>(&bytes);
        read_matches::<Ping>(&bytes);
        read_matches::<Cmd>(&bytes);
        read_matches::<Tree>(&bytes);
        read_matches::<Wrapper<Option<u8>>>(&bytes);
        read_matches::<OwnedTerm>(&bytes);
    }
}
