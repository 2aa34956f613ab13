// Reading borrows from one input: a type cannot borrow it under two lifetimes.
use erldrv::term::FromTerm;

#[derive(FromTerm)]
struct Message<'a, 'b> {
    text: &'a str,
    raw: &'b [u8],
}

fn main() {}
