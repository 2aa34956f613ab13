//! `plain_drv`: the gate driver (see `beam-tests/gate/gate.rs`) with no flags: one lock for the
//! whole driver, and no `soft_busy`.

include!("../../../gate/gate.rs");

gate_driver!();
