//! `api_misc_drv`: the smaller corners of the driver API. Erlang time (`erldrv::time`), the
//! busy limits of the port's message queue, the `os_pid` of `port_info`, the options the
//! port was opened with, ports the driver creates for its callers (`Port::create_port`), and
//! errno names. `beam-tests/test/api_misc_tests.erl` drives it. Declared `port_locking`,
//! which creating ports needs; `dl_drv` shows the refusal without it.
//!
//! Control commands are words, a verb and its arguments (`convert 1500 millisecond
//! second`); the command number is unused. Replies are text. `output` echoes the data
//! prefixed with the port's role (`parent:` or `child N:`), so the tests see which port got
//! it.
#![forbid(unsafe_code)]

use std::io;
use std::time::Duration;

use erldrv::term::Atom;
use erldrv::time::{self, TimeUnit};
use erldrv::{Badarg, BusyMsgqError, Driver, Port, Reply, StartError, erl_driver, errno_name};

static CHILD: Atom = Atom::new("child");

/// The state of a port: opened with `open_port/2` (a parent) or made by a parent.
pub struct ApiMisc {
    role: Role,
    /// Children made so far, for numbering them.
    children: u32,
    /// `create_in_stop`: try to create a port in `stop`, and tell the owner how it went.
    create_in_stop: bool,
}

#[derive(Clone, Copy)]
enum Role {
    Parent,
    Child(u32),
}

impl ApiMisc {
    fn new(role: Role) -> ApiMisc {
        ApiMisc {
            role,
            children: 0,
            create_in_stop: false,
        }
    }

    fn role(&self) -> String {
        match self.role {
            Role::Parent => "parent".to_owned(),
            Role::Child(n) => format!("child {n}"),
        }
    }

    /// The state for the next child.
    fn next_child(&mut self) -> ApiMisc {
        self.children += 1;
        ApiMisc::new(Role::Child(self.children))
    }
}

fn unit(word: &str) -> Result<TimeUnit, Badarg> {
    Ok(match word {
        "second" => TimeUnit::Second,
        "millisecond" => TimeUnit::Millisecond,
        "microsecond" => TimeUnit::Microsecond,
        "nanosecond" => TimeUnit::Nanosecond,
        _ => return Err(Badarg::because(format!("no time unit {word:?}"))),
    })
}

fn number<T: std::str::FromStr>(word: Option<&&str>) -> Result<T, Badarg> {
    word.and_then(|w| w.parse().ok()).ok_or(Badarg)
}

/// A `set_busy_msgq` limit: a number, or `keep`.
fn limit(word: Option<&&str>) -> Result<Option<usize>, Badarg> {
    match word {
        Some(&"keep") => Ok(None),
        w => number(w).map(Some),
    }
}

fn text(value: Option<impl ToString>) -> String {
    value.map_or_else(|| "none".to_owned(), |v| v.to_string())
}

/// A driver type other than this library's: its states cannot become ports of this driver.
pub struct Stranger;

// A candidate entry, so that this library's `driver_init` stays `ApiMisc`'s.
#[erl_driver(name = "stranger_drv", candidate)]
impl Driver for Stranger {
    fn start(_: &Port, _: &[u8]) -> Result<Self, StartError> {
        Ok(Stranger)
    }
}

// Port-level locking: OTP 25 creates ports only for such drivers (under the driver-wide
// lock `driver_create_port` would wait for the lock its caller holds).
#[erl_driver(port_locking)]
impl Driver for ApiMisc {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(ApiMisc::new(Role::Parent))
    }

    fn output(&mut self, port: &Port, data: &[u8]) {
        let mut reply = format!("{}:", self.role()).into_bytes();
        reply.extend_from_slice(data);
        port.output(&reply);
    }

    fn control(
        &mut self,
        port: &Port,
        _command: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        let words = std::str::from_utf8(data).map_err(|_| Badarg)?;
        let words: Vec<&str> = words.split_whitespace().collect();
        let Some((verb, args)) = words.split_first() else {
            return Err(Badarg);
        };
        let answer = match *verb {
            "role" => self.role(),
            // Time
            "monotonic" => text(time::monotonic_time(unit(args.first().ok_or(Badarg)?)?)),
            "offset" => text(time::time_offset(unit(args.first().ok_or(Badarg)?)?)),
            "system" => text(time::system_time(unit(args.first().ok_or(Badarg)?)?)),
            "monotonic_off_scheduler" => {
                let t = std::thread::scope(|s| {
                    s.spawn(|| time::monotonic_time(TimeUnit::Second))
                        .join()
                        .map_err(|_| Badarg)
                })?;
                text(t)
            }
            "convert" => {
                let [value, from, to] = args else {
                    return Err(Badarg);
                };
                let value: i64 = value.parse().map_err(|_| Badarg)?;
                text(time::convert_time_unit(value, unit(from)?, unit(to)?))
            }
            // The busy message queue
            "busy_msgq" => match port.busy_msgq_limits() {
                Some(l) => format!("{} {}", l.low, l.high),
                None => "disabled".to_owned(),
            },
            "set_busy_msgq" => {
                match port.set_busy_msgq_limits(limit(args.first())?, limit(args.get(1))?) {
                    Ok(l) => format!("{} {}", l.low, l.high),
                    Err(BusyMsgqError::Disabled) => "disabled".to_owned(),
                    Err(BusyMsgqError::InvalidLimit(n)) => format!("invalid {n}"),
                }
            }
            "disable_busy_msgq" => {
                port.disable_busy_msgq();
                "ok".to_owned()
            }
            // Holds the port (and its scheduler) for a while, after telling the owner, so
            // that command data sent meanwhile waits in the message queue.
            "sleep" => {
                let ms: u64 = number(args.first())?;
                port.output(b"sleeping");
                std::thread::sleep(Duration::from_millis(ms));
                "ok".to_owned()
            }
            // port_info
            "os_pid" => {
                port.set_os_pid(number(args.first())?);
                "ok".to_owned()
            }
            "flags" => {
                let f = port.open_flags();
                format!("binary={} line={}", f.binary, f.line)
            }
            // Ports made by the driver, for the caller, who receives {child, Port}
            "spawn_child" => {
                let caller = port.caller();
                let child = port
                    .create_port(caller, self.next_child())
                    .map_err(|e| Badarg::because(e.to_string()))?;
                port.send_term(caller, &(&CHILD, child))
                    .map_err(|e| Badarg::because(e.to_string()))?;
                "ok".to_owned()
            }
            "spawn_child_named" => {
                let name = args.first().ok_or(Badarg)?;
                let caller = port.caller();
                let child = port
                    .create_port_with(caller, name, self.next_child(), |state, child| {
                        let hello = format!("hello from {} in setup", state.role());
                        child.output(hello.as_bytes());
                    })
                    .map_err(|e| Badarg::because(e.to_string()))?;
                port.send_term(caller, &(&CHILD, child))
                    .map_err(|e| Badarg::because(e.to_string()))?;
                "ok".to_owned()
            }
            "spawn_child_bad_name" => {
                match port.create_port_with(port.caller(), "a\0b", self.next_child(), |_, _| {}) {
                    Ok(_) => "created".to_owned(),
                    Err(e) => format!("{:?}", e.kind()),
                }
            }
            "spawn_child_panicking" => {
                let caller = port.caller();
                let child = port
                    .create_port_with(caller, "panicking", self.next_child(), |_, _| {
                        panic!("deliberate panic in create_port setup")
                    })
                    .map_err(|e| Badarg::because(e.to_string()))?;
                port.send_term(caller, &(&CHILD, child))
                    .map_err(|e| Badarg::because(e.to_string()))?;
                "ok".to_owned()
            }
            "spawn_stranger" => match port.create_port(port.caller(), Stranger) {
                Ok(_) => "created".to_owned(),
                Err(e) => format!("{:?}", e.kind()),
            },
            "create_in_stop" => {
                self.create_in_stop = true;
                "ok".to_owned()
            }
            // errno names
            "errno" => text(errno_name(&io::Error::from_raw_os_error(number(
                args.first(),
            )?))),
            "errno_not_os" => text(errno_name(&io::Error::other("not from the OS"))),
            _ => return Err(Badarg),
        };
        reply.extend_from_slice(answer.as_bytes());
        Ok(())
    }

    fn stop(mut self, port: &Port) {
        if self.create_in_stop {
            let outcome = match port.create_port(port.connected(), self.next_child()) {
                Ok(_) => "created".to_owned(),
                Err(e) => format!("{:?}", e.kind()),
            };
            port.output(format!("create in stop: {outcome}").as_bytes());
        }
    }
}
