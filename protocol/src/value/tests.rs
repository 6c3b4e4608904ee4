//! Unit tests of the parent module.
use super::*;
