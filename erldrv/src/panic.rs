//! Panic reporting: the driver's own panic hook, and the text of a panic payload.
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
//! crate and clears its cache after each report.

use std::any::Any;
use std::fmt::Write as _;
use std::io::Write as _;
use std::panic::PanicHookInfo;

use crate::rt::DriverEntry;

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
pub(crate) fn install_hook<D: DriverEntry + 'static>() {
    // A function item is zero-sized: boxing it allocates nothing, so nothing is left behind
    // when the library is unloaded with the hook still installed.
    std::panic::set_hook(Box::new(hook::<D>));
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

fn hook<D: DriverEntry>(info: &PanicHookInfo<'_>) {
    let mut text = String::new();
    let _ = write!(text, "erldrv: driver {:?} panicked", D::NAME);
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
/// down, then frees what symbolizing loaded (the debug information of every library in the
/// VM), so that the library leaves nothing behind when it is unloaded.
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
    drop(trace);
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
