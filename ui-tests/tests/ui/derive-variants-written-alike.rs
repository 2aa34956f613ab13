// Two variants written as the same atom could not be told apart when reading.
use erldrv::term::{FromTerm, ToTerm};

#[derive(ToTerm, FromTerm)]
enum Status {
    NotFound,
    #[term(rename = "not_found")]
    Missing,
}

fn main() {}
