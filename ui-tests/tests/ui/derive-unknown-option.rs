// A misspelt option: one error at it, with a suggestion, though both derives read it.
use erldrv::term::{FromTerm, ToTerm};

#[derive(ToTerm, FromTerm)]
#[term(recrod)]
struct Person {
    name: String,
}

fn main() {}
