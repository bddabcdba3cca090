//! Embeds the default response templates (`responses/**/*.toml`) in the
//! binary, so the bot and the CLI work with no files beside them. Teams can
//! still point the program at their own copy of the folder at run time.

use std::fmt::Write as _;
use std::path::Path;

fn collect(dir: &Path, base: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect(&path, base, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            let rel = path
                .strip_prefix(base)
                .expect("path under responses/")
                .to_string_lossy()
                .replace('\\', "/");
            out.push(rel);
        }
    }
}

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let base = Path::new(&manifest).join("responses");
    println!("cargo:rerun-if-changed=responses");
    let mut files = Vec::new();
    collect(&base, &base, &mut files);
    let mut code = String::from("/// Every default response file: (path under responses/, contents).\npub static EMBEDDED: &[(&str, &str)] = &[\n");
    for rel in &files {
        let abs = base.join(rel);
        writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            abs.to_string_lossy()
        )
        .expect("write to string");
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("embedded_responses.rs");
    std::fs::write(out, code).expect("write embedded_responses.rs");
}
