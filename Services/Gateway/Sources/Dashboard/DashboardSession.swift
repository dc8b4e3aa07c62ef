import Foundation
import PurserAuth
import PurserJSON

/// The dashboard's session cookie and its CSRF token. The cookie holds the
/// Identity token itself (the gateway keeps no state): `HttpOnly` so no
/// script reads it, `Secure` and `__Host-` so it only travels over HTTPS to
/// this exact host, `SameSite=Strict` so no other site's page sends it, and a
/// `Max-Age` equal to the token's remaining lifetime.
///
/// The CSRF token is the hex SHA-256 of the session token: the page learns it
/// from `GET /v1/dashboard/session` (which only a same-origin script can read)
/// and sends it in `X-CSRF-Token` on every mutating request; a request that
/// authenticates by cookie without it is refused.
package enum DashboardSession {
    package static let cookieName = "__Host-purser_session"
    package static let csrfHeader = "x-csrf-token"
    /// The roles that may hold a dashboard session.
    package static let roles: Set<String> = ["admin", "finance", "agent"]

    /// The session token in the request's `Cookie` header(s), if any.
    package static func token(cookies headers: [(name: String, value: String)]) -> String? {
        for header in headers where header.name.caseInsensitiveCompare("cookie") == .orderedSame {
            for pair in header.value.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == cookieName else { continue }
                let value = parts[1].trimmingCharacters(in: .whitespaces)
                if !value.isEmpty { return value }
            }
        }
        return nil
    }

    /// The CSRF token of `sessionToken`: its SHA-256, lowercase hex.
    package static func csrfToken(for sessionToken: String) -> String { hexDigest(sessionToken) }

    /// The SHA-256 of `text`'s UTF-8, lowercase hex.
    static func hexDigest(_ text: String) -> String {
        SHA256Digest.hash(Array(text.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Whether `presented` is the CSRF token of `sessionToken` (compared in constant time).
    package static func csrfMatches(_ presented: String?, sessionToken: String) -> Bool {
        guard let presented else { return false }
        return ConstantTime.equals(Array(presented.utf8), Array(csrfToken(for: sessionToken).utf8))
    }

    /// `Set-Cookie` for a session holding `token` for `maxAge` seconds.
    package static func setCookie(token: String, maxAge: Int64) -> String {
        "\(cookieName)=\(token); Max-Age=\(max(0, maxAge)); Path=/; Secure; HttpOnly; SameSite=Strict"
    }

    /// `Set-Cookie` that removes the session cookie.
    package static let clearCookie = "\(cookieName)=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Strict"

    /// The claims a session token carries, read from its payload without
    /// checking the signature: used only after a service has accepted the
    /// token (or to describe a token Identity just issued).
    package static func claims(of token: String) -> JSONObject? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Base64URL.decode(parts[1]),
              case .object(let object)? = try? JSONParser().parse(payload)
        else { return nil }
        return object
    }
}
