//! Names in Erlang: atoms from Rust identifiers, and atoms as Erlang prints them.

/// Atoms have at most 255 characters (the VM's limit).
const MAX_ATOM_CHARS: usize = 255;

/// `NotFound` → `not_found`. A word starts at a capital that follows a lowercase letter or
/// a digit, and at the last capital of a run followed by a lowercase letter, so that
/// acronyms stay together: `HTTPError` → `http_error`, `Utf8Error` → `utf8_error`.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_uppercase() {
            out.push(c);
            continue;
        }
        if let Some(&prev) = i.checked_sub(1).and_then(|p| chars.get(p)) {
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_numeric() || (prev.is_uppercase() && next_lower) {
                out.push('_');
            }
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Why `name` cannot be an atom, if it cannot.
pub fn check_atom(name: &str) -> Result<(), &'static str> {
    if name.contains('\0') {
        return Err("an atom cannot contain NUL");
    }
    if name.chars().count() > MAX_ATOM_CHARS {
        return Err("an atom has at most 255 characters");
    }
    Ok(())
}

/// Why `name` cannot be an Elixir module's alias (`MyApp.Point`), if it cannot. The
/// `Elixir.` prefix is the atom's, not the alias's: it is refused.
pub fn check_elixir_alias(name: &str) -> Result<(), &'static str> {
    let well_formed = name.split('.').all(|part| {
        part.starts_with(|c: char| c.is_ascii_uppercase())
            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    if !well_formed {
        return Err(
            "each part of an alias starts with a capital letter and holds only letters, digits and `_` (MyApp.Point)",
        );
    }
    if name == "Elixir" || name.starts_with("Elixir.") {
        return Err("write the alias without `Elixir.` (MyApp.Point, not Elixir.MyApp.Point)");
    }
    check_atom(name)
}

/// The atom as Erlang prints it: bare when it can be, else in single quotes (the same rule
/// as the runtime's `Display` for atoms, so that messages agree).
pub fn erlang_atom(name: &str) -> String {
    let bare = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '@');
    if bare {
        return name.to_owned();
    }
    let mut out = String::with_capacity(name.len() + 2);
    out.push('\'');
    for c in name.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// `{tag, _, _}`: a tagged tuple with `fields` elements after the tag, as a pattern.
pub fn tagged_pattern(tag: &str, fields: usize) -> String {
    format!("{{{}{}}}", erlang_atom(tag), ", _".repeat(fields))
}

/// "a tuple of 3 elements".
pub fn tuple_of(n: usize) -> String {
    if n == 1 {
        "a tuple of 1 element".to_owned()
    } else {
        format!("a tuple of {n} elements")
    }
}

/// `a, b, c`, as Erlang prints the atoms.
pub fn atom_list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names
        .into_iter()
        .map(erlang_atom)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_splits_words() {
        for (from, to) in [
            ("NotFound", "not_found"),
            ("Ok", "ok"),
            ("A", "a"),
            ("ABC", "abc"),
            ("HTTPError", "http_error"),
            ("IOError", "io_error"),
            ("Utf8Error", "utf8_error"),
            ("V2", "v2"),
            ("V2Beta", "v2_beta"),
            ("Already_Snake", "already_snake"),
            ("lower", "lower"),
            ("ÉtéHiver", "été_hiver"),
        ] {
            assert_eq!(snake_case(from), to, "{from}");
        }
    }

    #[test]
    fn atoms_print_as_in_erlang() {
        assert_eq!(erlang_atom("not_found"), "not_found");
        assert_eq!(erlang_atom("a@b9"), "a@b9");
        assert_eq!(erlang_atom("Foo"), "'Foo'");
        assert_eq!(erlang_atom("with space"), "'with space'");
        assert_eq!(erlang_atom("it's"), "'it\\'s'");
        assert_eq!(erlang_atom(""), "''");
        assert_eq!(erlang_atom("été"), "'été'");
    }

    #[test]
    fn atom_limits() {
        assert!(check_atom("").is_ok());
        assert!(check_atom(&"é".repeat(255)).is_ok());
        assert!(check_atom(&"é".repeat(256)).is_err());
        assert!(check_atom("a\0b").is_err());
    }

    #[test]
    fn descriptions() {
        assert_eq!(tagged_pattern("value", 1), "{value, _}");
        assert_eq!(tagged_pattern("Empty", 0), "{'Empty'}");
        assert_eq!(tuple_of(1), "a tuple of 1 element");
        assert_eq!(tuple_of(0), "a tuple of 0 elements");
        assert_eq!(atom_list(["name", "Age"]), "name, 'Age'");
    }
}
