//! Waiting for descriptors (`driver_select`): the events the VM reports, [`Port::select`] on a
//! borrowed descriptor, and [`Port::select_owned`], for which the framework keeps the
//! descriptor open until the VM is done with it.
//!
//! The VM keeps one registration per descriptor number, whoever asked for it: selecting a
//! number the driver does not own moves the VM's own port off it ("stealing control of
//! fd=N"). So descriptors come in as [`AsFd`] values, never as bare numbers.

use core::ffi::c_int;
use core::fmt;
use std::collections::BTreeMap;
use std::io::{self, ErrorKind};
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use erldrv_sys as sys;

use crate::ids::PortId;
use crate::port::Port;

/// A descriptor (a file descriptor on Unix) the VM reports as ready to
/// [`ready_input`](crate::Driver::ready_input) and [`ready_output`](crate::Driver::ready_output),
/// or as released to [`stop_select`](crate::Driver::stop_select).
///
/// An event is only a number: it does not keep the descriptor open and cannot be used to
/// read, write or select. Tell which of the driver's descriptors it is with [`Event::is`],
/// then use that descriptor.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Event(sys::ErlDrvEvent);

// SAFETY: an event is a descriptor number stored in a pointer-sized value; nothing is
// reached through the pointer.
unsafe impl Send for Event {}
// SAFETY: as above.
unsafe impl Sync for Event {}

impl Event {
    /// The event for the descriptor number `fd`.
    ///
    /// Nothing in safe code needs this: callbacks receive their events from the VM, and
    /// [`Port::select`] takes the descriptor itself.
    ///
    /// # Safety
    /// `fd` is an open descriptor owned by the driver — not one of the VM's, of another
    /// driver or of another library — and it stays open until the VM is done with it: when
    /// it is selected with [`SelectMode::USE`], until [`stop_select`](crate::Driver::stop_select)
    /// has been called for it; otherwise until selection has been turned off for it. The
    /// framework may hand an `Event` to the VM as a descriptor of this driver.
    pub unsafe fn from_raw_fd(fd: RawFd) -> Event {
        Event::from_fd_number(fd)
    }

    /// The descriptor number.
    pub fn as_raw_fd(self) -> RawFd {
        self.0 as isize as RawFd
    }

    /// Whether this event is the descriptor `fd`: how a callback finds which of its
    /// descriptors is ready.
    ///
    /// ```no_run
    /// # use erldrv::{Event, Port};
    /// # use std::net::UdpSocket;
    /// # struct Relay { inbound: UdpSocket, outbound: UdpSocket }
    /// # impl Relay {
    /// fn ready_input(&mut self, port: &Port, event: Event) {
    ///     if event.is(&self.inbound) {
    ///         // read from self.inbound
    ///     } else if event.is(&self.outbound) {
    ///         // read from self.outbound
    ///     }
    /// }
    /// # }
    /// ```
    pub fn is<F: AsFd + ?Sized>(self, fd: &F) -> bool {
        self.as_raw_fd() == fd.as_fd().as_raw_fd()
    }

    pub(crate) fn from_raw(raw: sys::ErlDrvEvent) -> Event {
        Event(raw)
    }

    fn from_fd_number(fd: RawFd) -> Event {
        Event(fd as isize as sys::ErlDrvEvent)
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Event(fd {})", self.as_raw_fd())
    }
}

/// Which readiness [`Port::select`] turns on or off; combine with `|`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SelectMode(c_int);

impl SelectMode {
    /// Readable: the VM calls [`ready_input`](crate::Driver::ready_input).
    pub const READ: SelectMode = SelectMode(sys::ERL_DRV_READ);
    /// Writable: the VM calls [`ready_output`](crate::Driver::ready_output).
    pub const WRITE: SelectMode = SelectMode(sys::ERL_DRV_WRITE);
    /// Use of the descriptor. Turned on, the VM counts the descriptor as the driver's until
    /// it is turned off; turned off (with `READ | WRITE`, or alone), the VM stops polling it
    /// and calls [`stop_select`](crate::Driver::stop_select) once it is safe to close it —
    /// from inside that [`Port::select`] call, or later from another thread.
    pub const USE: SelectMode = SelectMode(sys::ERL_DRV_USE);
    /// Like [`SelectMode::USE`] off, but without a `stop_select` call: the VM considers
    /// itself done with the descriptor when `select` returns.
    pub const USE_NO_CALLBACK: SelectMode = SelectMode(sys::ERL_DRV_USE_NO_CALLBACK);

    fn has(self, mode: SelectMode) -> bool {
        self.0 & mode.0 == mode.0
    }
}

impl core::ops::BitOr for SelectMode {
    type Output = SelectMode;
    fn bitor(self, rhs: SelectMode) -> SelectMode {
        SelectMode(self.0 | rhs.0)
    }
}

/// What the framework holds for [`Port::select_owned`].
type Io = Arc<dyn AsFd + Send + Sync>;

/// A descriptor handed over with `select_owned`.
struct Owned {
    io: Io,
    /// The port that selected it, until `USE` is turned off for it (by that port, or by the
    /// framework when the port closes). `None`: the VM's `stop_select` is due.
    port: Option<PortId>,
}

/// The descriptors of [`Port::select_owned`], by number, for the whole driver (each driver
/// library has its own copy of this crate, hence of this map).
///
/// A number appears at most once: the entry keeps its descriptor open, so the number cannot
/// be reused until the entry is gone. The lock is never held while calling the VM (which
/// may call `stop_select`, which takes it) or while dropping a descriptor (whose `Drop` is
/// the driver's code).
struct Registry(Mutex<BTreeMap<RawFd, Owned>>);

impl Registry {
    const fn new() -> Registry {
        Registry(Mutex::new(BTreeMap::new()))
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<RawFd, Owned>> {
        // Nothing panics while holding the lock, and every update leaves the map
        // consistent: a poisoned lock is still a good one.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records `io` (descriptor `fd`) as selected by `port`. `Ok(true)` when it is new,
    /// `Ok(false)` when this very object was already recorded (selected again, say for
    /// another mode). Refused when another port has it, or when another object claims the
    /// same number (a descriptor shared with someone else: not the driver's to hand over);
    /// `io` then comes back with the reason, to be dropped outside the lock.
    fn adopt(&self, fd: RawFd, io: Io, port: PortId) -> Result<bool, (Io, Busy)> {
        let mut map = self.lock();
        match map.get_mut(&fd) {
            None => {
                map.insert(
                    fd,
                    Owned {
                        io,
                        port: Some(port),
                    },
                );
                Ok(true)
            }
            Some(known) if !same_object(&known.io, &io) => Err((io, Busy::OtherObject)),
            Some(known) if known.port.is_none_or(|p| p == port) => {
                // Selected again while its stop_select was pending: the VM cancels that
                // stop_select, so the port owns it again.
                known.port = Some(port);
                Ok(false)
            }
            Some(_) => Err((io, Busy::OtherPort)),
        }
    }

    /// Whether `fd` is held for a port other than `port`.
    fn held_by_other(&self, fd: RawFd, port: PortId) -> bool {
        self.lock()
            .get(&fd)
            .and_then(|o| o.port)
            .is_some_and(|p| p != port)
    }

    /// Bookkeeping after `port` (which has used `select_owned`) selected `fd` with plain
    /// `select`. Returns a descriptor the VM is done with, to drop outside the lock.
    fn selected(&self, fd: RawFd, port: PortId, mode: SelectMode, on: bool) -> Option<Owned> {
        let mut map = self.lock();
        let entry = map.get_mut(&fd)?;
        if on {
            if mode.has(SelectMode::USE) && entry.port.is_none() {
                entry.port = Some(port);
            }
        } else if entry.port == Some(port) {
            if mode.has(SelectMode::USE_NO_CALLBACK) {
                // No stop_select will come: the VM was done with it when select returned.
                return map.remove(&fd);
            } else if mode.has(SelectMode::USE) {
                entry.port = None;
            }
        }
        None
    }

    /// Removes what `stop_select` released.
    fn take(&self, fd: RawFd) -> Option<Owned> {
        self.lock().remove(&fd)
    }

    /// The descriptors `port` still selects, now marked as waiting for `stop_select`.
    fn disown(&self, port: PortId) -> Vec<RawFd> {
        let mut map = self.lock();
        map.iter_mut()
            .filter(|(_, o)| o.port == Some(port))
            .map(|(fd, o)| {
                o.port = None;
                *fd
            })
            .collect()
    }

    /// Everything left, at unload.
    fn take_all(&self) -> BTreeMap<RawFd, Owned> {
        core::mem::take(&mut *self.lock())
    }
}

/// Why the registry refuses a descriptor.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Busy {
    /// Another port selects it with `select_owned`.
    OtherPort,
    /// Another object with the same number is held: the descriptor is shared.
    OtherObject,
}

impl Busy {
    fn error(self, fd: RawFd) -> io::Error {
        let why = match self {
            Busy::OtherPort => "another port of this driver selects it (select_owned)",
            Busy::OtherObject => {
                "select_owned holds another object with this descriptor: it is shared, not \
                 the driver's alone"
            }
        };
        io::Error::new(
            ErrorKind::ResourceBusy,
            format!("descriptor {fd} not selected: {why}"),
        )
    }
}

/// Whether two handles are the same object (the data pointers; vtables may differ between
/// codegen units).
fn same_object(a: &Io, b: &Io) -> bool {
    core::ptr::eq(Arc::as_ptr(a).cast::<()>(), Arc::as_ptr(b).cast::<()>())
}

static OWNED: Registry = Registry::new();

/// Called after the VM's `stop_select` for `event` (the driver's own `stop_select` has run):
/// the framework's handle on the descriptor, if it was selected with `select_owned`. The
/// caller drops it, which closes the descriptor unless the driver still holds a clone.
pub(crate) fn released(event: Event) -> Option<Io> {
    OWNED.take(event.as_raw_fd()).map(|o| o.io)
}

/// At unload: everything still held (the VM lost track of it, say after deselecting a
/// descriptor on its own). The caller drops it.
pub(crate) fn release_all() -> Vec<Io> {
    OWNED.take_all().into_values().map(|o| o.io).collect()
}

/// Turns selection off for every descriptor `port` still selects with `select_owned`, so that
/// the VM calls `stop_select` for them: when a port closes, the VM does not deselect its
/// descriptors itself, and never calls `stop_select` for them. Called from `stop`, and from
/// a `start` that fails.
pub(crate) fn release_port(port: &Port<'_>) {
    if !port.meta().owns_fds.get() {
        return;
    }
    let all = SelectMode::READ | SelectMode::WRITE | SelectMode::USE;
    for fd in OWNED.disown(port.id()) {
        // SAFETY: scheduler thread, inside `stop` or `start` of this live port; the registry
        // keeps `fd` open until stop_select. The VM may call stop_select inside this call: the
        // registry lock is not held here, and stop_select touches no port state.
        unsafe {
            sys::driver_select(port.as_raw(), Event::from_fd_number(fd).0, all.0, 0);
        }
    }
}

/// Checks that the VM can poll `fd` before it is handed over. The VM does not say: on OTP
/// 25 `driver_select` returns 0 for a descriptor that is not open or cannot be polled (an
/// `O_PATH` one), logs "Bad input fd in erts_poll()!" later and never calls the driver; and
/// `errno` after it is no guide (EPERM after a regular file, which the VM does poll).
/// `poll(2)` with no wait reports such a descriptor as `POLLNVAL`.
fn pollable(fd: RawFd) -> io::Result<()> {
    let mut entry = libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    };
    loop {
        // SAFETY: one valid pollfd, no timeout; `fd` is borrowed by the caller, so open
        // (or, after misuse elsewhere, reported as invalid).
        if unsafe { libc::poll(&mut entry, 1, 0) } >= 0 {
            break;
        }
        let e = io::Error::last_os_error();
        if e.kind() != ErrorKind::Interrupted {
            return Err(e);
        }
    }
    if entry.revents & libc::POLLNVAL != 0 {
        return Err(io::Error::from_raw_os_error(libc::EBADF));
    }
    Ok(())
}

/// What `driver_select` returning -1 means (OTP 25: a descriptor number the VM has no room
/// for; the port is alive in a callback, so it is never an invalid port).
fn refused_by_vm(fd: RawFd) -> io::Error {
    io::Error::new(
        ErrorKind::InvalidInput,
        format!(
            "the VM refused to select descriptor {fd} (driver_select returned -1): it is \
             beyond the largest descriptor the VM polls, its open-files limit when it started"
        ),
    )
}

impl Port<'_> {
    /// Turns readiness notification for the descriptor `fd` on or off (`driver_select`):
    /// with [`SelectMode::READ`] the VM calls [`ready_input`](crate::Driver::ready_input)
    /// when it is readable, with [`SelectMode::WRITE`]
    /// [`ready_output`](crate::Driver::ready_output) when it is writable.
    ///
    /// # Errors
    /// Nothing is selected, and the error says why:
    /// - the OS error `EBADF` ([`raw_os_error`](io::Error::raw_os_error)), when turning on a
    ///   descriptor the VM cannot poll: one opened with `O_PATH`, or one closed behind the
    ///   driver's back. The VM itself would accept it, log "Bad input fd in erts_poll()!"
    ///   later, and never call the driver, so the framework asks the OS first (one
    ///   `poll(2)` without waiting, only when turning on);
    /// - [`ErrorKind::ResourceBusy`], when turning on a descriptor another port of this
    ///   driver holds with [`select_owned`](Port::select_owned): the VM would move it to
    ///   this port without telling that one;
    /// - [`ErrorKind::InvalidInput`], when the VM refuses (a descriptor number beyond the
    ///   largest it polls: its open-files limit when it started).
    ///
    /// The VM cannot tell whether a descriptor is selected by a port of another driver or
    /// of its own: it hands it over to this port and logs "stealing control of fd=N".
    /// That is why the descriptor must be the driver's alone (below).
    ///
    /// # Keeping the descriptor open
    /// The driver keeps the descriptor open until it has turned selection off for it, in a
    /// callback of this port: the VM polls the number, and once it is closed and reused the
    /// VM would report another owner's descriptor to this port, or turning selection off
    /// would remove the new owner's registration. With [`SelectMode::USE`] on, keep it open
    /// until [`stop_select`](crate::Driver::stop_select) has been called for it (that call
    /// may come after the port is gone). [`Port::select_owned`] does all of this for you.
    ///
    /// The descriptor must be the driver's alone. A descriptor it merely shares — stdin,
    /// stdout, stderr, or one lent by code that keeps using it — may already be selected by
    /// one of the VM's ports, which then loses it to this port.
    ///
    /// # Spurious calls
    /// Readiness can be spurious: a `ready_input` may find nothing to read (the data was
    /// read when another event of the same poll round was handled, or the readiness is
    /// gone), and a `ready_output` may find the descriptor full again. Make descriptors
    /// non-blocking and treat [`ErrorKind::WouldBlock`] as "wait for the next call".
    ///
    /// Also the way to turn off what [`Port::select_owned`] turned on:
    /// `port.select(&io, SelectMode::READ | SelectMode::USE, false)`.
    pub fn select<F: AsFd + ?Sized>(&self, fd: &F, mode: SelectMode, on: bool) -> io::Result<()> {
        let fd = fd.as_fd().as_raw_fd();
        if on {
            pollable(fd)?;
            if OWNED.held_by_other(fd, self.id()) {
                return Err(Busy::OtherPort.error(fd));
            }
        }
        // SAFETY: scheduler thread, inside a callback of this live port; `fd` is open (it is
        // borrowed). driver_select may call stop_select before returning: no lock of ours is
        // held, and stop_select gets no port state, so nothing the callback borrows is
        // touched.
        let r = unsafe {
            sys::driver_select(
                self.as_raw(),
                Event::from_fd_number(fd).0,
                mode.0,
                c_int::from(on),
            )
        };
        if r != 0 {
            return Err(refused_by_vm(fd));
        }
        if self.meta().owns_fds.get() {
            drop(OWNED.selected(fd, self.id(), mode, on));
        }
        Ok(())
    }

    /// Hands the descriptor `io` to the VM for readiness notification with `mode`
    /// ([`SelectMode::READ`], [`SelectMode::WRITE`] or both), keeping it open for as long as
    /// the VM needs it.
    ///
    /// The framework keeps `io` (one reference) and always adds [`SelectMode::USE`]. Keep a
    /// clone to read and write with. To stop, turn `USE` off with
    /// `port.select(&io, SelectMode::READ | SelectMode::WRITE | SelectMode::USE, false)`:
    /// the VM then calls [`stop_select`](crate::Driver::stop_select) (yours still runs), and
    /// the framework drops its reference right after — the descriptor closes once your
    /// clones are gone too, and never while the VM may still poll it. When the port closes
    /// with selection still on, the framework turns it off after
    /// [`stop`](crate::Driver::stop); descriptors left at unload are dropped after
    /// [`finish`](crate::Driver::finish).
    ///
    /// Call it again with the same `io` to select more modes. Readiness can be spurious, as
    /// [`Port::select`] explains.
    ///
    /// # Errors
    /// As [`Port::select`], and [`ErrorKind::ResourceBusy`] also when another object with
    /// the same descriptor is held here (the descriptor is shared, not the driver's alone).
    /// On error the framework keeps nothing: `io` is dropped (your clones keep it open).
    ///
    /// ```no_run
    /// use std::io::ErrorKind;
    /// use std::net::UdpSocket;
    /// use std::sync::Arc;
    ///
    /// use erldrv::{Event, Port, SelectMode};
    ///
    /// struct Listener {
    ///     sock: Arc<UdpSocket>,
    /// }
    ///
    /// impl Listener {
    ///     // from `start`, say
    ///     fn open(port: &Port) -> std::io::Result<Listener> {
    ///         let sock = Arc::new(UdpSocket::bind("127.0.0.1:0")?);
    ///         sock.set_nonblocking(true)?;
    ///         port.select_owned(sock.clone(), SelectMode::READ)?;
    ///         Ok(Listener { sock })
    ///     }
    ///
    ///     // from `ready_input`
    ///     fn readable(&mut self, port: &Port, event: Event) {
    ///         if !event.is(&self.sock) {
    ///             return;
    ///         }
    ///         let mut buf = [0; 1500];
    ///         loop {
    ///             match self.sock.recv(&mut buf) {
    ///                 Ok(n) => port.output(&buf[..n]),
    ///                 // Nothing (more) to read, or a spurious call: wait for the next one.
    ///                 Err(e) if e.kind() == ErrorKind::WouldBlock => return,
    ///                 Err(_) => {
    ///                     // Done with it: the socket closes after stop_select. Turning
    ///                     // selection off cannot fail for a descriptor we hold.
    ///                     let _ = port.select(&self.sock, SelectMode::READ | SelectMode::USE, false);
    ///                     return;
    ///                 }
    ///             }
    ///         }
    ///     }
    /// }
    /// ```
    pub fn select_owned<T: AsFd + Send + Sync + 'static>(
        &self,
        io: Arc<T>,
        mode: SelectMode,
    ) -> io::Result<()> {
        let fd = io.as_fd().as_raw_fd();
        pollable(fd)?;
        let inserted = match OWNED.adopt(fd, io, self.id()) {
            Ok(inserted) => inserted,
            Err((refused, why)) => {
                drop(refused);
                return Err(why.error(fd));
            }
        };
        self.meta().owns_fds.set(true);
        let mode = SelectMode(mode.0 & (sys::ERL_DRV_READ | sys::ERL_DRV_WRITE)) | SelectMode::USE;
        // SAFETY: scheduler thread, inside a callback of this live port; the registry keeps
        // `fd` open until stop_select, or until it is removed below.
        let r =
            unsafe { sys::driver_select(self.as_raw(), Event::from_fd_number(fd).0, mode.0, 1) };
        if r != 0 {
            if inserted {
                drop(OWNED.take(fd));
            }
            return Err(refused_by_vm(fd));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::File;
    use std::sync::Weak;

    fn open() -> (Arc<File>, Weak<File>, RawFd) {
        let f = Arc::new(File::open("/dev/null").unwrap());
        let weak = Arc::downgrade(&f);
        let fd = f.as_raw_fd();
        (f, weak, fd)
    }

    fn port(n: usize) -> PortId {
        PortId::from_raw(n as sys::ErlDrvTermData)
    }

    #[test]
    fn keeps_the_descriptor_until_stop_select() {
        let r = Registry::new();
        let (f, weak, fd) = open();
        assert!(matches!(r.adopt(fd, f, port(1)), Ok(true)));
        assert!(weak.upgrade().is_some(), "the registry keeps it open");
        // USE off: stop_select is due, the descriptor is still held.
        assert!(r.selected(fd, port(1), SelectMode::USE, false).is_none());
        assert!(weak.upgrade().is_some());
        assert!(r.disown(port(1)).is_empty(), "no longer the port's");
        drop(r.take(fd));
        assert!(weak.upgrade().is_none(), "dropped at stop_select");
    }

    #[test]
    fn same_object_again_or_from_another_port() {
        let r = Registry::new();
        let (f, _weak, fd) = open();
        assert!(matches!(r.adopt(fd, f.clone(), port(1)), Ok(true)));
        assert!(matches!(r.adopt(fd, f.clone(), port(1)), Ok(false)));
        assert!(matches!(
            r.adopt(fd, f.clone(), port(2)),
            Err((_, Busy::OtherPort))
        ));
        assert!(r.held_by_other(fd, port(2)));
        assert!(!r.held_by_other(fd, port(1)));
        // Another object with the same number: not the driver's alone.
        let (g, _, _) = open();
        let g: Io = g;
        assert!(matches!(
            r.adopt(fd, g, port(1)),
            Err((_, Busy::OtherObject))
        ));
        // Pending stop_select, selected again: the port owns it again.
        r.selected(fd, port(1), SelectMode::READ | SelectMode::USE, false);
        assert!(matches!(r.adopt(fd, f, port(1)), Ok(false)));
        assert_eq!(r.disown(port(1)), vec![fd]);
    }

    #[test]
    fn closing_port_gives_back_only_its_own() {
        let r = Registry::new();
        let (a, _, fa) = open();
        let (b, _, fb) = open();
        let (c, _, fc) = open();
        r.adopt(fa, a, port(1)).ok().unwrap();
        r.adopt(fb, b, port(2)).ok().unwrap();
        r.adopt(fc, c, port(1)).ok().unwrap();
        let mut mine = r.disown(port(1));
        mine.sort();
        let mut want = vec![fa, fc];
        want.sort();
        assert_eq!(mine, want);
        assert!(r.disown(port(1)).is_empty(), "asked once");
        assert_eq!(r.disown(port(2)), vec![fb]);
    }

    #[test]
    fn use_no_callback_releases_at_once_and_unload_releases_the_rest() {
        let r = Registry::new();
        let (a, wa, fa) = open();
        let (b, wb, fb) = open();
        r.adopt(fa, a, port(1)).ok().unwrap();
        r.adopt(fb, b, port(1)).ok().unwrap();
        // Selecting more modes changes nothing; another port's call neither.
        assert!(r.selected(fa, port(1), SelectMode::WRITE, true).is_none());
        assert!(
            r.selected(fa, port(2), SelectMode::USE_NO_CALLBACK, false)
                .is_none()
        );
        drop(r.selected(
            fa,
            port(1),
            SelectMode::READ | SelectMode::USE_NO_CALLBACK,
            false,
        ));
        assert!(wa.upgrade().is_none());
        assert!(wb.upgrade().is_some());
        drop(r.take_all());
        assert!(wb.upgrade().is_none());
    }

    #[test]
    fn pollable_refuses_what_poll_cannot_watch() {
        use std::os::unix::fs::OpenOptionsExt;
        let (f, _, fd) = open();
        assert!(pollable(fd).is_ok(), "/dev/null");
        let path = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_PATH)
            .open("/")
            .unwrap();
        let e = pollable(path.as_raw_fd()).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::EBADF), "{e}");
        drop(f);
    }

    #[test]
    fn event_names_the_descriptor() {
        let (f, _, fd) = open();
        let e = Event::from_fd_number(fd);
        assert!(e.is(&f));
        assert!(e.is(&*f));
        assert!(e.is(&f.as_fd()));
        assert_eq!(e.as_raw_fd(), fd);
        assert!(!Event::from_fd_number(fd + 1).is(&f));
    }
}
