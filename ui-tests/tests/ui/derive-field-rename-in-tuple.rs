// A field `rename` names a map key; the fields of a tuple have no keys.
use erldrv::term::{FromTerm, ToTerm};

#[derive(ToTerm, FromTerm)]
#[term(tuple)]
struct Point {
    #[term(rename = "X")]
    x: i32,
    y: i32,
}

fn main() {}
