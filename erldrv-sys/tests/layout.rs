//! Compares the Rust definitions with the installed C headers.
//!
//! The facts known to Rust (sizes, alignments, field offsets, constant
//! values) are written into a C file as `_Static_assert`s, which the system
//! C compiler then checks against `erl_driver.h`. Each assertion message
//! names the item it is about, so a failure points at what drifted.
//!
//! A second group of tests reads the header text and fails if it defines
//! a constant, enum member or type that the lists below do not check.

mod common;

use std::collections::BTreeSet;
use std::mem::{align_of, offset_of, size_of};

use core::ffi::{c_char, c_int, c_long, c_longlong, c_short};
use erldrv_sys::*;

/// Object-like macros of the headers that are not values of the API, each
/// with the reason it is not checked. Windows-only definitions and those
/// for the runtime's own build never show up: the header reader drops
/// those conditional branches.
const SKIPPED_DEFINES: &[(&str, &str)] = &[
    ("__ERL_DRIVER_H__", "include guard"),
    ("__ERL_DRV_NIF_H__", "include guard"),
    (
        "ERL_DRV_DEPRECATED_FUNC",
        "attribute marking deprecated functions",
    ),
    ("EXTERN", "linkage keyword for the function declarations"),
    ("ERL_DRIVER_EXPORT", "visibility attribute for driver_init"),
    (
        "SIZEOF_CHAR_SAVED__",
        "private: checks erl_int_sizes_config.h",
    ),
    (
        "SIZEOF_SHORT_SAVED__",
        "private: checks erl_int_sizes_config.h",
    ),
    (
        "SIZEOF_INT_SAVED__",
        "private: checks erl_int_sizes_config.h",
    ),
    (
        "SIZEOF_LONG_SAVED__",
        "private: checks erl_int_sizes_config.h",
    ),
    (
        "SIZEOF_LONG_LONG_SAVED__",
        "private: checks erl_int_sizes_config.h",
    ),
    (
        "ERL_NAPI_SINT64_MAX__",
        "private: limits behind ERL_DRV_TIME_ERROR",
    ),
    (
        "ERL_NAPI_SINT64_MIN__",
        "private: limits behind ERL_DRV_TIME_ERROR",
    ),
    (
        "ERTS_NAPI_TIME_ERROR__",
        "private: value of ERL_DRV_TIME_ERROR",
    ),
    ("ERTS_NAPI_SEC__", "private: value of ERL_DRV_SEC"),
    ("ERTS_NAPI_MSEC__", "private: value of ERL_DRV_MSEC"),
    ("ERTS_NAPI_USEC__", "private: value of ERL_DRV_USEC"),
    ("ERTS_NAPI_NSEC__", "private: value of ERL_DRV_NSEC"),
    ("ERL_NAPI_ATTR_WUR", "function attribute"),
    ("ERL_NAPI_ATTR_MALLOC_U", "function attribute"),
];

// ---------------------------------------------------------------------------
// Turning Rust values into C expressions
// ---------------------------------------------------------------------------

/// A constant value that can be compared with a C macro.
trait CConst {
    /// C type both sides are converted to before comparing.
    fn c_type(&self) -> &'static str;
    /// The value as a C literal.
    fn c_literal(&self) -> String;
}

macro_rules! signed_const {
    ($($t:ty => $c:literal),*) => {$(
        impl CConst for $t {
            fn c_type(&self) -> &'static str { $c }
            fn c_literal(&self) -> String {
                if *self == <$t>::MIN {
                    format!("(-{}LL - 1)", <$t>::MAX)
                } else {
                    format!("{}LL", self)
                }
            }
        }
    )*};
}
macro_rules! unsigned_const {
    ($($t:ty => $c:literal),*) => {$(
        impl CConst for $t {
            fn c_type(&self) -> &'static str { $c }
            fn c_literal(&self) -> String { format!("{}ULL", self) }
        }
    )*};
}
signed_const!(i32 => "int", i64 => "long long", isize => "intptr_t");
unsigned_const!(u32 => "unsigned int", u64 => "unsigned long long", usize => "uintptr_t");

impl<T> CConst for *mut T {
    fn c_type(&self) -> &'static str {
        "intptr_t"
    }
    fn c_literal(&self) -> String {
        (self.addr() as isize).c_literal()
    }
}

/// Size of a struct field, from a field accessor.
fn field_size<S, F>(_: fn(&S) -> &F) -> usize {
    size_of::<F>()
}

// ---------------------------------------------------------------------------
// The checked items
// ---------------------------------------------------------------------------

/// Assertions for structs: size, alignment, and offset and size of every
/// field. The destructuring pattern makes the build fail if a Rust field is
/// missing from the list.
macro_rules! check_structs {
    ($out:ident, $names:ident; $($s:ident { $($f:ident),* $(,)? })*) => {$(
        let _ = |value: $s| {
            let $s { $($f: _),* } = value;
        };
        $names.insert(stringify!($s).to_owned());
        let s = stringify!($s);
        $out.push(format!(
            "_Static_assert(sizeof({s}) == {}, \"{s}: size differs (Rust: {})\");",
            size_of::<$s>(), size_of::<$s>()
        ));
        $out.push(format!(
            "_Static_assert(_Alignof({s}) == {}, \"{s}: alignment differs (Rust: {})\");",
            align_of::<$s>(), align_of::<$s>()
        ));
        $(
            let f = stringify!($f);
            let offset = offset_of!($s, $f);
            let size = field_size(|v: &$s| &v.$f);
            $out.push(format!(
                "_Static_assert(offsetof({s}, {f}) == {offset}, \
                 \"{s}.{f}: offset differs (Rust: {offset})\");"
            ));
            $out.push(format!(
                "_Static_assert(sizeof((({s} *)0)->{f}) == {size}, \
                 \"{s}.{f}: size differs (Rust: {size})\");"
            ));
        )*
    )*};
}

/// Assertions for typedefs: size, alignment and, for integers, signedness.
macro_rules! check_types {
    ($out:ident, $names:ident;
     integers: $($int:ident),* ;
     enums: $($enum_c:literal => $enum:ident),* ;
     pointers: $($ptr:ident),* ;
     opaque: $($opaque:ident),* ;) => {
        $(
            check_types!(@size $out, $names, stringify!($int), $int);
            let signed = <$int>::MIN != 0;
            $out.push(format!(
                "_Static_assert((({0})-1 < ({0})0) == {1}, \"{0}: signedness differs (Rust: {2})\");",
                stringify!($int),
                signed as u8,
                if signed { "signed" } else { "unsigned" },
            ));
        )*
        // An enum's signedness is the compiler's choice (GCC picks
        // `unsigned int` when no member is negative), so only the size is
        // compared; the members are checked as constants.
        $( check_types!(@size $out, $names, $enum_c, $enum); )*
        $(
            check_types!(@size $out, $names, stringify!($ptr), $ptr);
            assert_eq!(size_of::<$ptr>(), size_of::<*mut u8>());
        )*
        // Incomplete in C: only the name can be checked.
        $(
            let _ = size_of::<$opaque>();
            $names.insert(stringify!($opaque).to_owned());
        )*
    };
    (@size $out:ident, $names:ident, $c:expr, $t:ty) => {
        let c: &str = $c;
        $names.insert(c.to_owned());
        $out.push(format!(
            "_Static_assert(sizeof({c}) == {0}, \"{c}: size differs (Rust: {0})\");",
            size_of::<$t>()
        ));
        $out.push(format!(
            "_Static_assert(_Alignof({c}) == {0}, \"{c}: alignment differs (Rust: {0})\");",
            align_of::<$t>()
        ));
    };
}

/// Assertions for constants: the size of the C expression and its value
/// after conversion to the type of the Rust constant.
macro_rules! check_consts {
    ($out:ident, $names:ident; $($name:ident),* $(,)?) => {$(
        let value = $name;
        let name = stringify!($name);
        $names.insert(name.to_owned());
        let size = size_of_val(&value);
        $out.push(format!(
            "_Static_assert(sizeof({name}) == {size}, \"{name}: size differs (Rust: {size})\");"
        ));
        let (ty, literal) = (value.c_type(), value.c_literal());
        $out.push(format!(
            "_Static_assert(({ty})({name}) == ({ty}){literal}, \
             \"{name}: value differs (Rust: {literal})\");"
        ));
    )*};
}

/// Facts about the target platform that `erl_int_sizes_config.h` records;
/// the Rust side of each is the size of the matching C type.
macro_rules! check_platform {
    ($out:ident, $names:ident; $($name:ident => $t:ty),* $(,)?) => {$(
        let name = stringify!($name);
        $names.insert(name.to_owned());
        let size = size_of::<$t>();
        $out.push(format!(
            "_Static_assert({name} == {size}, \"{name}: differs from the Rust target ({size})\");"
        ));
    )*};
}

/// Everything checked: the C source of the assertions plus the names of
/// the checked types and constants.
struct Checks {
    c_source: String,
    types: BTreeSet<String>,
    constants: BTreeSet<String>,
}

#[allow(deprecated)] // DO_READ and DO_WRITE are checked too.
fn checks() -> Checks {
    let mut out = Vec::new();
    let mut types = BTreeSet::new();
    let mut constants = BTreeSet::new();

    check_structs!(out, types;
        ErlDrvSysInfo {
            driver_major_version, driver_minor_version, erts_version, otp_release,
            thread_support, smp_support, async_threads, scheduler_threads,
            nif_major_version, nif_minor_version, dirty_scheduler_support,
        }
        ErlDrvThreadOpts { suggested_stack_size }
        ErlDrvMonitor { data }
        SysIOVec { iov_base, iov_len }
        ErlDrvBinary { orig_size, orig_bytes }
        ErlDrvNowData { megasecs, secs, microsecs }
        ErlIOVec { vsize, size, iov, binv }
        ErlDrvEntry {
            init, start, stop, output, ready_input, ready_output, driver_name,
            finish, handle, control, timeout, outputv, ready_async, flush, call,
            unused_event_callback, extended_marker, major_version, minor_version,
            driver_flags, handle2, process_exit, stop_select, emergency_close,
        }
    );

    check_types!(out, types;
        integers: ErlNapiUInt64, ErlNapiSInt64, ErlNapiUInt, ErlNapiSInt,
            ErlDrvUInt64, ErlDrvSInt64, ErlDrvUInt, ErlDrvSInt, ErlDrvTermData,
            ErlDrvSizeT, ErlDrvSSizeT, ErlDrvTime, ErlDrvTSDKey;
        enums: "ErlDrvTimeUnit" => ErlDrvTimeUnit,
            "ErlDirtyJobFlags" => ErlDirtyJobFlags,
            "enum ErlNifSelectFlags" => ErlNifSelectFlags;
        pointers: ErlDrvData, ErlDrvEvent, ErlDrvPort, ErlDrvThreadData, ErlDrvTid, ErlDrvPDL;
        opaque: ErlDrvMutex, ErlDrvCond, ErlDrvRWLock;
    );

    check_consts!(out, constants;
        // erl_drv_nif.h
        ERL_DIRTY_JOB_CPU_BOUND, ERL_DIRTY_JOB_IO_BOUND,
        ERL_NIF_SELECT_READ, ERL_NIF_SELECT_WRITE, ERL_NIF_SELECT_STOP,
        ERL_NIF_SELECT_CANCEL, ERL_NIF_SELECT_CUSTOM_MSG, ERL_NIF_SELECT_ERROR,
        // erl_driver.h
        ERL_DRV_READ, ERL_DRV_WRITE, ERL_DRV_USE, ERL_DRV_USE_NO_CALLBACK,
        DO_READ, DO_WRITE,
        ERL_DRV_EXTENDED_MARKER, ERL_DRV_EXTENDED_MAJOR_VERSION,
        ERL_DRV_EXTENDED_MINOR_VERSION, ERL_DRV_MIN_REQUIRED_MAJOR_VERSION_ON_LOAD,
        PORT_CONTROL_FLAG_BINARY, PORT_CONTROL_FLAG_HEAVY, PORT_FLAG_BINARY, PORT_FLAG_LINE,
        ERL_DRV_FLAG_USE_PORT_LOCKING, ERL_DRV_FLAG_SOFT_BUSY, ERL_DRV_FLAG_NO_BUSY_MSGQ,
        ERL_DRV_FLAG_USE_INIT_ACK,
        ERL_DRV_TIME_ERROR, ERL_DRV_SEC, ERL_DRV_MSEC, ERL_DRV_USEC, ERL_DRV_NSEC,
        ERL_DRV_ERROR_GENERAL, ERL_DRV_ERROR_ERRNO, ERL_DRV_ERROR_BADARG,
        ERL_DRV_BUSY_MSGQ_DISABLED, ERL_DRV_BUSY_MSGQ_READ_ONLY,
        ERL_DRV_BUSY_MSGQ_LIM_MAX, ERL_DRV_BUSY_MSGQ_LIM_MIN,
        DRIVER_CALL_KEEP_BUFFER,
        ERL_DRV_NIL, ERL_DRV_ATOM, ERL_DRV_INT, ERL_DRV_PORT, ERL_DRV_BINARY,
        ERL_DRV_STRING, ERL_DRV_TUPLE, ERL_DRV_LIST, ERL_DRV_STRING_CONS, ERL_DRV_PID,
        ERL_DRV_FLOAT, ERL_DRV_EXT2TERM, ERL_DRV_UINT, ERL_DRV_BUF2BINARY,
        ERL_DRV_INT64, ERL_DRV_UINT64, ERL_DRV_MAP,
    );

    check_platform!(out, constants;
        SIZEOF_CHAR => c_char,
        SIZEOF_SHORT => c_short,
        SIZEOF_INT => c_int,
        SIZEOF_LONG => c_long,
        SIZEOF_LONG_LONG => c_longlong,
        SIZEOF_VOID_P => *mut u8,
    );

    let mut c_source =
        String::from("#include <stddef.h>\n#include <stdint.h>\n#include <erl_driver.h>\n\n");
    for line in out {
        c_source.push_str(&line);
        c_source.push('\n');
    }
    Checks {
        c_source,
        types,
        constants,
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[test]
fn layout_and_values_match_installed_header() {
    let checks = checks();
    if let Err(message) = common::compile_c("layout_check.c", &checks.c_source, &[]) {
        panic!("Rust definitions differ from the installed header:\n{message}");
    }
}

/// With `HAVE_SYS_UIO_H` the header makes `SysIOVec` the system's
/// `struct iovec` instead of its own struct; the Rust type must fit both.
#[test]
fn layout_matches_with_sys_uio_iovec() {
    let checks = checks();
    if let Err(message) = common::compile_c(
        "layout_check_uio.c",
        &checks.c_source,
        &["-DHAVE_SYS_UIO_H"],
    ) {
        panic!("Rust definitions differ from the installed header (HAVE_SYS_UIO_H):\n{message}");
    }
}

#[test]
fn every_header_constant_is_checked() {
    let api = common::read_api(&common::DRIVER_HEADERS);
    let checks = checks();
    let skipped: BTreeSet<&str> = SKIPPED_DEFINES.iter().map(|(name, _)| *name).collect();

    let mut unchecked: Vec<&str> = api
        .defines
        .iter()
        .map(String::as_str)
        .filter(|name| !checks.constants.contains(*name) && !skipped.contains(name))
        .collect();
    let enum_members = common::enum_members(&api.statements);
    unchecked.extend(
        enum_members
            .iter()
            .map(String::as_str)
            .filter(|name| !checks.constants.contains(*name)),
    );
    assert!(
        unchecked.is_empty(),
        "the installed headers define constants that this crate does not bind and check \
         (add them to src/ and to the lists in tests/layout.rs, or to SKIPPED_DEFINES with a reason): \
         {unchecked:?}"
    );

    let stale: Vec<&str> = skipped
        .iter()
        .copied()
        .filter(|name| !api.defines.iter().any(|d| d == name))
        .collect();
    assert!(
        stale.is_empty(),
        "SKIPPED_DEFINES lists macros the installed headers no longer define: {stale:?}"
    );
}

#[test]
fn every_header_type_is_checked() {
    let api = common::read_api(&common::DRIVER_HEADERS);
    let checks = checks();
    let unchecked: Vec<String> = common::type_names(&api.statements)
        .into_iter()
        .filter(|name| !checks.types.contains(name))
        .collect();
    assert!(
        unchecked.is_empty(),
        "the installed headers declare types that this crate does not bind and check: {unchecked:?}"
    );
}

/// Every callback of the driver entry is a nullable function pointer, so it
/// must be exactly pointer-sized (the `None` niche), like a C function
/// pointer.
#[test]
fn callback_fields_are_pointer_sized() {
    macro_rules! pointer_sized {
        ($($f:ident),*) => {$(
            assert_eq!(
                field_size(|e: &ErlDrvEntry| &e.$f),
                size_of::<*mut u8>(),
                concat!("ErlDrvEntry.", stringify!($f), " is not pointer-sized"),
            );
        )*};
    }
    pointer_sized!(
        init,
        start,
        stop,
        output,
        ready_input,
        ready_output,
        finish,
        control,
        timeout,
        outputv,
        ready_async,
        flush,
        call,
        unused_event_callback,
        process_exit,
        stop_select,
        emergency_close
    );
}
