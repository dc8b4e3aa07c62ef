import Foundation
import PurserAPI
import PurserPolicy
import PurserRPC

extension EffectivePolicyView {
    /// Rebuilds the engine's merged policy from the documents (the tenant's,
    /// each ancestor's, the agent's own) and the time zone this view carries,
    /// so a caller evaluates spends with exactly the rules the Policy service
    /// merged. Throws `RPCError` UNAVAILABLE
    /// `policy_invalid_response` when a document or the zone cannot be read.
    package func enginePolicy() throws(RPCError) -> EffectivePolicy {
        guard let zone = TimeZone(identifier: timeZone.isEmpty ? "UTC" : timeZone) else {
            throw RPCError.policyInvalidResponse("unknown time zone \"\(timeZone)\"")
        }
        let tenant = try Self.document(tenantDocumentJSON, version: tenantVersion)
        let agent = try Self.document(agentDocumentJSON, version: agentVersion)
        var overrides: [AgentOverride] = []
        for ancestor in ancestors {
            overrides.append(
                AgentOverride(
                    agentID: ancestor.agentID, document: try Self.document(ancestor.documentJSON, version: ancestor.version)))
        }
        return EffectivePolicy.merge(
            tenant: tenant, ancestors: overrides, agent: AgentOverride(agentID: agentID, document: agent), timeZone: zone)
    }

    private static func document(_ json: String, version: Int64) throws(RPCError) -> PolicyDocument? {
        guard version > 0, !json.isEmpty else { return nil }
        do {
            var document = try PolicyDocument.decode(json: json.utf8)
            document.version = Int(clamping: version)
            return document
        } catch {
            throw RPCError.policyInvalidResponse("stored policy document v\(version) does not decode: \(error)", cause: error)
        }
    }
}
