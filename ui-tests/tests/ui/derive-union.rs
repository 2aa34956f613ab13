// A term cannot say which field of a union is in use.
use erldrv::term::ToTerm;

#[derive(ToTerm)]
union Bits {
    int: u32,
    float: f32,
}

fn main() {}
