//! `api_info_drv`: the parts of the driver API a C driver reaches directly, in safe Rust:
//! what the VM is (`system_info`), making the driver permanent, exit reasons named at run
//! time, monitor results that say why, `[]` from a binary-mode `control`, and environment
//! values that are not UTF-8. `beam-tests/test/api_info_tests.erl` drives it.
//!
//! Control commands are words, a verb and its argument (`exit_atom closed_7`); the command
//! number is unused. Replies are text unless the verb says otherwise.
#![forbid(unsafe_code)]

use erldrv::{
    Badarg, DemonitorError, Driver, ExitReason, MonitorError, Pid, Port, Reply, StartError,
    erl_driver,
};

/// The state of a port.
pub struct ApiInfo {
    /// A process `remember_caller` saw, to monitor after it has exited.
    remembered: Option<Pid>,
}

#[erl_driver]
impl Driver for ApiInfo {
    fn start(port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        port.set_control_binary(true);
        Ok(ApiInfo { remembered: None })
    }

    fn control(
        &mut self,
        port: &Port,
        _command: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        // Split on the first space only: arguments may hold any bytes.
        let (verb, arg) = match data.iter().position(|&b| b == b' ') {
            Some(i) => (&data[..i], &data[i + 1..]),
            None => (data, &b""[..]),
        };
        let verb = std::str::from_utf8(verb).map_err(|_| Badarg)?;
        let text = || std::str::from_utf8(arg).map_err(|_| Badarg);
        match verb {
            "system_info" => {
                let i = erldrv::system_info();
                let line = format!(
                    "{}.{} {} {} {} {} {} {} {}.{} {}",
                    i.driver_major_version,
                    i.driver_minor_version,
                    i.erts_version,
                    i.otp_release,
                    i.thread_support,
                    i.smp_support,
                    i.async_threads,
                    i.scheduler_threads,
                    i.nif_major_version,
                    i.nif_minor_version,
                    i.dirty_scheduler_support
                );
                reply.extend_from_slice(line.as_bytes());
            }
            "lock_driver" => reply.extend_from_slice(port.lock_driver().to_string().as_bytes()),
            // The atom's name comes from the caller here, to test the checks; a real
            // driver computes it from a bounded set.
            "exit_atom" => match ExitReason::atom_from(text()?) {
                Ok(reason) => port.exit(reason),
                Err(e) => return Err(Badarg::because(e.to_string())),
            },
            "exit_io" => {
                let e = match text()? {
                    // A real OS error: ENOENT.
                    "missing_file" => std::fs::File::open("/nonexistent/api_info_drv")
                        .expect_err("the file does not exist"),
                    // Errors without an OS code: by kind, and the fallback.
                    "timed_out" => std::io::Error::new(std::io::ErrorKind::TimedOut, "late"),
                    "other" => std::io::Error::other("no errno"),
                    _ => return Err(Badarg),
                };
                port.exit(ExitReason::from(e));
            }
            "remember_caller" => self.remembered = Some(port.caller()),
            "monitor_remembered" => {
                let pid = self.remembered.ok_or(Badarg)?;
                let answer = match port.monitor_process(pid) {
                    Ok(_) => "monitor",
                    Err(MonitorError::NoProcess) => "no_process",
                    Err(MonitorError::Stopping) => "stopping",
                    Err(_) => "refused",
                };
                reply.extend_from_slice(answer.as_bytes());
            }
            "demonitor_twice" => {
                let m = port.monitor_process(port.caller()).map_err(|_| Badarg)?;
                let name = |r: Result<(), DemonitorError>| match r {
                    Ok(()) => "ok",
                    Err(DemonitorError::NoMonitor) => "no_monitor",
                    Err(_) => "refused",
                };
                let first = name(port.demonitor_process(&m));
                let second = name(port.demonitor_process(&m));
                reply.extend_from_slice(format!("{first} {second}").as_bytes());
            }
            "empty_list" => reply.set_empty_list(),
            "empty_list_then" => {
                // Writing after set_empty_list starts a normal reply again.
                reply.set_empty_list();
                reply.extend_from_slice(arg);
            }
            "written_then_empty_list" => {
                reply.extend_from_slice(&[7; 4096]);
                reply.set_empty_list();
            }
            "empty_list_in_list_mode" => {
                port.set_control_binary(false);
                reply.set_empty_list();
            }
            "empty" => {}
            "env_bytes" => match erldrv::env::var_bytes(text()?) {
                Some(v) => reply.extend_from_slice(&v),
                None => reply.set_empty_list(),
            },
            "env_os" => match erldrv::env::var_os(text()?) {
                Some(v) => reply.extend_from_slice(v.as_encoded_bytes()),
                None => reply.set_empty_list(),
            },
            "env_str" => match erldrv::env::var(text()?) {
                Some(v) => reply.extend_from_slice(v.as_bytes()),
                None => reply.set_empty_list(),
            },
            _ => return Err(Badarg),
        }
        Ok(())
    }

    // Monitors are only made and removed here; the entry needs process_exit all the same,
    // or the VM refuses them.
    fn process_exit(&mut self, _port: &Port, _monitor: erldrv::Monitor) {}
}
