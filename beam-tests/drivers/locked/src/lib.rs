//! `locked_drv`: the gate driver (see `beam-tests/gate/gate.rs`) with port-level locking,
//! `soft_busy` and `no_busy_msgq`.

include!("../../../gate/gate.rs");

gate_driver!(port_locking, soft_busy, no_busy_msgq);
