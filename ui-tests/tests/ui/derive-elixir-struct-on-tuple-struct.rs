// An Elixir struct is a map with the module's key: a tuple struct is written as a tuple.
use erldrv::term::{FromTerm, TermType, ToTerm};

#[derive(ToTerm, FromTerm, TermType)]
#[term(elixir_struct = "MyApp.Point")]
struct Point(i32, i32);

fn main() {}
