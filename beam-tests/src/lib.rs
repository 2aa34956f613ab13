//! Tests live in `tests/`; the drivers they load live in `drivers/`.
