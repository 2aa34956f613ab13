#![forbid(unsafe_code)]
// Reaching the driver API from `stop_select` through the raw port: the raw API is `unsafe`,
// and a driver that forbids `unsafe` cannot call it.
use erldrv::*;
use std::sync::atomic::{AtomicPtr, Ordering};

static RAW: AtomicPtr<sys::_erl_drv_port> = AtomicPtr::new(std::ptr::null_mut());

struct Foo;

#[erl_driver(name = "foo_drv")]
impl Driver for Foo {
    fn start(port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        RAW.store(port.as_raw(), Ordering::Relaxed);
        Ok(Foo)
    }

    fn stop_select(_event: Event) {
        let raw = RAW.load(Ordering::Relaxed);
        unsafe { sys::driver_output(raw, c"closed".as_ptr().cast_mut(), 6) };
    }
}

fn main() {}
