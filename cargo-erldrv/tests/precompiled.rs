//! Precompiled drivers end to end: `cargo erldrv precompile` builds `examples/echo`'s
//! release artifact and checksum file, a small HTTP server on 127.0.0.1 serves it, and
//! `erldrv_precompiled` (the `erldrv` application) installs it in a real `erl`, which then
//! loads the driver and talks to it. Also: a wrong checksum refused with nothing
//! installed, a VM with no artifact of its own building from source when allowed and
//! saying how otherwise, and the offline cache.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use erldrv_harness::http::FileServer;
use erldrv_harness::{ErlOutput, compile_erl, erl, erl_string, run_captured, workspace_root};

/// Building echo in release mode from scratch, on a slow machine.
const BUILD_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// One VM's run of install/1 (a download from this machine) or of the driver.
const ERL_TIMEOUT: Duration = Duration::from_secs(120);

/// A fresh, empty directory under `target/cargo-erldrv/precompiled`.
fn scratch(name: &str) -> PathBuf {
    let dir = workspace_root()
        .join("target/cargo-erldrv/precompiled")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn shown(out: &ErlOutput) -> String {
    format!("{out}")
}

/// `erl -noshell -pa EBIN -eval CODE`, with `env` set.
fn eval(ebin: &Path, code: &str, env: &[(&str, &str)]) -> ErlOutput {
    let info = erl();
    let mut cmd = Command::new(&info.erl);
    cmd.arg("-noshell")
        .arg("-pa")
        .arg(ebin)
        .args(["-eval", code])
        .env_remove("ERLDRV_BUILD")
        .env_remove("ECHO_DRV_BUILD")
        .env_remove("ERLDRV_CACHE_DIR")
        .env_remove("ERLDRV_TARGET");
    for (k, v) in env {
        cmd.env(k, v);
    }
    run_captured(&mut cmd, ERL_TIMEOUT).unwrap_or_else(|e| panic!("running erl: {e}"))
}

/// Erlang source of an options map: `(key, Erlang term)` pairs.
fn options(pairs: &[(&str, String)]) -> String {
    let fields: Vec<String> = pairs.iter().map(|(k, v)| format!("{k} => {v}")).collect();
    format!("#{{{}}}", fields.join(", "))
}

fn s(path: &Path) -> String {
    erl_string(&path.display().to_string())
}

/// install/1 with `opts`, then `after` on success; prints `RESULT <term>` or
/// `ERROR <text>` and halts.
fn install(ebin: &Path, opts: &str, after: &str, env: &[(&str, &str)]) -> ErlOutput {
    let code = format!(
        "case erldrv_precompiled:install({opts}) of \
             {{ok, R}} -> io:format(\"RESULT ~p~n\", [R]), {after}, halt(0); \
             {{error, E}} -> io:format(\"ERROR ~ts~n\", [erldrv_precompiled:format_error(E)]), \
                             halt(1) \
         end."
    );
    eval(ebin, &code, env)
}

/// Loads echo_drv from `priv` and prints what `port_control/3` echoes.
fn talk(priv_dir: &Path) -> String {
    format!(
        "ok = erldrv:load({}, echo_drv), \
         P = open_port({{spawn_driver, \"echo_drv\"}}, [binary]), \
         io:format(\"ECHO ~p~n\", [port_control(P, 0, <<\"precompiled\">>)])",
        s(priv_dir)
    )
}

fn files_in(dir: &Path) -> Vec<String> {
    match fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn host_triple() -> String {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc).arg("-vV").output().expect("rustc -vV");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("a host line")
        .trim()
        .to_owned()
}

/// The workspace version, which echo_drv inherits.
fn workspace_version() -> String {
    let manifest = fs::read_to_string(workspace_root().join("Cargo.toml")).unwrap();
    manifest
        .split("[workspace.package]")
        .nth(1)
        .and_then(|p| {
            p.lines()
                .find_map(|l| l.trim().strip_prefix("version = \""))
                .and_then(|v| v.strip_suffix('"'))
        })
        .expect("a [workspace.package] version")
        .to_owned()
}

#[test]
fn precompiled_drivers_end_to_end() {
    // Fails, saying how to install Erlang/OTP, when it is missing.
    erl();
    let dir = scratch("e2e");
    let root = workspace_root();

    // --- cargo erldrv precompile ---
    let out_dir = dir.join("artifacts");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-erldrv"));
    cmd.args(["erldrv", "precompile", "--manifest-path"])
        .arg(root.join("examples/echo/Cargo.toml"))
        .arg("--out-dir")
        .arg(&out_dir);
    let out = run_captured(&mut cmd, BUILD_TIMEOUT).unwrap();
    assert!(out.success(), "cargo erldrv precompile failed:\n{out}");
    let version = workspace_version();
    // erldrv writes driver API 3.3 into the entry (erldrv-sys, checked against the header).
    let name = format!("echo_drv-v{version}-drv3.3-{}.so", host_triple());
    let artifact = out_dir.join(&name);
    let bytes = fs::read(&artifact).unwrap_or_else(|e| panic!("{name}: {e}\n{out}"));
    let checksum_file = out_dir.join("checksum-echo_drv.sha256");
    let checksums = fs::read_to_string(&checksum_file).unwrap();
    let line = checksums.lines().next().expect("a checksum line");
    let (digest, listed) = line.split_once("  ").expect("sha256sum's format");
    assert_eq!(listed, name);
    assert_eq!(digest.len(), 64);
    assert_eq!(
        out.stdout.trim(),
        line,
        "precompile prints the checksum line"
    );
    // A second run replaces its own line and keeps the others.
    let other = format!(
        "{}  echo_drv-v{version}-drv3.3-riscv64gc-unknown-linux-gnu.so",
        "0".repeat(64)
    );
    fs::write(&checksum_file, format!("{other}\n{line}\n")).unwrap();
    let out = run_captured(&mut cmd, BUILD_TIMEOUT).unwrap();
    assert!(out.success(), "{out}");
    let merged = fs::read_to_string(&checksum_file).unwrap();
    assert_eq!(merged.lines().count(), 2, "{merged}");
    assert!(merged.contains(&other) && merged.contains(line), "{merged}");
    fs::write(&checksum_file, format!("{line}\n")).unwrap();

    // erldrv's Erlang side, compiled.
    let ebin = dir.join("ebin");
    compile_erl(&[&root.join("erlang/src")], &ebin).unwrap_or_else(|e| panic!("{e}"));

    // The release, served: <base>/releases/v<version>/<artifact>.
    let served = dir.join("www");
    fs::create_dir_all(served.join(format!("releases/v{version}"))).unwrap();
    fs::copy(
        &artifact,
        served.join(format!("releases/v{version}/{name}")),
    )
    .unwrap();
    let server = FileServer::start(served.clone());
    let base_url = server.url("/releases/v{version}");
    let artifact_url = server.url(&format!("/releases/v{version}/{name}"));

    // --- (1) rebar3's way: erl -run erldrv_precompiled main CONFIG, downloaded, verified,
    // installed and cached; the version read from a crate's Cargo.toml. ---
    let project = dir.join("good");
    fs::create_dir_all(&project).unwrap();
    let manifest = project.join("Cargo.toml");
    fs::write(
        &manifest,
        format!("[package]\nname = \"echo_drv\"\nversion = \"{version}\"\n\n[lib]\ncrate-type = [\"cdylib\"]\n"),
    )
    .unwrap();
    let (priv_dir, cache) = (project.join("priv"), project.join("cache"));
    let config = project.join("rebar.config");
    fs::write(
        &config,
        format!(
            "{{erl_opts, [debug_info]}}.\n\
             {{erldrv_precompiled, [{{driver, echo_drv}}, {{version, {{cargo_toml, {}}}}},\n\
              {{priv_dir, {}}}, {{checksum_file, {}}}, {{base_url, {}}},\n\
              {{cache_dir, {}}}, {{build, never}}]}}.\n",
            s(&manifest),
            s(&priv_dir),
            s(&checksum_file),
            erl_string(&base_url),
            s(&cache)
        ),
    )
    .unwrap();
    let info = erl();
    let mut cmd = Command::new(&info.erl);
    cmd.arg("-noshell")
        .arg("-pa")
        .arg(&ebin)
        .args(["-run", "erldrv_precompiled", "main"])
        .arg(&config)
        .env_remove("ERLDRV_BUILD")
        .env_remove("ERLDRV_CACHE_DIR");
    let out = run_captured(&mut cmd, ERL_TIMEOUT).unwrap();
    assert!(out.success(), "installing from the server failed:\n{out}");
    assert!(
        out.stdout
            .contains(&format!("installed from {artifact_url}")),
        "{out}"
    );
    assert_eq!(
        server.requests(),
        vec![format!("/releases/v{version}/{name}")]
    );
    assert_eq!(fs::read(priv_dir.join("echo_drv.so")).unwrap(), bytes);
    assert_eq!(fs::read(cache.join(&name)).unwrap(), bytes, "not cached");
    assert_eq!(
        files_in(&priv_dir),
        vec!["echo_drv.so"],
        "temporary files left"
    );
    let out = eval(&ebin, &format!("{}, halt().", talk(&priv_dir)), &[]);
    assert!(
        out.stdout.contains("ECHO \"precompiled\""),
        "the installed driver does not answer:\n{out}"
    );
    // Again: the installed file is the artifact already, nothing is downloaded.
    let out = run_captured(&mut cmd, ERL_TIMEOUT).unwrap();
    assert!(out.success() && out.stdout.contains("is already"), "{out}");
    assert_eq!(server.requests().len(), 1);
    // A damaged cache entry (or one of an artifact rebuilt under the same name) is dropped
    // and the artifact downloaded again, checked, and installed.
    fs::write(cache.join(&name), b"not the artifact").unwrap();
    fs::remove_file(priv_dir.join("echo_drv.so")).unwrap();
    let out = run_captured(&mut cmd, ERL_TIMEOUT).unwrap();
    assert!(
        out.success()
            && out
                .stdout
                .contains(&format!("installed from {artifact_url}")),
        "a damaged cache entry was not replaced:\n{out}"
    );
    assert_eq!(server.requests().len(), 2);
    assert_eq!(fs::read(cache.join(&name)).unwrap(), bytes);
    assert_eq!(fs::read(priv_dir.join("echo_drv.so")).unwrap(), bytes);

    // --- (2) a wrong checksum: refused with the file and both digests, nothing installed,
    // nothing cached, and no build from source even where building is allowed. ---
    let wrong_dir = dir.join("wrong");
    fs::create_dir_all(&wrong_dir).unwrap();
    let wrong = "f".repeat(64);
    let wrong_checksums = wrong_dir.join("checksum-echo_drv.sha256");
    fs::write(&wrong_checksums, format!("{wrong}  {name}\n")).unwrap();
    let (priv_dir, cache) = (wrong_dir.join("priv"), wrong_dir.join("cache"));
    let marker = wrong_dir.join("built");
    let opts = options(&[
        ("driver", "echo_drv".into()),
        ("version", erl_string(&version)),
        ("priv_dir", s(&priv_dir)),
        ("checksum_file", s(&wrong_checksums)),
        ("base_url", erl_string(&base_url)),
        ("cache_dir", s(&cache)),
        ("build", "fallback".into()),
        (
            "build_command",
            format!(
                "[\"sh\", \"-c\", {}]",
                erl_string(&format!("touch {}", marker.display()))
            ),
        ),
    ]);
    let out = install(&ebin, &opts, "ok", &[]);
    assert!(
        !out.success(),
        "a wrong checksum was accepted:\n{}",
        shown(&out)
    );
    let expected = format!(
        "ERROR checksum mismatch for {artifact_url}: expected SHA-256 {wrong}, found {digest}; \
         nothing was installed"
    );
    assert!(out.stdout.contains(&expected), "no {expected:?} in:\n{out}");
    assert!(
        files_in(&priv_dir).is_empty(),
        "installed: {:?}",
        files_in(&priv_dir)
    );
    assert!(
        files_in(&cache).is_empty(),
        "cached: {:?}",
        files_in(&cache)
    );
    assert!(
        !marker.exists(),
        "a checksum mismatch fell back to building"
    );

    // --- (3) no artifact for this VM's target. ---
    let missing_dir = dir.join("missing");
    fs::create_dir_all(&missing_dir).unwrap();
    let other_only = missing_dir.join("checksum-echo_drv.sha256");
    fs::write(&other_only, format!("{other}\n")).unwrap();
    let priv_dir = missing_dir.join("priv");
    let cache = missing_dir.join("cache");
    let base = |checksums: &Path| {
        vec![
            ("driver", "echo_drv".to_owned()),
            ("version", erl_string(&version)),
            ("priv_dir", s(&priv_dir)),
            ("checksum_file", s(checksums)),
            ("base_url", erl_string(&base_url)),
            ("cache_dir", s(&cache)),
        ]
    };
    // Building not allowed: the error names the URL and how to build from source.
    let out = install(&ebin, &options(&base(&other_only)), "ok", &[]);
    assert!(!out.success(), "{out}");
    let not_listed = format!(
        "ERROR no precompiled driver for this VM (driver API 3.3, target {}): {} lists no \
         {name}, which would be downloaded from {artifact_url}",
        host_triple(),
        other_only.display()
    );
    assert!(
        out.stdout.contains(&not_listed),
        "no {not_listed:?} in:\n{out}"
    );
    assert!(
        out.stdout
            .contains("set ERLDRV_BUILD=1 (or ECHO_DRV_BUILD=1)"),
        "{out}"
    );
    assert!(files_in(&priv_dir).is_empty());
    // Listed, but not on the server: the URL tried and the server's answer.
    let empty_release = dir.join("checksum-listed.sha256");
    fs::write(&empty_release, format!("{line}\n")).unwrap();
    let mut opts = base(&empty_release);
    opts[4].1 = erl_string(&server.url("/releases/none"));
    let out = install(&ebin, &options(&opts), "ok", &[]);
    let tried = format!(
        "ERROR cannot download {name} from {}: HTTP 404 Not Found; to build from source",
        server.url(&format!("/releases/none/{name}"))
    );
    assert!(
        !out.success() && out.stdout.contains(&tried),
        "no {tried:?} in:\n{out}"
    );

    // Building allowed: built from source (a real cargo build, and the library installed as
    // native/build.sh does), loaded, answering.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |d| root.join(d));
    let release_lib = target_dir.join("release/libecho_drv.so");
    let script = format!(
        "'{cargo}' build --release --manifest-path '{}' && mkdir -p '{}' && cp '{}' '{}'",
        root.join("examples/echo/Cargo.toml").display(),
        priv_dir.display(),
        release_lib.display(),
        priv_dir.join("echo_drv.so").display()
    );
    let build_command = format!("[\"sh\", \"-c\", {}]", erl_string(&script));
    let mut opts = base(&other_only);
    opts.push(("build", "fallback".into()));
    opts.push(("build_command", build_command.clone()));
    let out = install(&ebin, &options(&opts), &talk(&priv_dir), &[]);
    assert!(out.success(), "building from source failed:\n{out}");
    assert!(
        out.stdout.contains("source => build") && out.stdout.contains("ECHO \"precompiled\""),
        "{out}"
    );
    // Forced by the environment, although an artifact matches and building is `never`.
    fs::remove_dir_all(&priv_dir).unwrap();
    let before = server.requests().len();
    let mut opts = base(&checksum_file);
    opts.push(("build", "never".into()));
    opts.push(("build_command", build_command));
    let out = install(&ebin, &options(&opts), "ok", &[("ECHO_DRV_BUILD", "1")]);
    assert!(
        out.success() && out.stdout.contains("why => forced"),
        "ECHO_DRV_BUILD=1 did not build:\n{out}"
    );
    assert_eq!(
        server.requests().len(),
        before,
        "downloaded while forced to build"
    );

    // --- (4) offline: no server, the artifact in the cache directory. ---
    let offline = dir.join("offline");
    let (priv_dir, cache) = (offline.join("priv"), offline.join("cache"));
    fs::create_dir_all(&cache).unwrap();
    fs::copy(&artifact, cache.join(&name)).unwrap();
    let mut opts = vec![
        ("driver", "echo_drv".to_owned()),
        ("version", erl_string(&version)),
        ("priv_dir", s(&priv_dir)),
        ("checksum_file", s(&checksum_file)),
    ];
    let out = install(
        &ebin,
        &options(&opts),
        &talk(&priv_dir),
        &[("ERLDRV_CACHE_DIR", &cache.display().to_string())],
    );
    assert!(out.success(), "installing from the cache failed:\n{out}");
    assert!(
        out.stdout.contains("source => cache") && out.stdout.contains("ECHO \"precompiled\""),
        "{out}"
    );
    // The cache is checked too: offline (no base URL), a corrupt cached file is refused,
    // naming it. (With a base URL it is dropped and downloaded again: part 1.)
    fs::remove_dir_all(&priv_dir).unwrap();
    let mut corrupt = bytes.clone();
    corrupt[100] ^= 0xff;
    fs::write(cache.join(&name), &corrupt).unwrap();
    opts.push(("cache_dir", s(&cache)));
    let out = install(&ebin, &options(&opts), "ok", &[]);
    let refused = format!(
        "ERROR checksum mismatch for {}: expected SHA-256 {digest}",
        cache.join(&name).display()
    );
    assert!(
        !out.success() && out.stdout.contains(&refused),
        "no {refused:?} in:\n{out}"
    );
    assert!(files_in(&priv_dir).is_empty());

    // The reader and the mapping, for the record of what this VM is.
    let out = eval(
        &ebin,
        "io:format(\"~p~n\", [[erldrv_precompiled:rust_target(A) || A <- \
         [\"x86_64-pc-linux-gnu\", \"aarch64-unknown-linux-musl\", \"arm64-apple-darwin21.6.0\", \
          \"win32\"]]]), halt().",
        &[],
    );
    let expected = "[{ok,\"x86_64-unknown-linux-gnu\"},\n {ok,\"aarch64-unknown-linux-musl\"},\n \
                    {ok,\"aarch64-apple-darwin\"},\n {error,{unknown_target,\"win32\"}}]";
    assert!(out.stdout.contains(expected), "{out}");
}
