//! Compiles `grpc/message.proto` with a vendored protoc so a fresh machine needs nothing extra.

#[allow(unsafe_code)] // set_var before any thread exists
fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::var_os("PROTOC").is_none() {
        // SAFETY: build scripts are single-threaded.
        unsafe { std::env::set_var("PROTOC", protoc_bin_vendored::protoc_bin_path()?) };
    }
    // Frame bodies travel between chat servers as they were encoded, without a detour
    // through `String`.
    tonic_prost_build::configure()
        .bytes(".message.Frame.body")
        .bytes(".message.Fanout.body")
        .compile_protos(&["grpc/message.proto"], &["grpc"])?;
    println!("cargo:rerun-if-changed=grpc");
    Ok(())
}
