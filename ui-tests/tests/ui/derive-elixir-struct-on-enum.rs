// An enum is a union of its variants' shapes, not one struct.
use erldrv::term::{FromTerm, TermType, ToTerm};

#[derive(ToTerm, FromTerm, TermType)]
#[term(elixir_struct = "MyApp.Shape")]
enum Shape {
    Empty,
    Circle(u16),
}

fn main() {}
