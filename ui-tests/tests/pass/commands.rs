// Commands of every kind beside hand-written callbacks they do not collide with: `control`
// with sync and async commands, and the methods still callable from Rust.
use erldrv::command::{self, CommandKind};
use erldrv::*;

struct Kv {
    n: i64,
}

#[erl_driver(name = "kv_drv")]
impl Driver for Kv {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Kv { n: 0 })
    }

    fn control(&mut self, _: &Port, _: u32, data: &[u8], reply: &mut Reply) -> Result<(), Badarg> {
        reply.extend_from_slice(data);
        Ok(())
    }

    /// Adds.
    #[command]
    fn add(&mut self, port: &Port, n: i64) -> Result<i64, String> {
        let _ = port;
        self.n += n;
        Ok(self.n)
    }

    #[command]
    fn get<'a>(&self, key: &'a str, default: Option<&'a [u8]>) -> (&'a str, Option<&'a [u8]>) {
        (key, default)
    }

    #[command(async, id = 3)]
    fn slow(cancel: &Cancel, r#type: String, (a, b): (u8, u8)) -> Result<(), String> {
        let _ = (cancel, r#type, a, b);
        Ok(())
    }
}

fn main() {
    let mut kv = Kv { n: 1 };
    let _ = kv.get("k", None);
    let table = command::commands::<Kv>();
    assert_eq!(table.len(), 3);
    assert_eq!(table[0].kind, CommandKind::Sync);
    assert_eq!(table[0].doc, "Adds.");
    assert_eq!(table[2].id, 3);
    assert_eq!(table[2].args[0].name, "type");
    assert_eq!(table[2].args[1].name, "arg2");
    assert_eq!(table[2].args[1].ty, "(u8, u8)");
    assert_eq!(table[2].ret, "Result<(), String>");
    kv.n += 1;
    assert_eq!(kv.n, 2);
}
