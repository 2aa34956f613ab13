//! Panic containment and reporting: [`catch`], the one way the framework runs driver code
//! that may panic, and the driver's own panic hook.
//!
//! A driver is a shared library with its own copy of `std`, so the hook installed here
//! (from `driver_init`) serves that library's panics only and goes away with it. It writes
//! each panic to the VM's standard error once: message (cut to [`STDERR_LIMIT`] bytes, with
//! the full length stated) and location, plus a backtrace when `RUST_BACKTRACE` asks for one.
//! The trampoline that catches the panic then adds one line saying what happens to the port.
//!
//! std's default hook is replaced because it would print the message a second time and,
//! with `RUST_BACKTRACE` set, fill a symbol cache in the library's statics that nothing
//! frees: megabytes lost at every unload. The hook here symbolizes with the `backtrace`
//! crate, whose cache [`forget_symbols`] frees when the driver is unloaded (after `finish`,
//! or when `init` fails). Symbolizing the first backtrace of a loaded driver reads the debug
//! information of every library in the VM, which takes a second or two for a debug build;
//! later ones reuse it.

use std::any::Any;
use std::fmt::{self, Write as _};
use std::io::Write as _;
use std::panic::{AssertUnwindSafe, PanicHookInfo, catch_unwind};

use core::ffi::CStr;

/// A caught panic. Dropping it drops the payload without letting a panicking `Drop` of the
/// payload escape.
pub(crate) struct Panic(Option<Box<dyn Any + Send>>);

impl Panic {
    /// The panic's message (its payload as text).
    pub(crate) fn message(&self) -> &str {
        match &self.0 {
            Some(payload) => panic_message(&**payload),
            None => "",
        }
    }
}

impl Drop for Panic {
    fn drop(&mut self) {
        if let Some(payload) = self.0.take() {
            drop_quietly(payload);
        }
    }
}

/// Runs driver code, catching a panic. Everything the framework runs on the driver's behalf
/// goes through here: callbacks, async jobs, and the drops of what they leave.
#[inline(always)]
pub(crate) fn catch<R>(f: impl FnOnce() -> R) -> Result<R, Panic> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| Panic(Some(payload)))
}

/// Drops a value whose `Drop` may panic (a panic payload, a job the port will never see,
/// deferred actions of a closed port) without letting the panic escape.
pub(crate) fn drop_quietly<T>(value: T) {
    let _ = catch_unwind(AssertUnwindSafe(move || drop(value)));
}

/// Writes one line to the VM's standard error; never panics (`eprintln!` would).
pub(crate) fn report(line: fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// At most this many bytes of a panic message are written to standard error.
pub(crate) const STDERR_LIMIT: usize = 4096;

/// The text of a panic payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "panic with a non-string payload"
    }
}

/// Installs [`hook`] for driver `D`, replacing std's default hook in this library.
pub(crate) fn install_hook(hook: fn(&PanicHookInfo<'_>)) {
    std::panic::set_hook(Box::new(hook));
}

/// `message` cut to at most `limit` bytes on a character boundary, with a note of its
/// full length when it was cut.
pub(crate) fn truncated(message: &str, limit: usize) -> (&str, Option<usize>) {
    if message.len() <= limit {
        return (message, None);
    }
    let mut end = limit;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    (&message[..end], Some(message.len()))
}

/// What the hook of driver `driver` does with a panic: one write of its report to stderr.
pub(crate) fn report_panic(driver: &CStr, info: &PanicHookInfo<'_>) {
    let mut text = String::new();
    let _ = write!(text, "erldrv: driver {driver:?} panicked");
    if let Some(at) = info.location() {
        let _ = write!(text, " at {}:{}:{}", at.file(), at.line(), at.column());
    }
    let (message, cut) = truncated(panic_message(info.payload()), STDERR_LIMIT);
    let _ = write!(text, ": {message}");
    if let Some(len) = cut {
        let _ = write!(text, "... (cut: the message has {len} bytes)");
    }
    text.push('\n');
    if backtrace_wanted() {
        write_backtrace(&mut text);
    }
    // One write, so that concurrent panics on other schedulers do not interleave lines.
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// Whether `RUST_BACKTRACE` asks for backtraces (set, and not `0`), as std reads it.
fn backtrace_wanted() -> bool {
    std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0")
}

/// Appends a symbolized backtrace of the panicking thread, from the frame that panicked
/// down.
fn write_backtrace(text: &mut String) {
    let trace = backtrace::Backtrace::new();
    let frames = trace.frames();
    // Skip the frames of this hook and of std's panic machinery.
    let first = frames
        .iter()
        .rposition(|f| {
            f.symbols().iter().any(|s| {
                s.name().is_some_and(|n| {
                    // `#`: without the hashes and crate disambiguators of mangled names.
                    let n = format!("{n:#}");
                    n.contains("core::panicking::") || n.contains("std::panicking::begin_panic")
                })
            })
        })
        .map_or(0, |i| i + 1);
    text.push_str("stack backtrace:\n");
    for (i, frame) in frames[first..].iter().enumerate() {
        let symbols = frame.symbols();
        if symbols.is_empty() {
            let _ = writeln!(text, "  {i:>3}: {:?}", frame.ip());
        }
        for s in symbols {
            match s.name() {
                Some(name) => {
                    let _ = writeln!(text, "  {i:>3}: {name:#}");
                }
                None => {
                    let _ = writeln!(text, "  {i:>3}: {:?}", frame.ip());
                }
            }
            if let (Some(file), Some(line)) = (s.filename(), s.lineno()) {
                let _ = writeln!(text, "             at {}:{line}", file.display());
            }
        }
    }
}

/// Frees what symbolizing backtraces loaded (the debug information of every library in the
/// VM, cached in this library's statics): called when the driver is about to be unloaded,
/// so that it leaves nothing behind.
pub(crate) fn forget_symbols() {
    backtrace::clear_symbol_cache();
}

#[cfg(test)]
mod tests {
    use super::truncated;

    #[test]
    fn long_messages_are_cut_on_a_character_boundary() {
        assert_eq!(truncated("short", 10), ("short", None));
        let long = "é".repeat(3000); // 6000 bytes
        let (head, len) = truncated(&long, 4096);
        assert_eq!(head.len(), 4096);
        assert_eq!(len, Some(6000));
        let (head, _) = truncated(&long, 4095);
        assert_eq!(head.len(), 4094);
    }
}
