//! `global_alloc_drv`: a driver whose global allocator is `DriverAllocator`, so that every
//! `Vec` it holds is memory the VM accounts for (`hold`, `release`). `aligned` checks types
//! aligned beyond the VM's blocks, grown and shrunk; `min_align` counts the alignment of
//! the VM's own blocks; `threads` allocates and frees on several threads at once.
//! `beam-tests/test/global_alloc_tests.erl` drives it.
//!
//! Control commands are words, a verb and its argument (`hold 50`); the command number is
//! unused.
#![forbid(unsafe_code)]

use erldrv::{Badarg, Driver, Port, Reply, StartError, erl_driver};

// Not in the crate's `cargo test` build, which runs outside the VM (no `driver_alloc`).
#[cfg(not(test))]
#[global_allocator]
static ALLOCATOR: erldrv::DriverAllocator = erldrv::DriverAllocator;

const MIB: usize = 1 << 20;

/// The state of a port.
#[derive(Default)]
pub struct GlobalAlloc {
    held: Option<Vec<u8>>,
}

#[derive(Clone, Copy, PartialEq, Debug)]
#[repr(align(16))]
struct A16(u64);
#[derive(Clone, Copy, PartialEq, Debug)]
#[repr(align(64))]
struct A64(u64);
#[derive(Clone, Copy, PartialEq, Debug)]
#[repr(align(4096))]
struct A4096(u64);
#[derive(Clone, Copy, PartialEq, Debug)]
#[repr(align(65536))]
struct A65536(u64);

/// A `Vec<T>` grown element by element (reallocating, the over-aligned path copies) and
/// shrunk: every buffer it had is aligned to `T`, and the values survive. `None` when all
/// is well, else what went wrong.
fn check_vec<T: Copy + PartialEq + std::fmt::Debug>(make: fn(u64) -> T, n: u64) -> Option<String> {
    let align = align_of::<T>();
    let mut v = Vec::new();
    for i in 0..n {
        v.push(make(i));
        if !(v.as_ptr() as usize).is_multiple_of(align) {
            return Some(format!(
                "align {align}: {:p} at length {}",
                v.as_ptr(),
                v.len()
            ));
        }
    }
    v.truncate(n as usize / 3);
    v.shrink_to_fit();
    if !(v.as_ptr() as usize).is_multiple_of(align) {
        return Some(format!("align {align}: {:p} after shrinking", v.as_ptr()));
    }
    let intact = v.iter().enumerate().all(|(i, x)| *x == make(i as u64));
    (!intact).then(|| format!("align {align}: values lost"))
}

fn aligned() -> String {
    let mut problems = Vec::new();
    problems.extend(check_vec(|i| i as u8, 5000));
    problems.extend(check_vec(|i| i, 5000));
    problems.extend(check_vec(A16, 3000));
    problems.extend(check_vec(A64, 1000));
    problems.extend(check_vec(A4096, 100));
    problems.extend(check_vec(A65536, 20));
    // Boxes of each, and a zeroed over-aligned one.
    let boxes = (
        Box::new(A16(1)),
        Box::new(A64(2)),
        Box::new(A4096(3)),
        Box::new(A65536(4)),
    );
    let addrs = [
        (&*boxes.0 as *const A16 as usize, 16),
        (&*boxes.1 as *const A64 as usize, 64),
        (&*boxes.2 as *const A4096 as usize, 4096),
        (&*boxes.3 as *const A65536 as usize, 65536),
    ];
    for (addr, align) in addrs {
        if addr % align != 0 {
            problems.push(format!("box of align {align} at {addr:#x}"));
        }
    }
    let zeroed = vec![A4096(0); 50];
    if !(zeroed.as_ptr() as usize).is_multiple_of(4096) || zeroed.iter().any(|x| x.0 != 0) {
        problems.push("zeroed A4096".to_owned());
    }
    if problems.is_empty() {
        "ok".to_owned()
    } else {
        problems.join("; ")
    }
}

/// Of 1000 blocks of 1 to 1000 bytes, how many are 8- and 16-aligned: "Eight Sixteen".
fn min_align() -> String {
    let blocks: Vec<Vec<u8>> = (1..=1000).map(Vec::with_capacity).collect();
    let at = |align: usize| {
        blocks
            .iter()
            .filter(|b| (b.as_ptr() as usize).is_multiple_of(align))
            .count()
    };
    format!("{} {}", at(8), at(16))
}

/// Four threads allocate, grow and free vectors and strings of every kind at once.
fn threads() -> Result<String, Badarg> {
    let handles = (0..4)
        .map(|t| {
            erldrv::thread::spawn(format!("allocator {t}"), move |_stop| {
                let mut total = 0usize;
                for round in 0..200usize {
                    let mut v: Vec<u64> = (0..round as u64).collect();
                    v.extend_from_slice(&[t; 10]);
                    let s = format!("{t}-{round}-{}", v.len());
                    let a = vec![A64(round as u64); round % 7];
                    let p = Box::new(A4096(round as u64));
                    total += v.len() + s.len() + a.len() + p.0 as usize;
                }
                total
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| Badarg)?;
    let totals: Vec<usize> = handles
        .into_iter()
        .map(|h| h.join().map_err(|_| Badarg))
        .collect::<Result<_, _>>()?;
    // The threads did the same work (their numbers all have one digit).
    let same = totals.len() == 4 && totals.iter().all(|&t| t == totals[0]);
    Ok(if same {
        "ok".to_owned()
    } else {
        format!("{totals:?}")
    })
}

#[erl_driver]
impl Driver for GlobalAlloc {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(GlobalAlloc::default())
    }

    fn control(
        &mut self,
        _port: &Port,
        _command: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        let words = std::str::from_utf8(data).map_err(|_| Badarg)?;
        let (verb, arg) = words.split_once(' ').unwrap_or((words, ""));
        match verb {
            "ping" => reply.extend_from_slice(b"pong"),
            "hold" => {
                let n = arg.trim().parse::<usize>().map_err(|_| Badarg)?;
                self.held = Some(vec![1; n * MIB]);
            }
            "release" => self.held = None,
            "aligned" => reply.extend_from_slice(aligned().as_bytes()),
            "min_align" => reply.extend_from_slice(min_align().as_bytes()),
            "threads" => reply.extend_from_slice(threads()?.as_bytes()),
            _ => return Err(Badarg),
        }
        Ok(())
    }
}
