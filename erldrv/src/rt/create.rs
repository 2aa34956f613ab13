//! Ports the driver opens itself (`driver_create_port`): [`Port::create_port`] and
//! [`Port::create_port_with`].
//!
//! The VM does not call `start` for such a port: it takes the port data from the creator.
//! So the creator hands over the new port's state, and the framework wraps it in a port
//! cell exactly as `start` would have, so that every later callback of the new port finds
//! what it expects. The cell's type must be the driver's own: the VM runs the new port
//! with this driver's callbacks, which read the cell as the driver's type. [`register`]
//! records that type when the driver loads; a state of any other type is refused.
//!
//! OTP 25 creates the port under the driver's lock: with driver-level locking that is the
//! lock the calling callback already holds, and `driver_create_port` waits for it forever
//! (seen in a real VM: the scheduler blocks in `pthread_mutex_lock`). Only drivers with
//! port-level locking can create ports, so the others are refused before the call.

use core::cell::UnsafeCell;
use core::ffi::CStr;
use core::fmt;
use core::mem::MaybeUninit;
use std::any::TypeId;
use std::ffi::CString;
use std::sync::OnceLock;

use erldrv_sys as sys;

use super::callbacks::{PortCell, with_state};
use crate::driver::{Driver, DriverEntry};
use crate::ids::{Pid, PortId};
use crate::port::Port;
use crate::state::PortMeta;

/// The driver type of this library (one driver per library), and whether it has
/// port-level locking; set by `driver_init`.
static DRIVER: OnceLock<(TypeId, bool)> = OnceLock::new();

/// Records `D` as this library's driver type.
pub(super) fn register<D: 'static>(port_locking: bool) {
    // A library loaded again keeps its statics: same driver, nothing to do.
    let _ = DRIVER.set((TypeId::of::<D>(), port_locking));
}

/// Why [`Port::create_port`] did not create a port. The state meant for the new port comes
/// back with [`into_state`](CreatePortError::into_state).
///
/// ```no_run
/// # use erldrv::{CreatePortErrorKind, Port};
/// # fn f<D: erldrv::Driver + erldrv::__private::DriverEntry>(port: &Port, state: D) -> Option<D> {
/// match port.create_port(port.caller(), state) {
///     Ok(_) => None,
///     Err(e) if e.kind() == CreatePortErrorKind::Refused => Some(e.into_state()), // try later
///     Err(e) => panic!("{e}"),
/// }
/// # }
/// ```
pub struct CreatePortError<D> {
    kind: CreatePortErrorKind,
    state: D,
}

/// What went wrong in [`Port::create_port`]: see [`CreatePortError`] for an example.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CreatePortErrorKind {
    /// Called in `stop`: the creating port is going away.
    Stopped,
    /// The state is not of the driver's type: the VM would run the new port with this
    /// driver's callbacks, which could not read it.
    OtherDriver,
    /// The driver is not declared `#[erl_driver(port_locking)]`. With one lock for the
    /// whole driver, OTP waits inside `driver_create_port` for the lock the calling
    /// callback holds: the scheduler would hang.
    DriverLocking,
    /// The port name holds a NUL byte.
    BadName,
    /// The VM created no port: the owner is not alive (or is exiting), the driver is being
    /// unloaded, or the port table is full.
    Refused,
}

impl<D> CreatePortError<D> {
    /// What went wrong.
    pub fn kind(&self) -> CreatePortErrorKind {
        self.kind
    }

    /// The state that was meant for the new port.
    pub fn into_state(self) -> D {
        self.state
    }
}

impl<D> fmt::Debug for CreatePortError<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatePortError")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl<D> fmt::Display for CreatePortError<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            CreatePortErrorKind::Stopped => "a port cannot create ports in `stop`",
            CreatePortErrorKind::OtherDriver => {
                "the new port's state is not of the driver's type (the VM runs the new port \
                 with this driver's callbacks)"
            }
            CreatePortErrorKind::DriverLocking => {
                "creating ports needs #[erl_driver(port_locking)]: under the driver-wide \
                 lock the VM would wait for the lock the calling callback holds, forever"
            }
            CreatePortErrorKind::BadName => "the port name holds a NUL byte",
            CreatePortErrorKind::Refused => {
                "the VM created no port (the owner is not alive, the driver is being \
                 unloaded, or the port table is full)"
            }
        })
    }
}

impl<D> std::error::Error for CreatePortError<D> {}

impl<'a> Port<'a> {
    /// Opens a new port of this driver, owned by (and linked to) `owner`, with `state` as
    /// its state (`driver_create_port`): what `open_port/2` would have done with `start`,
    /// but from inside the driver, which lets one port hand out others — an accepting
    /// socket giving each connection a port of its own, say. The new port is named after
    /// the driver; [`create_port_with`](Port::create_port_with) takes another name and sets
    /// the new port up before anything else reaches it.
    ///
    /// `start` is not called for the new port: `state` is its state from the start, and
    /// its `stop` runs when it closes, as for any port. The new port lives on its own:
    /// closing the creating port leaves it open. The owner usually is the
    /// [`caller`](Port::caller); it learns the new port's id from a term message
    /// ([`send_term`](Port::send_term) with the returned [`PortId`]) and can then
    /// `port_command`, `port_control` and `port_close` it as a port it opened.
    ///
    /// Only a driver with port-level locking (`#[erl_driver(port_locking)]`) can create
    /// ports: under one driver-wide lock, OTP would wait in `driver_create_port` for the
    /// lock the calling callback holds, and hang the scheduler. Such a driver gets
    /// [`DriverLocking`](CreatePortErrorKind::DriverLocking) instead.
    ///
    /// # Errors
    /// In `stop` ([`Stopped`](CreatePortErrorKind::Stopped)), without port locking
    /// ([`DriverLocking`](CreatePortErrorKind::DriverLocking)), for a state of another type
    /// than the driver's ([`OtherDriver`](CreatePortErrorKind::OtherDriver)), or when the
    /// VM refuses ([`Refused`](CreatePortErrorKind::Refused): `owner` is dead, say). The
    /// error gives the state back.
    ///
    /// ```no_run
    /// use erldrv::{Badarg, Driver, Port, Reply, StartError, erl_driver, term::Atom};
    ///
    /// static CHILD: Atom = Atom::new("child");
    ///
    /// struct Conn { parent: bool }
    ///
    /// #[erl_driver(name = "conn_drv", port_locking)]
    /// impl Driver for Conn {
    ///     fn start(_: &Port, _: &[u8]) -> Result<Self, StartError> {
    ///         Ok(Conn { parent: true })
    ///     }
    ///
    ///     fn control(&mut self, port: &Port, _: u32, _: &[u8], _: &mut Reply) -> Result<(), Badarg> {
    ///         // A new port for the caller, which receives {child, Port}.
    ///         let caller = port.caller();
    ///         let child = port
    ///             .create_port(caller, Conn { parent: false })
    ///             .map_err(|e| Badarg::because(e.to_string()))?;
    ///         port.send_term(caller, &(&CHILD, child)).map_err(|_| Badarg)?;
    ///         Ok(())
    ///     }
    /// }
    /// ```
    pub fn create_port<D: Driver + DriverEntry>(
        &self,
        owner: Pid,
        state: D,
    ) -> Result<PortId, CreatePortError<D>> {
        self.create(owner, D::NAME, state, |_, _| {})
    }

    /// [`create_port`](Port::create_port), with the port name `name` (what
    /// `erlang:port_info(Port, name)` shows; the C API suggests the driver name, which
    /// `create_port` uses), and with `setup` run on the new port right away, before any
    /// message can reach it: select its descriptors, [set its control
    /// mode](Port::set_control_binary), send its owner a first message. `setup` runs as a
    /// callback of the new port: a panic there closes the new port as in any callback
    /// (its owner is told), and the port id is still returned.
    ///
    /// ```no_run
    /// # use erldrv::Port;
    /// # struct Conn;
    /// # impl Conn { fn hello(&self) -> &'static [u8] { b"hi" } }
    /// # fn f<D: erldrv::Driver + erldrv::__private::DriverEntry>(port: &Port, state: D) {
    /// let child = port.create_port_with(port.caller(), "conn", state, |_state, child| {
    ///     child.set_control_binary(true);
    ///     child.output(b"ready");
    /// });
    /// # }
    /// ```
    pub fn create_port_with<D: Driver + DriverEntry>(
        &self,
        owner: Pid,
        name: &str,
        state: D,
        setup: impl FnOnce(&mut D, &Port<'_>),
    ) -> Result<PortId, CreatePortError<D>> {
        match CString::new(name) {
            Ok(name) => self.create(owner, &name, state, setup),
            Err(_) => Err(CreatePortError {
                kind: CreatePortErrorKind::BadName,
                state,
            }),
        }
    }

    fn create<D: Driver + DriverEntry>(
        &self,
        owner: Pid,
        name: &CStr,
        state: D,
        setup: impl FnOnce(&mut D, &Port<'_>),
    ) -> Result<PortId, CreatePortError<D>> {
        let fail = |kind, state| Err(CreatePortError { kind, state });
        if self.meta().stopped() {
            return fail(CreatePortErrorKind::Stopped, state);
        }
        match DRIVER.get() {
            Some(&(driver, _)) if driver != TypeId::of::<D>() => {
                return fail(CreatePortErrorKind::OtherDriver, state);
            }
            Some(&(_, true)) => {}
            Some(&(_, false)) => return fail(CreatePortErrorKind::DriverLocking, state),
            // `driver_init` ran before any port could: a port of another library's driver.
            None => return fail(CreatePortErrorKind::OtherDriver, state),
        }
        // The cell first: its address is the new port's data. The port handle is filled
        // in once the VM has made it.
        let cell = Box::into_raw(Box::new(PortCell::<D> {
            meta: PortMeta::starting(core::ptr::null_mut()),
            state: UnsafeCell::new(MaybeUninit::new(state)),
        }));
        // SAFETY: in a callback of the creating port other than `stop` (checked above), on
        // its scheduler thread, as `driver_create_port` requires; the name is copied by the
        // VM; `cell` is the data the VM hands this driver's callbacks for the new port,
        // and it is a cell of the driver's type (checked above).
        let raw = unsafe {
            sys::driver_create_port(
                self.as_raw(),
                owner.0,
                name.as_ptr().cast_mut(),
                cell.cast(),
            )
        };
        // The VM's "invalid port" is all ones; NULL is never a port either.
        if raw.is_null() || raw as isize == -1 {
            // SAFETY: the VM refused, so the cell is ours alone; its state was written.
            let cell = unsafe { Box::from_raw(cell) };
            let state = take_state(*cell);
            return fail(CreatePortErrorKind::Refused, state);
        }
        // No callback of the new port can run before the current callback returns: the VM
        // hands the creator the new port locked, and unlocks it after this callback
        // (port locking, checked above). So nothing reads the cell while it is finished
        // here.
        // SAFETY: no reference to the cell exists yet; a plain write of the handle.
        unsafe { (*cell).meta.raw = raw };
        // SAFETY: the cell is live (its port is open); shared from here on.
        let meta = unsafe { &(*cell).meta };
        // As after a `start` that returned the state: nothing was deferred.
        meta.started(cell.cast());
        // Before the setup, which may close the port: the handle of a closed port makes no
        // id.
        // SAFETY: the new port may be used by its creator during this callback.
        let id = PortId(unsafe { sys::driver_mk_port(raw) });
        // SAFETY: the new port's data, allocated above, live while the port is open; run
        // as its first callback, which also runs what `setup` defers.
        unsafe { with_state::<D, ()>(cell.cast(), "`create_port_with` setup", (), setup) };
        Ok(id)
    }
}

/// The state of a cell whose port was never created.
fn take_state<D>(cell: PortCell<D>) -> D {
    // SAFETY: `create` wrote the state when it made the cell, and nothing took it since.
    unsafe { cell.state.into_inner().assume_init() }
}
