//! `driver_alloc_drv`: memory from the VM's allocator without a global allocator.
//! `DriverBuf`s and `Binary`s grown with `Binary::resize` are held and released so that the
//! test sees them in `erlang:memory/1` (and a `Vec` of the same size, from `malloc`, not);
//! `buf_ops` and `bin_resize` exercise their methods; a binary received in `outputv` and
//! kept by reference is resized while its sender still holds it (copied, not changed).
//! `beam-tests/test/driver_alloc_tests.erl` drives it.
//!
//! Control commands are words, a verb and its argument (`hold_buf 50`); the command number
//! is unused.
#![forbid(unsafe_code)]

use std::io::Write;

use erldrv::{Badarg, Binary, Driver, DriverBuf, IoVec, Port, Reply, StartError, erl_driver};

const MIB: usize = 1 << 20;

/// The state of a port.
#[derive(Default)]
pub struct DriverAlloc {
    buf: Option<DriverBuf>,
    vec: Option<Vec<u8>>,
    bin: Option<Binary>,
    /// The binary of the last `outputv`, by reference.
    kept: Option<Binary>,
}

/// `DriverBuf`'s methods, each result in a word of the reply.
fn buf_ops() -> String {
    let mut b = DriverBuf::new();
    let empty_cap = b.capacity();
    b.extend_from_slice(b"hello");
    b.push(b' ');
    write!(b, "{}", 42).expect("a DriverBuf takes writes");
    b.resize(10, b'!');
    let written = String::from_utf8_lossy(&b).into_owned();
    b.truncate(5);
    b.extend(b"...".iter().copied());
    let copy = b.clone();
    b.clear();
    b.shrink_to_fit();
    let cleared = (b.len(), b.capacity());
    // A large buffer grown one byte at a time, and changed in place.
    let mut big = DriverBuf::with_capacity(0);
    for i in 0..100_000usize {
        big.push((i % 251) as u8);
    }
    big[0] = 250;
    let big_ok = big.len() == 100_000
        && big
            .iter()
            .enumerate()
            .all(|(i, &x)| x == if i == 0 { 250 } else { (i % 251) as u8 });
    // A refused reservation leaves the buffer as it was.
    let refused = big.try_reserve(usize::MAX).is_err()
        && big.try_reserve(isize::MAX as usize).is_err()
        && big.len() == 100_000;
    format!(
        "{empty_cap} {written:?} {:?} {cleared:?} {big_ok} {refused}",
        String::from_utf8_lossy(&copy)
    )
}

/// `Binary::resize` alone and shared, each result in a word of the reply.
fn bin_resize() -> String {
    let mut a = Binary::from_slice(b"abc");
    a.resize(6);
    let grown = a.as_slice() == b"abc\0\0\0";
    a.resize(2);
    let shrunk = a.as_slice() == b"ab";
    // Shared: `a` becomes a copy, `b` keeps the bytes.
    let b = a.clone();
    let before = (a.ref_count(), b.ref_count());
    a.resize(4);
    let copied = a.as_slice() == b"ab\0\0" && b.as_slice() == b"ab";
    let after = (a.ref_count(), b.ref_count());
    // A refused resize leaves the binary as it was.
    let refused = a.try_resize(usize::MAX).is_err() && a.as_slice() == b"ab\0\0";
    // A megabyte of pattern survives growing to 8.
    let mut big = Binary::new(MIB);
    if let Some(bytes) = big.get_mut() {
        bytes
            .iter_mut()
            .enumerate()
            .for_each(|(i, x)| *x = (i % 251) as u8);
    }
    big.resize(8 * MIB);
    let kept = big.len() == 8 * MIB
        && big[..MIB]
            .iter()
            .enumerate()
            .all(|(i, &x)| x == (i % 251) as u8)
        && big[MIB..].iter().all(|&x| x == 0);
    format!("{grown} {shrunk} {before:?} {copied} {after:?} {refused} {kept}")
}

#[erl_driver]
impl Driver for DriverAlloc {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(DriverAlloc::default())
    }

    fn outputv(&mut self, _port: &Port, data: IoVec<'_>) {
        self.kept = data
            .segments()
            .last()
            .and_then(|s| s.binary())
            .map(|(b, _)| b);
    }

    fn control(
        &mut self,
        port: &Port,
        _command: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        let words = std::str::from_utf8(data).map_err(|_| Badarg)?;
        let (verb, arg) = words.split_once(' ').unwrap_or((words, ""));
        let mib = || {
            arg.trim()
                .parse::<usize>()
                .map(|n| n * MIB)
                .map_err(|_| Badarg)
        };
        match verb {
            "ping" => reply.extend_from_slice(b"pong"),
            "hold_buf" => {
                let mut buf = DriverBuf::new();
                buf.resize(mib()?, 1);
                self.buf = Some(buf);
            }
            "hold_vec" => self.vec = Some(vec![1; mib()?]),
            // A small binary grown to N MiB.
            "hold_bin" => {
                let mut bin = Binary::new(16);
                bin.resize(mib()?);
                self.bin = Some(bin);
            }
            "release" => {
                self.buf = None;
                self.vec = None;
                self.bin = None;
            }
            "buf_ops" => reply.extend_from_slice(buf_ops().as_bytes()),
            "bin_resize" => reply.extend_from_slice(bin_resize().as_bytes()),
            // The kept binary, still shared with its sender, resized to N bytes and sent
            // back; replies with its reference count before.
            "resize_kept" => {
                let n = arg.trim().parse::<usize>().map_err(|_| Badarg)?;
                let mut bin = self.kept.take().ok_or(Badarg)?;
                let refc = bin.ref_count();
                bin.resize(n);
                port.output_binary(b"", &bin, 0, bin.len());
                reply.extend_from_slice(refc.to_string().as_bytes());
            }
            _ => return Err(Badarg),
        }
        Ok(())
    }
}
