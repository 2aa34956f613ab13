//! `#[derive(ToTerm, FromTerm)]`: every representation round trips, matches the bytes
//! `term_to_binary/1` gives for the same Erlang term, and reading wrong terms gives errors
//! that say what and where.
//!
//! External term format tags used below: 97 SMALL_INTEGER, 98 INTEGER, 104 SMALL_TUPLE,
//! 106 NIL, 108 LIST, 109 BINARY, 115 SMALL_ATOM (Latin-1), 116 MAP, 119 SMALL_ATOM_UTF8.

use std::fmt::Debug;

use erldrv::term::{
    self, AtomName, DecodeError, Decoder, Encoder, ErrorKind, FromTerm, OwnedTerm, TermWriter,
    ToTerm,
};

// ---- the types ----

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
struct Person {
    name: String,
    age: u32,
}

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
#[term(tuple)]
struct Point {
    x: i32,
    y: i32,
}

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
enum Method {
    Get,
    Post,
}

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
#[term(record)]
struct HttpRequest {
    method: Method,
    path: String,
}

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
#[term(record = "user")]
struct UserRecord {
    id: u16,
}

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
#[term(record, rename = "pt")]
struct RecordTuple(u8, u8);

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
struct Pair(u8, bool);

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
struct Meters(u32);

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
#[term(tuple)]
struct Boxed(u8);

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
#[term(transparent)]
struct Wrapper {
    inner: Vec<u16>,
}

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
struct Ping;

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
#[term(rename = "PONG")]
struct Pong;

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
struct NoFields {}

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
struct EmptyTuple();

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
enum Command {
    Stop,
    NotFound,
    HTTPError,
    Get(u32),
    Put {
        key: String,
        value: Vec<i32>,
    },
    #[term(rename = "del")]
    Delete(u32),
    Empty(),
    #[term(transparent)]
    Raw(Vec<u8>),
}

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
struct Config {
    #[term(rename = "max-size")]
    max_size: u64,
    #[term(default)]
    verbose: bool,
}

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
struct Optional {
    note: Option<String>,
}

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
#[term(record)]
struct Team {
    lead: Person,
    size: u8,
}

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
struct Msg<'a> {
    text: &'a str,
    raw: &'a [u8],
    kind: AtomName<'a>,
}

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
struct Tagged<T> {
    tag: T,
}

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
enum Either<L, R> {
    Left(L),
    Right(R),
}

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
enum Tree {
    Leaf(i64),
    Node(Box<Tree>, Box<Tree>),
}

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
enum Number {
    #[term(transparent)]
    Small(u8),
    #[term(transparent)]
    Big(i64),
    Infinity,
}

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
enum Shadowed<'a> {
    #[term(transparent)]
    Name(AtomName<'a>),
    Never,
}

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
enum Fallback<'a> {
    Value(i32),
    #[term(transparent)]
    Other(term::Term<'a>),
}

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
struct RawNames {
    r#type: u8,
}

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
#[term(rename = "café")]
struct Cafe;

// ---- helpers ----

fn round_trip<T>(value: T)
where
    T: ToTerm + for<'a> FromTerm<'a> + PartialEq + Debug,
{
    let bytes = term::to_vec(&value);
    let back: T = term::from_slice(&bytes).unwrap_or_else(|e| panic!("{value:?}: {e}"));
    assert_eq!(back, value);
}

/// The version byte, then `parts`.
fn ext(parts: &[&[u8]]) -> Vec<u8> {
    let mut v = vec![131];
    for p in parts {
        v.extend_from_slice(p);
    }
    v
}

/// A term written by hand through the encoder.
fn build(f: impl FnOnce(&mut Encoder<Vec<u8>>)) -> Vec<u8> {
    let mut e = Encoder::new(Vec::new());
    e.version();
    f(&mut e);
    e.into_inner()
}

fn atom(w: &mut Encoder<Vec<u8>>, name: &str) {
    w.atom_name(AtomName::new(name).unwrap());
}

/// The message of reading `bytes` as `T`, which must fail.
fn error<T>(bytes: &[u8]) -> String
where
    T: for<'a> FromTerm<'a> + Debug,
{
    match term::from_slice::<T>(bytes) {
        Ok(v) => panic!("read {v:?}, expected an error"),
        Err(e) => e.to_string(),
    }
}

// ---- round trips and bytes ----

#[test]
fn every_form_round_trips() {
    round_trip(Person {
        name: "Ann".into(),
        age: 30,
    });
    round_trip(Point { x: 1, y: -2 });
    round_trip(HttpRequest {
        method: Method::Post,
        path: "/a".into(),
    });
    round_trip(UserRecord { id: 7 });
    round_trip(RecordTuple(1, 2));
    round_trip(Pair(3, false));
    round_trip(Meters(5));
    round_trip(Boxed(7));
    round_trip(Wrapper {
        inner: vec![1, 2, 300],
    });
    round_trip(Ping);
    round_trip(Pong);
    round_trip(NoFields {});
    round_trip(EmptyTuple());
    for c in [
        Command::Stop,
        Command::NotFound,
        Command::HTTPError,
        Command::Get(9),
        Command::Put {
            key: "k".into(),
            value: vec![1, -1, 1 << 20],
        },
        Command::Delete(4),
        Command::Empty(),
        Command::Raw(vec![1, 2, 3]),
    ] {
        round_trip(c);
    }
    round_trip(Config {
        max_size: 1 << 40,
        verbose: true,
    });
    round_trip(Optional { note: None });
    round_trip(Optional {
        note: Some("n".into()),
    });
    round_trip(Team {
        lead: Person {
            name: "Bo".into(),
            age: 41,
        },
        size: 3,
    });
    round_trip(Tagged { tag: 5u8 });
    round_trip(Tagged {
        tag: String::from("t"),
    });
    round_trip(Either::<u8, String>::Left(1));
    round_trip(Either::<u8, String>::Right("r".into()));
    round_trip(Tree::Node(
        Box::new(Tree::Leaf(1)),
        Box::new(Tree::Node(
            Box::new(Tree::Leaf(2)),
            Box::new(Tree::Leaf(-3)),
        )),
    ));
    round_trip(Number::Small(200));
    round_trip(Number::Big(-1));
    round_trip(Number::Infinity);
    let bytes = term::to_vec(&Fallback::Value(1));
    assert_eq!(
        term::from_slice::<Fallback>(&bytes).unwrap(),
        Fallback::Value(1)
    );
    round_trip(RawNames { r#type: 1 });
    round_trip(Cafe);
}

#[test]
fn writes_what_term_to_binary_writes() {
    // #{name => <<"Ann">>, age => 30}
    let person = Person {
        name: "Ann".into(),
        age: 30,
    };
    assert_eq!(
        term::to_vec(&person),
        ext(&[
            &[116, 0, 0, 0, 2],
            &[119, 4],
            b"name",
            &[109, 0, 0, 0, 3],
            b"Ann",
            &[119, 3],
            b"age",
            &[97, 30],
        ])
    );
    // {1, -2}
    assert_eq!(
        term::to_vec(&Point { x: 1, y: -2 }),
        ext(&[&[104, 2, 97, 1, 98, 255, 255, 255, 254]])
    );
    // {http_request, get, <<"/">>}
    let req = HttpRequest {
        method: Method::Get,
        path: "/".into(),
    };
    assert_eq!(
        term::to_vec(&req),
        ext(&[
            &[104, 3, 119, 12],
            b"http_request",
            &[119, 3],
            b"get",
            &[109, 0, 0, 0, 1],
            b"/",
        ])
    );
    // {user, 7}, {pt, 1, 2}
    assert_eq!(
        term::to_vec(&UserRecord { id: 7 }),
        ext(&[&[104, 2, 119, 4], b"user", &[97, 7]])
    );
    assert_eq!(
        term::to_vec(&RecordTuple(1, 2)),
        ext(&[&[104, 3, 119, 2], b"pt", &[97, 1, 97, 2]])
    );
    // {1, true}
    assert_eq!(
        term::to_vec(&Pair(1, true)),
        ext(&[&[104, 2, 97, 1, 119, 4], b"true"])
    );
    // 5, {7}, [1, 300]
    assert_eq!(term::to_vec(&Meters(5)), ext(&[&[97, 5]]));
    assert_eq!(term::to_vec(&Boxed(7)), ext(&[&[104, 1, 97, 7]]));
    assert_eq!(
        term::to_vec(&Wrapper {
            inner: vec![1, 300]
        }),
        ext(&[&[108, 0, 0, 0, 2, 97, 1, 98, 0, 0, 1, 44, 106]])
    );
    // ping, 'PONG', 'café', #{}, {}
    assert_eq!(term::to_vec(&Ping), ext(&[&[119, 4], b"ping"]));
    assert_eq!(term::to_vec(&Pong), ext(&[&[119, 4], b"PONG"]));
    assert_eq!(term::to_vec(&Cafe), ext(&[&[119, 5], "café".as_bytes()]));
    assert_eq!(term::to_vec(&NoFields {}), ext(&[&[116, 0, 0, 0, 0]]));
    assert_eq!(term::to_vec(&EmptyTuple()), ext(&[&[104, 0]]));
    // stop, http_error, {put, <<"k">>, [1, 256]}, {del, 4}, {empty}, <<>>
    assert_eq!(term::to_vec(&Command::Stop), ext(&[&[119, 4], b"stop"]));
    assert_eq!(
        term::to_vec(&Command::HTTPError),
        ext(&[&[119, 10], b"http_error"])
    );
    let put = Command::Put {
        key: "k".into(),
        value: vec![1, 256],
    };
    assert_eq!(
        term::to_vec(&put),
        ext(&[
            &[104, 3, 119, 3],
            b"put",
            &[109, 0, 0, 0, 1],
            b"k",
            &[108, 0, 0, 0, 2, 97, 1, 98, 0, 0, 1, 0, 106],
        ])
    );
    assert_eq!(
        term::to_vec(&Command::Delete(4)),
        ext(&[&[104, 2, 119, 3], b"del", &[97, 4]])
    );
    assert_eq!(
        term::to_vec(&Command::Empty()),
        ext(&[&[104, 1, 119, 5], b"empty"])
    );
    assert_eq!(
        term::to_vec(&Command::Raw(vec![])),
        ext(&[&[109, 0, 0, 0, 0]])
    );
    // #{'max-size' => 1000, verbose => true}
    let config = Config {
        max_size: 1000,
        verbose: true,
    };
    assert_eq!(
        term::to_vec(&config),
        ext(&[
            &[116, 0, 0, 0, 2, 119, 8],
            b"max-size",
            &[98, 0, 0, 3, 232, 119, 7],
            b"verbose",
            &[119, 4],
            b"true",
        ])
    );
    // #{type => 1}
    assert_eq!(
        term::to_vec(&RawNames { r#type: 1 }),
        ext(&[&[116, 0, 0, 0, 1, 119, 4], b"type", &[97, 1]])
    );
}

// ---- maps ----

#[test]
fn map_keys_in_any_order_and_either_atom_encoding() {
    // #{age => 30, name => <<"Ann">>}, keys as Latin-1 atoms (SMALL_ATOM), as older
    // nodes send them.
    let bytes = ext(&[
        &[116, 0, 0, 0, 2, 115, 3],
        b"age",
        &[97, 30, 115, 4],
        b"name",
        &[109, 0, 0, 0, 3],
        b"Ann",
    ]);
    assert_eq!(
        term::from_slice::<Person>(&bytes).unwrap(),
        Person {
            name: "Ann".into(),
            age: 30
        }
    );
    // 'café' in Latin-1: é is one byte, 0xE9.
    let latin1 = ext(&[&[115, 4], b"caf", &[0xE9]]);
    assert_eq!(term::from_slice::<Cafe>(&latin1).unwrap(), Cafe);
}

#[test]
fn map_errors_name_the_key() {
    let age_binary = build(|w| {
        w.map(2);
        atom(w, "name");
        w.binary(b"Ann");
        atom(w, "age");
        w.binary(b"30");
    });
    assert_eq!(
        error::<Person>(&age_binary),
        "expected an integer, found a binary (value of key age, in Person)"
    );

    let missing = build(|w| {
        w.map(1);
        atom(w, "name");
        w.binary(b"Ann");
    });
    assert_eq!(error::<Person>(&missing), "missing key age (Person)");

    let unknown = build(|w| {
        w.map(3);
        atom(w, "name");
        w.binary(b"Ann");
        atom(w, "email");
        w.binary(b"a@b");
        atom(w, "age");
        w.int(30);
    });
    assert_eq!(
        error::<Person>(&unknown),
        "unknown key email; the keys are name, age (Person)"
    );

    let duplicate = build(|w| {
        w.map(3);
        atom(w, "name");
        w.binary(b"Ann");
        atom(w, "age");
        w.int(30);
        atom(w, "name");
        w.binary(b"Bo");
    });
    assert_eq!(error::<Person>(&duplicate), "duplicate key name (Person)");

    let binary_key = build(|w| {
        w.map(1);
        w.binary(b"name");
        w.binary(b"Ann");
    });
    assert_eq!(
        error::<Person>(&binary_key),
        "expected an atom as key, found a binary (Person)"
    );

    let not_a_map = build(|w| w.int(1));
    assert_eq!(
        error::<Person>(&not_a_map),
        "expected a map, found an integer (Person)"
    );

    let not_empty = build(|w| {
        w.map(1);
        atom(w, "x");
        w.int(1);
    });
    assert_eq!(
        error::<NoFields>(&not_empty),
        "unknown key x; expected an empty map (NoFields)"
    );
    let one_key = build(|w| {
        w.map(1);
        atom(w, "x");
        w.int(1);
    });
    assert_eq!(
        error::<Optional>(&one_key),
        "unknown key x; the only key is note (Optional)"
    );
}

#[test]
fn default_fields_may_be_missing_and_others_may_not() {
    let without_verbose = build(|w| {
        w.map(1);
        atom(w, "max-size");
        w.int(10);
    });
    assert_eq!(
        term::from_slice::<Config>(&without_verbose).unwrap(),
        Config {
            max_size: 10,
            verbose: false
        }
    );
    let without_size = build(|w| {
        w.map(1);
        atom(w, "verbose");
        atom(w, "true");
    });
    assert_eq!(
        error::<Config>(&without_size),
        "missing key 'max-size', for field max_size (Config)"
    );
    // An Option is not optional: `undefined` says None.
    let empty = build(|w| w.map(0));
    assert_eq!(error::<Optional>(&empty), "missing key note (Optional)");
    let undefined = build(|w| {
        w.map(1);
        atom(w, "note");
        atom(w, "undefined");
    });
    assert_eq!(
        term::from_slice::<Optional>(&undefined).unwrap(),
        Optional { note: None }
    );
}

#[test]
fn errors_nest_from_the_inside_out() {
    // {team, #{name => <<"Ann">>, age => <<"x">>}, 3}
    let bytes = build(|w| {
        w.tuple(3);
        atom(w, "team");
        w.map(2);
        atom(w, "name");
        w.binary(b"Ann");
        atom(w, "age");
        w.binary(b"x");
        w.int(3);
    });
    assert_eq!(
        error::<Team>(&bytes),
        "expected an integer, found a binary \
         (value of key age, in Person, in field lead at element 2, in Team)"
    );
}

// ---- tuples, records, atoms ----

#[test]
fn tuple_and_record_errors() {
    let three = build(|w| {
        w.tuple(3);
        w.int(1);
        w.int(2);
        w.int(3);
    });
    assert_eq!(
        error::<Point>(&three),
        "expected a tuple of 2 elements, found a tuple of 3 elements (Point)"
    );
    let atom_foo = build(|w| atom(w, "foo"));
    assert_eq!(
        error::<Point>(&atom_foo),
        "expected a tuple of 2 elements, found the atom foo (Point)"
    );
    let y_float = build(|w| {
        w.tuple(2);
        w.int(1);
        w.float(2.0);
    });
    assert_eq!(
        error::<Point>(&y_float),
        "expected an integer, found a float (field y at element 2, in Point)"
    );
    let pair_wrong = build(|w| {
        w.tuple(2);
        w.int(1);
        w.int(1);
    });
    assert_eq!(
        error::<Pair>(&pair_wrong),
        "expected true or false, found an integer (element 2, in Pair)"
    );
    assert_eq!(
        error::<Boxed>(&three),
        "expected a tuple of 1 element, found a tuple of 3 elements (Boxed)"
    );

    let other_tag = build(|w| {
        w.tuple(3);
        atom(w, "other");
        atom(w, "get");
        w.binary(b"/");
    });
    assert_eq!(
        error::<HttpRequest>(&other_tag),
        "expected {http_request, _, _}, found {other, _, _} (HttpRequest)"
    );
    let short = build(|w| {
        w.tuple(2);
        atom(w, "http_request");
        atom(w, "get");
    });
    assert_eq!(
        error::<HttpRequest>(&short),
        "expected {http_request, _, _}, found {http_request, _} (HttpRequest)"
    );
    let untagged = build(|w| {
        w.tuple(3);
        w.int(1);
        atom(w, "get");
        w.binary(b"/");
    });
    assert_eq!(
        error::<HttpRequest>(&untagged),
        "expected {http_request, _, _}, found a tuple of 3 elements (HttpRequest)"
    );
    let bad_method = build(|w| {
        w.tuple(3);
        atom(w, "http_request");
        atom(w, "put");
        w.binary(b"/");
    });
    assert_eq!(
        error::<HttpRequest>(&bad_method),
        "expected one of get, post, found the atom put \
         (Method, in field method at element 2, in HttpRequest)"
    );
    let bad_path = build(|w| {
        w.tuple(3);
        atom(w, "http_request");
        atom(w, "get");
        w.int(1);
    });
    assert_eq!(
        error::<HttpRequest>(&bad_path),
        "expected a UTF-8 binary, found an integer (field path at element 3, in HttpRequest)"
    );
    assert_eq!(
        error::<RecordTuple>(&three),
        "expected {pt, _, _}, found a tuple of 3 elements (RecordTuple)"
    );
}

#[test]
fn atom_and_newtype_errors() {
    let pong = build(|w| atom(w, "pong"));
    assert_eq!(
        error::<Ping>(&pong),
        "expected the atom ping, found the atom pong (Ping)"
    );
    assert_eq!(
        error::<Pong>(&pong),
        "expected the atom 'PONG', found the atom pong (Pong)"
    );
    let binary = build(|w| w.binary(b"5"));
    assert_eq!(
        error::<Meters>(&binary),
        "expected an integer, found a binary (Meters)"
    );
    assert_eq!(
        error::<Wrapper>(&binary),
        "expected a list, found a binary (Wrapper)"
    );
}

// ---- enums ----

#[test]
fn enum_errors_list_the_variants() {
    let foo = build(|w| atom(w, "foo"));
    let expected = "one of stop, not_found, http_error, {get, _}, {put, _, _}, {del, _}, {empty}";
    // `Raw` reads a binary or a list of bytes: the atom matches nothing.
    assert_eq!(
        error::<Command>(&foo),
        format!("expected {expected}, a binary or a list of bytes, found the atom foo (Command)")
    );
    let get_two = build(|w| {
        w.tuple(3);
        atom(w, "get");
        w.int(1);
        w.int(2);
    });
    assert_eq!(
        error::<Command>(&get_two),
        format!("expected {expected}, a binary or a list of bytes, found {{get, _, _}} (Command)")
    );
    let get_binary = build(|w| {
        w.tuple(2);
        atom(w, "get");
        w.binary(b"1");
    });
    assert_eq!(
        error::<Command>(&get_binary),
        "expected an integer, found a binary (element 2, in {get, _}, in Command)"
    );
    let put_bad = build(|w| {
        w.tuple(3);
        atom(w, "put");
        w.binary(b"k");
        w.int(1);
    });
    assert_eq!(
        error::<Command>(&put_bad),
        "expected a list, found an integer (field value at element 3, in {put, _, _}, in Command)"
    );

    // Only tagged variants.
    let one = build(|w| w.int(1));
    assert_eq!(
        error::<Method>(&one),
        "expected one of get, post, found an integer (Method)"
    );
    let long = build(|w| {
        w.tuple(10);
        atom(w, "left");
        (0..9).for_each(|i| w.int(i));
    });
    assert_eq!(
        error::<Either<u8, u8>>(&long),
        "expected one of {left, _}, {right, _}, found a tuple of 10 elements tagged left (Either)"
    );
    let left_wrong = build(|w| {
        w.tuple(2);
        atom(w, "left");
        w.int(300);
    });
    assert_eq!(
        error::<Either<u8, u8>>(&left_wrong),
        "integer 300 is out of range for u8 (element 2, in {left, _}, in Either)"
    );
}

#[test]
fn transparent_variants_are_tried_in_order() {
    let small = build(|w| w.int(200));
    let big = build(|w| w.int(-5));
    let inf = build(|w| atom(w, "infinity"));
    assert_eq!(
        term::from_slice::<Number>(&small).unwrap(),
        Number::Small(200)
    );
    assert_eq!(term::from_slice::<Number>(&big).unwrap(), Number::Big(-5));
    assert_eq!(term::from_slice::<Number>(&inf).unwrap(), Number::Infinity);
    let float = build(|w| w.float(1.5));
    assert_eq!(
        error::<Number>(&float),
        "expected one of an integer, infinity, found a float (Number)"
    );

    // The first variant that reads the term wins, even over a tag declared later.
    let never = build(|w| atom(w, "never"));
    assert_eq!(
        term::from_slice::<Shadowed>(&never).unwrap(),
        Shadowed::Name(AtomName::new("never").unwrap())
    );

    // A tagged variant that fails inside falls through to a later transparent one...
    let value_binary = build(|w| {
        w.tuple(2);
        atom(w, "value");
        w.binary(b"x");
    });
    match term::from_slice::<Fallback>(&value_binary).unwrap() {
        Fallback::Other(t) => assert_eq!(t.as_tuple().map(<[_]>::len), Some(2)),
        v => panic!("{v:?}"),
    }
    // ...and the decoder is left after the term that was read, not after the attempt.
    let two = build(|w| {
        w.list(2);
        w.tuple(2);
        atom(w, "value");
        w.binary(b"x");
        w.tuple(2);
        atom(w, "value");
        w.int(1);
        w.nil();
    });
    let v: Vec<Fallback> = term::from_slice(&two).unwrap();
    assert_eq!(v.len(), 2);
    assert_eq!(v[1], Fallback::Value(1));
}

#[test]
fn a_transparent_variant_that_got_in_reports_its_own_error() {
    // `Small` reads the integer, finds it too big for u8 and fails; `Big` reads it. With an
    // integer that fits neither, the error is the first specific one.
    let huge = build(|w| w.big(false, &[0, 0, 0, 0, 0, 0, 0, 0, 1]));
    assert_eq!(
        error::<Number>(&huge),
        "integer 18446744073709551616 is out of range for u8 (Number)"
    );
}

// ---- borrowing, generics, recursion ----

#[test]
fn fields_borrow_from_the_input() {
    let bytes = term::to_vec(&Msg {
        text: "hi",
        raw: &[1, 2],
        kind: AtomName::new("note").unwrap(),
    });
    let msg: Msg<'_> = term::from_slice(&bytes).unwrap();
    let input = bytes.as_ptr_range();
    assert!(input.contains(&msg.text.as_ptr()));
    assert!(input.contains(&msg.raw.as_ptr()));
    assert!(input.contains(&msg.kind.as_bytes().as_ptr()));
    assert_eq!((msg.text, msg.raw), ("hi", &[1u8, 2][..]));
    assert!(msg.kind.is("note"));
}

#[test]
fn recursion_is_bounded_by_the_depth_limit() {
    fn deep(levels: usize) -> Vec<u8> {
        build(|w| {
            for _ in 0..levels {
                w.tuple(3);
                atom(w, "node");
                w.tuple(2);
                atom(w, "leaf");
                w.int(0);
            }
            w.tuple(2);
            atom(w, "leaf");
            w.int(1);
        })
    }
    let twenty = deep(20);
    let mut d = Decoder::new(&twenty).unwrap();
    assert!(matches!(Tree::decode(&mut d), Ok(Tree::Node(..))));
    d.finish().unwrap();

    let bytes = deep(100_000);
    let e: DecodeError = term::from_slice::<Tree>(&bytes).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::TooDeep(_)), "{e}");
    let mut d = Decoder::new(&twenty).unwrap();
    d.set_max_depth(10);
    assert!(matches!(
        Tree::decode(&mut d).unwrap_err().kind(),
        ErrorKind::TooDeep(10)
    ));
}

/// Alternatives inside alternatives: each level tries `Add` first, which reads the whole
/// left branch before failing on the right one, then `Named` reads it again. Without a
/// budget that doubles the work per level (2^60 steps here); with it, decoding stops after
/// linear work, with an error if the budget runs out.
#[derive(Debug, FromTerm)]
#[allow(dead_code)]
enum Expr {
    #[term(transparent)]
    Add(Box<(Expr, Expr)>),
    #[term(transparent)]
    Named(Box<(Expr, String)>),
    #[term(transparent)]
    Lit(i64),
}

#[test]
fn backtracking_is_bounded() {
    fn nested(depth: usize) -> Vec<u8> {
        // {{{1, <<"a">>}, <<"a">>}, ...}: a Named inside a Named, `depth` times.
        let mut t = term::Term::Int(1);
        for _ in 0..depth {
            t = term::Term::Tuple(vec![t, term::Term::Binary(b"a")]);
        }
        term::to_vec(&t)
    }
    // Shallow: the exponential re-reading fits the budget and the term reads.
    let bytes = nested(4);
    let e: Expr = term::from_slice(&bytes).unwrap();
    assert!(matches!(e, Expr::Named(_)), "{e:?}");
    // Deep: the budget runs out instead of the time.
    let bytes = nested(60);
    let err = term::from_slice::<Expr>(&bytes).unwrap_err().to_string();
    assert!(err.contains("too much backtracking"), "{err}");
}

#[test]
fn an_owned_term_field_keeps_any_term() {
    // A job whose tag is whatever the caller chose, kept past the input.
    #[derive(Debug, PartialEq, ToTerm, FromTerm)]
    #[term(tuple)]
    struct Job {
        tag: OwnedTerm,
        n: u32,
    }

    let job: Job = {
        let input = term::to_vec(&((AtomName::new("tag").unwrap(), [1.5]), 7));
        term::from_slice(&input).unwrap()
    };
    assert_eq!(job.n, 7);
    assert_eq!(format!("{:?}", job.tag), "OwnedTerm({tag, [1.5]})");
    // Written back, the same bytes as the term it was read from.
    assert_eq!(
        term::to_vec(&job),
        term::to_vec(&((AtomName::new("tag").unwrap(), [1.5]), 7))
    );
}
