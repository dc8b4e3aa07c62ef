import Foundation
import PurserRPC

extension IdentityService {
    /// Longest webhook URL accepted, in bytes.
    static let maximumWebhookURLBytes = 2048

    /// The one check every webhook URL passes before it is stored (create and
    /// update): an absolute `https` URL with a host, at most 2048 bytes, with
    /// no whitespace or control characters, no userinfo and no fragment;
    /// INVALID_ARGUMENT `url_invalid` otherwise. Returns the URL to store.
    func checkWebhookURL(_ url: String) async throws(RPCError) -> String {
        func invalid(_ problem: String) -> RPCError { .invalid("url", problem, reason: "url_invalid") }
        guard !url.isEmpty else { throw invalid("is required") }
        guard url.utf8.count <= Self.maximumWebhookURLBytes else {
            throw invalid("is longer than \(Self.maximumWebhookURLBytes) bytes")
        }
        guard !url.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }) else {
            throw invalid("holds whitespace or control characters")
        }
        guard let components = URLComponents(string: url), components.scheme?.lowercased() == "https" else {
            throw invalid("must be an absolute https URL")
        }
        guard let host = components.host, !host.isEmpty else { throw invalid("has no host") }
        guard components.user == nil, components.password == nil else { throw invalid("must not carry a user or password") }
        guard components.fragment == nil else { throw invalid("must not carry a fragment") }
        return url
    }
}
