//! Property tests of the external-format decoder: whatever the bytes, it returns a value
//! or an error (no panic, no read outside the input), and it reads back exactly what the
//! encoder wrote.

use std::collections::HashMap;

use erldrv::term::{
    AtomName, Decoder, FromTerm, RawTerm, Term, TermWriter, ToTerm, from_slice, to_vec,
};
use proptest::prelude::*;

mod common;

/// An owned term to generate; written through the encoder under test.
#[derive(Clone, Debug)]
enum Model {
    Int(i64),
    Big(bool, Vec<u8>),
    Float(f64),
    Atom(String),
    Binary(Vec<u8>),
    Bits(Vec<u8>, u8),
    Bytes(Vec<u8>),
    Tuple(Vec<Model>),
    List(Vec<Model>),
    Improper(Vec<Model>, Box<Model>),
    Map(Vec<(Model, Model)>),
}

impl ToTerm for Model {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        match self {
            Model::Int(v) => w.int(*v),
            Model::Big(neg, m) => w.big(*neg, m),
            Model::Float(f) => w.float(*f),
            Model::Atom(a) => w.atom_name(AtomName::new(a).unwrap()),
            Model::Binary(b) => w.binary(b),
            Model::Bits(b, bits) => w.bitstring(b, *bits),
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
            Model::Improper(v, tail) => {
                w.list(v.len());
                v.iter().for_each(|m| m.write(w));
                tail.write(w);
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

fn leaf() -> impl Strategy<Value = Model> {
    prop_oneof![
        any::<i64>().prop_map(Model::Int),
        (0u8..=255).prop_map(|v| Model::Int(v.into())),
        // Beyond i64: at least 9 significant bytes.
        (
            any::<bool>(),
            prop::collection::vec(any::<u8>(), 8..20),
            1u8..=255
        )
            .prop_map(|(n, mut m, top)| {
                m.push(top);
                Model::Big(n, m)
            }),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Model::Float),
        "[a-z_]{0,12}".prop_map(Model::Atom),
        "\\PC{0,6}".prop_map(Model::Atom),
        prop::collection::vec(any::<u8>(), 0..24).prop_map(Model::Binary),
        (prop::collection::vec(any::<u8>(), 1..6), 1u8..=7).prop_map(|(b, n)| Model::Bits(b, n)),
        prop::collection::vec(any::<u8>(), 1..24).prop_map(Model::Bytes),
    ]
}

fn model() -> impl Strategy<Value = Model> {
    leaf().prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Model::Tuple),
            prop::collection::vec(inner.clone(), 0..6).prop_map(Model::List),
            (prop::collection::vec(inner.clone(), 1..4), leaf())
                .prop_map(|(v, t)| Model::Improper(v, Box::new(t))),
            prop::collection::vec((inner.clone(), inner), 0..4).prop_map(Model::Map),
        ]
    })
}

/// Reads `bytes` every way there is; only errors are allowed to come out.
fn read_every_way(bytes: &[u8]) {
    let Ok(d) = Decoder::new(bytes) else { return };
    let _ = d.clone().term();
    let _ = d.clone().skip();
    let _ = d.clone().raw();
    fn typed<'a, T: FromTerm<'a>>(d: Decoder<'a>) {
        let mut d = d;
        let _ = T::decode(&mut d).map(drop);
    }
    typed::<(AtomName, i64, &[u8])>(d);
    typed::<Vec<String>>(d);
    typed::<HashMap<AtomName, Vec<u8>>>(d);
    typed::<Result<Option<u128>, (bool, f64)>>(d);
    typed::<Vec<char>>(d);
    typed::<RawTerm>(d);
    if let Ok(r) = RawTerm::new(&bytes[1..]) {
        // Whatever validates as a raw term can be read as a tree.
        r.decoder()
            .term()
            .expect("a validated raw term reads as a Term");
    }
}

/// The property tests' settings, from their own fixed seed.
fn config(cases: u32) -> proptest::test_runner::Config {
    common::config(cases, 0x00e7_d0f5_eed5)
}

proptest! {
    #![proptest_config(config(100_000))]

    /// Random bytes after the version byte.
    #[test]
    fn random_bytes_never_panic(tail in prop::collection::vec(any::<u8>(), 0..40)) {
        let mut bytes = vec![131];
        bytes.extend_from_slice(&tail);
        read_every_way(&bytes);
    }

    /// Valid encodings with one or more bytes changed, cut, inserted or removed: the
    /// hardest inputs, since they get past the first checks.
    #[test]
    fn mutated_terms_never_panic(
        m in model(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..4),
    ) {
        let mut bytes = to_vec(&m);
        for (at, byte, op) in edits {
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => bytes.truncate(i.max(1)),
                2 => bytes.insert(i.max(1), byte),
                _ if bytes.len() > 1 => { bytes.remove(i.max(1)); }
                _ => {}
            }
        }
        read_every_way(&bytes);
        // What decodes re-encodes to something that decodes to the same tree.
        if let Ok(t) = from_slice::<Term>(&bytes) {
            let again = to_vec(&t);
            prop_assert_eq!(from_slice::<Term>(&again).unwrap(), t);
        }
    }
}

proptest! {
    #![proptest_config(config(20_000))]

    /// Encode, decode as a tree, encode again: the same bytes.
    #[test]
    fn terms_round_trip(m in model()) {
        let bytes = to_vec(&m);
        let t: Term = from_slice(&bytes).unwrap();
        prop_assert_eq!(to_vec(&t), bytes);
    }

    #[test]
    fn typed_values_round_trip(
        v in (any::<i64>(), ".{0,8}", prop::collection::vec(any::<u8>(), 0..8),
              any::<Option<u32>>(), prop::collection::vec((any::<bool>(), any::<i128>()), 0..4))
    ) {
        let bytes = to_vec(&v);
        prop_assert_eq!(from_slice::<(i64, String, Vec<u8>, Option<u32>, Vec<(bool, i128)>)>(&bytes).unwrap(), v);
    }
}

/// `bytes` (a whole term) as `term_to_binary(T, [compressed])` writes it, deflated at `level`
/// by the reference deflater, with `announced` as the uncompressed size.
fn compressed(bytes: &[u8], level: u8, announced: u32) -> Vec<u8> {
    let mut v = vec![131, 80];
    v.extend_from_slice(&announced.to_be_bytes());
    v.extend_from_slice(&miniz_oxide::deflate::compress_to_vec_zlib(
        &bytes[1..],
        level,
    ));
    v
}

proptest! {
    #![proptest_config(config(5_000))]

    /// Compressed at any level, a term reads back as the same tree, and as the same
    /// `OwnedTerm` as its uncompressed bytes.
    #[test]
    fn compressed_terms_round_trip(m in model(), level in 0u8..=10) {
        let bytes = to_vec(&m);
        let c = compressed(&bytes, level, bytes.len() as u32 - 1);
        let inflated = erldrv::term::decompress(&c).unwrap();
        prop_assert_eq!(&*inflated, &bytes[..]);
        prop_assert_eq!(from_slice::<Term>(&inflated).unwrap(), from_slice::<Term>(&bytes).unwrap());
        prop_assert_eq!(
            erldrv::term::OwnedTerm::from_ext(c).unwrap(),
            erldrv::term::OwnedTerm::from_ext(bytes).unwrap()
        );
    }

    /// A size that is not the real one is always an error, never a short or padded term.
    #[test]
    fn compressed_sizes_must_match(m in model(), off in 1u32..1000, up in any::<bool>()) {
        let bytes = to_vec(&m);
        let real = bytes.len() as u32 - 1;
        let announced = if up { real + off } else { real.saturating_sub(off) };
        prop_assume!(announced != real);
        prop_assert!(erldrv::term::decompress(&compressed(&bytes, 6, announced)).is_err());
    }

    /// Compressed terms with bytes changed or cut: an error or a term, never a panic.
    #[test]
    fn mutated_compressed_terms_never_panic(
        m in model(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), any::<bool>()), 1..4),
    ) {
        let bytes = to_vec(&m);
        let mut c = compressed(&bytes, 6, bytes.len() as u32 - 1);
        for (at, byte, cut) in edits {
            let i = at.index(c.len());
            if cut { c.truncate(i.max(2)) } else { c[i] = byte }
        }
        if let Ok(inflated) = erldrv::term::decompress(&c) {
            read_every_way(&inflated);
        }
    }
}
