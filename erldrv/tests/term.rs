//! The external term format: decoding what the VM sends, encoding what it accepts, and the
//! errors a caller sees for bad input.

use std::collections::{BTreeMap, HashMap};

use erldrv::term::{
    Atom, AtomName, BigInt, DecodeError, Decoder, FromTerm, Kind, ListHead, OwnedTerm, RawTerm,
    Term, ToTerm, from_slice, to_vec,
};

fn dec<'a, T: FromTerm<'a>>(bytes: &'a [u8]) -> Result<T, DecodeError> {
    from_slice(bytes)
}

fn msg<'a, T: FromTerm<'a> + std::fmt::Debug>(bytes: &'a [u8]) -> String {
    match from_slice::<T>(bytes) {
        Ok(v) => panic!("decoded {v:?} from {bytes:?}, expected an error"),
        Err(e) => e.to_string(),
    }
}

// Encodings printed by `term_to_binary/1` on OTP 25.
const PID: &[u8] = &[
    131, 88, 100, 0, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111, 115, 116, 0, 0, 0,
    9, 0, 0, 0, 0, 0, 0, 0, 0,
];
const REF: &[u8] = &[
    131, 90, 0, 3, 100, 0, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111, 115, 116, 0,
    0, 0, 0, 0, 3, 121, 202, 35, 64, 0, 2, 92, 132, 75, 53,
];
const PORT: &[u8] = &[
    131, 89, 100, 0, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111, 115, 116, 0, 0, 0,
    0, 0, 0, 0, 0,
];
const EXPORT: &[u8] = &[
    131, 113, 100, 0, 6, 101, 114, 108, 97, 110, 103, 100, 0, 4, 110, 111, 100, 101, 97, 0,
];
const FUN: &[u8] = &[
    131, 112, 0, 0, 0, 143, 0, 6, 83, 97, 170, 70, 21, 144, 209, 189, 241, 235, 98, 209, 166, 235,
    8, 0, 0, 0, 43, 0, 0, 0, 1, 100, 0, 8, 101, 114, 108, 95, 101, 118, 97, 108, 97, 43, 98, 0, 50,
    155, 13, 88, 100, 0, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111, 115, 116, 0, 0,
    0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 104, 6, 97, 1, 106, 100, 0, 4, 110, 111, 110, 101, 100, 0, 4,
    110, 111, 110, 101, 116, 0, 0, 0, 0, 108, 0, 0, 0, 1, 104, 5, 100, 0, 6, 99, 108, 97, 117, 115,
    101, 97, 1, 106, 106, 108, 0, 0, 0, 1, 104, 3, 100, 0, 4, 97, 116, 111, 109, 97, 1, 100, 0, 2,
    111, 107, 106, 106,
];

#[test]
fn identifiers_and_funs_decode_and_reencode_unchanged() {
    for (bytes, kind) in [
        (PID, Kind::Pid),
        (REF, Kind::Reference),
        (PORT, Kind::Port),
        (EXPORT, Kind::Fun),
        (FUN, Kind::Fun),
    ] {
        let mut d = Decoder::new(bytes).unwrap();
        assert_eq!(d.kind().unwrap(), kind);
        let t: Term = d.term().unwrap();
        d.finish().unwrap();
        assert_eq!(to_vec(&t), bytes, "{kind:?}");
        let r: RawTerm = dec(bytes).unwrap();
        assert_eq!(r.as_bytes(), &bytes[1..]);
    }
}

#[test]
fn integers_in_every_encoding() {
    // SMALL_INTEGER, INTEGER, SMALL_BIG, LARGE_BIG.
    assert_eq!(dec::<i64>(&[131, 97, 200]).unwrap(), 200);
    assert_eq!(dec::<i64>(&[131, 98, 255, 255, 255, 156]).unwrap(), -100);
    assert_eq!(
        dec::<i64>(&[131, 110, 8, 1, 0, 0, 0, 0, 0, 0, 0, 128]).unwrap(),
        i64::MIN
    );
    assert_eq!(
        dec::<u64>(&[131, 110, 8, 0, 255, 255, 255, 255, 255, 255, 255, 255]).unwrap(),
        u64::MAX
    );
    assert_eq!(dec::<i64>(&[131, 111, 0, 0, 0, 2, 1, 0, 1]).unwrap(), -256);
    for v in [
        0i64,
        1,
        255,
        256,
        -1,
        i32::MIN.into(),
        i32::MAX.into(),
        1 << 40,
        i64::MIN,
        i64::MAX,
    ] {
        assert_eq!(dec::<i64>(&to_vec(&v)).unwrap(), v);
    }
    for v in [0u128, u64::MAX.into(), u128::MAX, 1 << 100] {
        assert_eq!(dec::<u128>(&to_vec(&v)).unwrap(), v);
    }
    for v in [i128::MIN, i128::MAX, -(1 << 80), i64::MIN.into()] {
        assert_eq!(dec::<i128>(&to_vec(&v)).unwrap(), v);
    }
    // What the VM would send for these: the smallest encoding.
    assert_eq!(to_vec(&5u8), [131, 97, 5]);
    assert_eq!(to_vec(&-1i32), [131, 98, 255, 255, 255, 255]);
    assert_eq!(to_vec(&(1i64 << 31)), [131, 110, 4, 0, 0, 0, 0, 128]);
}

#[test]
fn huge_integers_are_named_by_size() {
    // 2^(8 * 100000): printing it in decimal would take seconds.
    let mut m = vec![0u8; 100_000];
    m.push(1);
    let mut bytes = vec![131, 111];
    bytes.extend_from_slice(&(m.len() as u32).to_be_bytes());
    bytes.push(0);
    bytes.extend_from_slice(&m);
    assert_eq!(
        msg::<i64>(&bytes),
        "integer of 800001 bits is out of range for i64"
    );
    assert_eq!(
        BigInt::new(true, &m).to_string(),
        "<negative integer of 800001 bits>"
    );
}

#[test]
fn big_integers_print_in_decimal() {
    let mut m = [0u8; 17];
    m[16] = 1; // 2^128
    assert_eq!(
        BigInt::new(true, &m).to_string(),
        "-340282366920938463463374607431768211456"
    );
    let t: Term = dec(&[
        131, 111, 0, 0, 0, 17, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    ])
    .unwrap();
    match t {
        Term::Big(b) => assert_eq!(b.to_string(), "-340282366920938463463374607431768211456"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn floats_new_and_old() {
    assert_eq!(dec::<f64>(&to_vec(&1.5f64)).unwrap(), 1.5);
    let mut old = vec![131, 99];
    let text = b"1.50000000000000000000e+00";
    old.extend_from_slice(text);
    old.resize(2 + 31, 0);
    assert_eq!(dec::<f64>(&old).unwrap(), 1.5);
}

#[test]
fn atoms_in_every_encoding_compare_by_name() {
    static HELLO: Atom = Atom::new("héllo");
    // ATOM_EXT (Latin-1, what OTP 25 sends), SMALL_ATOM_EXT, and the UTF-8 forms.
    let latin1 = [131, 100, 0, 5, b'h', 0xE9, b'l', b'l', b'o'];
    let small_latin1 = [131, 115, 5, b'h', 0xE9, b'l', b'l', b'o'];
    let utf8 = to_vec(&HELLO);
    assert_eq!(utf8[..3], [131, 119, 6]);
    for bytes in [&latin1[..], &small_latin1[..], &utf8[..]] {
        let a: AtomName = dec(bytes).unwrap();
        assert!(a.is("héllo"), "{bytes:?}");
        assert_eq!(a, HELLO);
        assert_eq!(a.to_str(), "héllo");
        assert_eq!(format!("{a}"), "'héllo'");
    }
    let a: AtomName = dec(&latin1).unwrap();
    assert_eq!(a.as_str(), None, "Latin-1 beyond ASCII needs a copy");
    // Re-encoding keeps the Latin-1 bytes (in the short form).
    assert_eq!(to_vec(&a), small_latin1);
    assert!(dec::<bool>(&to_vec(&true)).unwrap());
    assert!(!dec::<bool>(&[131, 100, 0, 5, b'f', b'a', b'l', b's', b'e']).unwrap());
}

#[test]
fn binaries_strings_and_lists_borrow_from_the_input() {
    let bytes = to_vec("hello");
    let s: &str = dec(&bytes).unwrap();
    assert_eq!(s, "hello");
    assert!(bytes.as_ptr_range().contains(&s.as_ptr()), "not copied");
    let b: &[u8] = dec(&bytes).unwrap();
    assert!(bytes.as_ptr_range().contains(&b.as_ptr()));
    // A list of bytes sent compactly (STRING_EXT), as "abc" is.
    let string = [131, 107, 0, 3, b'a', b'b', b'c'];
    assert_eq!(dec::<Vec<u8>>(&string).unwrap(), b"abc");
    assert_eq!(dec::<Vec<i64>>(&string).unwrap(), [97, 98, 99]);
    assert_eq!(dec::<Vec<char>>(&string).unwrap(), ['a', 'b', 'c']);
    let t: Term = dec(&string).unwrap();
    assert_eq!(t, Term::Bytes(b"abc"));
    assert_eq!(to_vec(&t), string);
    // Vec<u8> is a binary; other vectors are lists.
    assert_eq!(to_vec(&vec![1u8, 2]), [131, 109, 0, 0, 0, 2, 1, 2]);
    assert_eq!(
        to_vec(&vec![1u16, 2]),
        [131, 108, 0, 0, 0, 2, 97, 1, 97, 2, 106]
    );
    assert_eq!(to_vec(&Vec::<u16>::new()), [131, 106]);
}

#[test]
fn improper_lists_and_bitstrings() {
    // [1 | 2]
    let improper = [131, 108, 0, 0, 0, 1, 97, 1, 97, 2];
    let t: Term = dec(&improper).unwrap();
    assert_eq!(
        t,
        Term::Improper(vec![Term::Int(1)], Box::new(Term::Int(2)))
    );
    assert_eq!(to_vec(&t), improper);
    assert_eq!(
        msg::<Vec<i64>>(&improper),
        "expected [] (a proper list), found an integer (the tail of a list)"
    );
    // <<1:3>>
    let bits = [131, 77, 0, 0, 0, 1, 3, 0b0010_0000];
    let t: Term = dec(&bits).unwrap();
    assert_eq!(t, Term::BitBinary(&[0b0010_0000], 3));
    assert_eq!(to_vec(&t), bits);
}

#[test]
fn std_types_round_trip() {
    fn rt<T: ToTerm + for<'a> FromTerm<'a> + PartialEq + std::fmt::Debug>(v: T) {
        let bytes = to_vec(&v);
        assert_eq!(from_slice::<T>(&bytes).unwrap(), v, "{bytes:?}");
    }
    rt(());
    rt(Some(3i32));
    rt(None::<i32>);
    rt(Ok::<(), String>(()));
    rt(Err::<(), String>("no".into()));
    rt(Ok::<u8, ()>(7));
    rt((1u8, -2i16, 3u32, "four".to_string(), 5.5f64, true, 'x'));
    rt(vec![vec![1i64, 2], vec![], vec![3]]);
    rt(HashMap::from([
        ("a".to_string(), 1u64),
        ("b".to_string(), 2),
    ]));
    rt(BTreeMap::from([(1i32, vec![true]), (2, vec![])]));
    rt(Box::new((1u8,)));
    rt((1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
    assert_eq!(to_vec(&Ok::<(), ()>(())), [131, 119, 2, b'o', b'k']);
    assert_eq!(to_vec(&None::<u8>), to_vec(&Atom::new("undefined")));
}

#[test]
fn decoder_walks_structure() {
    let bytes = to_vec(&(vec![1u16, 2], "x", HashMap::from([(1u8, 2u8)])));
    let mut d = Decoder::new(&bytes).unwrap();
    assert_eq!(d.tuple().unwrap(), 3);
    assert_eq!(d.list().unwrap(), ListHead::Cons(2));
    d.skip().unwrap();
    d.skip().unwrap();
    d.proper_tail().unwrap();
    assert_eq!(d.binary().unwrap(), b"x");
    assert_eq!(d.map().unwrap(), 1);
    assert_eq!(d.i64().unwrap(), 1);
    assert_eq!(d.i64().unwrap(), 2);
    d.finish().unwrap();
}

#[test]
fn nesting_is_limited() {
    // 100 nested 1-tuples around an integer.
    let mut bytes = vec![131];
    for _ in 0..100 {
        bytes.extend_from_slice(&[104, 1]);
    }
    bytes.extend_from_slice(&[97, 1]);
    assert_eq!(msg::<Term>(&bytes), "terms nested deeper than 64 levels");
    let mut d = Decoder::new(&bytes).unwrap();
    assert!(d.skip().is_err());
    let mut d = Decoder::new(&bytes).unwrap();
    d.set_max_depth(200);
    d.term().unwrap();
}

#[test]
fn lying_lengths_do_not_allocate() {
    // A list header claiming 4 billion elements, with none following.
    assert_eq!(
        msg::<Term>(&[131, 108, 255, 255, 255, 255]),
        "the term ends too early (truncated input)"
    );
    assert_eq!(
        msg::<Vec<i64>>(&[131, 116, 255, 255, 255, 255]),
        "expected a list, found a map"
    );
    assert_eq!(
        msg::<HashMap<i64, i64>>(&[131, 116, 255, 255, 255, 255]),
        "the term ends too early (truncated input)"
    );
}

/// Every row: input, target type, the message the caller gets. The same rows are in the
/// `erldrv::term` documentation (checked below).
#[test]
fn bad_input_table() {
    type Args<'a> = (AtomName<'a>, i64, &'a [u8]);
    let ok_args = to_vec(&(Atom::new("add"), 5i64, &b"abc"[..]));
    let rows: Vec<(&str, Vec<u8>, String)> = vec![
        ("empty input", vec![], msg::<Args>(&[])),
        (
            "truncated",
            ok_args[..ok_args.len() - 1].to_vec(),
            msg::<Args>(&ok_args[..ok_args.len() - 1]),
        ),
        (
            "wrong version byte",
            vec![130, 97, 1],
            msg::<i64>(&[130, 97, 1]),
        ),
        (
            "compressed",
            vec![131, 80, 0, 0, 0, 1, 120, 156],
            msg::<i64>(&[131, 80, 0, 0, 0, 1, 120, 156]),
        ),
        ("unknown tag", vec![131, 200], msg::<Term>(&[131, 200])),
        (
            "trailing bytes",
            vec![131, 97, 1, 97, 2],
            msg::<i64>(&[131, 97, 1, 97, 2]),
        ),
        (
            "wrong arity",
            to_vec(&(Atom::new("add"), 5i64)),
            msg::<Args>(&to_vec(&(Atom::new("add"), 5i64))),
        ),
        (
            "wrong element type",
            to_vec(&(Atom::new("add"), "5", &b"abc"[..])),
            msg::<Args>(&to_vec(&(Atom::new("add"), "5", &b"abc"[..]))),
        ),
        (
            "not a tuple",
            to_vec(&vec![1u16]),
            msg::<Args>(&to_vec(&vec![1u16])),
        ),
        (
            "u8 out of range",
            to_vec(&300i32),
            msg::<u8>(&to_vec(&300i32)),
        ),
        (
            "negative for unsigned",
            to_vec(&-1i32),
            msg::<u32>(&to_vec(&-1i32)),
        ),
        (
            "bignum for i64",
            to_vec(&(u64::MAX as u128 + 1)),
            msg::<i64>(&to_vec(&(u64::MAX as u128 + 1))),
        ),
        (
            "invalid UTF-8 atom",
            vec![131, 119, 2, 0xC3, 0x28],
            msg::<AtomName>(&[131, 119, 2, 0xC3, 0x28]),
        ),
        (
            "binary that is not UTF-8 for &str",
            vec![131, 109, 0, 0, 0, 1, 0xFF],
            msg::<&str>(&[131, 109, 0, 0, 0, 1, 0xFF]),
        ),
        (
            "float for integer",
            to_vec(&1.0f64),
            msg::<i64>(&to_vec(&1.0f64)),
        ),
        (
            "not true/false",
            to_vec(&Atom::new("maybe")),
            msg::<bool>(&to_vec(&Atom::new("maybe"))),
        ),
        (
            "list element",
            to_vec(&vec![Some(1u16), None]),
            msg::<Vec<u16>>(&to_vec(&vec![Some(1u16), None])),
        ),
    ];
    let expected = [
        "the term ends too early (truncated input)",
        "the term ends too early (truncated input) (element 3 of a tuple)",
        "not in the external term format: the first byte is 130, not 131",
        "a compressed term: inflate it with erldrv::term::decompress before decoding",
        "unknown or unsupported term tag 200",
        "2 bytes left after the term",
        "expected a tuple of 3 elements, found a tuple of 2 elements",
        "expected an integer, found a binary (element 2 of a tuple)",
        "expected a tuple, found a list",
        "integer 300 is out of range for u8",
        "integer -1 is out of range for u32",
        "integer 18446744073709551616 is out of range for i64",
        "an atom that is not valid UTF-8 or longer than 255 characters",
        "expected a UTF-8 binary, found a binary that is not UTF-8",
        "expected an integer, found a float",
        "expected true or false, found the atom maybe",
        "expected an integer, found an atom (element 2 of a list)",
    ];
    assert_eq!(rows.len(), expected.len());
    let docs = include_str!("../src/term/mod.rs");
    for ((what, _, got), want) in rows.iter().zip(expected) {
        assert_eq!(got, want, "{what}");
        assert!(
            docs.contains(&format!("`{want}`")),
            "the bad-input table in erldrv::term's docs lacks {want:?} ({what})"
        );
    }
}

#[test]
fn non_canonical_encodings_read_as_the_term_they_mean() {
    // LIST_EXT with no elements: the tail alone.
    assert_eq!(
        dec::<Term>(&[131, 108, 0, 0, 0, 0, 97, 7]).unwrap(),
        Term::Int(7)
    );
    // STRING_EXT of length 0: [], also as the tail of a list.
    assert_eq!(dec::<Term>(&[131, 107, 0, 0]).unwrap(), Term::List(vec![]));
    assert_eq!(
        dec::<Term>(&[131, 108, 0, 0, 0, 1, 97, 1, 107, 0, 0]).unwrap(),
        Term::List(vec![Term::Int(1)])
    );
    // BIT_BINARY whose last byte is whole: a binary.
    assert_eq!(
        dec::<Term>(&[131, 77, 0, 0, 0, 1, 8, 5]).unwrap(),
        Term::Binary(&[5])
    );
    // A bignum with high zero bytes that fits i64.
    assert_eq!(
        dec::<Term>(&[131, 110, 3, 1, 5, 0, 0]).unwrap(),
        Term::Int(-5)
    );
    // Beyond i64, high zero bytes do not change the value.
    let canonical = [131, 110, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    let padded = [131, 110, 10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0];
    assert_eq!(
        dec::<Term>(&canonical).unwrap(),
        dec::<Term>(&padded).unwrap()
    );
    // NaN and infinity do not exist in Erlang.
    let nan = [131, 70, 0x7F, 0xF8, 0, 0, 0, 0, 0, 0];
    assert_eq!(msg::<Term>(&nan), "malformed float (NaN or infinity)");
}

// ---- OwnedTerm ----

/// `{Ref, <<"abc">>, [1, 2]}` with the reference `REF`, as `term_to_binary/1` writes it.
fn tagged_ref() -> Vec<u8> {
    let mut bytes = vec![131, 104, 3];
    bytes.extend_from_slice(&REF[1..]);
    bytes.extend_from_slice(&[109, 0, 0, 0, 3, b'a', b'b', b'c', 107, 0, 2, 1, 2]);
    bytes
}

#[test]
fn owned_terms_from_every_source_hold_the_same_bytes() {
    let bytes = tagged_ref();
    let from_ext = OwnedTerm::from_ext(bytes.clone()).unwrap();
    assert_eq!(from_ext.as_ext(), bytes);
    assert_eq!(from_ext.as_raw().as_bytes(), &bytes[1..]);

    // From the borrowed forms, which end with the input; the owned one does not.
    let (from_term, from_raw, in_tuple) = {
        let input = bytes.clone();
        let term: Term = from_slice(&input).unwrap();
        let raw: RawTerm = from_slice(&input).unwrap();
        let mut wrapped = vec![131, 104, 2];
        wrapped.extend_from_slice(&input[1..]);
        wrapped.extend_from_slice(&[97, 7]);
        let (in_tuple, seven): (OwnedTerm, u8) = from_slice(&wrapped).unwrap();
        assert_eq!(seven, 7);
        (
            OwnedTerm::encode(&term).unwrap(),
            OwnedTerm::from(raw),
            in_tuple,
        )
    };
    for t in [&from_term, &from_raw, &in_tuple] {
        assert_eq!(t, &from_ext);
    }

    // Written back as it is, alone or inside another term.
    assert_eq!(to_vec(&from_ext), bytes);
    let mut expected = vec![131, 104, 2, 97, 1];
    expected.extend_from_slice(&bytes[1..]);
    assert_eq!(to_vec(&(1, &from_ext)), expected);

    // Read again, borrowing from it.
    let t = from_ext.decode().unwrap();
    assert_eq!(t, from_slice::<Term>(&bytes).unwrap());
    let (r, abc, list): (RawTerm, &str, Vec<u8>) = from_ext.decode_as().unwrap();
    assert_eq!((r.as_bytes(), abc, list), (&REF[1..], "abc", vec![1, 2]));
    assert_eq!(from_ext.into_ext(), bytes);
}

#[test]
fn owned_terms_refuse_what_is_not_one_term() {
    let mut deep = vec![131];
    for _ in 0..100 {
        deep.extend_from_slice(&[104, 1]);
    }
    deep.extend_from_slice(&[97, 1]);
    for (bytes, message) in [
        (&[][..], "the term ends too early (truncated input)"),
        (
            &[130, 97, 1],
            "not in the external term format: the first byte is 130, not 131",
        ),
        (
            &[131, 80, 0, 0, 0, 1, 120, 156],
            "malformed compressed term: the zlib stream is cut short",
        ),
        (&[131, 200], "unknown or unsupported term tag 200"),
        (
            &[131, 104, 2, 97, 1],
            "the term ends too early (truncated input)",
        ),
        (&[131, 97, 1, 97, 2], "2 bytes left after the term"),
        (
            &[131, 109, 0, 0, 0, 9, 1],
            "the term ends too early (truncated input)",
        ),
        (&deep, "terms nested deeper than 64 levels"),
    ] {
        let e = OwnedTerm::from_ext(bytes).unwrap_err();
        assert_eq!(e.to_string(), message, "{bytes:?}");
    }
    // What the encoder writes but no decoder reads.
    let e = OwnedTerm::encode(&(1, f64::NAN)).unwrap_err();
    assert_eq!(e.to_string(), "malformed float (NaN or infinity)");
}

#[test]
fn a_whole_port_call_argument_is_taken_as_the_vm_wrote_it() {
    // 100 nested 1-tuples: deeper than a check walks, but the VM's own encoding.
    let mut deep = vec![131];
    for _ in 0..100 {
        deep.extend_from_slice(&[104, 1]);
    }
    deep.extend_from_slice(&[97, 1]);
    let mut d = Decoder::new(&deep).unwrap();
    let t = <OwnedTerm as FromTerm>::decode_from_vm(&mut d).unwrap();
    assert_eq!(t.as_ext(), deep);
    assert_eq!(to_vec(&t), deep);
    assert_eq!(
        t.decode().unwrap_err().to_string(),
        "terms nested deeper than 64 levels"
    );
    // Inside another term, it is walked.
    let mut d = Decoder::new(&deep).unwrap();
    assert!(d.tuple().is_ok());
    assert!(d.decode::<OwnedTerm>().is_err());
}

#[test]
fn owned_terms_compare_and_hash_by_bytes() {
    use std::collections::HashSet;

    let a = OwnedTerm::from_ext(tagged_ref()).unwrap();
    let set: HashSet<OwnedTerm> = [a.clone(), a.clone()].into_iter().collect();
    assert_eq!(set.len(), 1);
    assert!(set.contains(&OwnedTerm::from_ext(tagged_ref()).unwrap()));
    assert_ne!(a, OwnedTerm::encode(&1).unwrap());

    // The atom `a` in Latin-1 and in UTF-8: one term for Erlang, two byte strings here.
    let latin1 = OwnedTerm::from_ext(vec![131, 115, 1, b'a']).unwrap();
    let utf8 = OwnedTerm::from_ext(vec![131, 119, 1, b'a']).unwrap();
    assert_ne!(latin1, utf8);
    assert_eq!(latin1.decode().unwrap(), utf8.decode().unwrap());
}

#[test]
fn owned_terms_debug_in_erlang_syntax() {
    fn shown(bytes: &[u8]) -> String {
        let t = OwnedTerm::from_ext(bytes).unwrap();
        let s = format!("{t:?}");
        s.strip_prefix("OwnedTerm(")
            .and_then(|s| s.strip_suffix(')'))
            .unwrap_or_else(|| panic!("not OwnedTerm(..): {s}"))
            .to_owned()
    }
    fn of<T: ToTerm + ?Sized>(v: &T) -> String {
        shown(&to_vec(v))
    }
    assert_eq!(
        shown(&tagged_ref()),
        r#"{#Ref<nonode@nohost.1552173877.591396866.227786>, <<"abc">>, [1,2]}"#
    );
    assert_eq!(shown(PID), "#Pid<nonode@nohost.9.0>");
    assert_eq!(shown(PORT), "#Port<nonode@nohost.0>");
    assert_eq!(shown(EXPORT), "fun erlang:node/0");
    assert_eq!(shown(FUN), "#Fun<erl_eval.43>");

    assert_eq!(
        of(&(1, -2, 1.5, u128::MAX)),
        "{1, -2, 1.5, 340282366920938463463374607431768211455}"
    );
    assert_eq!(
        of(&(Atom::new("ok"), AtomName::new("Hi there").unwrap())),
        "{ok, 'Hi there'}"
    );
    assert_eq!(of("héllo\n\"q\""), r#"<<"héllo\n\"q\""/utf8>>"#);
    assert_eq!(of(&[0u8, 1, 255][..]), "<<0,1,255>>");
    assert_eq!(of(""), "<<>>");
    assert_eq!(
        of(&vec![b'x'; 100][..]),
        format!("<<\"{}\"...>>", "x".repeat(64))
    );
    assert_eq!(
        of(&vec![200u8; 70][..]),
        format!("<<{},...>>", ["200"; 64].join(","))
    );
    assert_eq!(
        shown(&[131, 77, 0, 0, 0, 2, 3, 255, 0b1010_0000]),
        "<<255,5:3>>"
    );
    assert_eq!(shown(&[131, 107, 0, 3, b'a', b'b', b'c']), r#""abc""#);
    assert_eq!(shown(&[131, 107, 0, 2, 1, 2]), "[1,2]");
    assert_eq!(of(&(Vec::<u8>::new(), ())), "{<<>>, {}}");
    assert_eq!(
        of(&(0..40).collect::<Vec<i64>>()),
        format!(
            "[{}, ...]",
            (0..32)
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    );
    assert_eq!(
        of(&BTreeMap::from([(1, "a"), (2, "b")])),
        r#"#{1 => <<"a">>, 2 => <<"b">>}"#
    );
    // [1 | 2]
    assert_eq!(shown(&[131, 108, 0, 0, 0, 1, 97, 1, 97, 2]), "[1 | 2]");
    // An integer of 100 bytes.
    let mut big = vec![131, 110, 100, 1];
    big.extend_from_slice(&[0xFF; 100]);
    assert_eq!(shown(&big), "<negative integer of 800 bits>");
}
