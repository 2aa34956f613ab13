//! The framework's own BEAM tests: each runs one Erlang module of `beam-tests/test` in a
//! fresh `erl` against the test drivers of `beam-tests/drivers`.

use std::ffi::OsString;
use std::fs;
use std::path::Path;
use std::process::Command;

use erldrv_harness::dialyzer::{Dialyzer, warned_lines};
use erldrv_harness::{ErlOutput, Eunit, beam_dir, build_driver, erl, workspace_root};

fn eunit(module: &str, drivers: &[&str]) -> Eunit {
    let root = workspace_root();
    let mut e = Eunit::new(root.join("beam-tests/test"))
        .src_dir(root.join("erlang/src"))
        .src_dir(root.join("erlang/test"))
        .module(module)
        // Two schedulers, so that port-level locking can show two ports running at once.
        .erl_args(["+S", "2:2"]);
    for d in drivers {
        e = e.driver(&build_driver(d));
    }
    e
}

fn assert_reported(out: &ErlOutput, text: &str) {
    assert!(
        out.stderr.contains(text),
        "expected {text:?} on the VM's stderr; output:\n{out}"
    );
}

/// A contained panic of driver `driver` in `callback`: the panic hook's line with the
/// message (once per panic) and the trampoline's line saying what became of it.
fn assert_panic_reported(out: &ErlOutput, driver: &str, callback: &str, message: &str) {
    assert_panic_reported_times(out, driver, callback, message, 1);
}

fn assert_panic_reported_times(
    out: &ErlOutput,
    driver: &str,
    callback: &str,
    message: &str,
    times: usize,
) {
    assert_reported(
        out,
        &format!("panic in `{callback}` of driver \"{driver}\" contained"),
    );
    let hook_line = format!("erldrv: driver \"{driver}\" panicked at ");
    let with_message = out
        .stderr
        .lines()
        .filter(|l| l.starts_with(&hook_line) && l.ends_with(&format!(": {message}")))
        .count();
    assert_eq!(
        with_message, times,
        "expected the message {message:?} {times} time(s), in the panic hook's line; \
         output:\n{out}"
    );
}

/// The port API, one feature per driver, each driven by the test module named after it
/// (the module, then its driver). Each has a test below; all of them run again without
/// async threads. (`lifecycle_finish_tests` unloads its driver, so it runs alone.)
const PORT_API: [(&str, &str); 9] = [
    ("lifecycle_tests", "lifecycle_drv"),
    ("lifecycle_start_tests", "lifecycle_drv"),
    ("replies_tests", "replies_drv"),
    ("timers_tests", "timers_drv"),
    ("async_tests", "async_drv"),
    ("output_tests", "output_drv"),
    ("queue_tests", "queue_drv"),
    ("monitors_tests", "monitors_drv"),
    ("select_tests", "select_drv"),
];

/// `init`, `start` and `stop`, exits, and who calls a port.
#[test]
fn lifecycle() {
    let out = eunit("lifecycle_tests", &["lifecycle_drv"]).run();
    // Panics in callbacks that have no Erlang process to tell are reported on stderr.
    assert_panic_reported(&out, "lifecycle_drv", "stop", "deliberate panic in stop");
}

#[test]
fn lifecycle_actions_from_start() {
    eunit("lifecycle_start_tests", &["lifecycle_drv"]).run();
}

#[test]
fn lifecycle_unload_runs_finish() {
    let out = eunit("lifecycle_finish_tests", &["lifecycle_drv"]).run();
    assert_panic_reported(
        &out,
        "lifecycle_drv",
        "finish",
        "deliberate panic in finish",
    );
}

#[test]
fn control_and_call_replies() {
    eunit("replies_tests", &["replies_drv"]).run();
}

#[test]
fn timers() {
    eunit("timers_tests", &["timers_drv"]).run();
}

#[test]
fn async_jobs() {
    eunit("async_tests", &["async_drv"]).run();
}

#[test]
fn output_without_copying() {
    eunit("output_tests", &["output_drv"]).run();
}

/// The worker pool: requests answered to each caller, cancellation, order, backpressure.
#[test]
fn worker_pool_and_requests() {
    eunit("pool_tests", &["pool_drv"]).run();
}

/// 100 ports × 1,000 jobs, closed while the jobs are in flight: nothing leaks, jobs of
/// closed ports do not start. Under each size of the VM's async pool.
#[test]
fn jobs_of_closed_ports_without_async_threads() {
    eunit("pool_cleanup_tests", &["pool_drv"])
        .erl_args(["+A", "0"])
        .run();
}

#[test]
fn jobs_of_closed_ports_one_async_thread() {
    eunit("pool_cleanup_tests", &["pool_drv"])
        .erl_args(["+A", "1"])
        .run();
}

#[test]
fn jobs_of_closed_ports_eight_async_threads() {
    eunit("pool_cleanup_tests", &["pool_drv"])
        .erl_args(["+A", "8"])
        .run();
}

/// 100 unload/load and reload cycles with jobs still running when their port closed.
#[test]
fn unload_with_jobs_running() {
    eunit("pool_unload_tests", &["pool_drv"]).run();
}

/// A pool job that ignores its `Cancel` at unload: a bounded wait, then the library stays
/// mapped under it and the VM survives.
#[test]
fn unload_with_a_stubborn_job() {
    let out = eunit("pool_stubborn_tests", &["pool_drv"]).run();
    assert_reported(
        &out,
        "erldrv: driver \"pool_drv\" is being unloaded, but a job of its worker pool is still \
         running after 300 ms and ignores its Cancel; the library stays mapped",
    );
}

/// Futures on the driver's async runtime (erldrv's `tokio` feature): 1,000 timers at once
/// on two runtime threads, panics, cancellation by timeout and by close, the bound.
#[test]
fn futures_on_the_async_runtime() {
    let out = eunit("futures_tests", &["futures_drv"]).run();
    // The panics are contained: reported once each, the VM and the port live on.
    for message in [
        "deliberate panic in a future",
        "deliberate panic in a spawn_future",
    ] {
        let lines = out
            .stderr
            .lines()
            .filter(|l| l.ends_with(&format!(": {message}")))
            .count();
        assert_eq!(
            lines, 1,
            "expected {message:?} once on stderr; output:\n{out}"
        );
    }
}

/// No thread of the async runtime survives the driver's unload; one that blocks past the
/// unload's wait is reported, and the library stays mapped for it.
#[test]
fn futures_runtime_joined_at_unload() {
    let out = eunit("futures_unload_tests", &["futures_drv"]).run();
    assert_reported(
        &out,
        "erldrv: driver \"futures_drv\" is being unloaded, but a thread of its async runtime \
         is still busy after 1000 ms",
    );
}

/// Term messages from async jobs, driver threads and plain threads, through a `Sender`.
#[test]
fn sender_from_other_threads() {
    eunit("sender_tests", &["sender_drv"]).run();
}

#[test]
fn driver_queue_and_flush() {
    eunit("queue_tests", &["queue_drv"]).run();
}

/// The driver queue from a producer and a consumer thread, a handle that outlives its port,
/// and misuse that would hang the VM.
#[test]
fn driver_queue_from_other_threads() {
    eunit("queue_handle_tests", &["queue_drv"]).run();
}

#[test]
fn process_monitors() {
    eunit("monitors_tests", &["monitors_drv"]).run();
}

#[test]
fn select_and_stop_select() {
    let out = eunit("select_tests", &["select_drv"]).run();
    // A descriptor the VM cannot poll never reached it.
    assert!(
        !out.stderr.contains("Bad input fd") && !out.stdout.contains("Bad input fd"),
        "the VM was handed a descriptor it cannot poll; output:\n{out}"
    );
    // Both ends of the pipe are released, and each stop_select panics.
    assert_panic_reported_times(
        &out,
        "select_drv",
        "stop_select",
        "deliberate panic in stop_select",
        2,
    );
}

/// Without async threads, `driver_async` runs the job and `ready_async` synchronously, from
/// inside the callback that spawned it. All of `PORT_API`, in one VM.
#[test]
fn port_api_without_async_threads() {
    let drivers: Vec<&str> = PORT_API.iter().map(|(_, driver)| *driver).collect();
    PORT_API[1..]
        .iter()
        .fold(eunit(PORT_API[0].0, &drivers), |e, (module, _)| {
            e.module(module)
        })
        .erl_args(["+A", "0"])
        .run();
}

/// Descriptors handed over with `select_owned`, by a driver without unsafe code: closed only
/// once the VM is done with them, also when their port closes first, and never one of the
/// VM's own.
#[test]
fn owned_descriptors() {
    let out = eunit("owned_fd_tests", &["owned_fd_drv"]).run();
    // The VM reports taking a descriptor from another port, a port that closed without
    // deselecting, or a stop_select it could not call, as error reports.
    for text in ["=ERROR REPORT", "stealing control", "without deselecting"] {
        assert!(
            !out.stderr.contains(text) && !out.stdout.contains(text),
            "the VM complained ({text:?}); output:\n{out}"
        );
    }
}

#[test]
fn port_locking_and_soft_busy() {
    eunit("locking_tests", &["locked_drv", "plain_drv"]).run();
}

#[test]
fn left_out_callbacks_are_null() {
    eunit("bare_tests", &["bare_drv"]).run();
}

#[test]
fn init_ack() {
    eunit("init_ack_tests", &["init_ack_drv"]).run();
}

#[test]
fn init_failures() {
    let out = eunit("init_fail_tests", &["init_fail_drv"]).run();
    // init_fail_tests makes init panic twice.
    assert_panic_reported_times(&out, "init_fail_drv", "init", "deliberate panic in init", 2);
    assert_reported(
        &out,
        "driver \"init_fail_drv\" failed to initialise: deliberate init error",
    );
}

/// `Port` methods where the VM cannot take them, reasons for callers, and panic reports.
#[test]
fn callback_contexts_and_reasons() {
    let out = eunit("contexts_tests", &["contexts_drv"]).run();
    // Each panic message reaches stderr once; a panic while closing says why the owner
    // cannot be told.
    assert_panic_reported_in_port(&out, "control", "deliberate panic in control");
    assert_panic_reported_in_port(&out, "call", "deliberate panic in call");
    assert_reported(
        &out,
        "panic in `flush` of driver \"contexts_drv\": the port was already closing",
    );
    // A 1 MiB message is cut on stderr, with its length stated; the owner got all of it.
    assert_reported(&out, "... (cut: the message has 1048576 bytes)");
    assert!(
        out.stderr.len() < 64 * 1024,
        "stderr holds {} bytes: a 1 MiB panic message was not cut",
        out.stderr.len()
    );
}

fn assert_panic_reported_in_port(out: &ErlOutput, callback: &str, message: &str) {
    assert_reported(
        out,
        &format!(
            "panic in `{callback}` of driver \"contexts_drv\": the owner is told, and the \
             port closes with reason erldrv_panic"
        ),
    );
    let once = out
        .stderr
        .lines()
        .filter(|l| l.ends_with(&format!(": {message}")))
        .count();
    assert_eq!(
        once, 1,
        "expected {message:?} once on stderr; output:\n{out}"
    );
}

/// Loading a driver whose `init` panics, over and over, with `RUST_BACKTRACE=1`: every
/// report symbolizes a backtrace, and nothing of it may stay behind when the library goes.
#[test]
fn panic_reports_leave_nothing_behind() {
    let out = eunit("panic_cycles_tests", &["init_fail_drv", "contexts_drv"])
        .env("RUST_BACKTRACE", "1")
        .run();
    assert_reported(&out, "stack backtrace:");
}

/// The term codec against the VM's own: random terms through decode and encode.
#[test]
fn term_codec_round_trips() {
    eunit("etf_tests", &["etf_drv"]).run();
}

/// Every kind of term output specification, received as the expected term; pids, port
/// ids and owned terms as values.
#[test]
fn term_output() {
    let out = eunit("terms_tests", &["terms_drv"]).run();
    // The pid written into a port_call reply: a panic, reported.
    assert_reported(
        &out,
        "panic in `call` of driver \"terms_drv\": the owner is told, and the port closes \
         with reason erldrv_panic",
    );
    assert_reported(&out, "a Pid cannot be written in the external term format");
}

/// Soundness: a driver without `unsafe` misuses the port API in every way the types allow
/// (`misuse_tests`); the VM survives each, with the default async pool and with `+A 0`.
/// (OTP 25 still starts one async thread under `+A 0`; the tests ask the driver where jobs
/// run, and check the inline order of re-entrant actions on VMs that run them inline.)
#[test]
fn misuse_is_harmless() {
    for args in [&[][..], &["+A", "0"]] {
        let out = eunit("misuse_tests", &["misuse_drv"]).erl_args(args).run();
        // Three values panic in Drop: the state's in stop, and two async results'.
        assert_panic_reported_times(&out, "misuse_drv", "stop", "deliberate panic in Drop", 3);
    }
}

/// `demonitor_process` inside `process_exit` on the monitor being delivered: OTP 25.2.3
/// segfaults when a driver does it; erldrv refuses it.
#[test]
fn misuse_demonitor_in_process_exit() {
    eunit("misuse_process_exit_tests", &["misuse_drv"]).run();
}

/// Misuses the VM answers oddly: `set_timer(u64::MAX)` (the VM fires it at once unless
/// clamped) and `monitored_process` of a removed monitor (the VM answers NIL).
#[test]
fn misuse_known_issues() {
    eunit("misuse_known_issues_tests", &["misuse_drv"]).run();
}

/// `erldrv:load/2` and `erldrv:load_priv/2` explain the usual load failures:
/// `load_errors_tests` checks each message against files broken on purpose here.
#[test]
fn load_errors_are_readable() {
    let bare = build_driver("bare_drv");
    let plain = build_driver("plain_drv");
    let terms = build_driver("terms_drv");
    let broken = beam_dir().join("load-errors");
    if broken.exists() {
        fs::remove_dir_all(&broken).unwrap();
    }
    let copy = |from: &Path, to: &str| {
        let to = broken.join(to);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(from, &to).unwrap_or_else(|e| panic!("copying to {}: {e}", to.display()));
    };
    // The library under cargo's name, not the driver's.
    copy(&bare.path, "libbare_drv.so");
    // A file name that is not the name of the driver inside.
    copy(&bare.path, "renamed_drv.so");
    // A second file for a driver name the test loads from the driver directory first.
    copy(&plain.path, "other/plain_drv.so");
    // An application directory for load_priv/2.
    copy(&terms.path, "fake_app/priv/terms_drv.so");
    fs::create_dir_all(broken.join("fake_app/ebin")).unwrap();
    fs::write(broken.join("garbage.so"), "not a shared library\n").unwrap();
    compile_c_library("no_driver_init.c", &broken.join("no_driver_init.so"));
    compile_c_library("wrong_version.c", &broken.join("wrong_version.so"));

    eunit("load_errors_tests", &["plain_drv"])
        .env("ERLDRV_BROKEN_DIR", &broken)
        .run();
}

/// Compiles `beam-tests/c/<source>` into the shared library `out` with the C compiler
/// (`$CC`, default `cc`), against the installed `erl_driver.h`.
fn compile_c_library(source: &str, out: &Path) {
    let cc = std::env::var_os("CC").unwrap_or_else(|| OsString::from("cc"));
    let mut cmd = Command::new(cc);
    cmd.args(["-shared", "-fPIC", "-o"])
        .arg(out)
        .arg("-I")
        .arg(erl().include_dir())
        .arg(workspace_root().join("beam-tests/c").join(source));
    if cfg!(target_os = "macos") {
        cmd.args(["-undefined", "dynamic_lookup"]);
    }
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("could not run {cmd:?}: {e}"));
    assert!(
        output.status.success(),
        "{cmd:?} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Threads a driver started, with `erldrv::thread::spawn` or with `std::thread` and the
/// documented `finish`, have stopped and been joined before the driver is unloaded.
#[test]
fn driver_threads_end_before_unload() {
    let out = eunit("threads_tests", &["threads_drv"]).run();
    assert_reported(
        &out,
        "erldrv: driver \"threads_drv\" is being unloaded and has waited 2 s for its thread \
         \"stubborn\" to stop",
    );
    assert_reported(&out, "deliberate panic in a driver thread");
}

/// The Erlang module `erldrv` against `erlside_drv`: `unload/1` with open ports,
/// `reload/2` between two copies of the driver (and `erl_ddll:reload/2` after
/// `erldrv:load/2`), and the reasons `open`, `control`, `call` and `load` raise.
#[test]
fn erlang_side() {
    let driver = build_driver("erlside_drv");
    let dir = beam_dir().join("erlside");
    if dir.exists() {
        fs::remove_dir_all(&dir).unwrap();
    }
    for copy in ["v1", "v2"] {
        fs::create_dir_all(dir.join(copy)).unwrap();
        fs::copy(&driver.path, dir.join(copy).join("erlside_drv.so")).unwrap();
    }
    fs::create_dir_all(dir.join("bad")).unwrap();
    fs::write(dir.join("bad/erlside_drv.so"), "not a shared library\n").unwrap();
    fs::create_dir_all(dir.join("empty")).unwrap();
    eunit("erlside_tests", &["erlside_drv"])
        .env("ERLSIDE_DIR", &dir)
        .run();
}

/// The reasons the runtime reports to callers, raised by `erldrv:open/2,3`,
/// `erldrv:control/3`, `erldrv:call/3` and `erldrv:load/2`.
#[test]
fn reasons_from_the_runtime() {
    eunit(
        "reasons_tests",
        &["replies_drv", "init_fail_drv", "contexts_drv"],
    )
    .run();
}

/// The driver API a C driver reaches directly, in safe Rust (`api_info_drv`): system info
/// under non-default `+A` and `+S`, a permanent driver, exit reasons named at run time and
/// from I/O errors, typed monitor results, `[]` from a binary-mode `control`, and an
/// environment value that is not UTF-8 (set here: `os:putenv/2` cannot make one).
#[test]
fn api_info() {
    use std::os::unix::ffi::OsStringExt;
    eunit("api_info_tests", &["api_info_drv"])
        .erl_args(["+A", "3", "+S", "3:3"])
        .env("API_INFO_RAW", OsString::from_vec(b"a\xffb".to_vec()))
        .run();
}

/// Both ends of the driver queue: push, push_binary, enqueue_iovec and push_iovec, by
/// reference, from a callback and from another thread; ranges outside are errors.
#[test]
fn driver_queue_both_ends() {
    eunit("queue_more_tests", &["queue_more_drv"]).run();
}

/// Memory from the VM's allocator: `DriverBuf` and `Binary::resize`, counted by
/// `erlang:memory/1`; a shared binary is copied, never resized under its other holders.
#[test]
fn driver_alloc_memory() {
    eunit("driver_alloc_tests", &["driver_alloc_drv"]).run();
}

/// `DriverAllocator` as a driver's global allocator: counted by the VM, any alignment, any
/// thread.
#[test]
fn driver_allocator_as_global_allocator() {
    eunit("global_alloc_tests", &["global_alloc_drv"]).run();
}

/// The VM's threads, locks and thread-specific data (`erldrv::drv_thread`,
/// `erldrv::drv_sync`): counters, producer and consumer, readers and writers, values per
/// thread, names in the VM and the OS, join, exit, panics, stack size.
#[test]
fn drv_threads_and_locks() {
    let out = eunit("drv_threads_tests", &["drv_threads_drv"]).run();
    // The thread's panic went through the panic hook once, and the VM lived on.
    assert_reported(&out, "deliberate panic in a VM thread");
    assert_reported(&out, "DrvMutex::lock on a mutex this thread holds already");
}

/// A VM thread still running at unload is stopped and joined before the unload returns.
#[test]
fn drv_threads_joined_at_unload() {
    eunit("drv_threads_unload_tests", &["drv_threads_drv"]).run();
}

/// Compressed terms from callers, in control and output data; lying sizes refused.
#[test]
fn compressed_terms() {
    eunit("compressed_tests", &["compressed_drv"]).run();
}

/// The entry chosen at load time (`erldrv::driver_init!`), refusals with their reason, and
/// which slots each entry fills.
#[test]
fn entry_chosen_at_load() {
    let out = eunit("choice_tests", &["choice_drv"]).run();
    assert_reported(
        &out,
        "driver \"choice_drv\" refused to load: CHOICE_DRV=refuse: no driver for this machine",
    );
    // choice_tests loads the panicking choice twice (erl_ddll, then erldrv:load/2).
    assert_panic_reported_times(
        &out,
        "choice_drv",
        "driver_init",
        "deliberate panic in driver_init",
        2,
    );
}

/// Erlang time read by the driver, busy message queue limits, `os_pid`, open flags, ports
/// the driver creates for its caller, and errno names.
#[test]
fn api_misc() {
    eunit("api_misc_tests", &["api_misc_drv"]).run();
}

/// A shared library opened through the VM, and a C function called through it.
#[test]
fn dl_library() {
    eunit("dl_tests", &["dl_drv"]).run();
}

/// Typed commands (`#[command]`): sync, async and bytes commands called by number from the
/// table `erldrv:commands/1` answers; refused arguments, panics, 1,000 async callers.
#[test]
fn typed_commands() {
    eunit("commands_tests", &["commands_drv"]).run();
}

/// Command results holding a `Pid` or `PortId`: sync ones reach `erldrv:command/3` (and a
/// generated client) by message, leaving the rest of the mailbox alone; async ones in their
/// reply. Without it the reply's encoding panics and the port closes.
#[test]
fn command_results_with_handles() {
    eunit("handles_tests", &["handles_drv"])
        .env("HANDLES_TMP", clients_scratch("handles"))
        .run();
}

/// A fresh, empty directory under `target/beam` for one test.
fn clients_scratch(name: &str) -> std::path::PathBuf {
    let dir = beam_dir().join("clients").join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `cmd`, panicking with its output unless it succeeds.
fn run_ok(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    text
}

/// The generated clients (`erldrv_gen`, `erldrv::command::client`): the Erlang client of
/// `clients_drv` generated, compiled and called for every type of the mapping table; the
/// checked-in clients under `beam-tests/generated/` up to date (`ERLDRV_BLESS=1`
/// rewrites them); an older interface's client refused at `open`, naming what differs;
/// 1,000 processes calling an async command through the client.
#[test]
fn generated_clients() {
    let root = workspace_root();
    eunit("clients_tests", &["clients_drv", "clients_old_drv"])
        .env("CLIENTS_TMP", clients_scratch("eunit"))
        .env("ERLDRV_GENERATED", root.join("beam-tests/generated"))
        .run();
}

/// Dialyzer (Debian's `erlang-dialyzer`) runs clean on the checked-in generated client and
/// on a fixture calling it as its specs allow, and reports each wrong call of another
/// fixture: the specs carry the types.
#[test]
fn generated_client_dialyzer() {
    let root = workspace_root();
    let sources = [
        root.join("erlang/src/erldrv.erl"),
        root.join("beam-tests/generated/clients_client.erl"),
        root.join("beam-tests/fixtures/clients_good.erl"),
        root.join("beam-tests/fixtures/clients_bad.erl"),
    ];
    let dialyzer = Dialyzer::new(&clients_scratch("dialyzer"), &sources, &["erldrv"]);
    let clean = dialyzer.analyse(&["clients_client", "clients_good"]);
    assert!(
        clean.contains("passed successfully"),
        "dialyzer found something in the client or the good fixture:\n{clean}"
    );
    let report = dialyzer.analyse(&["clients_client", "clients_bad"]);
    let bad = fs::read_to_string(&sources[3]).unwrap();
    let bad_lines: Vec<usize> = bad
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("(P) ->"))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(bad_lines.len(), 4);
    let reported = warned_lines(&report, "clients_bad.erl");
    for line in &bad_lines {
        assert!(
            reported.contains(line),
            "no report for clients_bad.erl:{line}:\n{report}"
        );
    }
    assert!(
        warned_lines(&report, "clients_client.erl").is_empty(),
        "the client itself has a warning:\n{report}"
    );
}

/// The checked-in Elixir client compiles with `elixirc --warnings-as-errors`, and its
/// functions, bang functions and exceptions work against the driver.
#[test]
fn generated_elixir_client() {
    // Elixir is installed (as root) when missing, else the test fails saying so.
    let elixirc = erldrv_harness::tools::elixirc().unwrap_or_else(|e| panic!("{e}"));
    let elixir = erldrv_harness::find_program("elixir")
        .unwrap_or_else(|| panic!("elixir is not on PATH beside {}", elixirc.display()));
    let root = workspace_root();
    let driver = build_driver("clients_drv");
    let dir = clients_scratch("elixir");
    let ebin = dir.join("ebin");
    let app = dir.join("clients_app");
    for d in [&ebin, &app.join("ebin"), &app.join("priv")] {
        fs::create_dir_all(d).unwrap();
    }
    fs::copy(&driver.path, app.join("priv/clients_drv.so")).unwrap();
    run_ok(
        Command::new("erlc")
            .args(["+warnings_as_errors", "-o"])
            .arg(&ebin)
            .arg(root.join("erlang/src/erldrv.erl")),
    );
    run_ok(
        Command::new(&elixirc)
            .args(["--warnings-as-errors", "-pa"])
            .arg(&ebin)
            .arg("-o")
            .arg(app.join("ebin"))
            .arg(root.join("beam-tests/generated/clients_client.ex")),
    );
    let script = dir.join("clients_test.exs");
    fs::write(&script, ELIXIR_CLIENT_SCRIPT).unwrap();
    let out = run_ok(
        Command::new(&elixir)
            .arg("-pa")
            .arg(&ebin)
            .arg("-pa")
            .arg(app.join("ebin"))
            .arg(&script),
    );
    assert!(out.contains("elixir client: all passed"), "{out}");
}

const ELIXIR_CLIENT_SCRIPT: &str = r##"
alias Clients.Client
check = fn name, got, want ->
  if got != want, do: raise("#{name}: got #{inspect(got)}, want #{inspect(want)}")
end

{:ok, port} = Client.open()
check.(:ints, Client.ints(port, 255, -1, 7, -9, 10), {255, -1, 7, -9, 10})
check.(:float, Client.float(port, 1.25), 2.5)
check.(:flag, Client.flag(port, false), true)
check.(:atom, Client.atom(port, :hello), {:hello, :flipped})
check.(:bin, Client.bin(port, <<1, 2>>), <<2, 1>>)
check.(:text, Client.text(port, "été"), "ÉTÉ")
check.(:list, Client.list(port, [1, 2, 3]), [3, 2, 1])
check.(:tuple, Client.tuple(port, {1, "a", false}), {false, "a", 1})
check.(:map, Client.map(port, %{"k" => 1}), %{"k" => 2})
check.(:option, Client.option(port, :undefined), :undefined)
check.(:or_nil, Client.or_nil(port, nil), nil)
check.(:or_nil, Client.or_nil(port, "x"), "x!")
check.(:result, Client.result(port, 3), {:ok, 3})
check.(:result, Client.result(port, -3), {:error, "-3 is negative"})
check.(:result!, Client.result!(port, 3), 3)
try do
  Client.result!(port, -3)
  raise "result! did not raise"
rescue
  e in Client.Error ->
    check.(:error_reason, {e.command, e.reason}, {:result, "-3 is negative"})
    check.(:error_message, Exception.message(e), "command result failed: \"-3 is negative\"")
end
check.(:store, Client.store(port, 4), :ok)
check.(:stored, Client.stored(port), 4)
check.(:nonzero!, Client.nonzero!(port, 1), :ok)
check.(:shift, Client.shift(port, %{x: 1, y: 1}, 1, 1), %{x: 2, y: 2})
check.(:grow, Client.grow(port, {:rect, %{x: 0, y: 0}, 1, 1}), {:rect, %{x: 0, y: 0}, 2, 2})
spot = %Client.Spot{label: "a", at: %{x: 1, y: 2}}
check.(:struct_default, spot.weight, nil)
moved = Client.move_spot(port, %{spot | weight: 3}, 1, 2)
check.(:move_spot, moved, %Client.Spot{label: "a", at: %{x: 2, y: 4}, weight: 4})
check.(:struct_kind, is_struct(moved, Client.Spot), true)
check.(:move_spot_map, Client.move_spot(port, %{label: "b", at: %{x: 0, y: 0}}, 0, 0),
  %Client.Spot{label: "b", at: %{x: 0, y: 0}, weight: 1})
try do
  Client.move_spot(port, %{__struct__: URI, label: "a", at: %{x: 0, y: 0}}, 0, 0)
  raise "move_spot did not raise"
rescue
  e in ArgumentError ->
    check.(:other_struct, e.message =~ "expected a %Clients.Client.Spot{} struct, found %URI{}", true)
end
check.(:add, Client.add(port, 1, 2), {:ok, 3})
check.(:add, Client.add(port, 1, 2, 1000), {:ok, 3})
check.(:add!, Client.add!(port, 1, 2), 3)
check.(:nonempty, Client.nonempty(port, ""), {:error, "empty"})
check.(:noop!, Client.noop!(port), :ok)
check.(:reverse, Client.reverse(port, "abc"), "cba")
try do
  Client.flag(port, 3)
  raise "flag did not raise"
rescue
  e in ArgumentError -> check.(:badarg, e.message =~ "command flag: expected true or false", true)
end
try do
  Client.add!(port, -1, 1)
  raise "add! did not raise"
rescue
  e in ArgumentError -> check.(:async_badarg, e.message =~ "command add:", true)
end
check.(:close, Client.close(port), :ok)
IO.puts("elixir client: all passed")
"##;

// The guide (`erldrv/src/guide/`): each chapter's whole driver is a driver here, run by the
// test of its chapter, and the chapter shows the driver's source exactly.

/// Asserts that chapter `chapter` of the guide shows `file` (relative to the workspace)
/// exactly: the code block right after the line `<!-- file -->`.
fn assert_guide_shows(chapter: &str, file: &str) {
    let root = workspace_root();
    let md_path = root.join("erldrv/src/guide").join(format!("{chapter}.md"));
    let md = fs::read_to_string(&md_path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", md_path.display()));
    let source =
        fs::read_to_string(root.join(file)).unwrap_or_else(|e| panic!("reading {file}: {e}"));
    let marker = format!("<!-- {file} -->");
    let mut lines = md.lines().skip_while(|l| *l != marker);
    assert!(
        lines.next().is_some(),
        "{}: no line {marker} before the code of {file}",
        md_path.display()
    );
    let fence = lines.next().unwrap_or_default();
    assert!(
        fence.starts_with("```"),
        "{}: {marker} must be followed by a code block",
        md_path.display()
    );
    let shown: String = lines
        .take_while(|l| *l != "```")
        .map(|l| format!("{l}\n"))
        .collect();
    if shown != source {
        let (n, (a, b)) = shown
            .lines()
            .chain(std::iter::repeat("<end>"))
            .zip(source.lines().chain(std::iter::repeat("<end>")))
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .unwrap_or((0, ("", "")));
        panic!(
            "{} shows other code than {file}: line {} of the block is\n  {a}\nbut the file has\n  {b}\n\
             Keep them identical (copy the file into the chapter).",
            md_path.display(),
            n + 1
        );
    }
}

/// A guide chapter's driver: its source is the chapter's, then its EUnit module runs.
fn guide_driver(chapter: &str, dir: &str, package: &str, module: &str) -> ErlOutput {
    assert_guide_shows(chapter, &format!("beam-tests/drivers/{dir}/src/lib.rs"));
    eunit(module, &[package]).run()
}

#[test]
fn guide_first_driver() {
    guide_driver(
        "first_driver",
        "guide_first",
        "upcase_drv",
        "guide_first_tests",
    );
}

#[test]
fn guide_typed_calls() {
    guide_driver(
        "typed_calls",
        "guide_terms",
        "stock_drv",
        "guide_terms_tests",
    );
}

#[test]
fn guide_async_work() {
    let out = guide_driver("async_work", "guide_async", "jobs_drv", "guide_async_tests");
    // No job panicked: the replies above are the jobs' own.
    assert!(!out.stderr.contains("panicked"), "{out}");
}

#[test]
fn guide_select() {
    guide_driver(
        "select",
        "guide_select",
        "loopback_drv",
        "guide_select_tests",
    );
}

#[test]
fn guide_timers() {
    guide_driver("timers", "guide_timers", "ticker_drv", "guide_timers_tests");
}

#[test]
fn guide_queue() {
    guide_driver("queue", "guide_queue", "spool_drv", "guide_queue_tests");
}

#[test]
fn guide_failures() {
    let out = guide_driver(
        "failures",
        "guide_failures",
        "fragile_drv",
        "guide_failures_tests",
    );
    // Each panic is on the VM's stderr, with what became of the port.
    assert_reported(
        &out,
        "panic in `control` of driver \"fragile_drv\": the owner is told, and the port \
         closes with reason erldrv_panic",
    );
    assert_reported(&out, "job panicked on purpose");
}

/// The testing chapter shows `examples/echo`'s tests as they are (`cargo test -p echo_drv`
/// runs them in the BEAM through `erldrv-test`).
#[test]
fn guide_testing() {
    assert_guide_shows("testing", "examples/echo/tests/beam.rs");
}

/// The porting chapter's C driver and its erldrv version pass one EUnit module.
#[test]
fn guide_porting() {
    assert_guide_shows("porting", "beam-tests/c/keeper_drv.c");
    let c_dir = beam_dir().join("guide-porting-c");
    fs::create_dir_all(&c_dir).unwrap();
    compile_c_library("keeper_drv.c", &c_dir.join("keeper_drv.so"));
    let root = workspace_root();
    Eunit::new(root.join("beam-tests/test"))
        .src_dir(root.join("erlang/src"))
        .src_dir(root.join("erlang/test"))
        .module("guide_porting_tests")
        .driver_dir(&c_dir)
        .run();
    guide_driver(
        "porting",
        "guide_porting",
        "keeper_drv",
        "guide_porting_tests",
    );
}
