// A field whose type has no `TermType` (its `ToTerm` is hand-written without one): the
// error points at the field's type.
use erldrv::term::{TermType, TermWriter, ToTerm};

struct Opaque;

impl ToTerm for Opaque {
    fn write<W: TermWriter + ?Sized>(&self, w: &mut W) {
        w.int(0)
    }
}

#[derive(ToTerm, TermType)]
struct Holder {
    id: u32,
    inner: Opaque,
}

fn main() {}
