//! One version for the whole project: a test that every file naming erldrv's version (the
//! crates, the Erlang application, the template's defaults, the READMEs, the changelog)
//! names the workspace's.

use std::fs;
use std::path::Path;

use super::published;
use crate::Result;

/// Every place that names the project's version, compared with the workspace's
/// (`[workspace.package] version` in `Cargo.toml`). Returns one line per disagreement,
/// naming the file and both versions.
pub fn version_mismatches(root: &Path) -> Result<Vec<String>> {
    let manifest: toml::Table = read(root, "Cargo.toml")?
        .parse()
        .map_err(|e| format!("Cargo.toml: {e}"))?;
    let workspace = manifest.get("workspace").and_then(toml::Value::as_table);
    let package = workspace
        .and_then(|w| w.get("package"))
        .and_then(toml::Value::as_table);
    let version = package
        .and_then(|p| p.get("version"))
        .and_then(toml::Value::as_str)
        .ok_or("Cargo.toml has no [workspace.package] version")?;
    let rust_version = package
        .and_then(|p| p.get("rust-version"))
        .and_then(toml::Value::as_str)
        .ok_or("Cargo.toml has no [workspace.package] rust-version")?;
    let version = Version::parse(version)
        .ok_or_else(|| format!("Cargo.toml: the workspace version {version:?} is not x.y.z"))?;
    let mut found = Vec::new();
    let differs = |found: &mut Vec<String>, file: &str, what: &str, named: &str| {
        found.push(format!(
            "{file}: {what} is {named}, the workspace version (Cargo.toml) is {version}"
        ));
    };

    // The crates: their own version, and the version the workspace's path dependencies
    // carry into the published manifests.
    for krate in published()? {
        if krate.version != version.to_string() {
            differs(
                &mut found,
                &format!("{}/Cargo.toml", krate.name),
                "the crate's version",
                &krate.version,
            );
        }
    }
    let dependencies = workspace
        .and_then(|w| w.get("dependencies"))
        .and_then(toml::Value::as_table);
    for (name, spec) in dependencies.into_iter().flatten() {
        let Some(spec) = spec.as_table() else {
            continue;
        };
        if let (Some(_), Some(named)) = (
            spec.get("path"),
            spec.get("version").and_then(toml::Value::as_str),
        ) && named != version.to_string()
        {
            differs(
                &mut found,
                "Cargo.toml",
                &format!("[workspace.dependencies] {name}'s version"),
                named,
            );
        }
    }

    // The Erlang application.
    let app_src = "erlang/src/erldrv.app.src";
    match quoted_after(&read(root, app_src)?, "{vsn, \"").as_slice() {
        [vsn] if *vsn == version.to_string() => {}
        [vsn] => differs(&mut found, app_src, "vsn", vsn),
        _ => return Err(format!("{app_src}: expected one {{vsn, \"x.y.z\"}}")),
    }

    // The template's defaults, and the READMEs that tell users what to depend on: the
    // erldrv crates' requirements must select this version, and the hex packages and git
    // tags named must be its.
    let template_manifest = "template/native/{{crate_name}}/Cargo.toml.liquid";
    let mut requirements = 0;
    for file in [
        template_manifest,
        "template/README.md",
        "README.md",
        "template/rebar.config",
        "template/mix.exs",
    ] {
        let text = read(root, file)?;
        for (krate, requirement) in erldrv_requirements(&text) {
            requirements += 1;
            if !version.is_selected_by(requirement) {
                found.push(format!(
                    "{file}: {krate} = \"{requirement}\" does not select the workspace \
                     version (Cargo.toml), {version}"
                ));
            }
        }
        for tag in quoted_after(&text, "{tag, \"")
            .into_iter()
            .chain(quoted_after(&text, "tag: \""))
            .chain(backquoted_tags(&text))
        {
            if tag != format!("v{version}") {
                differs(&mut found, file, "the git tag", tag);
            }
        }
    }
    if requirements == 0 {
        return Err(format!(
            "{template_manifest}: no `erldrv = \"...\"` requirement found"
        ));
    }
    // The template's default dependency on the erldrv application, from hex.
    for (file, prefix) in [
        ("template/rebar.config", "{erldrv, \""),
        ("template/mix.exs", "{:erldrv, \"~> "),
    ] {
        let text = read(root, file)?;
        let named = quoted_after(&text, prefix);
        if named.is_empty() {
            return Err(format!(
                "{file}: no hex dependency on erldrv ({prefix}...) found"
            ));
        }
        for hex in named {
            if hex != version.to_string() {
                differs(&mut found, file, "the hex package's version", hex);
            }
        }
    }
    // A generated project depends on erldrv: it cannot build with an older Rust.
    match quoted_after(&read(root, template_manifest)?, "rust-version = \"").as_slice() {
        [named] if *named == rust_version => {}
        [named] => found.push(format!(
            "{template_manifest}: rust-version is {named}, the workspace's (Cargo.toml) is \
             {rust_version}"
        )),
        _ => return Err(format!("{template_manifest}: expected one rust-version")),
    }

    // What the READMEs tell users about the Rust they need.
    for file in ["README.md", "erldrv/README.md", "template/README.md"] {
        for named in rust_mentions(&read(root, file)?) {
            if named != rust_version {
                found.push(format!(
                    "{file}: says Rust {named} or later, the workspace's rust-version \
                     (Cargo.toml) is {rust_version}"
                ));
            }
        }
    }

    // The changelog: `## Unreleased` first, then `## [x.y.z] - yyyy-mm-dd` headings, newest
    // first; the newest release is the workspace's version (a release bumps both at once).
    let changelog = "CHANGELOG.md";
    let text = read(root, changelog)?;
    let headings: Vec<&str> = text
        .lines()
        .filter_map(|line| line.strip_prefix("## "))
        .collect();
    if headings.first() != Some(&"Unreleased") {
        found.push(format!(
            "{changelog}: the first `## ` heading must be `## Unreleased`"
        ));
    }
    let mut previous: Option<Version> = None;
    for heading in headings.iter().skip(1) {
        let Some(released) = release_heading(heading) else {
            found.push(format!(
                "{changelog}: `## {heading}` is not `## Unreleased` nor `## [x.y.z] - yyyy-mm-dd`"
            ));
            continue;
        };
        match previous {
            None if released != version => differs(
                &mut found,
                changelog,
                "the newest release heading",
                &released.to_string(),
            ),
            Some(newer) if released >= newer => found.push(format!(
                "{changelog}: release {released} is listed below {newer}; newest first"
            )),
            _ => {}
        }
        previous = Some(released);
    }
    Ok(found)
}

/// A file of the workspace, as text.
fn read(root: &Path, file: &str) -> Result<String> {
    fs::read_to_string(root.join(file)).map_err(|e| format!("could not read {file}: {e}"))
}

/// A release version, `major.minor.patch` (no pre-release part: erldrv has none).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
struct Version([u64; 3]);

impl Version {
    fn parse(text: &str) -> Option<Version> {
        let mut parts = text.split('.').map(|p| p.parse::<u64>().ok());
        let version = Version([parts.next()??, parts.next()??, parts.next()??]);
        parts.next().is_none().then_some(version)
    }

    /// Whether cargo's default (caret) requirement `requirement` (`"0.1"`, `"0.1.0"`,
    /// `"^1.2"`) selects this version.
    fn is_selected_by(self, requirement: &str) -> bool {
        let requirement = requirement.strip_prefix('^').unwrap_or(requirement);
        let parts: Option<Vec<u64>> = requirement.split('.').map(|p| p.parse().ok()).collect();
        let Some(parts) = parts.filter(|p| (1..=3).contains(&p.len())) else {
            return false;
        };
        let mut lowest = [0; 3];
        lowest[..parts.len()].copy_from_slice(&parts);
        if self < Version(lowest) {
            return false;
        }
        // Caret: the leftmost non-zero part given stays (all given parts when all are 0).
        let fixed = parts
            .iter()
            .position(|&p| p != 0)
            .map_or(parts.len(), |i| i + 1);
        self.0[..fixed] == parts[..fixed]
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [major, minor, patch] = self.0;
        write!(f, "{major}.{minor}.{patch}")
    }
}

/// The version of a changelog heading `[x.y.z] - yyyy-mm-dd`.
fn release_heading(heading: &str) -> Option<Version> {
    let (version, date) = heading.strip_prefix('[')?.split_once("] - ")?;
    let date_ok = date.len() == 10
        && date.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    date_ok.then(|| Version::parse(version)).flatten()
}

/// The quoted strings that follow each occurrence of `prefix` (which ends with the opening
/// quote).
fn quoted_after<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.match_indices(prefix)
        .filter_map(|(at, _)| {
            let rest = &text[at + prefix.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// The erldrv crate requirements in `text`: `erldrv = "0.1"`, `erldrv-foo = "0.1"` and
/// `erldrv = { version = "0.1", ... }`, as (crate, requirement).
fn erldrv_requirements(text: &str) -> Vec<(&str, &str)> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices("erldrv") {
        if text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            continue;
        }
        let rest = &text[at..];
        // Crate names: `erldrv_checkout = "..."` is the template's option, not a crate.
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(rest.len());
        let Some(value) = rest[name_len..].trim_start().strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let requirement = if let Some(quoted) = value.strip_prefix('"') {
            quoted.split('"').next()
        } else if let Some(table) = value.strip_prefix('{') {
            let table = table.split('}').next().unwrap_or("");
            quoted_after(table, "version = \"").into_iter().next()
        } else {
            None
        };
        if let Some(requirement) = requirement {
            found.push((&rest[..name_len], requirement));
        }
    }
    found
}

/// The versions in `Rust 1.88 or later`.
fn rust_mentions(text: &str) -> Vec<&str> {
    text.match_indices("Rust ")
        .filter_map(|(at, prefix)| {
            let rest = &text[at + prefix.len()..];
            let (named, after) = rest.split_once(' ')?;
            (after.starts_with("or later") && named.starts_with(|c: char| c.is_ascii_digit()))
                .then_some(named)
        })
        .collect()
}

/// Tags a README names in prose: `` `v0.1.0` tag ``.
fn backquoted_tags(text: &str) -> Vec<&str> {
    text.match_indices("` tag")
        .filter_map(|(end, _)| {
            let start = text[..end].rfind('`')? + 1;
            let tag = &text[start..end];
            tag.strip_prefix('v').and_then(Version::parse).map(|_| tag)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The crates, the workspace's dependencies on them, the Erlang application, the
    /// template's defaults, the READMEs and the changelog all name one version.
    #[test]
    fn one_version_everywhere() {
        let mismatches = version_mismatches(erldrv_harness::workspace_root()).unwrap();
        assert!(
            mismatches.is_empty(),
            "the project's version differs between files:\n  {}",
            mismatches.join("\n  ")
        );
    }

    /// The check sees each kind of place it reads, and says which file and which versions.
    #[test]
    fn a_disagreement_names_the_file_and_both_versions() {
        let root = erldrv_harness::beam_dir().join("version-check");
        let _ = fs::remove_dir_all(&root);
        let source = erldrv_harness::workspace_root();
        for file in [
            "Cargo.toml",
            "CHANGELOG.md",
            "README.md",
            "erldrv/README.md",
            "erlang/src/erldrv.app.src",
            "template/README.md",
            "template/rebar.config",
            "template/mix.exs",
            "template/native/{{crate_name}}/Cargo.toml.liquid",
        ] {
            let to = root.join(file);
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::copy(source.join(file), &to).unwrap();
        }
        let edit = |file: &str, from: &str, to: &str| {
            let path = root.join(file);
            let text = fs::read_to_string(&path).unwrap();
            assert!(text.contains(from), "{file} does not contain {from:?}");
            fs::write(&path, text.replacen(from, to, 1)).unwrap();
        };
        assert_eq!(version_mismatches(&root).unwrap(), Vec::<String>::new());

        // Each file as it is today, found by what it holds now, made to disagree.
        let v = env!("CARGO_PKG_VERSION");
        let rv = env!("CARGO_PKG_RUST_VERSION");
        let template = "template/native/{{crate_name}}/Cargo.toml.liquid";
        let template_text = fs::read_to_string(root.join(template)).unwrap();
        let requirement = erldrv_requirements(&template_text)[0].1;
        edit(
            "erlang/src/erldrv.app.src",
            &format!("{{vsn, \"{v}\"}}"),
            "{vsn, \"9.9.1\"}",
        );
        edit(
            "template/rebar.config",
            &format!("{{erldrv, \"{v}\"}}"),
            "{erldrv, \"9.9.2\"}",
        );
        edit(
            "template/mix.exs",
            &format!("{{:erldrv, \"~> {v}\"}}"),
            "{:erldrv, \"~> 9.9.3\"}",
        );
        edit(
            template,
            &format!("erldrv = \"{requirement}\""),
            "erldrv = \"9.9\"",
        );
        edit(
            template,
            &format!("rust-version = \"{rv}\""),
            "rust-version = \"1.1\"",
        );
        edit(
            "erldrv/README.md",
            &format!("Rust {rv} or later"),
            "Rust 1.2 or later",
        );
        edit(
            "Cargo.toml",
            &format!("erldrv-sys = {{ path = \"erldrv-sys\", version = \"{v}\" }}"),
            "erldrv-sys = { path = \"erldrv-sys\", version = \"9.9.5\" }",
        );
        edit(
            "CHANGELOG.md",
            "## Unreleased\n",
            "## Unreleased\n\n## [0.0.1] - 2000-01-01\n\n## [0.0.2] - 2000-01-02\n\n## 0.0.0\n",
        );
        let mismatches = version_mismatches(&root).unwrap();
        let expected = [
            format!(
                "Cargo.toml: [workspace.dependencies] erldrv-sys's version is 9.9.5, the workspace version (Cargo.toml) is {v}"
            ),
            format!(
                "erlang/src/erldrv.app.src: vsn is 9.9.1, the workspace version (Cargo.toml) is {v}"
            ),
            format!(
                "{template}: erldrv = \"9.9\" does not select the workspace version (Cargo.toml), {v}"
            ),
            format!(
                "template/rebar.config: the hex package's version is 9.9.2, the workspace version (Cargo.toml) is {v}"
            ),
            format!(
                "template/mix.exs: the hex package's version is 9.9.3, the workspace version (Cargo.toml) is {v}"
            ),
            format!("{template}: rust-version is 1.1, the workspace's (Cargo.toml) is {rv}"),
            format!(
                "erldrv/README.md: says Rust 1.2 or later, the workspace's rust-version (Cargo.toml) is {rv}"
            ),
            format!(
                "CHANGELOG.md: the newest release heading is 0.0.1, the workspace version (Cargo.toml) is {v}"
            ),
            "CHANGELOG.md: release 0.0.2 is listed below 0.0.1; newest first".to_owned(),
            "CHANGELOG.md: `## 0.0.0` is not `## Unreleased` nor `## [x.y.z] - yyyy-mm-dd`"
                .to_owned(),
        ];
        assert_eq!(mismatches, expected);
    }

    #[test]
    fn caret_requirements() {
        let v = |s| Version::parse(s).unwrap();
        assert!(v("0.1.0").is_selected_by("0.1"));
        assert!(v("0.1.3").is_selected_by("0.1.2"));
        assert!(v("0.1.3").is_selected_by("^0.1"));
        assert!(!v("0.1.0").is_selected_by("0.1.2"));
        assert!(!v("0.2.0").is_selected_by("0.1"));
        assert!(!v("0.0.2").is_selected_by("0.0.1"));
        assert!(v("1.4.0").is_selected_by("1"));
        assert!(v("1.4.0").is_selected_by("1.2"));
        assert!(!v("2.0.0").is_selected_by("1.2"));
        assert!(!v("1.0.0").is_selected_by("~1"));
    }

    #[test]
    fn changelog_headings() {
        assert_eq!(
            release_heading("[0.1.0] - 2026-12-07"),
            Version::parse("0.1.0")
        );
        assert_eq!(release_heading("0.1.0 - 2026-12-07"), None);
        assert_eq!(release_heading("[0.1.0]"), None);
        assert_eq!(release_heading("[0.1] - 2026-12-07"), None);
        assert_eq!(release_heading("[0.1.0] - 7 Dec 2026"), None);
    }

    #[test]
    fn requirements_in_text() {
        let text = "erldrv = \"0.1\"\nerldrv-testkit = { version = \"0.1.0\", path = \"x\" }\n\
                    erldrv = { path = \"/x/erldrv\" }\nmy_erldrv = \"9\"\nuse `erldrv = \"0.1\"` in";
        assert_eq!(
            erldrv_requirements(text),
            [
                ("erldrv", "0.1"),
                ("erldrv-testkit", "0.1.0"),
                ("erldrv", "0.1")
            ]
        );
    }
}
