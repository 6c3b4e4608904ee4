//! include/kimberlite.h must be what cbindgen generates from the sources now.

use std::path::PathBuf;

#[test]
fn header_matches_a_fresh_generation() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).unwrap();
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .unwrap()
        .write(&mut generated);
    let path = crate_dir.join("include").join("kimberlite.h");
    if std::env::var_os("KIMBERLITE_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let checked_in = std::fs::read(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "include/kimberlite.h is stale: regenerate it with \
         KIMBERLITE_BLESS=1 cargo test -p kimberlite-ffi --test ffi header"
    );
}
