// The VM's mutex must be unlocked by the thread that locked it: a `DrvMutexGuard` is not
// `Send`, so it cannot be moved into another thread (rustc's own bound error).
use erldrv::drv_sync::DrvMutex;

fn main() {
    let m: &'static DrvMutex<u32> = Box::leak(Box::new(DrvMutex::new("m", 0).unwrap()));
    let guard = m.lock();
    let _ = erldrv::drv_thread::spawn("unlocker", move |_stop| drop(guard));
}
