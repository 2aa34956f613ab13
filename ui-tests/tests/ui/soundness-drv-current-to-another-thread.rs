// A thread's identity lives as long as its thread: `drv_thread::Current` stays on it (it
// is not `Send`), so it cannot be compared after the VM freed it.
fn main() {
    let me = erldrv::drv_thread::current();
    let _ = std::thread::spawn(move || me.name());
}
