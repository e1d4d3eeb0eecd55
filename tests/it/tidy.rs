//! Tidy checks on the source tree: the architecture's dependency rules (ARCHITECTURE.md) and
//! the conventions every file follows.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The `imchat-*` crates a manifest depends on (normal and build dependencies).
fn internal_deps(manifest: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(manifest).unwrap();
    let mut section = String::new();
    let mut deps = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line.to_owned();
        } else if (section == "[dependencies]" || section == "[build-dependencies]") && line.starts_with("imchat-") {
            deps.push(line.split(['.', ' ', '=']).next().unwrap().to_owned());
        }
    }
    deps
}

#[test]
fn crates_respect_the_layering() {
    // crate folder → the internal crates it may depend on.
    let allowed: &[(&str, &[&str])] = &[
        ("proto", &[]),
        ("servers/store", &["imchat-proto"]),
        ("servers/rpc", &["imchat-proto"]),
        ("servers/edge", &[]),
        ("servers/verify", &["imchat-proto", "imchat-store", "imchat-rpc"]),
        ("servers/status", &["imchat-proto", "imchat-store", "imchat-rpc"]),
        ("servers/gate", &["imchat-proto", "imchat-store", "imchat-rpc"]),
        ("servers/chat", &["imchat-proto", "imchat-store", "imchat-rpc", "imchat-edge"]),
        ("servers/res", &["imchat-proto", "imchat-store", "imchat-rpc", "imchat-edge"]),
        (
            "servers/server",
            &[
                "imchat-proto",
                "imchat-store",
                "imchat-rpc",
                "imchat-verify",
                "imchat-status",
                "imchat-gate",
                "imchat-chat",
                "imchat-res",
            ],
        ),
        ("sdk", &["imchat-proto"]),
        ("cli", &["imchat-sdk"]),
        ("tui", &["imchat-sdk"]),
        ("xtask", &[]),
    ];
    for (dir, may) in allowed {
        for dep in internal_deps(&root().join(dir).join("Cargo.toml")) {
            assert!(may.contains(&dep.as_str()), "{dir} must not depend on {dep} (see ARCHITECTURE.md)");
        }
    }
    // The protocol crate does no I/O of its own: no runtime, storage or HTTP server crates.
    let proto = std::fs::read_to_string(root().join("proto/Cargo.toml")).unwrap();
    for banned in ["tokio.workspace", "sqlx", "redis", "axum", "reqwest"] {
        assert!(!proto.contains(banned), "proto must not depend on {banned}");
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if !matches!(name.to_str(), Some("target" | ".git" | "fuzz")) {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_file_says_what_it_is_for_and_no_test_is_ignored() {
    let mut files = Vec::new();
    rust_files(&root(), &mut files);
    assert!(files.len() > 30);
    let ignore_attr = concat!("#[", "ignore");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let shown = file.strip_prefix(root()).unwrap().display().to_string();
        assert!(text.trim_start().starts_with("//!"), "{shown} must start with a `//!` line saying what it is for");
        assert!(!text.contains(ignore_attr), "{shown}: tests are never ignored");
    }
}
