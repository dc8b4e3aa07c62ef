import PurserHTTP
import PurserRPC

extension IdentityService {
    /// The one check every webhook URL passes before it is stored (create and
    /// update), the same an attempt makes (`WebhookSender.check`): an `https`
    /// URL of at most 2048 bytes with a host, no userinfo, no fragment and no
    /// whitespace (INVALID_ARGUMENT `url_invalid`), whose host is not and does
    /// not resolve to a private, loopback, link-local or otherwise non-public
    /// address (`url_not_allowed`) and resolves at all (`url_unresolvable`),
    /// unless `PURSER_IDENTITY_WEBHOOK_ALLOW_PRIVATE` allows private ones.
    /// Returns the URL to store.
    func checkWebhookURL(_ text: String) async throws(RPCError) -> String {
        let url: WebhookURL
        do {
            url = try WebhookURL(string: text)
            try await webhooks.check(url)
        } catch {
            switch error.reason {
            case "address_not_allowed":
                throw RPCError.invalid("url", error.detail, reason: "url_not_allowed")
            case "dns_failed", "timeout":
                throw RPCError.invalid("url", error.detail, reason: "url_unresolvable")
            default:
                throw RPCError.invalid("url", error.detail, reason: "url_invalid")
            }
        }
        return text
    }
}
