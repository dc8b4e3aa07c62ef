import Foundation
import PurserAPI
import PurserPostgres

/// The column lists Identity selects and the decoding of each row into its
/// API message, kept side by side so they cannot drift apart.
enum IdentityRows {
    static let tenantColumns = """
        tenant_id::text, slug, name, email_domain, time_zone, currency, admin_can_read_mail, identity.to_us(created_at),
        accepts_payments_from_other_tenants
        """

    static func tenant(_ row: PostgresRow) throws -> Tenant {
        var tenant = Tenant()
        tenant.id = try row.decode(String.self, at: 0)
        tenant.slug = try row.decode(String.self, at: 1)
        tenant.name = try row.decode(String.self, at: 2)
        tenant.emailDomain = try row.decode(String.self, at: 3)
        tenant.timeZone = try row.decode(String.self, at: 4)
        tenant.currency = try row.decode(String.self, at: 5)
        tenant.adminCanReadMail = try row.decode(Bool.self, at: 6)
        tenant.createdAtUs = try row.decode(Int64.self, at: 7)
        tenant.acceptsPaymentsFromOtherTenants = try row.decode(Bool.self, at: 8)
        return tenant
    }

    static let apiKeyColumns = """
        key_id::text, tenant_id::text, role, label, identity.to_us(created_at), identity.to_us(expires_at), identity.to_us(revoked_at)
        """

    static func apiKey(_ row: PostgresRow) throws -> ApiKey {
        var key = ApiKey()
        key.id = try row.decode(String.self, at: 0)
        key.tenantID = try row.decode(String.self, at: 1)
        key.role = try row.decode(String.self, at: 2) == "admin" ? .admin : .finance
        key.label = try row.decode(String.self, at: 3)
        key.createdAtUs = try row.decode(Int64.self, at: 4)
        key.expiresAtUs = try row.decode(Int64?.self, at: 5) ?? 0
        key.revokedAtUs = try row.decode(Int64?.self, at: 6) ?? 0
        return key
    }

    static let agentColumns = """
        agent_id::text, tenant_id::text, handle, display_name, metadata::text, status, revoke_reason,
        identity.to_us(created_at), identity.to_us(updated_at), identity.to_us(revoked_at),
        coalesce(parent_agent_id::text, ''), array_to_string(ancestors, ','), depth
        """

    static func agent(_ row: PostgresRow) throws -> Agent {
        var agent = Agent()
        agent.id = try row.decode(String.self, at: 0)
        agent.tenantID = try row.decode(String.self, at: 1)
        agent.handle = try row.decode(String.self, at: 2)
        agent.displayName = try row.decode(String.self, at: 3)
        agent.metadata = decodeMetadata(try row.decode(String.self, at: 4))
        agent.status = status(try row.decode(String.self, at: 5))
        agent.revokeReason = try row.decode(String.self, at: 6)
        agent.createdAtUs = try row.decode(Int64.self, at: 7)
        agent.updatedAtUs = try row.decode(Int64.self, at: 8)
        agent.revokedAtUs = try row.decode(Int64?.self, at: 9) ?? 0
        agent.parentAgentID = try row.decode(String.self, at: 10)
        agent.ancestorIDs = try row.decode(String.self, at: 11).split(separator: ",").map(String.init)
        agent.depth = try row.decode(Int32.self, at: 12)
        return agent
    }

    static let providerColumns =
        "provider_id::text, slug, name, default_category, identity.to_us(created_at), array_to_string(categories, ',')"

    static func provider(_ row: PostgresRow) throws -> Provider {
        var provider = Provider()
        provider.id = try row.decode(String.self, at: 0)
        provider.slug = try row.decode(String.self, at: 1)
        provider.name = try row.decode(String.self, at: 2)
        provider.defaultCategory = try row.decode(String.self, at: 3)
        provider.createdAtUs = try row.decode(Int64.self, at: 4)
        let categories = try row.decode(String.self, at: 5)
        provider.categories = categories.isEmpty ? [] : categories.split(separator: ",").map(String.init)
        return provider
    }

    static func status(_ text: String) -> AgentStatus {
        switch text {
        case "active": .active
        case "suspended": .suspended
        case "revoked": .revoked
        default: .unspecified
        }
    }

    static func statusText(_ status: AgentStatus) -> String? {
        switch status {
        case .active: "active"
        case .suspended: "suspended"
        case .revoked: "revoked"
        default: nil
        }
    }

    /// Agent metadata as the JSON object stored in `agents.metadata`.
    static func encodeMetadata(_ metadata: [String: String]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: metadata, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    static func decodeMetadata(_ json: String) -> [String: String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return [:] }
        var metadata: [String: String] = [:]
        for (key, value) in object {
            if let text = value as? String { metadata[key] = text }
        }
        return metadata
    }
}

extension PostgresError {
    /// True for a unique violation of `constraint`.
    func violates(_ constraint: String) -> Bool {
        kind == .uniqueViolation && self.constraint == constraint
    }
}
