//! A driver built with `panic = "abort"` would take the whole VM down on any panic, so the
//! build must fail and say why.

use std::path::Path;
use std::process::Command;

#[test]
fn panic_abort_is_a_compile_error() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(root)
        .args([
            "check",
            "--quiet",
            "-p",
            "echo_drv",
            "--config",
            "profile.dev.panic=\"abort\"",
        ])
        // Its own target dir: the outer `cargo test` holds the lock on the usual one.
        .arg("--target-dir")
        .arg(root.join("target/panic-abort"))
        .output()
        .expect("run cargo check");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "the build succeeded with panic = \"abort\":\n{stderr}"
    );
    assert!(
        stderr.contains("erldrv needs `panic = \"unwind\"`"),
        "the build failed without the explanation:\n{stderr}"
    );
}
