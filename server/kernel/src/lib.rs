//! Kimberlite kernel: the pure state machine apply(State, Command) -> (State, Effects).
//!
//! Placeholder: this crate is filled in by issue 4. Until then it exports
//! nothing, so nothing can come to depend on an unfinished surface.
