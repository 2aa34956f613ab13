//! `cargo erldrv precompile`: a driver's release artifact and its checksum, for libraries
//! whose users install the driver without a Rust toolchain (`erldrv_precompiled` in the
//! `erldrv` Erlang application downloads, verifies and installs it).
//!
//! The artifact is the release library itself, byte for byte what ends up as
//! `priv/<driver>.so`, named
//!
//! ```text
//! <driver>-v<version>-drv<major>.<minor>-<target triple>.so
//! ```
//!
//! - `<version>` is the driver crate's version;
//! - `<major>.<minor>` is the driver API version the library's own driver entry declares
//!   (`major_version`/`minor_version` after `ERL_DRV_EXTENDED_MARKER`), read from the built
//!   file: that is what the VM compares with its own when it loads the driver (major equal,
//!   minor not above its own), so the name says exactly which VMs take it. The installed
//!   `erl_driver.h` says what the VM on the build machine supports, which can be newer than
//!   what erldrv-sys writes into the entry;
//! - `<target triple>` is `--target`'s, or rustc's host triple.
//!
//! The file is not compressed: what is downloaded is what is installed, so its SHA-256 in
//! the checksum file is also the checksum of the installed driver, and nothing needs a
//! decompressor. The checksum file has `sha256sum`'s format (`<hex digest>  <file name>`,
//! one artifact a line): the Erlang side reads it, `sha256sum -c` checks a directory of
//! downloaded artifacts with it, and files from several build machines merge by
//! concatenation. Each run replaces the line of its own artifact and keeps the others.

use std::ffi::OsString;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use super::{BuildSpec, Error, Flags, build, err};

/// `cargo erldrv precompile --help`.
pub const USAGE: &str = "\
Builds an erldrv driver crate in release mode and writes its release artifact and checksum.

Usage: cargo erldrv precompile --out-dir DIR [OPTIONS]

Writes DIR/<driver>-v<version>-drv<major>.<minor>-<target>.so (the release library, the
driver API version read from its driver entry) and adds its SHA-256 to the checksum file,
in sha256sum's format, replacing the line of an artifact of the same name.

Options:
  --out-dir DIR           where the artifact goes
  --checksum-file FILE    the checksum file to update (default: DIR/checksum-<driver>.sha256);
                          the library ships it, erldrv_precompiled reads it
  --target TRIPLE         build for TRIPLE (cargo build --target); default: rustc's host
  -p, --package SPEC      the package to build (as cargo's --package)
  --manifest-path PATH    the Cargo.toml to build (as cargo's --manifest-path)
  -h, --help              print this help

Exit status: 0 done, 2 an error.";

/// The command line of `precompile`.
#[derive(Debug, Default, PartialEq)]
pub struct Options {
    out_dir: PathBuf,
    checksum_file: Option<PathBuf>,
    target: Option<String>,
    package: Option<String>,
    manifest_path: Option<PathBuf>,
}

impl Options {
    /// The arguments after `precompile`. `None` for `--help`.
    pub fn parse(args: &[OsString]) -> Result<Option<Options>, Error> {
        let mut out_dir = None;
        let mut o = Options::default();
        let mut flags = Flags::new(args.iter());
        while let Some(flag) = flags.next_flag() {
            match flag.as_str() {
                "--out-dir" => out_dir = Some(PathBuf::from(flags.value(&flag)?)),
                "--checksum-file" => o.checksum_file = Some(flags.value(&flag)?.into()),
                "--target" => o.target = Some(flags.text(&flag)?),
                "-p" | "--package" => o.package = Some(flags.text(&flag)?),
                "--manifest-path" => o.manifest_path = Some(flags.value(&flag)?.into()),
                "-h" | "--help" => return Ok(None),
                _ => {
                    return err(format!(
                        "unknown option `{}` (see precompile --help)",
                        flags.arg()
                    ));
                }
            }
        }
        match out_dir {
            Some(dir) => o.out_dir = dir,
            None => return err("precompile needs --out-dir DIR: where to write the artifact"),
        }
        Ok(Some(o))
    }
}

/// Builds, names, writes the artifact and updates the checksum file.
pub fn run(o: &Options) -> Result<(), Error> {
    let target = match &o.target {
        Some(t) => t.clone(),
        None => host_triple()?,
    };
    let artifact = build(&BuildSpec {
        release: true,
        package: o.package.as_deref(),
        manifest_path: o.manifest_path.as_deref(),
        target: o.target.as_deref(),
    })?;
    if artifact.version.is_empty() {
        return err(format!(
            "cargo did not say the version of the package of {}",
            artifact.path.display()
        ));
    }
    let bytes = fs::read(&artifact.path)
        .map_err(|e| Error(format!("cannot read {}: {e}", artifact.path.display())))?;
    let (major, minor) = driver_api(&bytes, big_endian(&target)).map_err(|why| {
        Error(format!(
            "{}: {why}; is it an erldrv driver built for {target}?",
            artifact.path.display()
        ))
    })?;
    let name = artifact_name(&artifact.driver, &artifact.version, (major, minor), &target);
    fs::create_dir_all(&o.out_dir)
        .map_err(|e| Error(format!("cannot create {}: {e}", o.out_dir.display())))?;
    let out = o.out_dir.join(&name);
    write_atomically(&out, &bytes)?;
    let digest = sha256_hex(&bytes);
    let checksum_file = o.checksum_file.clone().unwrap_or_else(|| {
        o.out_dir
            .join(format!("checksum-{}.sha256", artifact.driver))
    });
    let old = match fs::read_to_string(&checksum_file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return err(format!("cannot read {}: {e}", checksum_file.display())),
    };
    let merged = merge_checksums(&old, &name, &digest)
        .map_err(|why| Error(format!("{}: {why}", checksum_file.display())))?;
    if let Some(dir) = checksum_file.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)
            .map_err(|e| Error(format!("cannot create {}: {e}", dir.display())))?;
    }
    write_atomically(&checksum_file, merged.as_bytes())?;
    eprintln!("     Written {}", out.display());
    eprintln!("     Updated {}", checksum_file.display());
    println!("{digest}  {name}");
    Ok(())
}

/// The artifact's file name: `<driver>-v<version>-drv<major>.<minor>-<target>.so`, as
/// `erldrv_precompiled:artifact_name/4` spells it. `.so` on every target: the VM opens
/// `<driver>.so` on macOS too.
pub fn artifact_name(
    driver: &str,
    version: &str,
    (major, minor): (i32, i32),
    target: &str,
) -> String {
    format!("{driver}-v{version}-drv{major}.{minor}-{target}.so")
}

/// `rustc -vV`'s host triple (`$RUSTC` when cargo sets it).
fn host_triple() -> Result<String, Error> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(&rustc)
        .arg("-vV")
        .output()
        .map_err(|e| Error(format!("cannot run {}: {e}", Path::new(&rustc).display())))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(|h| h.trim().to_owned())
        .ok_or_else(|| Error("rustc -vV does not name its host triple: give --target".into()))
}

/// Whether `target`'s integers are big-endian (the entry's fields are read in its order).
fn big_endian(target: &str) -> bool {
    let arch = target.split('-').next().unwrap_or(target);
    matches!(
        arch,
        "s390x" | "powerpc" | "powerpc64" | "mips" | "mips64" | "sparc" | "sparc64" | "m68k"
    )
}

/// `ERL_DRV_EXTENDED_MARKER`, the field before the entry's driver API version.
const EXTENDED_MARKER: u32 = 0xfeee_eeed;

/// The driver API version (`major_version`, `minor_version`) of the driver entries in the
/// library `bytes`: the two C ints that follow `ERL_DRV_EXTENDED_MARKER` in each entry
/// (erldrv's entries are statics, in the file as they are in memory). Every entry of the
/// library (a `driver_init!` library has several) must declare the same version.
fn driver_api(bytes: &[u8], big_endian: bool) -> Result<(i32, i32), String> {
    let int = |b: &[u8]| -> u32 {
        let b: [u8; 4] = b.try_into().expect("four bytes");
        if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    };
    let mut found: Vec<(i32, i32)> = Vec::new();
    // C ints are 4-byte aligned in the entry, and so is the entry in the file.
    for at in (0..bytes.len().saturating_sub(11)).step_by(4) {
        if int(&bytes[at..at + 4]) != EXTENDED_MARKER {
            continue;
        }
        let major = int(&bytes[at + 4..at + 8]);
        let minor = int(&bytes[at + 8..at + 12]);
        // Anything else holding the marker's bits is not a driver version.
        if (1..100).contains(&major) && minor < 100 {
            let v = (major as i32, minor as i32);
            if !found.contains(&v) {
                found.push(v);
            }
        }
    }
    match found.as_slice() {
        [v] => Ok(*v),
        [] => Err(
            "no driver entry found (no ERL_DRV_EXTENDED_MARKER followed by a driver \
                   API version)"
                .to_owned(),
        ),
        many => Err(format!(
            "driver entries declare different driver API versions: {}",
            many.iter()
                .map(|(a, b)| format!("{a}.{b}"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Lower-case hex SHA-256, as `sha256sum` prints it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The checksum file `old` with `name`'s line replaced by (or added as) `digest  name`,
/// the lines sorted by file name (blank lines and `#` comments dropped). Refuses a file
/// that is not in sha256sum's format.
fn merge_checksums(old: &str, name: &str, digest: &str) -> Result<String, String> {
    let mut lines: Vec<(String, String)> = Vec::new();
    for (n, line) in old.lines().enumerate() {
        let line = line.trim_end();
        // Blank lines and `#` comments, which erldrv_precompiled skips too.
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parsed = line.split_once(' ').and_then(|(d, rest)| {
            let file = rest.strip_prefix(' ').or_else(|| rest.strip_prefix('*'))?;
            let hex = d.len() == 64 && d.bytes().all(|b| b.is_ascii_hexdigit());
            (hex && !file.is_empty()).then(|| (file.to_owned(), d.to_ascii_lowercase()))
        });
        match parsed {
            Some((file, _)) if file == name => {}
            Some(entry) => lines.push(entry),
            None => {
                return Err(format!(
                    "line {} is not `<sha-256 hex>  <file>`: {line:?}",
                    n + 1
                ));
            }
        }
    }
    lines.push((name.to_owned(), digest.to_owned()));
    lines.sort();
    Ok(lines
        .iter()
        .map(|(file, d)| format!("{d}  {file}\n"))
        .collect())
}

/// Writes `path` through a temporary file in the same directory and a rename, so that a
/// reader never sees half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let file_name = path
        .file_name()
        .map_or_else(Default::default, |n| n.to_string_lossy());
    let tmp = path.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error(format!("cannot write {}: {e}", path.display()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Option<Options>, Error> {
        let args: Vec<OsString> = line.split_whitespace().map(OsString::from).collect();
        Options::parse(&args)
    }

    #[test]
    fn command_lines() {
        let o = parse("--out-dir out --target aarch64-unknown-linux-gnu -p kv_drv")
            .unwrap()
            .unwrap();
        assert_eq!(o.out_dir, PathBuf::from("out"));
        assert_eq!(o.target.as_deref(), Some("aarch64-unknown-linux-gnu"));
        assert_eq!(o.package.as_deref(), Some("kv_drv"));
        assert!(parse("--help").unwrap().is_none());
        for (bad, why) in [
            ("", "needs --out-dir"),
            ("--out-dir", "--out-dir needs a value"),
            ("--out-dir o --release", "unknown option `--release`"),
        ] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn names_and_digests() {
        assert_eq!(
            artifact_name("kv_drv", "0.1.0", (3, 3), "x86_64-unknown-linux-gnu"),
            "kv_drv-v0.1.0-drv3.3-x86_64-unknown-linux-gnu.so"
        );
        // FIPS 180-2's example.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(big_endian("s390x-unknown-linux-gnu"));
        assert!(!big_endian("powerpc64le-unknown-linux-gnu"));
        assert!(!big_endian("aarch64-apple-darwin"));
    }

    fn entry_bytes(pad: usize, marker: u32, major: u32, minor: u32, be: bool) -> Vec<u8> {
        let mut b = vec![0u8; pad];
        for v in [marker, major, minor, 0x11] {
            b.extend(if be { v.to_be_bytes() } else { v.to_le_bytes() });
        }
        b.extend([0u8; 16]);
        b
    }

    #[test]
    fn driver_api_from_the_entry() {
        assert_eq!(
            driver_api(&entry_bytes(64, EXTENDED_MARKER, 3, 3, false), false),
            Ok((3, 3))
        );
        assert_eq!(
            driver_api(&entry_bytes(8, EXTENDED_MARKER, 3, 1, true), true),
            Ok((3, 1))
        );
        // Two entries of one version (driver_init!), and the marker's bits elsewhere.
        let mut two = entry_bytes(4, EXTENDED_MARKER, 3, 3, false);
        two.extend(entry_bytes(4, EXTENDED_MARKER, 3, 3, false));
        two.extend(entry_bytes(4, EXTENDED_MARKER, 0x4889_c3ff, 7, false));
        assert_eq!(driver_api(&two, false), Ok((3, 3)));
        let none = driver_api(&[0u8; 100], false).unwrap_err();
        assert!(none.contains("no driver entry"), "{none}");
        let mut mixed = entry_bytes(0, EXTENDED_MARKER, 3, 3, false);
        mixed.extend(entry_bytes(0, EXTENDED_MARKER, 3, 2, false));
        let e = driver_api(&mixed, false).unwrap_err();
        assert!(e.contains("3.3, 3.2"), "{e}");
    }

    #[test]
    fn checksum_files_merge() {
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        let c = "c".repeat(64);
        let old = format!("{b}  x-v1-drv3.3-b.so\n{a} *x-v1-drv3.3-a.so\n\n");
        let merged = merge_checksums(&old, "x-v1-drv3.3-b.so", &c).unwrap();
        assert_eq!(
            merged,
            format!("{a}  x-v1-drv3.3-a.so\n{c}  x-v1-drv3.3-b.so\n")
        );
        assert_eq!(
            merge_checksums("", "n.so", &a).unwrap(),
            format!("{a}  n.so\n")
        );
        let bad = merge_checksums("not a checksum\n", "n.so", &a).unwrap_err();
        assert!(bad.contains("line 1"), "{bad}");
    }
}
