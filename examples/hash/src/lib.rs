//! `hash_drv`: SHA-256 of Erlang data of any size, computed off the schedulers.
//!
//! A callback blocks its scheduler, and hashing 64 MiB takes a hundred milliseconds or
//! more, so inputs go to the driver's worker pool. They come with `port_command/2`
//! (`erldrv:send_command_request/2`): `outputv` gets the caller's binaries by reference
//! and the job reads them in place, with no copy however big they are. One port serves any
//! number of callers at once; each gets its own reply, and one that gives up (a timeout)
//! cancels its job.
//!
//! Small inputs come with `erldrv:request/3` instead and are hashed in `control` at once: a
//! job would cost more than the hash.
//!
//! `erlang/hasher.erl` is the client. It picks the path by size, so callers just write
//! `{ok, Digest} = hasher:sha256(Port, Data)`.
#![forbid(unsafe_code)]

use std::sync::atomic::{AtomicU64, Ordering};

use erldrv::term::{Atom, FromTerm, ToTerm};
use erldrv::{Badarg, CallError, Cancel, Driver, IoVec, Port, Reply, StartError, erl_driver, pool};
use sha2::{Digest, Sha256};

/// The `erldrv:request/3` command: SHA-256 of the data.
const SHA256: u32 = 1;

/// The largest input `control` hashes on the scheduler (tens of microseconds); larger ones
/// become jobs. `hasher.erl` sends up to this much through `control`.
const INLINE_MAX: usize = 16 * 1024;

/// How much a job hashes between two looks at its `Cancel`: a few milliseconds of work,
/// so an abandoned 64 MiB job stops almost at once.
const CHUNK: usize = 1 << 20;

/// Input bytes hashed where the VM keeps them, and bytes that were copied on their way in
/// (`control` data; small binaries the VM gathers itself). For `info`.
static BY_REFERENCE: AtomicU64 = AtomicU64::new(0);
static COPIED: AtomicU64 = AtomicU64::new(0);

static ERROR: Atom = Atom::new("error");
static CANCELLED: Atom = Atom::new("cancelled");

/// One port. The work is all in jobs; a port has nothing of its own to keep.
pub struct Hasher;

/// `erlang:port_call(Port, 0, info)`.
#[derive(FromTerm, Debug)]
pub enum Query {
    Info,
}

/// The reply to `info`: `#{jobs => .., workers => .., bytes_by_reference => .., bytes_copied => ..}`.
#[derive(ToTerm, Debug)]
pub struct Info {
    /// Hashing jobs queued or running, over all ports.
    jobs: usize,
    /// Threads in the worker pool (0 until the first job).
    workers: usize,
    bytes_by_reference: u64,
    bytes_copied: u64,
}

/// SHA-256 of the segments, in order; `Err` once nobody wants the result any more.
fn sha256<'a>(
    segments: impl Iterator<Item = &'a [u8]>,
    cancel: &Cancel,
) -> Result<[u8; 32], &'static Atom> {
    let mut hasher = Sha256::new();
    for segment in segments {
        for chunk in segment.chunks(CHUNK) {
            if cancel.is_cancelled() {
                return Err(&CANCELLED);
            }
            hasher.update(chunk);
        }
    }
    Ok(hasher.finalize().into())
}

#[erl_driver(port_locking)]
impl Driver for Hasher {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Hasher)
    }

    /// `erldrv:send_command_request(Port, Data)`: a job hashes `Data` where it lies.
    fn outputv(&mut self, port: &Port, data: IoVec<'_>) {
        let Ok((request, input)) = port.request_in(&data) else {
            // A plain port_command: there is no caller to answer, so tell the owner.
            let _ = port.output_term(&(
                port.id(),
                (&ERROR, "hash_drv: send data with hasher:sha256/2"),
            ));
            return;
        };
        let shared = input.shared_len() as u64;
        BY_REFERENCE.fetch_add(shared, Ordering::Relaxed);
        COPIED.fetch_add(input.len() as u64 - shared, Ordering::Relaxed);
        // Err(Busy): the queue is full and the caller has been answered {error, busy}.
        let _ = request.spawn(move |cancel| sha256(input.segments(), cancel));
    }

    /// `erldrv:request(Port, 1, Data)`: small data is hashed here and answered through
    /// `reply`; anything larger goes to a job like `outputv`'s, with a copy of the data.
    fn control(
        &mut self,
        port: &Port,
        command: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        if command != SHA256 {
            return Err(Badarg::because(format!(
                "hash_drv: unknown command {command}, expected {SHA256} (SHA-256)"
            )));
        }
        COPIED.fetch_add(data.len() as u64, Ordering::Relaxed);
        if data.len() <= INLINE_MAX {
            // With no request taken, the framework answers {ok, Reply} itself.
            reply.extend_from_slice(&Sha256::digest(data));
            return Ok(());
        }
        let request = port
            .request()
            .ok_or(Badarg::because("hash_drv: call with erldrv:request/3"))?;
        // control's data is lent for this call only.
        let data = data.to_vec();
        let _ = request.spawn(move |cancel| sha256(std::iter::once(&data[..]), cancel));
        Ok(())
    }

    fn call(&mut self, _port: &Port, command: u32, query: Query) -> Result<Info, CallError> {
        if command != 0 {
            return Err(CallError::badarg(format!(
                "hash_drv: unknown command {command}, expected 0"
            )));
        }
        match query {
            Query::Info => Ok(Info {
                jobs: pool::live_jobs(),
                workers: pool::workers(),
                bytes_by_reference: BY_REFERENCE.load(Ordering::Relaxed),
                bytes_copied: COPIED.load(Ordering::Relaxed),
            }),
        }
    }
}
