//! The closed table of driver callbacks: each `ErlDrvEntry` slot, its Rust method, the
//! receiver the method takes, and its C signature.

/// How a callback method receives the driver state.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Receiver {
    /// No `self`: driver-level callbacks and `start` (which creates the state).
    None,
    /// `&mut self`: port callbacks.
    RefMut,
    /// `self`: `stop`, which consumes the state.
    Value,
    /// `&self`: no callback takes it (the state is always exclusively borrowed).
    Ref,
}

pub struct Callback {
    /// The method name, which is also the `ErlDrvEntry` field and the `Slots` field.
    pub name: &'static str,
    pub receiver: Receiver,
    /// Whether the method has a flag of its own in `Slots`. `start` and `stop` (state),
    /// `timeout` and `ready_async` (the framework's timer and async jobs), `stop_select` (the
    /// framework's `select_owned` descriptors) and `finish` (those descriptors, and the
    /// driver's threads) are always installed.
    pub optional_slot: bool,
    /// The C signature, for error messages.
    pub c_signature: &'static str,
    /// The expected Rust shape, for error messages.
    pub rust_shape: &'static str,
}

macro_rules! callbacks {
    ($($name:literal, $recv:ident, $opt:literal, $c:literal, $rust:literal;)*) => {
        pub const CALLBACKS: &[Callback] = &[
            $(Callback { name: $name, receiver: Receiver::$recv, optional_slot: $opt, c_signature: $c, rust_shape: $rust },)*
        ];
    };
}

callbacks! {
    "init", None, true, "int (*init)(void)", "fn init() -> Result<(), InitError>";
    "finish", None, false, "void (*finish)(void)", "fn finish()";
    "start", None, false, "ErlDrvData (*start)(ErlDrvPort, char *)", "fn start(port: &Port, command: &[u8]) -> Result<Self, StartError>";
    "stop", Value, false, "void (*stop)(ErlDrvData)", "fn stop(self, port: &Port)";
    "output", RefMut, true, "void (*output)(ErlDrvData, char *, ErlDrvSizeT)", "fn output(&mut self, port: &Port, data: &[u8])";
    "outputv", RefMut, true, "void (*outputv)(ErlDrvData, ErlIOVec *)", "fn outputv(&mut self, port: &Port, data: IoVec<'_>)";
    "control", RefMut, true, "ErlDrvSSizeT (*control)(ErlDrvData, unsigned int, char *, ErlDrvSizeT, char **, ErlDrvSizeT)", "fn control(&mut self, port: &Port, command: u32, data: &[u8], reply: &mut Reply) -> Result<(), Badarg>";
    "call", RefMut, true, "ErlDrvSSizeT (*call)(ErlDrvData, unsigned int, char *, ErlDrvSizeT, char **, ErlDrvSizeT, unsigned int *)", "fn call(&mut self, port: &Port, command: u32, args: Args) -> Result<Reply, CallError>";
    "ready_async", RefMut, false, "void (*ready_async)(ErlDrvData, ErlDrvThreadData)", "fn ready_async(&mut self, port: &Port, result: Self::Async)";
    "ready_input", RefMut, true, "void (*ready_input)(ErlDrvData, ErlDrvEvent)", "fn ready_input(&mut self, port: &Port, event: Event)";
    "ready_output", RefMut, true, "void (*ready_output)(ErlDrvData, ErlDrvEvent)", "fn ready_output(&mut self, port: &Port, event: Event)";
    "timeout", RefMut, false, "void (*timeout)(ErlDrvData)", "fn timeout(&mut self, port: &Port)";
    "flush", RefMut, true, "void (*flush)(ErlDrvData)", "fn flush(&mut self, port: &Port)";
    "process_exit", RefMut, true, "void (*process_exit)(ErlDrvData, ErlDrvMonitor *)", "fn process_exit(&mut self, port: &Port, monitor: Monitor)";
    "stop_select", None, false, "void (*stop_select)(ErlDrvEvent, void *)", "fn stop_select(event: Event)";
}

pub fn find(name: &str) -> Option<&'static Callback> {
    CALLBACKS.iter().find(|c| c.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::closest;

    #[test]
    fn suggests_close_names_only() {
        let names = || CALLBACKS.iter().map(|c| c.name);
        assert_eq!(closest("ouptut", names()), Some("output"));
        assert_eq!(closest("ready_inptu", names()), Some("ready_input"));
        assert_eq!(closest("controll", names()), Some("control"));
        assert_eq!(closest("frobnicate", names()), None);
    }

    #[test]
    fn table_is_unique_and_starts_with_start_required() {
        for (i, a) in CALLBACKS.iter().enumerate() {
            assert!(
                CALLBACKS[i + 1..].iter().all(|b| b.name != a.name),
                "{} twice",
                a.name
            );
        }
        assert!(!find("start").unwrap().optional_slot);
        assert_eq!(find("stop_select").unwrap().receiver, Receiver::None);
    }
}
