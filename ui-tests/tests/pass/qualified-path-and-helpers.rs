// The trait named by its full path, `ready_async` taking `Self::Async` (left to its
// default, `()`), and helper methods in a separate impl block, which the attribute does
// not see.
struct Counter {
    count: u32,
}

impl Counter {
    fn bump(&mut self) -> u32 {
        self.count += 1;
        self.count
    }
}

#[erldrv::erl_driver(name = "counter_drv")]
impl erldrv::Driver for Counter {
    fn start(_port: &erldrv::Port, _command: &[u8]) -> Result<Self, erldrv::StartError> {
        Ok(Counter { count: 0 })
    }

    fn output(&mut self, port: &erldrv::Port, _data: &[u8]) {
        let n = self.bump();
        port.output(&n.to_be_bytes());
    }

    fn ready_async(&mut self, _port: &erldrv::Port, _result: Result<Self::Async, erldrv::JobPanic>) {}
}

fn main() {}
