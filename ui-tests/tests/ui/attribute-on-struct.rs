// The attribute belongs on the `impl Driver for ...` block, not on the state type. The
// impl below, left without the attribute, then also lacks the `type Async` the attribute
// would have added: rustc's E0046 after ours is expected.
use erldrv::*;

#[erl_driver(name = "foo_drv")]
struct Foo;

impl Driver for Foo {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Foo)
    }
}

fn main() {}
