//! Build script: sets the linker flags a Node addon needs (N-API symbols resolved
//! by the loading node process).

fn main() {
    napi_build::setup();
}
