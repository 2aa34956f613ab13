// A generic driver: the VM needs one concrete driver entry.
use erldrv::*;

struct Foo<T>(T);

#[erl_driver(name = "foo_drv")]
impl<T: Default + Send + 'static> Driver for Foo<T> {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo(T::default()))
    }
}

fn main() {}
