//! Project automation, run as `cargo xtask <command>` (an alias defined in
//! `.cargo/config.toml`). One function per command.

mod bench;
mod otp;
mod release;

use std::env;
use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use erldrv_harness::{
    Profile, compile_erl, erl_string, install_driver, try_build_driver, wait_timeout,
};

const USAGE: &str = "\
Usage: cargo xtask <command>

Commands:
  test [-- <cargo test args>]
        The full check, as CI runs it: makes sure Erlang/OTP is installed
        (installing it with apt-get when run as root), then runs
        cargo fmt --check, cargo clippy, cargo test and cargo doc, packages
        the published crates (cargo package, verified; never published) and
        builds them with the Rust of their rust-version (installed with
        rustup when missing).
        Example: cargo xtask test -- -p echo_drv -- --nocapture
  demo  Builds the example drivers (echo_drv, kv_drv, hash_drv, udp_drv,
        callers_drv) and talks to them from a real erl; for callers_drv, measures
        jobs/s with 1 and 16 callers on one port against one gen_server (about 5 s;
        the bench measures properly).
  bench [--quick] [--rounds N]
        Times erldrv drivers against hand-written C drivers doing the same
        work, in one erl (release builds, cc -O2), with a C NIF and a port
        program for context, then measures memory over 10 million control
        calls. Prints a table and writes target/bench/results.json and
        target/bench/chart.svg. --quick: a short smoke run with rough numbers
        and a short memory test; --rounds N: timed rounds per case (default 9).
  release-check
        What a release needs, without the rest of the tests: every file
        naming erldrv's version names the workspace's, the published crates
        package (verified, never published), and they build with their
        rust-version's toolchain. RELEASING.md has the whole procedure.
  help  Shows this text.
";

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let (command, rest) = match args.split_first() {
        Some((command, rest)) => (command.as_str(), rest),
        None => ("", &[][..]),
    };
    let result = match command {
        "test" => test(rest),
        "demo" => demo(rest),
        "bench" => bench::bench(rest),
        "release-check" => release_check(rest),
        "help" | "-h" | "--help" => {
            print!("{USAGE}");
            Ok(())
        }
        "" => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
        other => {
            eprint!("error: unknown command `{other}`\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nerror: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo xtask test`: the project's single test command.
fn test(args: &[String]) -> Result {
    let cargo_test_args = match args.split_first() {
        None => &[][..],
        Some((dashes, rest)) if dashes == "--" => rest,
        Some((other, _)) => {
            return Err(format!(
                "unexpected argument `{other}`; put arguments for cargo test after `--`"
            ));
        }
    };
    const STEPS: usize = 7;

    header(1, STEPS, "Erlang/OTP");
    otp::ensure()?;

    header(2, STEPS, "cargo fmt --all -- --check");
    run(cargo().args(["fmt", "--all", "--", "--check"]))?;

    // `--all-features` everywhere: optional features (erldrv's `serde`) are checked,
    // tested and documented like the rest.
    header(
        3,
        STEPS,
        "cargo clippy --workspace --all-features --all-targets -- -D warnings",
    );
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-features",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;

    let mut cargo_test = cargo();
    cargo_test
        .args(["test", "--workspace", "--all-features"])
        .args(cargo_test_args);
    header(4, STEPS, &shown(&cargo_test));
    run(&mut cargo_test)?;

    header(
        5,
        STEPS,
        "RUSTDOCFLAGS=\"-D warnings\" cargo doc --workspace --all-features --no-deps",
    );
    run(cargo()
        .args(["doc", "--workspace", "--all-features", "--no-deps"])
        .env("RUSTDOCFLAGS", "-D warnings"))?;

    let published = release::published()?;
    header(6, STEPS, &package_title(&published));
    release::package(&published)?;

    header(7, STEPS, MSRV_TITLE);
    match release::msrv(&published)? {
        release::Msrv::Checked => println!("\nAll checks passed."),
        // The one check a machine without rustup's server cannot make: said at the end,
        // where it cannot be missed, and not hidden behind "passed".
        release::Msrv::NotInstallable(why) => {
            println!("\nAll checks passed but one.\n\nWARNING: {why}.");
        }
    }
    Ok(())
}

/// `cargo xtask release-check`: the version check, the package check and the rust-version
/// check, the steps of `cargo xtask test` a release adds to the usual ones.
fn release_check(args: &[String]) -> Result {
    if let Some(arg) = args.first() {
        return Err(format!("release-check takes no arguments, got `{arg}`"));
    }
    const STEPS: usize = 3;

    header(1, STEPS, "One version in every file that names it");
    let mismatches = release::version_mismatches(erldrv_harness::workspace_root())?;
    if !mismatches.is_empty() {
        return Err(format!(
            "the project's version differs between files:\n  {}",
            mismatches.join("\n  ")
        ));
    }
    println!("ok");

    let published = release::published()?;
    header(2, STEPS, &package_title(&published));
    release::package(&published)?;

    header(3, STEPS, MSRV_TITLE);
    if let release::Msrv::NotInstallable(why) = release::msrv(&published)? {
        return Err(why);
    }
    println!("\nReady to release.");
    Ok(())
}

/// The title of the package step.
fn package_title(published: &[release::Published]) -> String {
    let names: Vec<&str> = published.iter().map(|c| c.name.as_str()).collect();
    format!(
        "cargo package --allow-dirty --all-features -p {}, then erldrv-sys's tests from its .crate",
        names.join(" -p ")
    )
}

/// The title of the rust-version step.
const MSRV_TITLE: &str =
    "rust-version: cargo check --all-features of the published crates with that toolchain";

/// The whole demo session may take this long before it is killed; it
/// normally takes about five seconds, the callers demo's four timed runs.
const DEMO_TIMEOUT: Duration = Duration::from_secs(60);

/// The example drivers the demo builds: the package, the session module (in `xtask/demo`)
/// that drives it, the directory of its Erlang client if it has one, and the application
/// whose `priv` a generated client loads the driver from (`erldrv_gen`'s `open/0`), if so.
const DEMOS: [(&str, &str, Option<&str>, Option<&str>); 5] = [
    ("echo_drv", "echo_demo", None, None),
    ("kv_drv", "kv_demo", Some("examples/kv/erlang"), Some("kv")),
    ("hash_drv", "hash_demo", Some("examples/hash/erlang"), None),
    ("udp_drv", "udp_demo", Some("examples/udp/erlang"), None),
    (
        "callers_drv",
        "callers_demo",
        Some("examples/callers/erlang"),
        None,
    ),
];

/// `cargo xtask demo`: builds the example drivers and drives them from `erl`, one session
/// module (`xtask/demo/*_demo.erl`) per driver.
fn demo(args: &[String]) -> Result {
    if let Some(arg) = args.first() {
        return Err(format!("demo takes no arguments, got `{arg}`"));
    }
    const STEPS: usize = 3;

    header(1, STEPS, "Erlang/OTP");
    let info = otp::ensure()?;

    let packages: Vec<&str> = DEMOS.iter().map(|(package, ..)| *package).collect();
    header(
        2,
        STEPS,
        &format!(
            "Build the example drivers (cargo build -p {})",
            packages.join(" -p ")
        ),
    );
    let mut runs = Vec::new();
    let mut app_ebins = Vec::new();
    for (package, module, _, app) in DEMOS {
        let mut driver = try_build_driver(package, Profile::Debug)?;
        if let Some(app) = app {
            // The generated client loads the driver from `code:priv_dir(App)`: make the
            // application's directory, with the driver in `priv` and `ebin` in the path.
            let dir = erldrv_harness::beam_dir().join("demo-apps").join(app);
            driver = install_driver(&driver.path, &driver.name, &dir.join("priv"))?;
            let ebin = dir.join("ebin");
            std::fs::create_dir_all(&ebin)
                .map_err(|e| format!("could not create {}: {e}", ebin.display()))?;
            app_ebins.push(ebin);
        }
        println!("driver: {}", driver.path.display());
        runs.push(format!(
            "{module}:run({})",
            erl_string(&driver.dir.to_string_lossy())
        ));
    }

    header(3, STEPS, "Talk to them from erl (xtask/demo/*_demo.erl)");
    let root = erldrv_harness::workspace_root();
    let ebin = erldrv_harness::beam_dir().join("ebin").join("xtask-demo");
    let mut sources = vec![
        root.join("xtask").join("demo"),
        root.join("erlang").join("src"),
    ];
    sources.extend(
        DEMOS
            .iter()
            .filter_map(|(_, _, client, _)| client.map(|c| root.join(c))),
    );
    compile_erl(
        &sources.iter().map(|p| p.as_path()).collect::<Vec<_>>(),
        &ebin,
    )?;
    let mut erl = Command::new(&info.erl);
    erl.arg("-noshell").arg("-pa").arg(&ebin);
    for app_ebin in &app_ebins {
        erl.arg("-pa").arg(app_ebin);
    }
    erl.arg("-eval")
        // Each run/1 reports its own failures and halts with 1.
        .arg(format!("{}, halt().", runs.join(", ")))
        // No erl_crash.dump in the current directory if the VM gives up.
        .env("ERL_CRASH_DUMP_SECONDS", "0")
        .stdin(Stdio::null());
    let shown = shown(&erl);
    let mut child = erl
        .spawn()
        .map_err(|e| format!("could not run {shown}: {e}"))?;
    match wait_timeout(&mut child, DEMO_TIMEOUT) {
        Ok(Some(status)) if status.success() => Ok(()),
        Ok(Some(status)) => Err(format!("the demo failed ({status})")),
        Ok(None) => Err(format!("the demo did not finish within {DEMO_TIMEOUT:?}")),
        Err(e) => Err(format!("waiting for {shown}: {e}")),
    }
}

/// Prints the title of step `n` of `total`, before the step runs.
fn header(n: usize, total: usize, title: &str) {
    println!("\n==> [{n}/{total}] {title}");
}

/// A `cargo` command run from the workspace root. `$CARGO` is the cargo
/// that runs this xtask; use the same one (and so the same toolchain).
fn cargo() -> Command {
    let mut cmd = Command::new(env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo")));
    cmd.current_dir(erldrv_harness::workspace_root());
    cmd
}

/// Runs `cmd` with inherited stdio; an error unless it exits with 0.
fn run(cmd: &mut Command) -> Result {
    let status = cmd
        .status()
        .map_err(|e| format!("could not run {}: {e}", shown(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", shown(cmd)))
    }
}

/// `cmd` as a readable command line: program file name and arguments.
fn shown(cmd: &Command) -> String {
    let program = Path::new(cmd.get_program())
        .file_name()
        .unwrap_or(cmd.get_program())
        .to_string_lossy()
        .into_owned();
    cmd.get_args()
        .map(|arg| arg.to_string_lossy())
        .fold(program, |line, arg| {
            if arg.is_empty() || arg.contains(char::is_whitespace) {
                format!("{line} '{arg}'")
            } else {
                format!("{line} {arg}")
            }
        })
}

#[cfg(test)]
mod tests {
    /// The README's demo command works: every example driver builds and answers every
    /// request (each demo module halts the VM with status 1 on any unexpected reply).
    #[test]
    fn demo_runs() {
        super::demo(&[]).unwrap();
    }
}
