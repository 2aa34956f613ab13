//! Derived `FromTerm` allocates nothing when reading succeeds (the `port_call` hot path):
//! counted with a global allocator that tallies each thread's allocations.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use erldrv::term::{self, AtomName, FromTerm, ToTerm};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the allocator also runs while the thread's locals are torn down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: forwards every call to `System` unchanged; counting touches only a `Cell` in a
// const-initialised thread local, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller's guarantees are `System`'s.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// How many allocations this thread made while reading `bytes` as `T`, and the result.
fn allocations<'a, T: FromTerm<'a>>(bytes: &'a [u8]) -> (usize, Result<T, term::DecodeError>) {
    let before = ALLOCATIONS.with(Cell::get);
    let result = term::from_slice::<T>(bytes);
    (ALLOCATIONS.with(Cell::get) - before, result)
}

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
enum Op {
    Get,
    Put,
    Delete,
}

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
#[term(record)]
struct Request<'a> {
    op: Op,
    key: &'a str,
    value: i64,
}

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
struct Options<'a> {
    timeout: u32,
    mode: AtomName<'a>,
    #[term(default)]
    retries: u8,
    request: Request<'a>,
}

#[derive(Debug, PartialEq, ToTerm, FromTerm)]
enum Call<'a> {
    Stop,
    Run(Request<'a>),
    Configure {
        options: Options<'a>,
        force: bool,
    },
    #[term(transparent)]
    Key(&'a str),
}

fn request() -> Request<'static> {
    Request {
        op: Op::Put,
        key: "k",
        value: 1 << 40,
    }
}

fn configure() -> Call<'static> {
    Call::Configure {
        options: Options {
            timeout: 5000,
            mode: AtomName::new("fast").unwrap(),
            retries: 0,
            request: request(),
        },
        force: true,
    }
}

#[test]
fn reading_allocates_nothing_when_it_succeeds() {
    let cases: [(Call<'_>, Vec<u8>); 4] = [
        (Call::Stop, term::to_vec(&Call::Stop)),
        (Call::Run(request()), term::to_vec(&Call::Run(request()))),
        (Call::Key("k"), term::to_vec(&Call::Key("k"))),
        (configure(), term::to_vec(&configure())),
    ];
    for (value, bytes) in &cases {
        let (n, read) = allocations::<Call<'_>>(bytes);
        assert_eq!(read.as_ref().ok(), Some(value));
        assert_eq!(n, 0, "{value:?}");
    }
}

#[test]
fn the_count_sees_the_allocations_of_a_failure() {
    // The counter works: an error message is allocated.
    let bytes = term::to_vec(&(1, 2));
    let (n, read) = allocations::<Request<'_>>(&bytes);
    assert!(read.is_err());
    assert!(n > 0);
}
