//! The driver calls the VM's `driver_*` functions, which only exist once the VM has loaded
//! the library. Linux allows such undefined symbols in a shared library; macOS's linker
//! has to be told to leave them for the loader.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("macos") {
        println!("cargo::rustc-cdylib-link-arg=-undefined");
        println!("cargo::rustc-cdylib-link-arg=dynamic_lookup");
    }
}
