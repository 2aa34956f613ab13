// `transparent` writes a variant as its one field's value: two fields have no one value.
use erldrv::term::{FromTerm, ToTerm};

#[derive(ToTerm, FromTerm)]
enum Reply {
    Ok,
    #[term(transparent)]
    Pair(u8, u8),
}

fn main() {}
