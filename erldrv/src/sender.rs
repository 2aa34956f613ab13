//! [`Sender`]: the thread-safe part of a port's handle, for sending term messages from
//! async jobs, [`erldrv::thread`](crate::thread)s and any other thread of the driver.
//!
//! Only two driver API functions are called here, `erl_drv_send_term` and
//! `erl_drv_output_term`, which the VM documents as callable from any thread. Their
//! arguments (the port id and the pids) were made inside a callback, by [`Port::sender`],
//! and are plain terms from then on.

use erldrv_sys as sys;

use crate::ids::{Pid, PortId};
use crate::port::Port;
use crate::term::{BuildError, TermBuilder, ToTerm};

/// Sends term messages on behalf of a port from any thread: an async job
/// ([`Driver::spawn_async`](crate::Driver::spawn_async), [`Port::spawn_job`]), a thread of [`erldrv::thread`](crate::thread), or a thread the
/// driver starts itself. Made inside a callback with [`Port::sender`].
///
/// A [`Port`] is lent to one callback and may only be used on its scheduler thread; a
/// `Sender` is plain data (`Send + Sync + Clone + 'static`) holding the port's identifier
/// and its owner. It can do only what the VM allows off the scheduler: send a term to a
/// process ([`send_term`](Sender::send_term), `erl_drv_send_term`) or to the port's owner
/// ([`output_term`](Sender::output_term), `erl_drv_output_term`). Everything else (byte
/// output, timers, select, closing the port) stays with [`Port`], in callbacks.
///
/// ```no_run
/// use erldrv::term::Atom;
/// use erldrv::{Badarg, Driver, Port, Reply, StartError, erl_driver};
///
/// static TICK: Atom = Atom::new("tick");
///
/// struct Ticker;
///
/// #[erl_driver(name = "ticker_drv")]
/// impl Driver for Ticker {
///     fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
///         Ok(Ticker)
///     }
///
///     fn control(&mut self, port: &Port, _cmd: u32, _data: &[u8], _reply: &mut Reply) -> Result<(), Badarg> {
///         let sender = port.sender();
///         // Joined by the framework when the driver is unloaded.
///         erldrv::thread::spawn("ticker", move |stop| {
///             let mut n = 0u64;
///             while !stop.wait_timeout(std::time::Duration::from_secs(1)) {
///                 n += 1;
///                 // The owner receives {tick, N}; once the port has closed, nobody does.
///                 if sender.output_term(&(&TICK, n)).is_err() {
///                     break;
///                 }
///             }
///         })
///         .map_err(|_| Badarg)?;
///         Ok(())
///     }
/// }
/// ```
///
/// # Atoms
/// Off a scheduler thread the VM's atom lookup (`driver_mk_atom`) may not be called, and a
/// `Sender` never calls it, on whichever thread it runs. A static [`Atom`](crate::term::Atom)
/// whose handle is already known (it has been sent once by a [`Port`] method) is sent by
/// handle; any other atom, static or [`AtomName`](crate::term::AtomName), is sent in the
/// external format (`ERL_DRV_EXT2TERM`), which the VM decodes into the same atom. The
/// receiver cannot tell the difference; it costs the VM a little decoding per atom. A
/// builder passed to [`send_built`](Sender::send_built) keeps its atoms in that form, so
/// sending it again does not repeat the work.
///
/// # When nobody receives
/// Sending after the port has closed, or to a process that is not alive, is harmless: the
/// message is dropped and the error is not-delivered ([`BuildError::is_not_delivered`]).
/// The VM checks the port and the receiver at each send, under its own locks.
///
/// # Unloading
/// A `Sender` is only numbers, but the code sending with it is the driver's: a thread
/// still running it when the VM unmaps the library crashes the VM. Threads must have
/// stopped and been joined before the driver is unloaded: [`erldrv::thread`](crate::thread)
/// does that at `finish`; a `std::thread` must be joined by the driver's own
/// [`finish`](crate::Driver::finish). Async jobs hold the driver loaded while they run. A
/// `Sender` kept in a `static` of the library goes away with the library; it never
/// outlives it.
#[derive(Clone, Debug)]
pub struct Sender {
    port: PortId,
    owner: Pid,
}

impl Port<'_> {
    /// A [`Sender`] for this port: its identifier (`driver_mk_port`) and its owner
    /// (`driver_connected`), taken now, in the callback, since the VM allows neither call on
    /// other threads.
    ///
    /// ```no_run
    /// # use erldrv::{Port, term::Atom};
    /// static DONE: Atom = Atom::new("done");
    /// # fn f(port: &Port) {
    /// let (sender, caller) = (port.sender(), port.caller());
    /// std::thread::scope(|s| {
    ///     s.spawn(|| sender.send_term(caller, &(&DONE, 42)));
    /// });
    /// # }
    /// ```
    pub fn sender(&self) -> Sender {
        Sender {
            port: self.id(),
            owner: self.connected(),
        }
    }
}

impl Sender {
    /// The port's identifier, as [`Port::id`] returned it.
    pub fn port_id(&self) -> PortId {
        self.port
    }

    /// The port's owner when the sender was made ([`Port::connected`]). If the port is
    /// later connected to another process (`port_connect/2`),
    /// [`output_term`](Sender::output_term) follows the port; this does not.
    pub fn owner(&self) -> Pid {
        self.owner
    }

    /// Sends `value` as an Erlang term to the process `to` (`erl_drv_send_term`), from any
    /// thread: [`Port::send_term`] for threads.
    ///
    /// Errors as [`Port::send_term`]: the term is refused before anything is sent (see
    /// [`TermBuilder`]), or it was not delivered ([`BuildError::is_not_delivered`]: `to`
    /// is not alive, or the port has closed).
    ///
    /// Builds the term in a new [`TermBuilder`]; to avoid the allocation per message, keep
    /// a builder and use [`send_built`](Sender::send_built).
    ///
    /// ```no_run
    /// # use erldrv::{Pid, Sender, term::Atom};
    /// static PROGRESS: Atom = Atom::new("progress");
    /// # fn f(sender: &Sender, to: Pid) {
    /// match sender.send_term(to, &(&PROGRESS, 50)) {
    ///     Ok(()) => {}
    ///     Err(e) if e.is_not_delivered() => {} // `to` exited, or the port closed
    ///     Err(e) => panic!("{e}"),
    /// }
    /// # }
    /// ```
    pub fn send_term<T: ToTerm + ?Sized>(&self, to: Pid, value: &T) -> Result<(), BuildError> {
        self.send_built(to, TermBuilder::new().value(value))
    }

    /// Sends `value` as an Erlang term to the port's owner (`erl_drv_output_term`), from any
    /// thread: [`Port::output_term`] for threads. The owner receives the term itself; put
    /// [`port_id`](Sender::port_id) in it ([`TermBuilder::port`], with
    /// [`output_built`](Sender::output_built)) if the owner needs to know where it came from.
    ///
    /// Errors as [`send_term`](Sender::send_term).
    ///
    /// ```no_run
    /// # use erldrv::{Sender, term::Atom};
    /// static RESULT: Atom = Atom::new("result");
    /// # fn f(sender: Sender) {
    /// std::thread::spawn(move || {
    ///     // {result, <<"payload">>}
    ///     let _ = sender.output_term(&(&RESULT, "payload"));
    /// });
    /// # }
    /// ```
    pub fn output_term<T: ToTerm + ?Sized>(&self, value: &T) -> Result<(), BuildError> {
        self.output_built(TermBuilder::new().value(value))
    }

    /// Sends the term in `term` to the process `to` (`erl_drv_send_term`), as
    /// [`send_term`](Sender::send_term) does. The builder keeps the term: it can be sent
    /// again, or [cleared](TermBuilder::clear) for the next one.
    ///
    /// ```no_run
    /// # use erldrv::{Pid, Sender, term::{Atom, BuildError, TermBuilder, TermWriter}};
    /// static CHUNK: Atom = Atom::new("chunk");
    /// # fn f(sender: &Sender, to: Pid, chunks: &[&[u8]]) -> Result<(), BuildError> {
    /// let mut b = TermBuilder::new();
    /// for (i, chunk) in chunks.iter().enumerate() {
    ///     // {chunk, I, Bytes}, in one builder for all the messages
    ///     b.clear();
    ///     b.tuple(3);
    ///     b.atom(&CHUNK);
    ///     b.value(&i);
    ///     b.binary(chunk);
    ///     sender.send_built(to, &mut b)?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn send_built(&self, to: Pid, term: &mut TermBuilder) -> Result<(), BuildError> {
        let port = self.port.as_raw();
        // SAFETY: erl_drv_send_term may be called from any thread, with a port id and a pid
        // made in a callback (`Port::sender`, the caller's `Port`); the VM looks both up and
        // answers 0 when either is gone. The specification comes from the builder, checked,
        // with no atom handle looked up off a scheduler (`deliver_anywhere`); its pointers
        // stay valid until the call returns (the VM copies what it needs).
        term.deliver_anywhere(|spec, len| unsafe { sys::erl_drv_send_term(port, to.0, spec, len) })
    }

    /// Sends the term in `term` to the port's owner (`erl_drv_output_term`), as
    /// [`output_term`](Sender::output_term) does. The builder keeps the term.
    pub fn output_built(&self, term: &mut TermBuilder) -> Result<(), BuildError> {
        let port = self.port.as_raw();
        // SAFETY: erl_drv_output_term may be called from any thread, with a port id made in
        // a callback (`Port::sender`); the VM looks the port up and answers 0 once it has
        // closed. The specification as in `send_built`.
        term.deliver_anywhere(|spec, len| unsafe { sys::erl_drv_output_term(port, spec, len) })
    }
}

#[cfg(test)]
mod tests {
    use super::Sender;

    #[test]
    fn a_sender_crosses_threads() {
        fn thread_safe<T: Send + Sync + Clone + 'static>() {}
        thread_safe::<Sender>();
    }
}
