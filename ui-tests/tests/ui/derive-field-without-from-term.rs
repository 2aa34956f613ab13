// A field whose type has no `FromTerm`: the error points at the field's type.
use erldrv::term::FromTerm;

struct Opaque;

#[derive(FromTerm)]
struct Holder {
    id: u32,
    inner: Opaque,
}

fn main() {}
