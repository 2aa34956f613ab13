//! Tests live in `tests/`; the template they generate projects from is `template/` at the
//! root of the repository.
