import Foundation
import PurserAPI
import PurserPolicy

extension EffectivePolicyView {
    /// Rebuilds the engine's merged policy from the two documents and the time
    /// zone this view carries, so a caller evaluates spends with exactly the
    /// rules the Policy service merged. Throws `PolicyClientError` with reason
    /// `policy_invalid_response` when a document or the zone cannot be read.
    package func enginePolicy() throws(PolicyClientError) -> EffectivePolicy {
        guard let zone = TimeZone(identifier: timeZone.isEmpty ? "UTC" : timeZone) else {
            throw PolicyClientError.invalidResponse("unknown time zone \"\(timeZone)\"")
        }
        let tenant = try Self.document(tenantDocumentJSON, version: tenantVersion)
        let agent = try Self.document(agentDocumentJSON, version: agentVersion)
        return EffectivePolicy.merge(tenant: tenant, agent: agent, timeZone: zone)
    }

    private static func document(_ json: String, version: Int64) throws(PolicyClientError) -> PolicyDocument? {
        guard version > 0, !json.isEmpty else { return nil }
        do {
            var document = try PolicyDocument.decode(json: json.utf8)
            document.version = Int(clamping: version)
            return document
        } catch {
            throw PolicyClientError.invalidResponse("stored policy document v\(version) does not decode: \(error)")
        }
    }
}
