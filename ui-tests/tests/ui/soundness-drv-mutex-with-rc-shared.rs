// A `DrvMutex` hands its value to other threads: a value that is not `Send` (an `Rc`)
// makes the mutex neither `Send` nor `Sync`.
use std::rc::Rc;
use std::sync::Arc;

use erldrv::drv_sync::DrvMutex;

fn main() {
    let m = Arc::new(DrvMutex::new("m", Rc::new(0u8)).unwrap());
    let _ = erldrv::drv_thread::spawn("other", move |_stop| **m.lock());
}
