import PurserAuth

/// The dashboard's page, script and stylesheet, compiled into the gateway
/// (no file is read at run time, nothing comes from another origin), each
/// served with a strict Content-Security-Policy and an ETag.
package enum DashboardAssets {
    /// One served file.
    package struct Asset: Sendable {
        package let path: String
        package let contentType: String
        package let body: [UInt8]
        /// A strong validator: the first 16 bytes of the body's SHA-256, quoted.
        package let etag: String

        init(_ path: String, _ contentType: String, _ text: String) {
            self.path = path
            self.contentType = contentType
            body = Array(text.utf8)
            etag = "\"" + DashboardSession.hexDigest(text).prefix(32) + "\""
        }
    }

    /// Scripts and styles only from this origin (no inline script or style),
    /// no framing, no plugins, forms and fetches only to this origin.
    package static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    package static let all: [Asset] = [
        Asset("/", "text/html; charset=utf-8", DashboardPage.html),
        Asset("/dashboard/app.js", "text/javascript; charset=utf-8", DashboardScript.javascript),
        Asset("/dashboard/app.css", "text/css; charset=utf-8", DashboardStylesheet.css),
    ]

    /// The asset served at `path`, if any.
    package static func asset(at path: String) -> Asset? { all.first { $0.path == path } }

    /// The headers every asset is served with: revalidated on each use
    /// (`no-cache` with its ETag), never sniffed, never framed.
    package static func headers(for asset: Asset) -> [(name: String, value: String)] {
        [("content-type", asset.contentType), ("content-security-policy", contentSecurityPolicy),
         ("x-content-type-options", "nosniff"), ("x-frame-options", "DENY"), ("referrer-policy", "no-referrer"),
         ("cache-control", "no-cache"), ("etag", asset.etag)]
    }
}
