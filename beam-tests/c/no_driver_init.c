/* A shared library that is not a driver: it exports no driver_init, as a Rust cdylib
 * without #[erl_driver] would not. */
int no_driver_here(int x) { return x + 1; }
