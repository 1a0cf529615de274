//! The web console's files, built from `console/` and embedded by build.rs, as the
//! console's listener answers them. The console calls the API on its own origin:
//! its listener hands the API's paths to the API (see [`is_api_path`]), so no
//! cross-origin request, and no CORS header, is ever needed.

use bytes::Bytes;

/// One of the console's files.
pub struct File {
    /// Its URL path, `/index.html`, `/assets/index-<hash>.js`.
    pub path: &'static str,
    pub body: &'static [u8],
    /// The same bytes gzipped, for a text file.
    pub gzip: Option<&'static [u8]>,
}

include!(concat!(env!("OUT_DIR"), "/console_files.rs"));

/// What the console's listener hands to the API rather than answering itself.
pub fn is_api_path(path: &str) -> bool {
    path.starts_with("/v1/")
        || path == "/v1"
        || path == "/openapi.json"
        || path == "/health"
        || path.starts_with("/.well-known/")
}

/// An answer of the console's listener.
pub struct Page {
    pub status: u16,
    pub headers: Vec<(&'static str, &'static str)>,
    pub body: Bytes,
}

/// Only the console's own files run: scripts, styles and requests stay on its
/// origin, and no other site may frame it.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
                   frame-ancestors 'none'";

/// The file at `path`: an asset by its name, the app's `index.html` for any other
/// path without an extension (the app routes it), 404 for a missing asset;
/// gzipped when the browser takes it (`gzip`).
pub fn page(path: &str, gzip: bool) -> Page {
    if let Some(reason) = NOT_BUILT {
        return not_built(reason);
    }
    let found = FILES.iter().find(|f| f.path == path);
    let last = path.rsplit('/').next().unwrap_or_default();
    let file = match found {
        Some(file) if file.path != "/index.html" => file,
        _ if last.contains('.') && path != "/index.html" => {
            return Page {
                status: 404,
                headers: common(vec![("content-type", "text/plain; charset=utf-8")]),
                body: Bytes::from_static(b"not found\n"),
            };
        }
        _ => match FILES.iter().find(|f| f.path == "/index.html") {
            Some(file) => file,
            None => return not_built("its build made no index.html"),
        },
    };
    let name = file.path;
    // Vite names what it builds under /assets/ by content hash: a new build is a
    // new name, so those never need asking again. Everything else may change.
    let cache = if name.starts_with("/assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut headers = vec![
        ("content-type", content_type(name)),
        ("cache-control", cache),
    ];
    let body = match file.gzip {
        Some(gz) if gzip => {
            headers.push(("content-encoding", "gzip"));
            gz
        }
        _ => file.body,
    };
    if file.gzip.is_some() {
        headers.push(("vary", "accept-encoding"));
    }
    Page {
        status: 200,
        headers: common(headers),
        body: Bytes::from_static(body),
    }
}

/// Whether a request's `accept-encoding` takes gzip (not refused with `q=0`).
pub fn takes_gzip(accept_encoding: Option<&str>) -> bool {
    accept_encoding.is_some_and(|value| {
        value.split(',').any(|part| {
            let mut it = part.split(';');
            let coding = it.next().unwrap_or_default().trim();
            let refused = it.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    == Some(0.0)
            });
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        })
    })
}

fn common(mut headers: Vec<(&'static str, &'static str)>) -> Vec<(&'static str, &'static str)> {
    headers.extend([
        ("content-security-policy", CSP),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
    ]);
    headers
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" | "webmanifest" => "application/json",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn not_built(reason: &str) -> Page {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sluice console</title></head>\
         <body style=\"font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5\">\
         <h1>The console is not built into this binary</h1>\
         <p>Reason: {}.</p>\
         <p>Install Node.js 20 or later (with npm), then build sluice again \
         (<code>cargo run --release -p sluice -- serve</code>): the build makes the console itself.</p>\
         <p>The API answers here all the same: <a href=\"/openapi.json\">/openapi.json</a> describes it.</p>\
         </body></html>",
        escape(reason)
    );
    Page {
        status: 200,
        headers: vec![
            ("content-type", "text/html; charset=utf-8"),
            ("cache-control", "no-cache"),
            (
                "content-security-policy",
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
            ),
            ("x-content-type-options", "nosniff"),
        ],
        body: Bytes::from(body),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_paths_go_to_the_api() {
        for path in [
            "/v1/data-marts",
            "/openapi.json",
            "/health",
            "/.well-known/jwks.json",
        ] {
            assert!(is_api_path(path), "{path}");
        }
        for path in ["/", "/data-marts", "/v1x", "/assets/index.js", "/healthz"] {
            assert!(!is_api_path(path), "{path}");
        }
    }

    #[test]
    fn an_app_route_answers_the_index_and_a_missing_asset_is_not_found() {
        let app = page("/data-marts/dm_1", false);
        assert_eq!(app.status, 200);
        assert!(
            app.headers
                .contains(&("content-type", "text/html; charset=utf-8"))
        );
        let missing = page("/assets/nothing-here.js", false);
        match NOT_BUILT {
            None => assert_eq!(missing.status, 404),
            // The placeholder answers every path.
            Some(_) => assert_eq!(missing.status, 200),
        }
    }

    #[test]
    fn gzip_is_sent_to_those_who_take_it() {
        assert!(takes_gzip(Some("gzip, deflate, br")));
        assert!(takes_gzip(Some("br;q=1.0, GZIP;q=0.5")));
        assert!(takes_gzip(Some("*")));
        assert!(!takes_gzip(Some("gzip;q=0, br")));
        assert!(!takes_gzip(Some("identity")));
        assert!(!takes_gzip(None));
        if let Some(file) = FILES.iter().find(|f| f.gzip.is_some()) {
            let zipped = page(file.path, true);
            assert!(zipped.headers.contains(&("content-encoding", "gzip")));
            assert!(zipped.body.len() < file.body.len());
            let plain = page(file.path, false);
            assert!(!plain.headers.iter().any(|(k, _)| *k == "content-encoding"));
            assert_eq!(plain.body.as_ref(), file.body);
        }
    }

    #[test]
    fn every_page_forbids_framing() {
        for path in ["/", "/assets/nothing-here.js"] {
            let csp = page(path, true)
                .headers
                .iter()
                .find(|(k, _)| *k == "content-security-policy")
                .map(|(_, v)| *v)
                .unwrap_or_default();
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        }
    }
}
