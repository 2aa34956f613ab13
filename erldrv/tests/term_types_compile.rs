//! The rendered typespecs are valid source: a module declaring a type per row of the
//! mapping table, and every named type they reach, compiles with `erlc` (warnings as
//! errors) and, as an Elixir module, with `elixirc`; and dialyzer reports calls that break
//! rendered specs. `erlc`, `elixirc` and `dialyzer` come from PATH or are installed (as
//! root) through `erldrv-harness`; a missing one fails the test, as a missing `erl` fails
//! the BEAM tests.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use erldrv::term::{Atom, FromTerm, OrNil, OwnedTerm, TermType, ToTerm, TypeDesc, declarations};
use erldrv::{CallError, Pid, PortId};
use erldrv_harness::dialyzer::{Dialyzer, warned_lines};

/// `elixirc`, installed when missing (as root), else a loud failure.
fn elixirc() -> PathBuf {
    erldrv_harness::tools::elixirc().unwrap_or_else(|e| panic!("{e}"))
}

/// A value.
///
/// With "quotes", a `#{x}` and a \ backslash: both languages must keep them as text.
#[derive(ToTerm, FromTerm, TermType)]
struct Entry {
    key: String,
    #[term(default)]
    ttl: Option<u32>,
    #[term(rename = "max-size")]
    max_size: OrNil<u8>,
}

#[derive(ToTerm, FromTerm, TermType)]
#[term(record)]
struct Rec {
    id: u16,
    on: bool,
}

#[derive(ToTerm, FromTerm, TermType)]
enum Cmd {
    Stop,
    #[term(rename = "end")]
    End,
    Get(u32),
    Put {
        key: String,
        value: Entry,
    },
    #[term(transparent)]
    Raw(Vec<u8>),
}

#[derive(ToTerm, FromTerm, TermType)]
enum Tree {
    Leaf(i64),
    Node(Box<Tree>, Box<Tree>),
}

fn rows() -> Vec<TypeDesc> {
    let mut v = Vec::new();
    macro_rules! both {
        ($($t:ty),* $(,)?) => {$(
            v.push(<$t>::output_type());
            v.push(<$t>::input_type());
        )*};
    }
    both!(
        u8, i8, u16, i16, u32, i32, u64, i64, u128, i128, usize, isize, char, f64, f32, bool,
        String, &[u8], [u8; 3], Vec<u8>, Vec<i32>, Vec<String>, (), (u8,), (u8, String, bool),
        Option<u8>, OrNil<String>, Result<u8, String>, Result<(), CallError>,
        HashMap<String, Vec<u8>>, BTreeMap<u8, Option<bool>>, Atom, OwnedTerm, Pid, PortId,
        erldrv::Binary, Entry, Rec, Cmd, Tree, Vec<Tree>, Result<Vec<Cmd>, (Rec, Entry)>,
    );
    v.push(TypeDesc::Integer {
        min: Some(1i64.into()),
        max: None,
    });
    v.push(TypeDesc::Integer {
        min: None,
        max: Some((-1i64).into()),
    });
    v.push(TypeDesc::Union(vec![]));
    v.push(TypeDesc::Reference);
    v.push(TypeDesc::literal("it's"));
    v
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(cmd: &mut Command, source: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?} (is Erlang/Elixir installed?): {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}\n--- source ---\n{source}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn erlang_types_compile() {
    let rows = rows();
    let mut src = String::from("-module(erldrv_types_check).\n");
    let names: Vec<String> = (0..rows.len()).map(|i| format!("t{i}/0")).collect();
    src.push_str(&format!("-export_type([{}]).\n", names.join(", ")));
    let decls = declarations(&rows).unwrap();
    let decl_names: Vec<String> = decls.iter().map(|d| format!("{}/0", d.name)).collect();
    src.push_str(&format!("-export_type([{}]).\n", decl_names.join(", ")));
    for (i, t) in rows.iter().enumerate() {
        src.push_str(&format!("-type t{i}() :: {}.\n", t.to_erlang()));
    }
    for d in &decls {
        src.push_str(&d.to_erlang());
        src.push('\n');
    }
    let dir = scratch("erlang_types");
    let file = dir.join("erldrv_types_check.erl");
    std::fs::write(&file, &src).unwrap();
    run(
        Command::new(&erldrv_harness::erl().erlc)
            .arg("+warnings_as_errors")
            .arg("-o")
            .arg(&dir)
            .arg(&file),
        &src,
    );
    assert!(dir.join("erldrv_types_check.beam").exists());
}

#[test]
fn elixir_types_compile() {
    let rows = rows();
    let mut src = String::from("defmodule ErldrvTypesCheck do\n");
    for (i, t) in rows.iter().enumerate() {
        src.push_str(&format!("  @type t{i} :: {}\n", t.to_elixir()));
    }
    for d in declarations(&rows).unwrap() {
        for line in d.to_elixir().lines() {
            src.push_str("  ");
            src.push_str(line);
            src.push('\n');
        }
    }
    src.push_str("end\n");
    let dir = scratch("elixir_types");
    let file = dir.join("erldrv_types_check.ex");
    std::fs::write(&file, &src).unwrap();
    run(
        Command::new(elixirc())
            .arg("--warnings-as-errors")
            .arg("-o")
            .arg(&dir)
            .arg(&file),
        &src,
    );
    assert!(dir.join("Elixir.ErldrvTypesCheck.beam").exists());
}

/// The specs carry information dialyzer uses: a call that breaks a rendered range or shape
/// is reported, and the calls that fit are not.
#[test]
fn dialyzer_checks_calls_against_rendered_types() {
    let decls = declarations([&Cmd::input_type(), &Entry::output_type()]).unwrap();
    let mut src = String::from(
        "-module(erldrv_types_dialyzer).\n-export([run/1, good/0, bad/0, bad_key/0]).\n",
    );
    for d in &decls {
        src.push_str(&d.to_erlang());
        src.push('\n');
    }
    src.push_str(&format!(
        "-spec run({}) -> {}.\nrun(_) -> {{ok, #{{key => <<\"k\">>, ttl => undefined, 'max-size' => nil}}}}.\n",
        Cmd::input_type().to_erlang(),
        <Result<Entry, String>>::output_type().to_erlang(),
    ));
    // Each line's call is the only one on it, so the report's line numbers say which.
    src.push_str(
        "good() -> [run(stop), run({get, 7}), run([1, 2]), \
         run({put, <<\"k\">>, #{key => <<\"k\">>, 'max-size' => nil}})].\n",
    );
    let bad_line = src.lines().count() + 1;
    src.push_str("bad() -> run({get, -1}).\n");
    let bad_key_line = src.lines().count() + 1;
    src.push_str("bad_key() -> run({put, <<\"k\">>, #{key => 1, 'max-size' => nil}}).\n");

    let dir = scratch("dialyzer_types");
    let file = dir.join("erldrv_types_dialyzer.erl");
    std::fs::write(&file, &src).unwrap();
    // A PLT of the module itself: its own calls are what is checked.
    let report = Dialyzer::new(&dir, &[file], &["erldrv_types_dialyzer"])
        .analyse(&["erldrv_types_dialyzer"]);
    let at = |line: usize| format!("erldrv_types_dialyzer.erl:{line}:");
    assert!(
        report.contains(&at(bad_line)),
        "{report}\n--- source ---\n{src}"
    );
    assert!(
        report.contains(&at(bad_key_line)),
        "{report}\n--- source ---\n{src}"
    );
    let lines = warned_lines(&report, "erldrv_types_dialyzer.erl");
    assert_eq!(
        lines,
        [bad_line, bad_key_line],
        "only the two bad calls:\n{report}\n--- source ---\n{src}"
    );
}
