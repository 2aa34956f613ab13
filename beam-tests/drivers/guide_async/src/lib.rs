#![forbid(unsafe_code)]

use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use erldrv::term::Atom;
use erldrv::{Badarg, Cancelled, Driver, Port, Reply, StartError, erl_driver};

static COUNTED: Atom = Atom::new("counted");

/// The state of one port: a log that ordered jobs append to.
struct Jobs {
    log: Arc<Mutex<String>>,
}

/// Waits `ms` milliseconds (a stand-in for slow work), giving up when cancelled.
fn slow(cancel: &erldrv::Cancel, ms: u64) -> Result<(), Cancelled> {
    let deadline = Instant::now() + Duration::from_millis(ms);
    while Instant::now() < deadline {
        cancel.check()?;
        thread::sleep(Duration::from_millis(1));
    }
    Ok(())
}

fn millis(text: &str) -> Result<u64, Badarg> {
    text.trim()
        .parse()
        .map_err(|_| Badarg::because("expected milliseconds"))
}

#[erl_driver(name = "jobs_drv", workers = 2, queue = 16)]
impl Driver for Jobs {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Jobs {
            log: Arc::default(),
        })
    }

    fn control(
        &mut self,
        port: &Port,
        cmd: u32,
        data: &[u8],
        reply: &mut Reply,
    ) -> Result<(), Badarg> {
        // Command 0 is quick: the log, answered from here ({ok, Log} to erldrv:request/4).
        if cmd == 0 {
            reply.extend_from_slice(
                self.log
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .as_bytes(),
            );
            return Ok(());
        }
        // Refuse before taking the request: a request dropped unanswered answers
        // {error, erldrv_no_reply}.
        let request = || {
            port.request()
                .ok_or(Badarg::because("use erldrv:request/4"))
        };
        match cmd {
            // The sum of the bytes, on any worker: {ok, Sum}.
            1 => {
                let data = data.to_vec(); // lent for this call only: the job keeps a copy
                let _ = request()?.spawn(move |cancel| -> Result<u64, Cancelled> {
                    let mut sum = 0;
                    for chunk in data.chunks(4096) {
                        cancel.check()?;
                        sum += chunk.iter().map(|&b| u64::from(b)).sum::<u64>();
                    }
                    Ok(sum)
                });
            }
            // Waits that many milliseconds, or until cancelled: {ok, Ms}.
            2 => {
                let ms = millis(&String::from_utf8_lossy(data))?;
                let _ = request()?.spawn(move |cancel| slow(cancel, ms).map(|()| ms));
            }
            // "Ms Text": after Ms milliseconds, appends Text to the log, in the order the
            // requests came: {ok, Log}.
            3 => {
                let data = String::from_utf8_lossy(data);
                let (ms, text) = data
                    .split_once(' ')
                    .ok_or(Badarg::because("expected \"Ms Text\""))?;
                let (ms, text) = (millis(ms)?, text.to_owned());
                let log = Arc::clone(&self.log);
                let _ = request()?.spawn_ordered(move |cancel| {
                    slow(cancel, ms)?;
                    let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
                    log.push_str(&text);
                    Ok::<String, Cancelled>(log.clone())
                });
            }
            _ => return Err(Badarg::because(format!("unknown command {cmd}"))),
        }
        Ok(())
    }

    // port_command(Port, Data): counted on a worker; the owner receives
    // {Port, counted, Bytes} from there.
    fn output(&mut self, port: &Port, data: &[u8]) {
        let sender = port.sender();
        let len = data.len() as u64;
        let _ = port.spawn_job(move |_cancel| {
            let _ = sender.output_term(&(sender.port_id(), &COUNTED, len));
        });
    }
}
