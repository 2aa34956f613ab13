//! Compares the functions declared in the installed `erl_driver.h` with the
//! `extern` declarations in this crate's sources.
//!
//! Names: every header function must be bound, unless the crate
//! documentation lists it under "Not bound"; the crate must not declare
//! functions the header lacks. Signatures: each binding's Rust signature is
//! spelled back in C and the header function is assigned to a function
//! pointer of that type, which the C compiler rejects on any mismatch. The
//! struct field types get the same treatment.
//!
//! Type names defined by this crate are spelled as the C typedef of the
//! same name; whether each such alias has the right size and signedness is
//! checked by `tests/layout.rs`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

// ---------------------------------------------------------------------------
// Reading the Rust sources
// ---------------------------------------------------------------------------

/// Text of every `src/*.rs` file, with its file name.
fn rust_sources() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    for entry in fs::read_dir(&dir).expect("cannot list src/") {
        let path = entry.expect("cannot list src/").path();
        if path.extension().is_some_and(|e| e == "rs") {
            let text = fs::read_to_string(&path).expect("cannot read source file");
            out.push((
                path.file_name().unwrap().to_string_lossy().into_owned(),
                text,
            ));
        }
    }
    out.sort();
    out
}

/// Removes `//` comments (including doc comments) from Rust source.
fn strip_rust_comments(text: &str) -> String {
    text.lines()
        .map(|line| line.find("//").map_or(line, |pos| &line[..pos]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text between a `{` at `open` and its matching `}`.
fn braced(text: &str, open: usize) -> &str {
    let mut depth = 0;
    for (i, c) in text[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &text[open + 1..open + i];
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced braces");
}

/// An item of an `extern "C"` block.
#[derive(Debug)]
struct RustDecl {
    name: String,
    /// `None` for a `static`.
    function: Option<Function>,
    /// For a `static`: its type and whether it is `mut`.
    static_type: Option<(Type, bool)>,
    deprecated: bool,
}

#[derive(Debug)]
struct Function {
    params: Vec<Type>,
    ret: Type,
}

/// Items declared in the `extern "C"` blocks of the crate.
fn rust_declarations() -> Vec<RustDecl> {
    let mut out = Vec::new();
    for (_, text) in rust_sources() {
        let text = strip_rust_comments(&text);
        let mut search = 0;
        while let Some(pos) = text[search..].find("extern \"C\" {") {
            let open = search + pos + "extern \"C\" ".len();
            let body = braced(&text, open);
            search = open + body.len();
            for item in body.split(';') {
                let item = item.trim();
                if item.is_empty() {
                    continue;
                }
                out.push(parse_extern_item(item));
            }
        }
    }
    out
}

fn parse_extern_item(item: &str) -> RustDecl {
    let tokens = tokenize(item);
    let mut p = Parser { tokens, pos: 0 };
    let mut deprecated = false;
    while p.peek() == Some("#") {
        p.next();
        let attribute = p.take_until_matching("[", "]");
        deprecated |= attribute.first().is_some_and(|t| t == "deprecated");
    }
    p.eat("pub");
    match p.next().as_deref() {
        Some("fn") => {
            let name = p.next().expect("fn without name");
            let params = p.params();
            let ret = if p.eat("-") {
                p.expect(">");
                p.ty()
            } else {
                Type::Void
            };
            p.finish(item);
            RustDecl {
                name,
                function: Some(Function { params, ret }),
                static_type: None,
                deprecated,
            }
        }
        Some("static") => {
            let mutable = p.eat("mut");
            let name = p.next().expect("static without name");
            p.expect(":");
            let ty = p.ty();
            p.finish(item);
            RustDecl {
                name,
                function: None,
                static_type: Some((ty, mutable)),
                deprecated,
            }
        }
        other => panic!("unexpected item {other:?} in extern block: {item}"),
    }
}

/// `pub` fields of each `#[repr(C)]` struct with named fields.
fn rust_struct_fields() -> BTreeMap<String, Vec<(String, Type)>> {
    let mut out = BTreeMap::new();
    for (_, text) in rust_sources() {
        let text = strip_rust_comments(&text);
        for (pos, _) in text.match_indices("#[repr(C)]") {
            let rest = &text[pos..];
            let Some(start) = rest.find("pub struct ") else {
                continue;
            };
            let after = &rest[start + "pub struct ".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let Some(open) = after.find('{') else {
                continue;
            };
            if after[..open].contains(';') || name.is_empty() {
                continue;
            }
            let body = braced(after, open);
            let mut p = Parser {
                tokens: tokenize(body),
                pos: 0,
            };
            let mut fields = Vec::new();
            while p.peek().is_some() {
                let public = p.eat("pub");
                let field = p.next().expect("field name");
                p.expect(":");
                let ty = p.ty();
                p.eat(",");
                if public {
                    fields.push((field, ty));
                }
            }
            out.insert(name, fields);
        }
    }
    out
}

/// Names listed under the "Not bound" heading of the crate documentation.
fn documented_as_not_bound() -> BTreeSet<String> {
    let lib = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .expect("cannot read src/lib.rs");
    let doc: Vec<&str> = lib
        .lines()
        .filter_map(|line| line.strip_prefix("//!"))
        .map(str::trim)
        .collect();
    let start = doc
        .iter()
        .position(|line| *line == "# Not bound")
        .expect("the crate documentation has no `# Not bound` section");
    doc[start + 1..]
        .iter()
        .take_while(|line| !line.starts_with('#'))
        .filter_map(|line| line.strip_prefix("- `"))
        .map(|line| line.split('`').next().unwrap().to_owned())
        .collect()
}

// ---------------------------------------------------------------------------
// A small parser for the Rust types used in FFI declarations
// ---------------------------------------------------------------------------

/// A Rust FFI type, in a form that can be spelled in C.
#[derive(Debug, Clone)]
enum Type {
    /// `()` or no return type.
    Void,
    /// A type name (last path segment).
    Named(String),
    /// `*mut T` (`const_pointee == false`) or `*const T`.
    Pointer { to: Box<Type>, const_pointee: bool },
    /// `Option<unsafe extern "C" fn(..) -> R>` or a bare `extern "C" fn`.
    FnPointer { params: Vec<Type>, ret: Box<Type> },
    /// `[T; N]`; its size is checked by the layout test instead.
    Array,
}

fn tokenize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if !(c.is_ascii_alphanumeric() || c == '_') {
                    break;
                }
                word.push(c);
                chars.next();
            }
            out.push(word);
        } else if c == '"' {
            chars.next();
            let mut literal = String::from("\"");
            for c in chars.by_ref() {
                literal.push(c);
                if c == '"' {
                    break;
                }
            }
            out.push(literal);
        } else {
            out.push(c.to_string());
            chars.next();
        }
    }
    out
}

struct Parser {
    tokens: Vec<String>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.pos).map(String::as_str)
    }
    fn peek_at(&self, offset: usize) -> Option<&str> {
        self.tokens.get(self.pos + offset).map(String::as_str)
    }
    fn next(&mut self) -> Option<String> {
        let token = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        token
    }
    fn eat(&mut self, token: &str) -> bool {
        let found = self.peek() == Some(token);
        if found {
            self.pos += 1;
        }
        found
    }
    fn expect(&mut self, token: &str) {
        let found = self.next();
        assert_eq!(
            found.as_deref(),
            Some(token),
            "unexpected token in {:?}",
            self.tokens
        );
    }
    fn finish(&self, item: &str) {
        assert!(self.peek().is_none(), "cannot read the end of `{item}`");
    }
    /// Consumes `open ... close` (nested) and returns the tokens inside.
    fn take_until_matching(&mut self, open: &str, close: &str) -> Vec<String> {
        self.expect(open);
        let mut depth = 1;
        let mut inside = Vec::new();
        while let Some(token) = self.next() {
            if token == open {
                depth += 1;
            } else if token == close {
                depth -= 1;
                if depth == 0 {
                    return inside;
                }
            }
            inside.push(token);
        }
        panic!("unclosed {open}");
    }

    /// `( [name :] type, ... )`
    fn params(&mut self) -> Vec<Type> {
        self.expect("(");
        let mut params = Vec::new();
        while !self.eat(")") {
            // A parameter name is an identifier followed by a single `:`.
            if self.peek_at(1) == Some(":") && self.peek_at(2) != Some(":") {
                self.pos += 2;
            }
            params.push(self.ty());
            if !self.eat(",") {
                self.expect(")");
                break;
            }
        }
        params
    }

    fn ty(&mut self) -> Type {
        match self.peek() {
            Some("*") => {
                self.next();
                let const_pointee = match self.next().as_deref() {
                    Some("const") => true,
                    Some("mut") => false,
                    other => panic!("raw pointer without mut/const: {other:?}"),
                };
                Type::Pointer {
                    to: Box::new(self.ty()),
                    const_pointee,
                }
            }
            Some("(") => {
                self.next();
                self.expect(")");
                Type::Void
            }
            Some("[") => {
                self.take_until_matching("[", "]");
                Type::Array
            }
            Some("unsafe" | "extern") => self.fn_pointer(),
            Some("Option") => {
                self.next();
                self.expect("<");
                let inner = self.fn_pointer();
                self.eat(","); // rustfmt's trailing comma in a multi-line `Option<..>`
                self.expect(">");
                inner
            }
            Some(_) => {
                // A path such as `core::ffi::c_int`: keep the last segment.
                let mut name = self.next().unwrap();
                while self.peek() == Some(":") && self.peek_at(1) == Some(":") {
                    self.pos += 2;
                    name = self.next().expect("path ends in `::`");
                }
                Type::Named(name)
            }
            None => panic!("type expected"),
        }
    }

    fn fn_pointer(&mut self) -> Type {
        self.eat("unsafe");
        self.expect("extern");
        self.expect("\"C\"");
        self.expect("fn");
        let params = self.params();
        let ret = if self.peek() == Some("-") && self.peek_at(1) == Some(">") {
            self.pos += 2;
            self.ty()
        } else {
            Type::Void
        };
        Type::FnPointer {
            params,
            ret: Box::new(ret),
        }
    }
}

// ---------------------------------------------------------------------------
// Spelling Rust types in C
// ---------------------------------------------------------------------------

/// The C spelling of a Rust type name. Names this crate defines are the C
/// typedef names themselves.
fn c_name(rust: &str) -> String {
    let spelled = match rust {
        "c_void" => "void",
        "c_char" => "char",
        "c_schar" => "signed char",
        "c_uchar" => "unsigned char",
        "c_short" => "short",
        "c_ushort" => "unsigned short",
        "c_int" => "int",
        "c_uint" => "unsigned int",
        "c_long" => "long",
        "c_ulong" => "unsigned long",
        "c_longlong" => "long long",
        "c_ulonglong" => "unsigned long long",
        "c_float" => "float",
        "c_double" => "double",
        "usize" => "size_t",
        "isize" => "ssize_t",
        "ErlNifSelectFlags" => "enum ErlNifSelectFlags",
        other if other.starts_with(|c: char| c.is_ascii_uppercase() || c == '_') => other,
        other => panic!("no C spelling for the Rust type `{other}`; use a core::ffi type"),
    };
    spelled.to_owned()
}

/// C declaration of `declarator` (possibly empty, for an abstract type)
/// with type `ty`; `const_top` makes the outermost type `const`.
fn c_decl(ty: &Type, declarator: &str, const_top: bool) -> String {
    let qualifier = if const_top { "const " } else { "" };
    match ty {
        Type::Void => format!("{qualifier}void {declarator}")
            .trim_end()
            .to_owned(),
        Type::Named(name) => format!("{qualifier}{} {declarator}", c_name(name))
            .trim_end()
            .to_owned(),
        Type::Pointer { to, const_pointee } => {
            let inner = if const_top {
                format!("* const {declarator}")
            } else {
                format!("*{declarator}")
            };
            c_decl(to, &inner, *const_pointee)
        }
        Type::FnPointer { params, ret } => {
            let params = if params.is_empty() {
                "void".to_owned()
            } else {
                params
                    .iter()
                    .map(|p| c_decl(p, "", false))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let inner = if const_top {
                format!("* const {declarator}")
            } else {
                format!("*{declarator}")
            };
            c_decl(ret, &format!("({inner})({params})"), false)
        }
        Type::Array => panic!("arrays cannot be spelled here"),
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

/// The header's functions and variables, by name.
fn header_declarations() -> BTreeMap<String, common::CDecl> {
    let api = common::read_api(&["erl_driver.h", "erl_drv_nif.h"]);
    common::c_declarations(&api.statements)
        .into_iter()
        .map(|d| (d.name.clone(), d))
        .collect()
}

#[test]
fn every_header_function_is_bound() {
    let header = header_declarations();
    let rust: BTreeSet<String> = rust_declarations().into_iter().map(|d| d.name).collect();
    let not_bound = documented_as_not_bound();
    let missing: Vec<&str> = header
        .keys()
        .map(String::as_str)
        .filter(|name| !rust.contains(*name) && !not_bound.contains(*name))
        .collect();
    assert!(
        missing.is_empty(),
        "declared in erl_driver.h but not bound in src/ (bind them, or list them with a reason \
         under `# Not bound` in the crate documentation): {missing:?}"
    );
}

#[test]
fn no_function_unknown_to_the_header() {
    let header = header_declarations();
    let unknown: Vec<String> = rust_declarations()
        .into_iter()
        .map(|d| d.name)
        .filter(|name| !header.contains_key(name))
        .collect();
    assert!(
        unknown.is_empty(),
        "bound in src/ but not declared in erl_driver.h: {unknown:?}"
    );
}

#[test]
fn not_bound_list_is_accurate() {
    let header = header_declarations();
    let rust: BTreeSet<String> = rust_declarations().into_iter().map(|d| d.name).collect();
    for name in documented_as_not_bound() {
        assert!(
            header.contains_key(&name),
            "`{name}` is listed under `# Not bound` but erl_driver.h does not declare it"
        );
        assert!(
            !rust.contains(&name),
            "`{name}` is listed under `# Not bound` but is bound"
        );
    }
}

#[test]
fn deprecation_matches_header() {
    let header = header_declarations();
    for decl in rust_declarations() {
        let Some(c) = header.get(&decl.name) else {
            continue;
        };
        assert_eq!(
            decl.deprecated, c.deprecated,
            "`{}`: #[deprecated] in Rust is {}, ERL_DRV_DEPRECATED_FUNC in the header is {}",
            decl.name, decl.deprecated, c.deprecated
        );
    }
}

#[test]
fn function_signatures_match_header() {
    let header = header_declarations();
    let mut c =
        String::from("#include <stddef.h>\n#include <sys/types.h>\n#include <erl_driver.h>\n\n");
    for decl in rust_declarations() {
        let Some(c_decl_info) = header.get(&decl.name) else {
            continue;
        };
        let name = &decl.name;
        let check = format!("check_{name}");
        match (&decl.function, &decl.static_type) {
            (Some(f), None) => {
                assert!(
                    c_decl_info.is_function,
                    "`{name}` is a variable in C but a fn in Rust"
                );
                let ty = Type::FnPointer {
                    params: f.params.clone(),
                    ret: Box::new(f.ret.clone()),
                };
                c.push_str(&format!("static {} = {name};\n", c_decl(&ty, &check, true)));
            }
            (None, Some((ty, mutable))) => {
                assert!(
                    !c_decl_info.is_function,
                    "`{name}` is a function in C but a static in Rust"
                );
                let pointer = Type::Pointer {
                    to: Box::new(ty.clone()),
                    const_pointee: !mutable,
                };
                c.push_str(&format!(
                    "static {} = &{name};\n",
                    c_decl(&pointer, &check, true)
                ));
            }
            _ => unreachable!(),
        }
    }
    let flags = [
        "-Werror=incompatible-pointer-types",
        "-Werror=discarded-qualifiers",
        "-Wno-deprecated-declarations",
    ];
    if let Err(message) = common::compile_c("signature_check.c", &c, &flags) {
        panic!(
            "Rust signatures differ from erl_driver.h (each `check_NAME` is built from the \
             Rust declaration of NAME):\n{message}"
        );
    }
}

#[test]
fn struct_field_types_match_header() {
    let structs = rust_struct_fields();
    let mut c =
        String::from("#include <stddef.h>\n#include <sys/types.h>\n#include <erl_driver.h>\n\n");
    let mut checked = 0;
    for (name, fields) in &structs {
        for (field, ty) in fields {
            if matches!(ty, Type::Array) {
                continue;
            }
            checked += 1;
            c.push_str(&format!(
                "_Static_assert(__builtin_types_compatible_p(__typeof__((({name} *)0)->{field}), {}), \
                 \"{name}.{field}: type differs\");\n",
                c_decl(ty, "", false)
            ));
        }
    }
    assert!(
        structs.contains_key("ErlDrvEntry") && checked > 40,
        "the struct reader found too little: {structs:?}"
    );
    if let Err(message) = common::compile_c("field_type_check.c", &c, &[]) {
        panic!("Rust struct field types differ from erl_driver.h:\n{message}");
    }
}
