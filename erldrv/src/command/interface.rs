//! The interface of a driver's commands as one term, and its fingerprints: what a generated
//! client compares at `open` (`erldrv:interface/1`, `erldrv:check_interface/3`).

use std::hash::Hasher;

use super::{CommandInfo, ident_atom};
use crate::term::{Atom, Conflict, Declaration, Fnv1a, TermWriter, ToTerm, TypeDesc, declarations};

/// What counts for one command: name, number, kind, argument types and reply type (not
/// docs, not argument names).
struct Shape<'a> {
    info: &'a CommandInfo,
    args: Vec<TypeDesc>,
    reply: TypeDesc,
}

impl<'a> Shape<'a> {
    fn of(info: &'a CommandInfo) -> Shape<'a> {
        Shape {
            info,
            args: info.arg_types(),
            reply: info.reply_type(),
        }
    }

    fn descs(&self) -> impl Iterator<Item = &TypeDesc> {
        self.args.iter().chain(std::iter::once(&self.reply))
    }
}

impl ToTerm for Shape<'_> {
    /// `{<<"name">>, Id, Kind, [Arg], Reply}`.
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.tuple(5);
        w.binary(self.info.name.as_bytes());
        w.uint(u64::from(self.info.id));
        self.info.kind.write(w);
        self.args.write(w);
        self.reply.write(w);
    }
}

/// `[{<<"name">>, Definition}]`, the named types a fingerprint covers.
struct Defs<'a>(&'a [Declaration]);

impl ToTerm for Defs<'_> {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.list(self.0.len());
        for d in self.0 {
            w.tuple(2);
            w.binary(d.name.as_bytes());
            d.definition.write(w);
        }
        w.nil();
    }
}

fn hash(shapes: &[&Shape<'_>]) -> Result<u64, Conflict> {
    let decls = declarations(shapes.iter().flat_map(|s| s.descs()))?;
    let mut h = Fnv1a::new();
    h.write(&crate::term::to_vec(&(shapes, Defs(&decls))));
    Ok(h.finish())
}

/// The fingerprint of a driver's commands: a 64-bit FNV-1a hash over each command's name,
/// number, kind, argument types and reply type ([`CommandInfo::reply_type`]), in order,
/// and the definitions of the named types they reach. Doc comments, argument names and
/// Rust type names do not count; a change to any shape does.
///
/// A generated client embeds it, and `open` compares it with the running driver's.
///
/// # Errors
/// [`Conflict`] when two Rust types have one type name.
///
/// ```
/// use erldrv::{Driver, Port, StartError, command, erl_driver};
///
/// struct A;
///
/// #[erl_driver(name = "a_drv")]
/// impl Driver for A {
///     fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
///         Ok(A)
///     }
///
///     /// Doubles.
///     #[command]
///     fn double(n: i32) -> i64 {
///         i64::from(n) * 2
///     }
/// }
///
/// let fp = command::fingerprint(command::commands::<A>())?;
/// assert_eq!(fp, command::fingerprint(command::commands::<A>())?);
/// assert_ne!(fp, command::fingerprint(&[])?);
/// # Ok::<(), erldrv::term::Conflict>(())
/// ```
pub fn fingerprint(commands: &[CommandInfo]) -> Result<u64, Conflict> {
    let shapes: Vec<Shape<'_>> = commands.iter().map(Shape::of).collect();
    hash(&shapes.iter().collect::<Vec<_>>())
}

impl CommandInfo {
    /// This command's own fingerprint: [`fingerprint`] of it alone. A client embeds one
    /// per command, to name the commands that differ when the driver's fingerprint does.
    ///
    /// # Errors
    /// [`Conflict`] when two Rust types have one type name.
    ///
    /// ```
    /// # use erldrv::{Driver, Port, StartError, command, erl_driver};
    /// # struct A;
    /// # #[erl_driver(name = "a_drv")]
    /// # impl Driver for A {
    /// #     fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> { Ok(A) }
    /// #     #[command]
    /// #     fn double(n: i32) -> i64 { i64::from(n) * 2 }
    /// # }
    /// let double = &command::commands::<A>()[0];
    /// assert_eq!(double.fingerprint()?, command::fingerprint(&[*double])?);
    /// # Ok::<(), erldrv::term::Conflict>(())
    /// ```
    pub fn fingerprint(&self) -> Result<u64, Conflict> {
        hash(&[&Shape::of(self)])
    }
}

static NAME: Atom = Atom::new("name");
static ID: Atom = Atom::new("id");
static KIND: Atom = Atom::new("kind");
static ARGS: Atom = Atom::new("args");
static TYPE: Atom = Atom::new("type");
static REPLY: Atom = Atom::new("reply");
static DOC: Atom = Atom::new("doc");
static FINGERPRINT: Atom = Atom::new("fingerprint");
static COMMANDS: Atom = Atom::new("commands");
static TYPES: Atom = Atom::new("types");
static OK: Atom = Atom::new("ok");
static ERROR: Atom = Atom::new("error");

/// A driver's whole interface, ready to be written as `erldrv:interface/1` returns it.
pub(crate) struct Interface<'a> {
    fingerprint: u64,
    commands: Vec<(Shape<'a>, u64)>,
    types: Vec<Declaration>,
}

impl<'a> Interface<'a> {
    pub(crate) fn of(commands: &'a [CommandInfo]) -> Result<Interface<'a>, Conflict> {
        let fingerprint = fingerprint(commands)?;
        let mut shapes = Vec::with_capacity(commands.len());
        for c in commands {
            let shape = Shape::of(c);
            let fp = hash(&[&shape])?;
            shapes.push((shape, fp));
        }
        let types = declarations(shapes.iter().flat_map(|(s, _)| s.descs()))?;
        Ok(Interface {
            fingerprint,
            commands: shapes,
            types,
        })
    }
}

impl ToTerm for Interface<'_> {
    /// `#{fingerprint => F, commands => [#{name, id, kind, args => [#{name, type}],
    /// reply, doc, fingerprint}], types => [Declaration]}`.
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.map(3);
        w.atom(&FINGERPRINT);
        w.uint(self.fingerprint);
        w.atom(&COMMANDS);
        w.list(self.commands.len());
        for (shape, fp) in &self.commands {
            let c = shape.info;
            w.map(7);
            w.atom(&NAME);
            ident_atom(c.name, w);
            w.atom(&ID);
            w.uint(u64::from(c.id));
            w.atom(&KIND);
            c.kind.write(w);
            w.atom(&ARGS);
            w.list(c.args.len());
            for (a, t) in c.args.iter().zip(&shape.args) {
                w.map(2);
                w.atom(&NAME);
                ident_atom(a.name, w);
                w.atom(&TYPE);
                t.write(w);
            }
            w.nil();
            w.atom(&REPLY);
            shape.reply.write(w);
            w.atom(&DOC);
            w.binary(c.doc.as_bytes());
            w.atom(&FINGERPRINT);
            w.uint(*fp);
        }
        w.nil();
        w.atom(&TYPES);
        self.types.write(w);
    }
}

/// `{ok, Value}` or `{error, <<"Message">>}`, the answer of the runtime's own controls.
pub(crate) struct Answer<T>(pub(crate) Result<T, String>);

impl<T: ToTerm> ToTerm for Answer<T> {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.tuple(2);
        match &self.0 {
            Ok(v) => {
                w.atom(&OK);
                v.write(w);
            }
            Err(m) => {
                w.atom(&ERROR);
                w.binary(m.as_bytes());
            }
        }
    }
}
