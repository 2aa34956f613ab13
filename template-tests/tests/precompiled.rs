//! A project generated from the template, switched to precompiled drivers as its README
//! says, installs its driver without Rust: `cargo erldrv precompile` makes the artifact
//! and checksum file, a server on 127.0.0.1 serves the artifact, and `rebar3 eunit` runs
//! with no cargo on `PATH`, the driver downloaded, verified and installed by
//! `native/driver.sh` (erldrv_precompiled).

use std::env;
use std::ffi::OsString;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use erldrv_harness::http::FileServer;
use erldrv_harness::{ErlOutput, erl, run_captured, tools, workspace_root};

const NAME: &str = "pre_drv";
const GENERATE_TIMEOUT: Duration = Duration::from_secs(120);
const BUILD_TIMEOUT: Duration = Duration::from_secs(30 * 60);

fn run_ok(cmd: &mut Command, timeout: Duration) -> ErlOutput {
    let out = run_captured(cmd, timeout).unwrap_or_else(|e| panic!("could not run {cmd:?}: {e}"));
    assert!(out.success(), "{cmd:?} failed:\n{out}");
    out
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

#[test]
fn generated_project_installs_a_precompiled_driver_without_rust() {
    erl();
    let rebar3 = tools::rebar3().unwrap_or_else(|e| panic!("{e}"));
    let root = workspace_root();
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("template");
    let dest = scratch.join("precompiled");
    let _ = fs::remove_dir_all(&dest);
    fs::create_dir_all(&dest).unwrap();
    // The template tests' shared target directory: erldrv is built there already.
    let cargo_target = scratch.join("cargo-target");
    let cargo = env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));

    let mut define = OsString::from("erldrv_checkout=");
    define.push(root);
    run_ok(
        Command::new(tools::cargo_generate().unwrap_or_else(|e| panic!("{e}")))
            .arg("generate")
            .arg("--path")
            .arg(root.join("template"))
            .args(["--name", NAME, "--vcs", "none", "--silent", "--destination"])
            .arg(&dest)
            .args(["--define", "build_tool=rebar3", "--define"])
            .arg(define),
        GENERATE_TIMEOUT,
    );
    let project = dest.join(NAME);

    // The maintainer's side: cargo erldrv precompile (built from this workspace).
    run_ok(
        Command::new(&cargo)
            .args(["build", "-p", "cargo-erldrv"])
            .current_dir(root),
        BUILD_TIMEOUT,
    );
    let cargo_erldrv = root.join("target/debug/cargo-erldrv");
    let cargo_erldrv = match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir).join("debug/cargo-erldrv"),
        None => cargo_erldrv,
    };
    let artifacts = dest.join("artifacts");
    let out = run_ok(
        Command::new(&cargo_erldrv)
            .args(["erldrv", "precompile", "--manifest-path"])
            .arg(project.join("native").join(NAME).join("Cargo.toml"))
            .arg("--out-dir")
            .arg(&artifacts)
            .env("CARGO_TARGET_DIR", &cargo_target),
        BUILD_TIMEOUT,
    );
    let (digest, name) = out
        .stdout
        .trim()
        .split_once("  ")
        .unwrap_or_else(|| panic!("no checksum line:\n{out}"));
    assert!(
        name.starts_with(&format!("{NAME}-v0.1.0-drv3.3-")),
        "{name}"
    );
    let artifact = fs::read(artifacts.join(name)).unwrap();

    // Published: the artifact on a server, the checksum file in the project.
    let www = dest.join("www");
    fs::create_dir_all(www.join("v0.1.0")).unwrap();
    fs::copy(artifacts.join(name), www.join("v0.1.0").join(name)).unwrap();
    let server = FileServer::start(www);
    let port = server.port();
    let checksum_file = format!("checksum-{NAME}.sha256");
    fs::copy(artifacts.join(&checksum_file), project.join(&checksum_file)).unwrap();

    // Switched to precompiled drivers, as the README says; never built here.
    let config = project.join("rebar.config");
    let text = read(&config);
    let switched = text.replace(
        "[{build, always},",
        &format!("[{{build, never}}, {{base_url, \"http://127.0.0.1:{port}/v{{version}}\"}},"),
    );
    assert_ne!(
        switched, text,
        "no {{build, always}} in rebar.config:\n{text}"
    );
    fs::write(&config, switched).unwrap();

    // A user without Rust: no cargo on PATH, nor $CARGO.
    let cache = dest.join("cache");
    let out = run_ok(
        Command::new(&rebar3)
            .arg("eunit")
            .current_dir(&project)
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env_remove("CARGO")
            .env_remove("ERLDRV_BUILD")
            .env("ERLDRV_CACHE_DIR", &cache),
        BUILD_TIMEOUT,
    );
    assert!(
        out.stdout.contains(&format!(
            "installed from http://127.0.0.1:{port}/v0.1.0/{name}"
        )),
        "rebar3 did not install the precompiled driver:\n{out}"
    );
    assert!(out.stdout.contains(", 0 failures"), "{out}");
    assert_eq!(server.requests().as_slice(), [format!("/v0.1.0/{name}")]);
    assert_eq!(
        fs::read(project.join("priv").join(format!("{NAME}.so"))).unwrap(),
        artifact
    );
    assert_eq!(fs::read(cache.join(name)).unwrap(), artifact);
    assert_eq!(digest.len(), 64);

    // A tampered checksum file: refused, naming the URL, and nothing replaced.
    fs::remove_file(project.join("priv").join(format!("{NAME}.so"))).unwrap();
    fs::remove_dir_all(&cache).unwrap();
    let wrong = "0".repeat(64);
    fs::write(project.join(&checksum_file), format!("{wrong}  {name}\n")).unwrap();
    let out = run_captured(
        Command::new(&rebar3)
            .arg("compile")
            .current_dir(&project)
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env_remove("CARGO")
            .env("ERLDRV_CACHE_DIR", &cache),
        BUILD_TIMEOUT,
    )
    .unwrap();
    assert!(!out.success(), "a wrong checksum was accepted:\n{out}");
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(
        text.contains(&format!(
            "checksum mismatch for http://127.0.0.1:{port}/v0.1.0/{name}: expected SHA-256 \
             {wrong}, found {digest}"
        )),
        "{out}"
    );
    assert!(!project.join("priv").join(format!("{NAME}.so")).exists());
    fs::remove_dir_all(&dest).unwrap();
}
