//! What the VM keeps about a port beside the driver's state: the busy limits of its message
//! queue ([`Port::busy_msgq_limits`], [`Port::set_busy_msgq_limits`],
//! [`Port::disable_busy_msgq`]), the OS process it stands for ([`Port::set_os_pid`]) and
//! the options it was opened with ([`Port::open_flags`]).
//!
//! Every call here is made in a callback of the port, on its scheduler thread, as a
//! [`Port`] guarantees; the VM takes all of them in any callback, `stop` included.

use core::fmt;

use erldrv_sys as sys;

use crate::port::Port;

/// The busy limits of a port's message queue, in bytes, as the VM uses them
/// ([`Port::busy_msgq_limits`]).
///
/// Command data (`port_command/2,3`, `Port ! {Owner, {command, Data}}`) that has not
/// reached the driver yet waits in the port's message queue. Once the bytes waiting there
/// reach `high`, the queue is busy: processes sending more command data are suspended
/// (`port_command/3` with `[nosuspend]` returns `false`) until the queue drops below `low`
/// and the port itself is not busy ([`Port::set_busy`]).
///
/// ```no_run
/// # fn f(port: &erldrv::Port) {
/// // The VM's defaults, unless the driver changed them.
/// assert_eq!(port.busy_msgq_limits(), Some(erldrv::BusyMsgqLimits { low: 4096, high: 8192 }));
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BusyMsgqLimits {
    /// The queue stops being busy below this many bytes.
    pub low: usize,
    /// The queue becomes busy at this many bytes.
    pub high: usize,
}

/// Why [`Port::set_busy_msgq_limits`] changed nothing.
///
/// ```no_run
/// # fn f(port: &erldrv::Port) {
/// use erldrv::BusyMsgqError;
/// assert_eq!(port.set_busy_msgq_limits(Some(0), None), Err(BusyMsgqError::InvalidLimit(0)));
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BusyMsgqError {
    /// The port has no busy message queue: the driver is declared `no_busy_msgq`, or
    /// [`Port::disable_busy_msgq`] was called. It cannot be turned on again.
    Disabled,
    /// A limit of 0 or `usize::MAX`: the VM reads these as "only read" and "disable".
    /// Valid limits are 1 to `usize::MAX - 1` (`ERL_DRV_BUSY_MSGQ_LIM_MIN` to `_MAX`).
    InvalidLimit(usize),
}

impl fmt::Display for BusyMsgqError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BusyMsgqError::Disabled => {
                f.write_str("the port's busy message queue is disabled (no_busy_msgq)")
            }
            BusyMsgqError::InvalidLimit(n) => write!(
                f,
                "busy message queue limit {n} is outside 1..={}",
                sys::ERL_DRV_BUSY_MSGQ_LIM_MAX
            ),
        }
    }
}

impl std::error::Error for BusyMsgqError {}

/// The options a port was opened with, as the driver sees them ([`Port::open_flags`],
/// `get_port_flags`).
///
/// ```no_run
/// # fn f(port: &erldrv::Port) {
/// // open_port({spawn_driver, Name}, [binary])
/// assert!(port.open_flags().binary);
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct OpenFlags {
    /// Opened with `binary`: [`Port::output`] data arrives as a binary, not a byte list
    /// (`PORT_FLAG_BINARY`).
    pub binary: bool,
    /// Opened with `{line, L}` (`PORT_FLAG_LINE`).
    pub line: bool,
}

impl<'a> Port<'a> {
    /// The busy limits of the port's message queue (`erl_drv_busy_msgq_limits`, reading
    /// only), or `None` when the port has none (see [`BusyMsgqError::Disabled`]).
    ///
    /// ```no_run
    /// # fn f(port: &erldrv::Port) {
    /// if let Some(limits) = port.busy_msgq_limits() {
    ///     println!("busy at {} bytes, free again below {}", limits.high, limits.low);
    /// }
    /// # }
    /// ```
    pub fn busy_msgq_limits(&self) -> Option<BusyMsgqLimits> {
        self.msgq_limits(
            sys::ERL_DRV_BUSY_MSGQ_READ_ONLY,
            sys::ERL_DRV_BUSY_MSGQ_READ_ONLY,
        )
    }

    /// Sets the busy limits of the port's message queue (`erl_drv_busy_msgq_limits`);
    /// `None` keeps a limit as it is. Returns the limits now in effect: the VM keeps
    /// `low <= high`, lowering `low` to a new `high` below it, or raising `high` to a new
    /// `low` above it.
    ///
    /// If the queue holds more than the new `high` already, it is busy now; below the new
    /// `low`, it stops being busy once the port next runs.
    ///
    /// # Errors
    /// [`BusyMsgqError::Disabled`] when the port has no busy message queue,
    /// [`BusyMsgqError::InvalidLimit`] for 0 or `usize::MAX`; nothing changes then.
    ///
    /// ```no_run
    /// # fn f(port: &erldrv::Port) -> Result<(), erldrv::BusyMsgqError> {
    /// // Suspend senders once 64 KiB of commands wait; let them go below 16 KiB.
    /// let limits = port.set_busy_msgq_limits(Some(16 * 1024), Some(64 * 1024))?;
    /// assert_eq!((limits.low, limits.high), (16 * 1024, 64 * 1024));
    /// # Ok(()) }
    /// ```
    pub fn set_busy_msgq_limits(
        &self,
        low: Option<usize>,
        high: Option<usize>,
    ) -> Result<BusyMsgqLimits, BusyMsgqError> {
        let raw = |limit: Option<usize>| match limit {
            None => Ok(sys::ERL_DRV_BUSY_MSGQ_READ_ONLY),
            Some(n)
                if (sys::ERL_DRV_BUSY_MSGQ_LIM_MIN..=sys::ERL_DRV_BUSY_MSGQ_LIM_MAX)
                    .contains(&n) =>
            {
                Ok(n)
            }
            Some(n) => Err(BusyMsgqError::InvalidLimit(n)),
        };
        let (low, high) = (raw(low)?, raw(high)?);
        self.msgq_limits(low, high).ok_or(BusyMsgqError::Disabled)
    }

    /// Turns the port's busy message queue off for good (`erl_drv_busy_msgq_limits` with
    /// `ERL_DRV_BUSY_MSGQ_DISABLED`): command data no longer suspends its senders, however
    /// much waits. Processes suspended on the queue are resumed (unless the port itself is
    /// busy). Declaring the driver `#[erl_driver(no_busy_msgq)]` does the same for all its
    /// ports from the start.
    ///
    /// ```no_run
    /// # fn f(port: &erldrv::Port) {
    /// port.disable_busy_msgq();
    /// assert_eq!(port.busy_msgq_limits(), None);
    /// # }
    /// ```
    pub fn disable_busy_msgq(&self) {
        self.msgq_limits(
            sys::ERL_DRV_BUSY_MSGQ_DISABLED,
            sys::ERL_DRV_BUSY_MSGQ_DISABLED,
        );
    }

    /// `erl_drv_busy_msgq_limits` with these raw values; `None` when the feature is off.
    fn msgq_limits(&self, mut low: usize, mut high: usize) -> Option<BusyMsgqLimits> {
        // SAFETY: in a callback of the port (any); valid pointers to two locals, which the
        // VM reads and then overwrites with the limits in effect.
        unsafe { sys::erl_drv_busy_msgq_limits(self.as_raw(), &mut low, &mut high) };
        (low != sys::ERL_DRV_BUSY_MSGQ_DISABLED && high != sys::ERL_DRV_BUSY_MSGQ_DISABLED)
            .then_some(BusyMsgqLimits { low, high })
    }

    /// Sets the `os_pid` that `erlang:port_info(Port, os_pid)` reports for this port
    /// (`erl_drv_set_os_pid`): for a driver that runs an OS process on the port's behalf,
    /// so that tools looking at the port find the process. Without it, `port_info` says
    /// `undefined` for a driver's port.
    ///
    /// ```no_run
    /// # fn f(port: &erldrv::Port) -> std::io::Result<()> {
    /// let child = std::process::Command::new("sleep").arg("60").spawn()?;
    /// port.set_os_pid(child.id());
    /// # Ok(()) }
    /// ```
    pub fn set_os_pid(&self, pid: u32) {
        // OS process ids are below 2^31 everywhere, so they fit even a 32-bit ErlDrvSInt;
        // on a 64-bit VM every u32 does.
        let pid = sys::ErlDrvSInt::try_from(pid).unwrap_or(sys::ErlDrvSInt::MAX);
        // SAFETY: in a callback of the port (any); the VM stores the number.
        unsafe { sys::erl_drv_set_os_pid(self.as_raw(), pid) };
    }

    /// The options the port was opened with that change what the driver sends
    /// (`get_port_flags`): `binary` and `{line, L}`.
    ///
    /// ```no_run
    /// # fn f(port: &erldrv::Port) {
    /// let flags = port.open_flags();
    /// if !flags.binary {
    ///     // the owner receives byte lists: keep messages short
    /// }
    /// # }
    /// ```
    pub fn open_flags(&self) -> OpenFlags {
        // SAFETY: in a callback of the port (any); only reads the port's status.
        let flags = unsafe { sys::get_port_flags(self.as_raw()) };
        OpenFlags {
            binary: flags & sys::PORT_FLAG_BINARY != 0,
            line: flags & sys::PORT_FLAG_LINE != 0,
        }
    }
}
