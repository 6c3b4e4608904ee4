//! Wire vectors and property tests (frames, messages, prefixes, extensions).
