//! `dl_drv`: a shared library opened through the VM (`erldrv::dl`), and C functions of it
//! called from a driver command. `beam-tests/test/dl_tests.erl` drives it.
//!
//! The library the tests open is this driver's own (`dl_drv.so`; the VM appends the
//! extension, so a versioned `libm.so.6` cannot be named): it exports [`dl_drv_hypot`],
//! and through its dependency on the C math library, which `hypot` brings in, `cos` is
//! found too (a symbol search covers the library's dependencies).
//!
//! Not `forbid(unsafe_code)`: looking a symbol up is `unsafe` by design (its type cannot be
//! checked), and that is what this driver tests.
//!
//! Control commands are words: `open Path` opens a library (replacing the one open) and
//! replies `ok` or the error; `cos X` calls `cos` of the open library; `sym Name` looks a
//! symbol up and replies `ok` or the error; `close` drops the library. `create_port` tries
//! to create a port, which this driver, without port-level locking, cannot
//! (`api_misc_drv` has the ports that can).

use erldrv::dl::Library;
use erldrv::{Badarg, Driver, Port, Reply, StartError, erl_driver};

pub struct Dl {
    library: Option<Library>,
}

type Cos = unsafe extern "C" fn(f64) -> f64;
type Hypot = unsafe extern "C" fn(f64, f64) -> f64;

/// Exported for the tests to find through `erldrv::dl`.
#[unsafe(no_mangle)]
pub extern "C" fn dl_drv_hypot(x: f64, y: f64) -> f64 {
    x.hypot(y)
}

#[erl_driver]
impl Driver for Dl {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Dl { library: None })
    }

    fn control(
        &mut self,
        port: &Port,
        _command: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        let words = std::str::from_utf8(data).map_err(|_| Badarg)?;
        let (verb, arg) = words.split_once(' ').unwrap_or((words, ""));
        let answer = match verb {
            "open" => match Library::open(arg) {
                Ok(library) => {
                    self.library = Some(library);
                    "ok".to_owned()
                }
                Err(e) => format!("error: {e}"),
            },
            "cos" => {
                let library = self.library.as_ref().ok_or(Badarg::because("no library"))?;
                let x: f64 = arg.parse().map_err(|_| Badarg)?;
                // SAFETY: the tests open this driver's library, whose dependency, the C
                // math library, defines `double cos(double)`.
                let cos = unsafe { library.get::<Cos>("cos") }
                    .map_err(|e| Badarg::because(e.to_string()))?;
                // SAFETY: `cos` is defined for every double, and the library is open.
                let y = unsafe { (*cos)(x) };
                format!("{y}")
            }
            "hypot" => {
                let library = self.library.as_ref().ok_or(Badarg::because("no library"))?;
                let (x, y) = arg.split_once(' ').ok_or(Badarg)?;
                let (x, y): (f64, f64) = (
                    x.parse().map_err(|_| Badarg)?,
                    y.parse().map_err(|_| Badarg)?,
                );
                // SAFETY: `dl_drv_hypot` above is `extern "C" fn(f64, f64) -> f64`.
                let hypot = unsafe { library.get::<Hypot>("dl_drv_hypot") }
                    .map_err(|e| Badarg::because(e.to_string()))?;
                // SAFETY: defined for all doubles; the library is open.
                let z = unsafe { (*hypot)(x, y) };
                format!("{z}")
            }
            "sym" => {
                let library = self.library.as_ref().ok_or(Badarg::because("no library"))?;
                // SAFETY: looked up as a plain address and never dereferenced.
                match unsafe { library.get::<*const u8>(arg) } {
                    Ok(_) => "ok".to_owned(),
                    Err(e) => format!("error: {e}"),
                }
            }
            "sym_wrong_size" => {
                let library = self.library.as_ref().ok_or(Badarg::because("no library"))?;
                // SAFETY: refused before any lookup: a u8 cannot hold an address.
                match unsafe { library.get::<u8>("cos") } {
                    Ok(_) => "ok".to_owned(),
                    Err(e) => format!("error: {e}"),
                }
            }
            "create_port" => match port.create_port(port.caller(), Dl { library: None }) {
                Ok(_) => "created".to_owned(),
                Err(e) => format!("{:?}: {e}", e.kind()),
            },
            "close" => {
                self.library = None;
                "ok".to_owned()
            }
            _ => return Err(Badarg),
        };
        reply.extend_from_slice(answer.as_bytes());
        Ok(())
    }
}
