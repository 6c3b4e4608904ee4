//! Kimberlite SQL front end and the derived SQL views.
//!
//! Placeholder: this crate is filled in by issue 6. Until then it exports
//! nothing, so nothing can come to depend on an unfinished surface.
