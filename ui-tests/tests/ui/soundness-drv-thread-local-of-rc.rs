// A `DrvThreadLocal` drops every thread's value on the thread that drops it, so its values
// must be `Send`: one of `Rc`s is refused.
use std::rc::Rc;

use erldrv::drv_sync::DrvThreadLocal;

fn main() {
    let _ = DrvThreadLocal::<Rc<u8>>::new("rcs");
}
