//! The `serde` feature: serde's data model through the external term format.

#![cfg(feature = "serde")]

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::Ipv4Addr;

use erldrv::CallError;
use erldrv::term::serde::{Deserializer, Error, Serde, from_slice, to_vec, to_writer};
use erldrv::term::{self, Atom, AtomName, Decoder, Encoder, ErrorKind, Term, TermWriter};
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{self, SerializeTuple};
use serde::{Deserialize, Serialize};

// ---- a model with every kind of serde type ----

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
#[serde(rename_all = "snake_case")]
enum Command {
    Stop,
    Ping(u32),
    Move(i32, i32),
    Resize { width: u16, height: u16 },
    Wrap(Box<Command>),
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Marker;

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Meters(f64);

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Pair(i8, String);

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Inner {
    depth: u8,
    tags: Vec<String>,
    child: Option<Box<Inner>>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Model<'a> {
    id: u64,
    name: &'a str,
    #[serde(borrow)]
    label: Cow<'a, str>,
    raw: &'a [u8],
    owned_bytes: Vec<u8>,
    big: i128,
    huge: u128,
    small: i8,
    ratio: f32,
    precise: f64,
    flag: bool,
    initial: char,
    nothing: Option<String>,
    something: Option<Meters>,
    unit: (),
    marker: Marker,
    pair: Pair,
    triple: (u8, String, bool),
    array: [u16; 3],
    commands: Vec<Command>,
    scores: HashMap<String, i32>,
    ordered: BTreeMap<u32, Vec<String>>,
    nested: Inner,
    no_inners: Vec<Inner>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    skipped: Option<u8>,
}

fn model(raw: &[u8]) -> Model<'_> {
    Model {
        id: u64::MAX,
        name: "zoë",
        label: Cow::Borrowed("label"),
        raw,
        owned_bytes: vec![0, 255, 7],
        big: i128::MIN,
        huge: u128::MAX,
        small: -128,
        ratio: 0.25,
        precise: -1.0e300,
        flag: true,
        initial: 'ß',
        nothing: None,
        something: Some(Meters(3.5)),
        unit: (),
        marker: Marker,
        pair: Pair(-5, "five".into()),
        triple: (1, "one".into(), false),
        array: [1, 300, 65535],
        commands: vec![
            Command::Stop,
            Command::Ping(70000),
            Command::Move(-1, 1),
            Command::Resize {
                width: 640,
                height: 480,
            },
            Command::Wrap(Box::new(Command::Wrap(Box::new(Command::Stop)))),
        ],
        scores: HashMap::from([("a".into(), 1), ("b".into(), -2_000_000_000)]),
        ordered: BTreeMap::from([(1, vec![]), (2, vec!["x".into(), "y".into()])]),
        nested: Inner {
            depth: 0,
            tags: vec!["root".into()],
            child: Some(Box::new(Inner {
                depth: 1,
                tags: vec![],
                child: None,
            })),
        },
        no_inners: vec![],
        skipped: None,
    }
}

/// Whether `part` lies inside `input` (was borrowed from it, not copied).
fn inside(input: &[u8], part: &[u8]) -> bool {
    let outer = input.as_ptr_range();
    let inner = part.as_ptr_range();
    outer.start <= inner.start && inner.end <= outer.end
}

#[test]
fn the_model_round_trips() {
    let raw = [1u8, 2, 3, 250];
    let value = model(&raw);
    let bytes = to_vec(&value).unwrap();
    assert_eq!(bytes[0], 131);
    let back: Model = from_slice(&bytes).unwrap();
    assert_eq!(back, value);
    // Borrowed, not copied.
    assert!(inside(&bytes, back.name.as_bytes()));
    assert!(inside(&bytes, back.raw));
    assert!(matches!(&back.label, Cow::Borrowed(s) if inside(&bytes, s.as_bytes())));
}

#[test]
fn the_model_is_a_term_through_serde_wrapper() {
    let raw = [9u8; 3];
    let value = model(&raw);
    let bytes = term::to_vec(&Serde(&value));
    assert_eq!(bytes, to_vec(&value).unwrap());
    let Serde(back): Serde<Model> = term::from_slice(&bytes).unwrap();
    assert_eq!(back, value);

    // Inside another term: the decoder continues after it.
    let bytes = term::to_vec(&(Serde(&value.nested), 42));
    let (Serde(inner), n): (Serde<Inner>, i32) = term::from_slice(&bytes).unwrap();
    assert_eq!((inner, n), (value.nested.clone(), 42));
}

#[test]
fn the_model_reads_as_a_term_tree() {
    let raw = [1u8, 2];
    let bytes = to_vec(&model(&raw)).unwrap();
    let t: Term = term::from_slice(&bytes).unwrap();
    let Term::Map(fields) = t else {
        panic!("not a map: {t:?}")
    };
    assert_eq!(fields.len(), 24, "`skipped` is left out");
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k.as_atom().is_some_and(|a| a.is(name)))
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("no field {name}"))
    };
    assert_eq!(get("name"), &Term::Binary("zoë".as_bytes()));
    assert_eq!(get("raw"), &Term::Bytes(&[1, 2]));
    assert_eq!(get("nothing").as_atom().unwrap(), "undefined");
    assert_eq!(get("unit"), &Term::Tuple(vec![]));
    assert_eq!(get("initial"), &Term::Binary("ß".as_bytes()));
    let Term::List(commands) = get("commands") else {
        panic!("commands")
    };
    assert_eq!(commands[0].as_atom().unwrap(), "stop");
    let ping = commands[1].as_tuple().unwrap();
    assert_eq!(ping[0].as_atom().unwrap(), "ping");
    assert_eq!(ping[1], Term::Int(70000));
    let resize = commands[3].as_tuple().unwrap();
    assert_eq!(resize[0].as_atom().unwrap(), "resize");
    assert!(matches!(&resize[1], Term::Map(m) if m.len() == 2));
}

// ---- exact bytes, as term_to_binary/1 writes them ----
//
// As of OTP 26, which writes atoms as SMALL_ATOM_UTF8_EXT. Maps are the exception: the VM
// orders their keys, serde writes fields in declaration order (the same term).

fn atom(name: &str) -> Vec<u8> {
    let mut v = vec![119, name.len() as u8];
    v.extend_from_slice(name.as_bytes());
    v
}

fn whole(parts: &[&[u8]]) -> Vec<u8> {
    let mut v = vec![131];
    for p in parts {
        v.extend_from_slice(p);
    }
    v
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Point {
    x: i32,
    y: i32,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Color {
    Red,
    DeepBlue,
}

#[test]
fn scalars_are_written_as_term_to_binary_writes_them() {
    assert_eq!(to_vec(&true).unwrap(), whole(&[&atom("true")]));
    assert_eq!(to_vec(&false).unwrap(), whole(&[&atom("false")]));
    assert_eq!(to_vec(&7u8).unwrap(), [131, 97, 7]);
    assert_eq!(to_vec(&255i64).unwrap(), [131, 97, 255]);
    assert_eq!(to_vec(&256u16).unwrap(), [131, 98, 0, 0, 1, 0]);
    assert_eq!(to_vec(&-1i32).unwrap(), [131, 98, 255, 255, 255, 255]);
    assert_eq!(
        to_vec(&u64::MAX).unwrap(),
        [131, 110, 8, 0, 255, 255, 255, 255, 255, 255, 255, 255]
    );
    assert_eq!(
        to_vec(&i64::MIN).unwrap(),
        [131, 110, 8, 1, 0, 0, 0, 0, 0, 0, 0, 0x80]
    );
    assert_eq!(
        to_vec(&(1i128 << 64)).unwrap(),
        [131, 110, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    );
    assert_eq!(
        to_vec(&1.5f64).unwrap(),
        [131, 70, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]
    );
    assert_eq!(
        to_vec(&0.5f32).unwrap(),
        [131, 70, 0x3f, 0xe0, 0, 0, 0, 0, 0, 0]
    );
    assert_eq!(to_vec("hi").unwrap(), [131, 109, 0, 0, 0, 2, b'h', b'i']);
    assert_eq!(to_vec(&'é').unwrap(), [131, 109, 0, 0, 0, 2, 0xc3, 0xa9]);
    assert_eq!(to_vec(&None::<u8>).unwrap(), whole(&[&atom("undefined")]));
    assert_eq!(to_vec(&Some(7u8)).unwrap(), [131, 97, 7]);
    assert_eq!(to_vec(&()).unwrap(), [131, 104, 0]);
    assert_eq!(to_vec(&Marker).unwrap(), [131, 104, 0]);
    assert_eq!(to_vec(&Meters(0.5)).unwrap(), to_vec(&0.5f64).unwrap());
}

#[test]
fn containers_are_written_as_term_to_binary_writes_them() {
    // {1, <<"a">>}
    assert_eq!(
        to_vec(&(1u8, "a")).unwrap(),
        [131, 104, 2, 97, 1, 109, 0, 0, 0, 1, b'a']
    );
    // [] and [1,2,3] (a byte list)
    assert_eq!(to_vec(&Vec::<u8>::new()).unwrap(), [131, 106]);
    assert_eq!(to_vec(&vec![1u8, 2, 3]).unwrap(), [131, 107, 0, 3, 1, 2, 3]);
    assert_eq!(to_vec(&[1i64, 2][..]).unwrap(), [131, 107, 0, 2, 1, 2]);
    // [300, 1] and [1, 300]: not bytes, an ordinary list
    assert_eq!(
        to_vec(&vec![300u16, 1]).unwrap(),
        [131, 108, 0, 0, 0, 2, 98, 0, 0, 1, 44, 97, 1, 106]
    );
    assert_eq!(
        to_vec(&vec![1u16, 300]).unwrap(),
        [131, 108, 0, 0, 0, 2, 97, 1, 98, 0, 0, 1, 44, 106]
    );
    // Options and newtypes of bytes are bytes too: [1,2], then [1, undefined]
    assert_eq!(
        to_vec(&vec![Some(1u8), Some(2)]).unwrap(),
        [131, 107, 0, 2, 1, 2]
    );
    assert_eq!(
        to_vec(&vec![Some(1u8), None]).unwrap(),
        whole(&[&[108, 0, 0, 0, 2, 97, 1], &atom("undefined"), &[106]])
    );
    // [<<"a">>]
    assert_eq!(
        to_vec(&vec!["a"]).unwrap(),
        [131, 108, 0, 0, 0, 1, 109, 0, 0, 0, 1, b'a', 106]
    );
    // More than 65535 bytes: a list of integers.
    let long = to_vec(&vec![5u8; 70_000]).unwrap();
    assert_eq!(&long[..6], [131, 108, 0, 1, 0x11, 0x70]);
    assert_eq!(long.len(), 1 + 5 + 2 * 70_000 + 1);
    assert_eq!(&long[6..8], [97, 5]);
    assert_eq!(long.last(), Some(&106));
    // #{<<"k">> => 1}
    assert_eq!(
        to_vec(&HashMap::from([("k", 1u8)])).unwrap(),
        [131, 116, 0, 0, 0, 1, 109, 0, 0, 0, 1, b'k', 97, 1]
    );
    // #{x => 1, y => -1}
    assert_eq!(
        to_vec(&Point { x: 1, y: -1 }).unwrap(),
        whole(&[
            &[116, 0, 0, 0, 2],
            &atom("x"),
            &[97, 1],
            &atom("y"),
            &[98, 255, 255, 255, 255]
        ])
    );
    // Arrays are tuples in serde: {1, 2}
    assert_eq!(to_vec(&[1u8, 2]).unwrap(), [131, 104, 2, 97, 1, 97, 2]);
    // {-5, <<"x">>}
    assert_eq!(
        to_vec(&Pair(-5, "x".into())).unwrap(),
        [131, 104, 2, 98, 255, 255, 255, 251, 109, 0, 0, 0, 1, b'x']
    );
    // Compact, like inet: {127,0,0,1}
    assert_eq!(
        to_vec(&Ipv4Addr::LOCALHOST).unwrap(),
        [131, 104, 4, 97, 127, 97, 0, 97, 0, 97, 1]
    );
}

#[test]
fn variants_are_atoms_and_tagged_tuples() {
    assert_eq!(to_vec(&Color::Red).unwrap(), whole(&[&atom("red")]));
    assert_eq!(
        to_vec(&Color::DeepBlue).unwrap(),
        whole(&[&atom("deep_blue")])
    );
    // {ping, 5}
    assert_eq!(
        to_vec(&Command::Ping(5)).unwrap(),
        whole(&[&[104, 2], &atom("ping"), &[97, 5]])
    );
    // {move, 1, 2}
    assert_eq!(
        to_vec(&Command::Move(1, 2)).unwrap(),
        whole(&[&[104, 3], &atom("move"), &[97, 1, 97, 2]])
    );
    // {resize, #{width => 1, height => 2}}
    assert_eq!(
        to_vec(&Command::Resize {
            width: 1,
            height: 2
        })
        .unwrap(),
        whole(&[
            &[104, 2],
            &atom("resize"),
            &[116, 0, 0, 0, 2],
            &atom("width"),
            &[97, 1],
            &atom("height"),
            &[97, 2]
        ])
    );
}

/// A sequence and a map whose lengths serde does not know in advance.
struct Unsized<'a>(&'a [(u8, &'a str)]);

impl Serialize for Unsized<'_> {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Keys<'a>(&'a [(u8, &'a str)]);
        impl Serialize for Keys<'_> {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.iter().map(|p| p.1).filter(|_| true))
            }
        }
        struct Pairs<'a>(&'a [(u8, &'a str)]);
        impl Serialize for Pairs<'_> {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().map(|&(k, v)| (k, v)).filter(|_| true))
            }
        }
        let mut t = s.serialize_tuple(2)?;
        t.serialize_element(&Keys(self.0))?;
        t.serialize_element(&Pairs(self.0))?;
        t.end()
    }
}

#[test]
fn unknown_lengths_are_filled_in() {
    let pairs = [(1, "a"), (2, "b"), (3, "c")];
    let bytes = to_vec(&Unsized(&pairs)).unwrap();
    let known = to_vec(&(
        vec!["a", "b", "c"],
        BTreeMap::from([(1u8, "a"), (2, "b"), (3, "c")]),
    ))
    .unwrap();
    assert_eq!(bytes, known);
    assert_eq!(
        to_vec(&Unsized(&[])).unwrap(),
        [131, 104, 2, 106, 116, 0, 0, 0, 0]
    );
}

#[test]
fn to_writer_fills_in_counts_after_what_the_sink_already_holds() {
    static REPLY: Atom = Atom::new("reply");
    let mut e = Encoder::new(Vec::new());
    e.version();
    e.tuple(3);
    e.atom(&REPLY);
    to_writer(&mut e, &Unsized(&[(1, "a")])).unwrap();
    to_writer(&mut e, &Point { x: 3, y: 4 }).unwrap();
    let bytes = e.into_inner();
    type Keys = Serde<(Vec<String>, HashMap<u8, String>)>;
    let (tag, Serde(u), Serde(p)): (AtomName, Keys, Serde<Point>) =
        term::from_slice(&bytes).unwrap();
    assert_eq!(tag, "reply");
    assert_eq!(
        u,
        (vec!["a".to_owned()], HashMap::from([(1, "a".to_owned())]))
    );
    assert_eq!(p, Point { x: 3, y: 4 });
}

// ---- reading what Erlang sends ----

#[test]
fn strings_and_bytes_are_borrowed() {
    #[derive(Deserialize)]
    struct Borrowing<'a> {
        text: &'a str,
        #[serde(borrow)]
        cow: Cow<'a, str>,
        bin: &'a [u8],
        list: &'a [u8],
    }
    let bytes = whole(&[
        &[116, 0, 0, 0, 4],
        &atom("text"),
        &[109, 0, 0, 0, 3],
        b"abc",
        &atom("cow"),
        &[109, 0, 0, 0, 1],
        b"d",
        &atom("bin"),
        &[109, 0, 0, 0, 2, 0xff, 0],
        &atom("list"),
        &[107, 0, 2, 1, 2],
    ]);
    let b: Borrowing = from_slice(&bytes).unwrap();
    assert_eq!(
        (b.text, &*b.cow, b.bin, b.list),
        ("abc", "d", &[0xff, 0][..], &[1, 2][..])
    );
    assert!(inside(&bytes, b.text.as_bytes()));
    assert!(matches!(b.cow, Cow::Borrowed(s) if inside(&bytes, s.as_bytes())));
    assert!(inside(&bytes, b.bin));
    assert!(inside(&bytes, b.list));
}

#[test]
fn the_crates_own_terms_read_with_serde() {
    // ToTerm → serde
    let bytes = term::to_vec(&(1i64, "x", vec![1u8, 2]));
    let v: (i64, String, Vec<u8>) = from_slice(&bytes).unwrap();
    assert_eq!(v, (1, "x".to_owned(), vec![1, 2]));

    let bytes = term::to_vec(&HashMap::from([("k", 5i32)]));
    let m: HashMap<String, i32> = from_slice(&bytes).unwrap();
    assert_eq!(m, HashMap::from([("k".to_owned(), 5)]));

    assert_eq!(
        from_slice::<Option<i32>>(&term::to_vec(&None::<i32>)).unwrap(),
        None
    );
    assert_eq!(from_slice::<()>(&term::to_vec(&())).unwrap(), ());
    assert!(from_slice::<bool>(&term::to_vec(&true)).unwrap());
    // The crate writes a char as its code point; serde reads that too.
    assert_eq!(from_slice::<char>(&term::to_vec(&'a')).unwrap(), 'a');
    // The crate writes `&[u8]` as a binary; serde's `&[u8]` borrows it.
    let bytes = term::to_vec(&[7u8, 8][..]);
    let b: &[u8] = from_slice(&bytes).unwrap();
    assert_eq!(b, [7, 8]);
    assert!(inside(&bytes, b));

    // A hand-built term → a serde enum.
    let move_ = AtomName::new("move").unwrap();
    let t = Term::Tuple(vec![Term::Atom(move_), Term::Int(-3), Term::Int(4)]);
    assert_eq!(
        from_slice::<Command>(&term::to_vec(&t)).unwrap(),
        Command::Move(-3, 4)
    );
}

#[test]
fn serde_values_read_with_the_crates_own_types() {
    let bytes = to_vec(&Point { x: 1, y: 2 }).unwrap();
    let m: HashMap<AtomName, Term> = term::from_slice(&bytes).unwrap();
    assert_eq!(m.len(), 2);
    assert_eq!(m[&AtomName::new("x").unwrap()], Term::Int(1));
    assert_eq!(m[&AtomName::new("y").unwrap()], Term::Int(2));

    let bytes = to_vec(&(-7i64, "seven".to_owned())).unwrap();
    let (n, s): (i64, &str) = term::from_slice(&bytes).unwrap();
    assert_eq!((n, s), (-7, "seven"));

    let bytes = to_vec(&vec![10u8, 20]).unwrap();
    assert_eq!(term::from_slice::<Vec<u8>>(&bytes).unwrap(), [10, 20]);
    let bytes = to_vec(&Some(1.5f64)).unwrap();
    assert_eq!(term::from_slice::<Option<f64>>(&bytes).unwrap(), Some(1.5));
    let bytes = to_vec(&u128::MAX).unwrap();
    assert_eq!(term::from_slice::<u128>(&bytes).unwrap(), u128::MAX);
}

#[test]
fn reading_is_lenient_where_erlang_has_choices() {
    // A unit variant as an atom, a binary or a 1-tuple; Latin-1 atoms too.
    for bytes in [
        whole(&[&atom("red")]),
        whole(&[&[109, 0, 0, 0, 3], b"red"]),
        whole(&[&[104, 1], &atom("red")]),
        whole(&[&[100, 0, 3], b"red"]),
    ] {
        assert_eq!(
            from_slice::<Color>(&bytes).unwrap(),
            Color::Red,
            "{bytes:?}"
        );
    }
    // A variant with data, named by a binary.
    let bytes = whole(&[&[104, 2, 109, 0, 0, 0, 4], b"ping", &[97, 9]]);
    assert_eq!(from_slice::<Command>(&bytes).unwrap(), Command::Ping(9));
    // Struct keys as binaries.
    let bytes = to_vec(&HashMap::from([("x", 1), ("y", 2)])).unwrap();
    assert_eq!(from_slice::<Point>(&bytes).unwrap(), Point { x: 1, y: 2 });
    // Unknown keys are skipped, whatever they hold (here a pid).
    let bytes = whole(&[
        &[116, 0, 0, 0, 3],
        &atom("x"),
        &[97, 1],
        &atom("owner"),
        &pid(),
        &atom("y"),
        &[97, 2],
    ]);
    assert_eq!(from_slice::<Point>(&bytes).unwrap(), Point { x: 1, y: 2 });
    // A string from an atom; a char from a code point; a tuple from a list.
    assert_eq!(
        from_slice::<String>(&whole(&[&atom("hello")])).unwrap(),
        "hello"
    );
    assert_eq!(from_slice::<&str>(&whole(&[&atom("hi")])).unwrap(), "hi");
    assert_eq!(
        from_slice::<char>(&[131, 98, 0, 0, 0x20, 0xac]).unwrap(),
        '€'
    );
    assert_eq!(
        from_slice::<(u8, u8)>(&[131, 107, 0, 2, 4, 5]).unwrap(),
        (4, 5)
    );
    assert_eq!(
        from_slice::<[u8; 2]>(&[131, 107, 0, 2, 4, 5]).unwrap(),
        [4, 5]
    );
    // A sequence from a binary, bytes from a list of integers.
    assert_eq!(
        from_slice::<Vec<u16>>(&[131, 109, 0, 0, 0, 2, 1, 2]).unwrap(),
        [1, 2]
    );
    #[derive(Deserialize)]
    struct Buf(#[serde(deserialize_with = "byte_buf")] Vec<u8>);
    fn byte_buf<'de, D: de::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
        }
        d.deserialize_byte_buf(V)
    }
    let list = [131, 108, 0, 0, 0, 2, 97, 1, 97, 2, 106];
    assert_eq!(from_slice::<Buf>(&list).unwrap().0, [1, 2]);
    assert_eq!(from_slice::<Buf>(&[131, 106]).unwrap().0, [] as [u8; 0]);
}

/// The pid `<0.1.0>` of `nonode@nohost` (`NEW_PID_EXT`).
fn pid() -> Vec<u8> {
    let mut v = vec![88];
    v.extend(atom("nonode@nohost"));
    v.extend([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    v
}

#[test]
fn serde_attributes_work() {
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum Event {
        Click { x: i32, y: i32 },
        Key { code: u32 },
    }
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    #[serde(untagged)]
    enum Number {
        Int(i64),
        Text(String),
        List(Vec<Number>),
    }
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Flat {
        id: u32,
        #[serde(flatten)]
        rest: HashMap<String, i64>,
    }

    let e = Event::Click { x: 1, y: -2 };
    let bytes = to_vec(&e).unwrap();
    assert_eq!(from_slice::<Event>(&bytes).unwrap(), e);

    let n = Number::List(vec![
        Number::Int(-1),
        Number::Text("t".into()),
        Number::List(vec![]),
    ]);
    let bytes = to_vec(&n).unwrap();
    assert_eq!(from_slice::<Number>(&bytes).unwrap(), n);

    let f = Flat {
        id: 7,
        rest: HashMap::from([("a".into(), 1), ("b".into(), -1)]),
    };
    let bytes = to_vec(&f).unwrap();
    // #{<<"id">> => 7, <<"a">> => 1, <<"b">> => -1}: with `flatten`, serde writes a map
    // with string keys.
    let Term::Map(pairs) = term::from_slice::<Term>(&bytes).unwrap() else {
        panic!("not a map")
    };
    assert_eq!(pairs.len(), 3);
    assert!(pairs.contains(&(Term::Binary(b"id"), Term::Int(7))));
    assert!(pairs.contains(&(Term::Binary(b"a"), Term::Int(1))));
    assert!(pairs.contains(&(Term::Binary(b"b"), Term::Int(-1))));
    assert_eq!(from_slice::<Flat>(&bytes).unwrap(), f);
    // Read through serde's own buffering, which reports mismatches in Erlang's words.
    let bytes = to_vec(&HashMap::from([("id", "x")])).unwrap();
    assert_eq!(
        from_slice::<Flat>(&bytes).unwrap_err().to_string(),
        "expected an integer, found a binary (the value of key <<\"id\">>)"
    );
    let bytes = to_vec(&HashMap::from([("type", "key"), ("code", "x")])).unwrap();
    assert_eq!(
        from_slice::<Event>(&bytes).unwrap_err().to_string(),
        "expected u32, found a string"
    );
    #[derive(Serialize)]
    #[serde(untagged)]
    enum Either {
        S(&'static str),
        I(i32),
    }
    let bytes = to_vec(&BTreeMap::from([
        ("type", Either::S("key")),
        ("code", Either::I(-1)),
    ]))
    .unwrap();
    assert_eq!(
        from_slice::<Event>(&bytes).unwrap_err().to_string(),
        "expected u32, found the integer -1"
    );
}

// ---- deserialize_any ----

/// Records what `deserialize_any` hands to the visitor.
#[derive(Debug, PartialEq)]
enum Any {
    Bool(bool),
    Int(i128),
    Huge(u128),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    None,
    Unit,
    Seq(Vec<Any>),
    Map(Vec<(Any, Any)>),
}

impl<'de> Deserialize<'de> for Any {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Any, D::Error> {
        d.deserialize_any(AnyVisitor)
    }
}

struct AnyVisitor;

impl<'de> Visitor<'de> for AnyVisitor {
    type Value = Any;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("anything")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Any, E> {
        Ok(Any::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Any, E> {
        Ok(Any::Int(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Any, E> {
        Ok(Any::Int(v.into()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Any, E> {
        Ok(Any::Int(v))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Any, E> {
        Ok(Any::Huge(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Any, E> {
        Ok(Any::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Any, E> {
        Ok(Any::Str(v.into()))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Any, E> {
        Ok(Any::Bytes(v.into()))
    }
    fn visit_none<E>(self) -> Result<Any, E> {
        Ok(Any::None)
    }
    fn visit_unit<E>(self) -> Result<Any, E> {
        Ok(Any::Unit)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Any, A::Error> {
        let mut v = Vec::new();
        while let Some(x) = a.next_element()? {
            v.push(x);
        }
        Ok(Any::Seq(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Any, A::Error> {
        let mut v = Vec::new();
        while let Some(kv) = a.next_entry()? {
            v.push(kv);
        }
        Ok(Any::Map(v))
    }
}

#[test]
fn deserialize_any_takes_every_term_serde_can_hold() {
    let t = |parts: &[&[u8]]| from_slice::<Any>(&whole(parts)).unwrap();
    assert_eq!(t(&[&atom("true")]), Any::Bool(true));
    assert_eq!(t(&[&atom("false")]), Any::Bool(false));
    assert_eq!(t(&[&atom("undefined")]), Any::None);
    assert_eq!(t(&[&atom("other")]), Any::Str("other".into()));
    assert_eq!(t(&[&[100, 0, 2, b'a', 0xe9]]), Any::Str("aé".into()));
    assert_eq!(t(&[&[97, 5]]), Any::Int(5));
    assert_eq!(t(&[&[98, 255, 255, 255, 255]]), Any::Int(-1));
    assert_eq!(
        t(&[&[110, 16, 1], &[0xff; 15], &[0x7f]]),
        Any::Int(-i128::MAX)
    );
    assert_eq!(t(&[&[110, 16, 0], &[0xff; 16]]), Any::Huge(u128::MAX));
    assert_eq!(t(&[&[70, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]]), Any::Float(1.5));
    assert_eq!(t(&[&[109, 0, 0, 0, 1, b'a']]), Any::Str("a".into()));
    assert_eq!(t(&[&[109, 0, 0, 0, 1, 0xff]]), Any::Bytes(vec![0xff]));
    assert_eq!(t(&[&[104, 0]]), Any::Unit);
    assert_eq!(
        t(&[&[104, 2, 97, 1], &atom("a")]),
        Any::Seq(vec![Any::Int(1), Any::Str("a".into())])
    );
    assert_eq!(t(&[&[106]]), Any::Seq(vec![]));
    assert_eq!(
        t(&[&[107, 0, 2, 1, 2]]),
        Any::Seq(vec![Any::Int(1), Any::Int(2)])
    );
    assert_eq!(
        t(&[&[108, 0, 0, 0, 1, 104, 0, 106]]),
        Any::Seq(vec![Any::Unit])
    );
    assert_eq!(
        t(&[&[116, 0, 0, 0, 1], &atom("k"), &[106]]),
        Any::Map(vec![(Any::Str("k".into()), Any::Seq(vec![]))])
    );
}

#[test]
fn deserialize_any_refuses_what_serde_cannot_hold() {
    let err = |bytes: &[u8]| from_slice::<Any>(bytes).unwrap_err().to_string();
    assert!(
        err(&whole(&[&pid()])).starts_with("cannot read a pid with serde"),
        "{}",
        err(&whole(&[&pid()]))
    );
    // A fun M:F/A: erlang:node/0
    let fun = whole(&[&[113], &atom("erlang"), &atom("node"), &[97, 0]]);
    assert!(err(&fun).starts_with("cannot read a fun with serde"));
    // <<1:1>>
    assert!(err(&[131, 77, 0, 0, 0, 1, 1, 0x80]).starts_with("cannot read a bitstring with serde"));
    // 2^128
    let big = whole(&[&[110, 17, 0], &[0; 16], &[1]]);
    assert_eq!(
        err(&big),
        "integer 340282366920938463463374607431768211456 is out of range for a 128-bit integer"
    );
    // [1 | 2]
    assert_eq!(
        err(&[131, 108, 0, 0, 0, 1, 97, 1, 97, 2]),
        "expected [] (a proper list), found an integer (the tail of a list)"
    );
}

// ---- errors ----

#[test]
fn reading_errors_say_what_where() {
    #[derive(Serialize)]
    struct Loose<'a> {
        x: i32,
        y: &'a str,
    }
    let bytes = to_vec(&vec![Loose { x: 1, y: "2" }]).unwrap();
    let e = from_slice::<Vec<Point>>(&bytes).unwrap_err();
    assert_eq!(
        e.to_string(),
        "expected an integer, found a binary (the value of key y, in element 1 of a list)"
    );
    assert!(matches!(
        e.as_decode_error().unwrap().kind(),
        ErrorKind::Expected { .. }
    ));

    let bytes = to_vec(&(1u16, 300u16)).unwrap();
    assert_eq!(
        from_slice::<(u8, u8)>(&bytes).unwrap_err().to_string(),
        "integer 300 is out of range for u8 (element 2 of a tuple)"
    );
    assert_eq!(
        from_slice::<(u8, u8, u8)>(&bytes).unwrap_err().to_string(),
        "expected a tuple of 3 elements, found a tuple of 2 elements"
    );
    let bytes = to_vec(&HashMap::from([("x", 1)])).unwrap();
    assert_eq!(
        from_slice::<Point>(&bytes).unwrap_err().to_string(),
        "missing field `y`"
    );
    // Names are atoms or binaries, never indexes.
    let bytes = to_vec(&BTreeMap::from([(0, 1), (1, 2)])).unwrap();
    assert_eq!(
        from_slice::<Point>(&bytes).unwrap_err().to_string(),
        "expected a name (an atom or a binary), found an integer (key 1 of a map)"
    );
    let bytes = whole(&[&[104, 2, 97, 1, 97, 1]]);
    assert_eq!(
        from_slice::<Command>(&bytes).unwrap_err().to_string(),
        "expected a name (an atom or a binary), found an integer"
    );
    let bytes = whole(&[&atom("green")]);
    assert!(
        from_slice::<Color>(&bytes)
            .unwrap_err()
            .to_string()
            .starts_with("unknown variant `green`")
    );
    let bytes = whole(&[&atom("ping")]);
    assert_eq!(
        from_slice::<Command>(&bytes).unwrap_err().to_string(),
        "expected a tuple {Variant, Value}, found an atom (variant ping)"
    );
    let bytes = to_vec(&Command::Ping(1)).unwrap();
    assert_eq!(
        from_slice::<Color>(&bytes).unwrap_err().to_string(),
        "unknown variant `ping`, expected `red` or `deep_blue`"
    );
    let bytes = whole(&[&[104, 3], &atom("move"), &[97, 1]]);
    assert!(
        from_slice::<Command>(&bytes).is_err(),
        "a lying arity is truncated input"
    );
    let bytes = whole(&[&[104, 2], &atom("move"), &[97, 1]]);
    assert_eq!(
        from_slice::<Command>(&bytes).unwrap_err().to_string(),
        "expected a tuple of 3 elements, found a tuple of 2 elements (variant move)"
    );
    let bytes = whole(&[&[104, 2], &atom("stop"), &[97, 1]]);
    assert_eq!(
        from_slice::<Command>(&bytes).unwrap_err().to_string(),
        "expected an atom (a variant without data), found a tuple of 2 elements (variant stop)"
    );
    let bytes = whole(&[&[104, 3], &atom("resize"), &[97, 1, 97, 2]]);
    assert_eq!(
        from_slice::<Command>(&bytes).unwrap_err().to_string(),
        "expected a tuple {Variant, #{...}}, found a tuple of 3 elements (variant resize)"
    );
    let bytes = whole(&[&[104, 2], &atom("ping"), &atom("x")]);
    assert_eq!(
        from_slice::<Command>(&bytes).unwrap_err().to_string(),
        "expected an integer, found an atom (variant ping)"
    );
    assert_eq!(
        from_slice::<Command>(&[131, 104, 0])
            .unwrap_err()
            .to_string(),
        "expected an atom or a tuple {Variant, ...}, found the empty tuple"
    );
    assert_eq!(
        from_slice::<Command>(&[131, 97, 0])
            .unwrap_err()
            .to_string(),
        "expected an atom or a tuple {Variant, ...}, found an integer"
    );
    assert_eq!(
        from_slice::<char>(&[131, 109, 0, 0, 0, 2, b'a', b'b'])
            .unwrap_err()
            .to_string(),
        "expected a binary of one character, found a binary of 2 characters"
    );
    assert_eq!(
        from_slice::<()>(&[131, 106]).unwrap_err().to_string(),
        "expected {} (the empty tuple), found the empty list"
    );
    assert_eq!(
        from_slice::<[u8; 2]>(&[131, 107, 0, 3, 1, 2, 3])
            .unwrap_err()
            .to_string(),
        "expected a list of 2 elements, found a list of 3 elements"
    );
    // Invalid types reported by serde's own visitors use Erlang's words.
    assert_eq!(
        from_slice::<Point>(&[131, 106]).unwrap_err().to_string(),
        "expected a map, found the empty list"
    );
    #[derive(Deserialize, Debug)]
    #[serde(untagged)]
    enum OnlyInt {
        #[allow(dead_code)]
        I(i32),
    }
    assert!(from_slice::<OnlyInt>(&whole(&[&atom("x")])).is_err());
}

#[test]
fn framing_errors() {
    let mut bytes = to_vec(&1u8).unwrap();
    bytes.push(0);
    assert_eq!(
        from_slice::<u8>(&bytes).unwrap_err().to_string(),
        "1 bytes left after the term"
    );
    assert_eq!(
        from_slice::<u8>(&[130, 97, 1]).unwrap_err().to_string(),
        "not in the external term format: the first byte is 130, not 131"
    );
    assert!(matches!(
        from_slice::<u8>(&[])
            .unwrap_err()
            .as_decode_error()
            .unwrap()
            .kind(),
        ErrorKind::Truncated
    ));
}

#[test]
fn writing_errors() {
    let e = to_vec(&f64::NAN).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the float NaN has no Erlang equivalent (Erlang has no NaN or infinity)"
    );
    assert!(e.as_decode_error().is_none());
    assert!(to_vec(&vec![1.0, f64::INFINITY]).is_err());

    /// Announces three elements, writes two.
    struct Liar;
    impl Serialize for Liar {
        fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut t = s.serialize_tuple(3)?;
            t.serialize_element(&1)?;
            t.serialize_element(&2)?;
            t.end()
        }
    }
    assert_eq!(
        to_vec(&Liar).unwrap_err().to_string(),
        "a Serialize implementation wrote 1 tuple elements fewer than it announced"
    );

    struct Refuses;
    impl Serialize for Refuses {
        fn serialize<S: ser::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(ser::Error::custom("not today"))
        }
    }
    let e = to_vec(&(1, Refuses)).unwrap_err();
    assert_eq!(e.to_string(), "not today");
    let c: CallError = e.into();
    assert_eq!(c.message(), "not today");

    #[derive(Serialize)]
    enum Long {
        #[serde(
            rename = "atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_atom_"
        )]
        Variant,
    }
    assert!(
        to_vec(&Long::Variant)
            .unwrap_err()
            .to_string()
            .contains("too long for an atom")
    );
}

#[test]
fn a_failed_serde_term_is_written_as_an_error_tuple() {
    static SERDE_ERROR: Atom = Atom::new("erldrv_serde_error");
    struct Refuses;
    impl Serialize for Refuses {
        fn serialize<S: ser::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(ser::Error::custom("no way"))
        }
    }
    // Nothing of the failed value is written, only the error tuple in its place.
    let bytes = term::to_vec(&(1, Serde((1, 2, Refuses)), 3));
    assert_eq!(bytes, term::to_vec(&(1, (&SERDE_ERROR, "no way"), 3)));
    let (_, (tag, msg), _): (i32, (AtomName, &str), i32) = term::from_slice(&bytes).unwrap();
    assert_eq!((tag.as_str(), msg), (Some("erldrv_serde_error"), "no way"));

    let bytes = term::to_vec(&Serde(f64::NAN));
    let (_, msg): (AtomName, &str) = term::from_slice(&bytes).unwrap();
    assert!(msg.contains("NaN"), "{msg}");
}

#[test]
fn serde_reading_errors_are_decode_errors() {
    let bytes = term::to_vec(&("not a point",));
    let e = term::from_slice::<(Serde<Point>,)>(&bytes).unwrap_err();
    assert_eq!(
        e.to_string(),
        "expected a map, found a binary (element 1 of a tuple)"
    );
    let e = from_slice::<Point>(&bytes).unwrap_err();
    let c = CallError::from(e);
    assert_eq!(c.message(), "expected a map, found a tuple");
}

// ---- hostile input ----

fn nested_lists(levels: usize) -> Vec<u8> {
    let mut v = vec![131];
    for _ in 0..levels {
        v.extend([108, 0, 0, 0, 1]);
    }
    v.push(106);
    v.extend(std::iter::repeat_n(106, levels));
    v
}

#[derive(Deserialize, Debug)]
struct Nest(#[allow(dead_code)] Vec<Nest>);

#[derive(Deserialize, Debug)]
#[serde(rename_all = "snake_case")]
enum Tree {
    Leaf,
    Node(#[allow(dead_code)] Box<Tree>),
}

#[derive(Deserialize, Debug)]
struct Linked {
    #[allow(dead_code)]
    next: Option<Box<Linked>>,
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let too_deep = |e: Error| {
        assert!(
            matches!(
                e.as_decode_error().map(|d| d.kind()),
                Some(ErrorKind::TooDeep(64))
            ),
            "{e}"
        )
    };
    let lists = nested_lists(100_000);
    too_deep(from_slice::<Any>(&lists).unwrap_err());
    too_deep(from_slice::<Nest>(&lists).unwrap_err());

    let mut tuples = vec![131];
    for _ in 0..100_000 {
        tuples.extend([104, 2]);
        tuples.extend(atom("node"));
    }
    tuples.extend(atom("leaf"));
    too_deep(from_slice::<Tree>(&tuples).unwrap_err());
    too_deep(from_slice::<Any>(&tuples).unwrap_err());

    let mut maps = vec![131];
    for _ in 0..100_000 {
        maps.extend([116, 0, 0, 0, 1]);
        maps.extend(atom("next"));
    }
    maps.extend(atom("undefined"));
    too_deep(from_slice::<Linked>(&maps).unwrap_err());

    // Through serde's own buffering (untagged enums).
    #[derive(Deserialize, Debug)]
    #[serde(untagged)]
    enum Untagged {
        #[allow(dead_code)]
        List(Vec<Untagged>),
    }
    too_deep(from_slice::<Untagged>(&lists).unwrap_err());

    // Within the limit, all is well.
    assert!(from_slice::<Nest>(&nested_lists(30)).is_ok());
}

#[test]
fn the_decoders_nesting_limit_applies() {
    use serde::Deserialize as _;
    let read = |levels: usize, max: u32| {
        let bytes = nested_lists(levels);
        let mut d = Decoder::new(&bytes).unwrap();
        d.set_max_depth(max);
        Nest::deserialize(&mut Deserializer::new(d)).map(drop)
    };
    // Each level is a newtype and a list (a newtype counts, as it reads no bytes of its
    // own), and so is the innermost `Nest` around `[]`.
    assert!(read(3, 7).is_ok());
    assert!(matches!(
        read(4, 7).unwrap_err().as_decode_error().unwrap().kind(),
        ErrorKind::TooDeep(7)
    ));
}

#[test]
fn truncated_input_is_an_error_at_every_length() {
    let raw = [1u8, 2, 3];
    let bytes = to_vec(&model(&raw)).unwrap();
    for len in 0..bytes.len() {
        assert!(from_slice::<Model>(&bytes[..len]).is_err(), "{len} bytes");
        assert!(from_slice::<Any>(&bytes[..len]).is_err(), "{len} bytes");
        assert!(
            from_slice::<IgnoredAny>(&bytes[..len]).is_err(),
            "{len} bytes"
        );
    }
}

#[test]
fn corrupted_input_never_panics() {
    let raw = [1u8, 2, 3];
    let bytes = to_vec(&model(&raw)).unwrap();
    // A fixed xorshift sequence: the same corruptions on every run.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut failures = 0;
    for _ in 0..3000 {
        let mut b = bytes.clone();
        for _ in 0..=(next() % 3) {
            let i = (next() as usize) % b.len();
            b[i] = next() as u8;
        }
        failures += usize::from(from_slice::<Model>(&b).is_err());
        let _ = from_slice::<Any>(&b);
        let _ = term::from_slice::<Serde<Command>>(&b);
    }
    // Most corruptions are caught (the rest changed a value, not the shape).
    assert!(failures > 1000, "{failures}");
}

#[test]
fn lying_headers_do_not_allocate_what_the_input_cannot_hold() {
    // A list of 2^32 - 1 elements in 10 bytes; a map of as many pairs.
    for bytes in [
        [131, 108, 255, 255, 255, 255, 97, 1, 106, 0],
        [131, 116, 255, 255, 255, 255, 97, 1, 97, 1],
        [131, 105, 255, 255, 255, 255, 97, 1, 97, 1],
    ] {
        assert!(from_slice::<Any>(&bytes).is_err());
        assert!(from_slice::<Vec<u8>>(&bytes).is_err());
        assert!(from_slice::<HashMap<u8, u8>>(&bytes).is_err());
    }
}

// ---- odds and ends ----

#[test]
fn option_and_unit_shapes() {
    // `undefined` is always `None`, so `Some(None)` does not come back.
    let bytes = to_vec(&Some(None::<u8>)).unwrap();
    assert_eq!(from_slice::<Option<Option<u8>>>(&bytes).unwrap(), None);
    let bytes = to_vec(&Some(Some(1u8))).unwrap();
    assert_eq!(
        from_slice::<Option<Option<u8>>>(&bytes).unwrap(),
        Some(Some(1))
    );
    assert_eq!(from_slice::<Marker>(&[131, 104, 0]).unwrap(), Marker);
    assert!(from_slice::<Marker>(&[131, 104, 1, 97, 0]).is_err());
}

#[test]
fn deserializer_continues_where_the_decoder_is() {
    let bytes = term::to_vec(&(Serde(Point { x: 1, y: 2 }), "tail"));
    let mut d = Decoder::new(&bytes).unwrap();
    d.tuple_of(2).unwrap();
    let mut de = Deserializer::new(d);
    let p = Point::deserialize(&mut de).unwrap();
    let mut d = de.into_decoder();
    let tail: &str = d.decode().unwrap();
    d.finish().unwrap();
    assert_eq!((p, tail), (Point { x: 1, y: 2 }, "tail"));
}

/// `Some` and newtypes read no bytes of their own: a type made of them must still hit the
/// nesting limit, not overflow the stack, whatever the input.
#[test]
fn options_inside_options_are_bounded() {
    #[derive(Deserialize, Debug)]
    struct Wrap(#[allow(dead_code)] Option<Box<Wrap>>);
    let err = erldrv::term::serde::from_slice::<Wrap>(&[131, 97, 1]).unwrap_err();
    assert!(err.to_string().contains("nested deeper than"), "{err}");
}
