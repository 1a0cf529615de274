//! The file-path rule against a reference, over generated paths.
//!
//! A real tree is built under a temporary directory: an import root holding
//! folders, files and symlinks (one leading back inside, others leading out to a
//! private directory, a sibling outside the root, and `/etc`), beside those
//! targets. The reference resolves a path through a model of that tree by hand,
//! segment by segment (symlinks followed, `..` popping), and says whether the file
//! it names lies inside the location and outside the private directory. The rule
//! (`ImportRoots::check_file`, and the location parser before it) must agree on
//! every generated path, and anything it accepts must be a file it may read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sluice_domain::files::{ImportRoots, Location, check_glob, parse_location};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
}

/// The model: each virtual absolute path is a dir, a file, or a symlink to a path.
#[derive(Clone, Debug)]
enum Node {
    Dir,
    File,
    Link(String),
}

/// Resolves `path` (absolute, `/`-separated) through the model the way the kernel
/// does: `.` stays, `..` pops, a symlink's target replaces the walked prefix.
fn resolve(model: &BTreeMap<String, Node>, path: &str, depth: usize) -> Option<String> {
    if depth > 16 {
        return None;
    }
    let mut stack: Vec<String> = vec![];
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    for (i, seg) in segs.iter().enumerate() {
        match *seg {
            "." => continue,
            ".." => {
                stack.pop();
                continue;
            }
            s => stack.push(s.to_string()),
        }
        let here = format!("/{}", stack.join("/"));
        match model.get(&here)? {
            Node::Dir => {}
            Node::File => {
                if i + 1 != segs.len() {
                    return None;
                }
            }
            Node::Link(target) => {
                let rest = segs[i + 1..].join("/");
                return resolve(model, &format!("{target}/{rest}"), depth + 1);
            }
        }
    }
    Some(format!("/{}", stack.join("/")))
}

fn within(path: &str, dir: &str) -> bool {
    path == dir || path.starts_with(&format!("{dir}/"))
}

#[test]
fn the_path_rule_agrees_with_a_reference_over_generated_paths() {
    let base = std::env::temp_dir().join(format!("sluice-pathref-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let base = {
        std::fs::create_dir_all(&base).expect("base");
        std::fs::canonicalize(&base).expect("canonical base")
    };
    let b = base.display().to_string();
    // The tree, in the model and on disk.
    let mut model: BTreeMap<String, Node> = BTreeMap::new();
    let dir = |p: String, model: &mut BTreeMap<String, Node>| {
        std::fs::create_dir_all(&p).expect("dir");
        model.insert(p, Node::Dir);
    };
    for p in [
        "",
        "/root",
        "/root/data",
        "/root/data/a",
        "/root/private",
        "/outside",
    ] {
        dir(format!("{b}{p}"), &mut model);
    }
    // The parents of the base exist in the model as plain directories.
    let mut up = PathBuf::from(&b);
    while let Some(parent) = up.parent() {
        if parent.as_os_str().len() > 1 {
            model.insert(parent.display().to_string(), Node::Dir);
        }
        up = parent.to_path_buf();
    }
    for f in [
        "/root/data/x.csv",
        "/root/data/a/y.csv",
        "/root/other.csv",
        "/root/private/signing.key",
        "/outside/secret.txt",
    ] {
        let p = format!("{b}{f}");
        std::fs::write(&p, "1\n").expect("file");
        model.insert(p, Node::File);
    }
    let links = [
        ("/root/data/in", format!("{b}/root/data/a")),
        ("/root/data/up", format!("{b}/root")),
        ("/root/data/key", format!("{b}/root/private/signing.key")),
        ("/root/data/priv", format!("{b}/root/private")),
        ("/root/data/out", format!("{b}/outside")),
        ("/root/data/etc", "/etc".to_string()),
        ("/root/data/loop", format!("{b}/root/data/loop")),
    ];
    for (at, target) in &links {
        let p = format!("{b}{at}");
        std::os::unix::fs::symlink(target, &p).expect("symlink");
        model.insert(p, Node::Link(target.clone()));
    }
    let roots = ImportRoots::new(
        &[PathBuf::from(format!("{b}/root"))],
        &[PathBuf::from(format!("{b}/root/private"))],
    )
    .expect("roots");
    let location = format!("{b}/root/data");
    let resolved_dir = roots
        .resolve_dir(Path::new(&location))
        .expect("the location");
    let segments = [
        "a",
        "x.csv",
        "y.csv",
        "..",
        ".",
        "in",
        "up",
        "key",
        "priv",
        "out",
        "etc",
        "loop",
        "passwd",
        "signing.key",
        "secret.txt",
        "other.csv",
        "data",
        "private",
        "outside",
        "%2e%2e",
        "",
        "~",
    ];
    let mut rng = Rng(0x05EE_D0FF_11E5);
    let (mut accepted, mut refused) = (0, 0);
    for _ in 0..20_000 {
        let n = 1 + (rng.next() % 5) as usize;
        let rel: Vec<&str> = (0..n).map(|_| rng.pick(&segments)).collect();
        let rel = rel.join("/");
        // The reference: only plain segments, resolving to a file of the model
        // inside the location (after symlinks) and outside the private directory.
        let plain = rel
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..");
        let reference = plain
            && resolve(&model, &format!("{location}/{rel}"), 0).is_some_and(|real| {
                within(&real, &location)
                    && !within(&real, &format!("{b}/root/private"))
                    && model.contains_key(&real)
            });
        let got = roots.check_file(&resolved_dir, &rel);
        if let Ok(p) = &got {
            // Whatever is accepted stays inside and is really there.
            assert!(p.starts_with(&resolved_dir), "{rel} → {}", p.display());
            assert!(!p.starts_with(format!("{b}/root/private")), "{rel}");
        }
        assert_eq!(got.is_ok(), reference, "{rel:?}: {got:?}");
        if reference {
            accepted += 1;
        } else {
            refused += 1;
        }
        // A glob of the same text passes only if it is plain and relative.
        let glob_ok = check_glob(&rel).is_ok();
        if glob_ok {
            // (A leading `./` is allowed and dropped.)
            let g = rel.strip_prefix("./").unwrap_or(&rel);
            let g_plain = g.split('/').all(|s| !s.is_empty() && s != "." && s != "..");
            assert!(
                g_plain && !g.contains('%') && !g.starts_with('~'),
                "{rel:?}"
            );
        }
        // As a location: accepted only when absolute and clean.
        let as_location = format!("{location}/{rel}");
        // (Empty segments are harmless there: `a//b` and `a/` name `a/b` and `a`.)
        let no_dots = rel.split('/').all(|s| s != "." && s != "..");
        match parse_location(&as_location) {
            Ok(Location::Local(p)) => assert!(
                no_dots && !rel.contains('%'),
                "{as_location:?} → {}",
                p.display()
            ),
            Ok(other) => panic!("{as_location:?} → {other:?}"),
            Err(_) => assert!(!no_dots || rel.contains('%'), "{as_location:?} refused"),
        }
    }
    assert!(accepted > 100 && refused > 1_000, "{accepted} / {refused}");
    let _ = std::fs::remove_dir_all(&base);
}
