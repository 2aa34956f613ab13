//! Helpers shared by the integration tests: locating the installed
//! Erlang/OTP headers, reading their declarations, and compiling generated
//! C against them.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Headers that make up the driver API as seen by a driver's C code.
pub const DRIVER_HEADERS: [&str; 3] = ["erl_driver.h", "erl_drv_nif.h", "erl_int_sizes_config.h"];

const INSTALL_HINT: &str = "these tests compare the bindings with the installed \
     Erlang/OTP headers and need `erl` on PATH plus the development headers \
     (Debian/Ubuntu: `apt-get install erlang-nox erlang-dev`)";

/// The `usr/include` directory of the Erlang/OTP installation whose `erl`
/// is on `PATH`. Panics (never skips) when it cannot be found.
pub fn include_dir() -> PathBuf {
    let output = Command::new("erl")
        .args([
            "-noshell",
            "-eval",
            r#"io:format("~s/usr/include~n", [code:root_dir()]), halt()."#,
        ])
        .output()
        .unwrap_or_else(|e| panic!("cannot run `erl` ({e}); {INSTALL_HINT}"));
    assert!(
        output.status.success(),
        "`erl` failed ({}): {}; {INSTALL_HINT}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    assert!(
        dir.join("erl_driver.h").is_file(),
        "{} has no erl_driver.h; {INSTALL_HINT}",
        dir.display()
    );
    dir
}

/// The text of one installed header.
pub fn read_header(include: &Path, name: &str) -> String {
    let path = include.join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Writes `source` to `file_name` in the test scratch directory and runs
/// the C compiler (`$CC`, default `cc`) on it in syntax-only mode against
/// the installed headers. Returns the compiler's stderr on failure.
pub fn compile_c(file_name: &str, source: &str, extra_args: &[&str]) -> Result<(), String> {
    let include = include_dir();
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(file_name);
    fs::write(&path, source).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));

    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let mut words = cc.split_whitespace();
    let program = words.next().expect("$CC is empty");
    let output = Command::new(program)
        .args(words)
        .args(["-fsyntax-only", "-std=gnu11", "-I"])
        .arg(&include)
        .args(extra_args)
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run the C compiler `{cc}`: {e}"));
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{cc}` rejected {} ({}):\n{}",
            path.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Replaces C comments with spaces, keeping line breaks.
pub fn strip_c_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('/') {
        let (before, from) = rest.split_at(pos);
        out.push_str(before);
        if let Some(body) = from.strip_prefix("/*") {
            let end = body.find("*/").map_or(body.len(), |e| e + 2);
            out.extend(body[..end].chars().filter(|&c| c == '\n'));
            out.push(' ');
            rest = &body[end..];
        } else if from.starts_with("//") {
            let end = from.find('\n').unwrap_or(from.len());
            rest = &from[end..];
        } else {
            out.push('/');
            rest = &from[1..];
        }
    }
    out.push_str(rest);
    out
}

/// How the branches of one `#if` group are treated.
#[derive(Clone, Copy, PartialEq)]
enum Group {
    /// Ordinary condition: every branch is read.
    All,
    /// The first branch is only for Windows or for building the runtime
    /// itself: skip it, read the rest.
    SkipFirst,
    /// The first branch is what a Unix driver build sees: skip the rest.
    SkipRest,
}

/// Macros that are only set for Windows builds, or when the runtime
/// compiles itself (`ERL_SYS_DRV`, `HAVE_CONFIG_H`); a driver compiled on
/// Unix never has them defined.
fn names_excluded_config(condition: &str) -> bool {
    condition.contains("WIN32")
        || condition.contains("ERL_SYS_DRV")
        || condition.contains("HAVE_CONFIG_H")
}

/// A header reduced to what a Unix driver build sees of it.
pub struct Header {
    /// Names of object-like macros, in order of first definition.
    pub defines: Vec<String>,
    /// The declarations, preprocessor lines removed.
    pub code: String,
}

/// Strips comments, joins continuation lines, drops the branches of
/// conditionals that only apply to Windows or to the runtime's own build,
/// and collects the object-like `#define` names.
pub fn parse_header(text: &str) -> Header {
    let text = strip_c_comments(text).replace("\\\n", " ");
    let mut groups: Vec<(Group, usize)> = Vec::new();
    let mut defines = Vec::new();
    let mut code = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        let skipping = |groups: &[(Group, usize)]| {
            groups.iter().any(|&(g, branch)| {
                (g == Group::SkipFirst && branch == 0) || (g == Group::SkipRest && branch > 0)
            })
        };
        if let Some(directive) = trimmed.strip_prefix('#') {
            let directive = directive.trim_start();
            let (word, rest) = directive
                .split_once(char::is_whitespace)
                .unwrap_or((directive, ""));
            match word {
                "if" | "ifdef" | "ifndef" => {
                    let group = match (word, names_excluded_config(rest)) {
                        (_, false) => Group::All,
                        ("ifndef", true) => Group::SkipRest,
                        (_, true) => Group::SkipFirst,
                    };
                    groups.push((group, 0));
                }
                "elif" | "else" => {
                    groups.last_mut().expect("#else without #if").1 += 1;
                }
                "endif" => {
                    groups.pop().expect("#endif without #if");
                }
                "define" if !skipping(&groups) => {
                    let name: String = rest
                        .trim_start()
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    let after = &rest.trim_start()[name.len()..];
                    let function_like = after.starts_with('(');
                    if !function_like && !defines.contains(&name) {
                        defines.push(name);
                    }
                }
                _ => {}
            }
            continue;
        }
        if !skipping(&groups) {
            code.push_str(line);
            code.push('\n');
        }
    }
    assert!(groups.is_empty(), "unbalanced #if/#endif");
    Header { defines, code }
}

/// Splits declarations at `;` outside braces and parentheses.
pub fn statements(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    for c in code.chars() {
        match c {
            '{' | '(' => depth += 1,
            '}' | ')' => depth -= 1,
            _ => {}
        }
        if c == ';' && depth == 0 {
            let statement = current.split_whitespace().collect::<Vec<_>>().join(" ");
            if !statement.is_empty() {
                out.push(statement);
            }
            current.clear();
        } else {
            current.push(c);
        }
    }
    assert!(
        current.trim().is_empty(),
        "trailing text without `;`: {current}"
    );
    out
}

/// C identifiers in `text`, in order.
pub fn identifiers(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
        .collect()
}

/// Members of every `enum { ... }` in the declarations.
pub fn enum_members(statements: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for statement in statements {
        let Some(start) = statement.find("enum") else {
            continue;
        };
        let Some(open) = statement[start..].find('{') else {
            continue;
        };
        let body_start = start + open + 1;
        let body_end = body_start + statement[body_start..].find('}').expect("unclosed enum");
        for member in statement[body_start..body_end].split(',') {
            if let Some(name) = identifiers(member).first() {
                out.insert((*name).to_owned());
            }
        }
    }
    out
}

/// Names declared by `typedef` statements, plus `enum TAG` for tagged
/// enums declared without a typedef.
pub fn type_names(statements: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for statement in statements {
        if statement.starts_with("typedef ") {
            out.insert((*identifiers(statement).last().expect("empty typedef")).to_owned());
        } else if let Some(rest) = statement.strip_prefix("enum ") {
            let tag = identifiers(rest)
                .first()
                .copied()
                .expect("enum without tag");
            out.insert(format!("enum {tag}"));
        }
    }
    out
}

/// A function or variable declared by a header.
#[derive(Debug)]
pub struct CDecl {
    pub name: String,
    pub is_function: bool,
    /// Marked with `ERL_DRV_DEPRECATED_FUNC`.
    pub deprecated: bool,
}

/// Functions and variables declared by the header statements.
pub fn c_declarations(statements: &[String]) -> Vec<CDecl> {
    let mut out = Vec::new();
    for statement in statements {
        if statement.starts_with("typedef ") || statement.starts_with("enum ") {
            continue;
        }
        let deprecated = statement.contains("ERL_DRV_DEPRECATED_FUNC");
        let decl = match statement.find('(') {
            Some(paren) => CDecl {
                name: (*identifiers(&statement[..paren])
                    .last()
                    .unwrap_or_else(|| panic!("no name in `{statement}`")))
                .to_owned(),
                is_function: true,
                deprecated,
            },
            None => CDecl {
                name: (*identifiers(statement).last().expect("empty declaration")).to_owned(),
                is_function: false,
                deprecated,
            },
        };
        out.push(decl);
    }
    out
}

/// Everything a Unix driver build sees of the named headers, merged.
pub struct Api {
    pub defines: Vec<String>,
    pub statements: Vec<String>,
}

pub fn read_api(headers: &[&str]) -> Api {
    let include = include_dir();
    let mut defines = Vec::new();
    let mut all_statements = Vec::new();
    for name in headers {
        let header = parse_header(&read_header(&include, name));
        defines.extend(header.defines);
        all_statements.extend(statements(&header.code));
    }
    Api {
        defines,
        statements: all_statements,
    }
}
