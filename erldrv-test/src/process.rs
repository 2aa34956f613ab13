//! Running child processes with a deadline while capturing their output.

use std::fmt;
use std::io::{self, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How often a running child is checked on; small enough to add no
/// noticeable latency, large enough to cost nothing.
const POLL: Duration = Duration::from_millis(10);

/// After the child exits, how long its output pipes may stay open. A
/// grandchild that inherited them could keep them open forever; we stop
/// waiting rather than hang, and keep what was read so far.
const DRAIN_GRACE: Duration = Duration::from_secs(5);

/// Waits for `child` to exit for at most `timeout`; on timeout kills it and
/// returns `Ok(None)`.
///
/// Polls [`Child::try_wait`]: std has no portable wait-with-timeout, and
/// polling keeps the child owned here so it can still be killed.
///
/// ```no_run
/// use std::process::Command;
/// use std::time::Duration;
///
/// let mut child = Command::new("sleep").arg("60").spawn()?;
/// let status = erldrv_test::wait_timeout(&mut child, Duration::from_millis(100))?;
/// assert!(status.is_none(), "killed after the timeout");
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// If the child's status cannot be read.
pub fn wait_timeout(child: &mut Child, timeout: Duration) -> io::Result<Option<ExitStatus>> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            // kill() fails only if the child already exited; either way reap it.
            let _ = child.kill();
            child.wait()?;
            return Ok(None);
        }
        thread::sleep(POLL);
    }
}

/// What a finished (or killed) child process printed: an `erl`/`erlc` run, or any other
/// program run with [`run_captured`]. Its `Display` shows the status and both streams, as
/// a failure message wants them.
///
/// ```no_run
/// use erldrv_test::Beam;
///
/// let out = Beam::new().eunit().run();
/// assert!(out.success());
/// assert!(out.stdout.contains("passed"));
/// ```
#[derive(Debug, Clone)]
pub struct ErlOutput {
    /// The exit status; `None` if the process was killed after the timeout.
    pub status: Option<ExitStatus>,
    /// Everything written to stdout (EUnit's report, for `erl`).
    pub stdout: String,
    /// Everything written to stderr.
    pub stderr: String,
}

impl ErlOutput {
    /// Whether the process exited by itself with status 0.
    ///
    /// ```
    /// let out = erldrv_test::ErlOutput { status: None, stdout: String::new(), stderr: String::new() };
    /// assert!(!out.success(), "killed after the timeout");
    /// ```
    pub fn success(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }
}

impl fmt::Display for ErlOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            // ExitStatus displays as "exit status: 1" or "signal: 11 (SIGSEGV)".
            Some(status) => writeln!(f, "{status}")?,
            None => writeln!(f, "killed after the timeout")?,
        }
        writeln!(f, "---- stdout ----\n{}", self.stdout.trim_end())?;
        write!(f, "---- stderr ----\n{}", self.stderr.trim_end())
    }
}

/// Runs `cmd` with stdin closed, capturing stdout and stderr, killing it
/// after `timeout`.
///
/// # Errors
///
/// Only if the program could not be started; its exit status is in the result.
///
/// ```no_run
/// use std::process::Command;
/// use std::time::Duration;
///
/// let out = erldrv_test::run_captured(
///     Command::new("erl").args(["-noshell", "-eval", "io:format(\"hi\"), halt()."]),
///     Duration::from_secs(60),
/// )?;
/// assert_eq!(out.stdout, "hi");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn run_captured(cmd: &mut Command, timeout: Duration) -> io::Result<ErlOutput> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    // Both pipes are drained on their own threads, so a chatty child never
    // blocks on a full pipe while we wait for it.
    let stdout = Drain::start(child.stdout.take());
    let stderr = Drain::start(child.stderr.take());
    let status = wait_timeout(&mut child, timeout)?;
    let grace_end = Instant::now() + DRAIN_GRACE;
    while !(stdout.is_done() && stderr.is_done()) && Instant::now() < grace_end {
        thread::sleep(POLL);
    }
    Ok(ErlOutput {
        status,
        stdout: stdout.text(),
        stderr: stderr.text(),
    })
}

/// A thread copying one pipe into a shared buffer, readable at any time.
struct Drain {
    buf: Arc<Mutex<Vec<u8>>>,
    thread: Option<JoinHandle<()>>,
}

impl Drain {
    fn start(pipe: Option<impl Read + Send + 'static>) -> Drain {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let thread = pipe.map(|mut pipe| {
            let buf = Arc::clone(&buf);
            thread::spawn(move || {
                let mut chunk = [0u8; 8192];
                loop {
                    match pipe.read(&mut chunk) {
                        Ok(0) => break,
                        Ok(n) => lock(&buf).extend_from_slice(&chunk[..n]),
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        // Other read errors end the capture just like EOF does.
                        Err(_) => break,
                    }
                }
            })
        });
        Drain { buf, thread }
    }

    fn is_done(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&lock(&self.buf)).into_owned()
    }
}

/// Locks a mutex, ignoring poisoning: a panic elsewhere leaves the data usable.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn captures_both_streams_and_status() {
        let out = run_captured(
            Command::new("sh").args(["-c", "echo out; echo err >&2; exit 3"]),
            Duration::from_secs(30),
        )
        .unwrap();
        assert_eq!(out.stdout, "out\n");
        assert_eq!(out.stderr, "err\n");
        assert_eq!(out.status.unwrap().code(), Some(3));
        assert!(!out.success());
    }

    #[test]
    fn kills_after_timeout_and_keeps_partial_output() {
        let start = Instant::now();
        let out = run_captured(
            Command::new("sh").args(["-c", "echo started; exec sleep 60"]),
            Duration::from_millis(300),
        )
        .unwrap();
        assert!(out.status.is_none());
        assert_eq!(out.stdout, "started\n");
        assert!(start.elapsed() < Duration::from_secs(30));
    }
}
