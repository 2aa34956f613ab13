// Derived conversions next to names that could clash with the generated code's: a type
// parameter `W`, fields named like its locals, local `Result`/`Option`/`Some` types, and a
// trait in scope with the writer's method names.
#![allow(dead_code)]

use erldrv::term::{self, AtomName, FromTerm, ToTerm};

struct Result;
struct Option;
struct Some;

trait Shadow {
    fn tuple(&mut self, _: usize) {}
    fn atom(&mut self, _: &str) {}
    fn is(&self, _: &str) -> bool {
        false
    }
}
impl<T: ?Sized> Shadow for T {}

#[derive(ToTerm, FromTerm)]
struct Locals<W> {
    __d: W,
    __w: u8,
    __k: u8,
    __n: u8,
    __f0: u8,
    __save: u8,
}

#[derive(ToTerm, FromTerm)]
#[term(record)]
struct Borrowed<'x> {
    name: &'x str,
    kind: AtomName<'x>,
}

#[derive(ToTerm, FromTerm)]
enum Either<'x, L, R> {
    Left(L),
    Right { value: R },
    #[term(transparent)]
    Name(&'x str),
    Nothing,
}

#[derive(ToTerm, FromTerm)]
enum Tree<T> {
    Leaf(T),
    Node(Box<Tree<T>>, Box<Tree<T>>),
}

fn main() {
    let bytes = term::to_vec(&Locals {
        __d: 1u8,
        __w: 2,
        __k: 3,
        __n: 4,
        __f0: 5,
        __save: 6,
    });
    let back: Locals<u8> = term::from_slice(&bytes).unwrap();
    assert_eq!((back.__d, back.__save), (1, 6));

    let right: Either<'_, u8, u8> = Either::Right { value: 1 };
    let bytes = term::to_vec(&right);
    assert!(matches!(
        term::from_slice::<Either<u8, u8>>(&bytes),
        Ok(Either::Right { value: 1 })
    ));
    let bytes = term::to_vec(&Tree::Node(Box::new(Tree::Leaf(1)), Box::new(Tree::Leaf(2))));
    assert!(term::from_slice::<Tree<i32>>(&bytes).is_ok());
}
