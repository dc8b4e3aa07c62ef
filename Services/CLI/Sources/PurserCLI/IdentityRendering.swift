import PurserAPI
import PurserJSON

extension Tenant {
    var json: JSONValue {
        .members([
            ("id", .string(id)), ("slug", .string(slug)), ("name", .string(name)), ("email_domain", .string(emailDomain)),
            ("time_zone", .string(timeZone)), ("currency", .string(currency)), ("admin_can_read_mail", .bool(adminCanReadMail)),
            ("accepts_payments_from_other_tenants", .bool(acceptsPaymentsFromOtherTenants)),
        ] + Render.time("created_at", createdAtUs))
    }

    var row: [String] { [id, slug, name, Render.orDash(emailDomain), currency, timeZone, acceptsPaymentsFromOtherTenants ? "yes" : "no"] }
    static let columns = ["ID", "SLUG", "NAME", "EMAIL DOMAIN", "CURRENCY", "TIME ZONE", "PAID BY OTHER TENANTS"]
}

extension ApiKey {
    var json: JSONValue {
        .members([("id", .string(id)), ("tenant_id", .string(tenantID)), ("role", .string(role.description)), ("label", .string(label))]
            + Render.time("created_at", createdAtUs) + Render.time("expires_at", expiresAtUs) + Render.time("revoked_at", revokedAtUs))
    }

    var row: [String] { [id, role.description, Render.orDash(label), UTCDate.timestamp(createdAtUs), UTCDate.timestamp(expiresAtUs), UTCDate.timestamp(revokedAtUs)] }
    static let columns = ["ID", "ROLE", "LABEL", "CREATED", "EXPIRES", "REVOKED"]
}

extension Provider {
    var json: JSONValue {
        .members([("id", .string(id)), ("slug", .string(slug)), ("name", .string(name)), ("default_category", .string(defaultCategory)),
                 ("categories", .array(categories.map(JSONValue.string)))]
            + Render.time("created_at", createdAtUs))
    }

    var row: [String] { [id, slug, name, Render.orDash(defaultCategory), Render.orDash(categories.joined(separator: ","))] }
    static let columns = ["ID", "SLUG", "NAME", "DEFAULT CATEGORY", "CATEGORIES"]
}

extension Agent {
    var json: JSONValue {
        .members([
            ("id", .string(id)), ("tenant_id", .string(tenantID)), ("handle", .string(handle)), ("display_name", .string(displayName)),
            ("status", .string(status.description)), ("revoke_reason", .string(revokeReason)),
            ("metadata", .members(metadata.keys.sorted().map { ($0, .string(metadata[$0] ?? "")) })),
            ("parent_agent_id", .string(parentAgentID)), ("ancestor_ids", .array(ancestorIDs.map(JSONValue.string))),
            ("depth", .number(String(depth))),
        ] + Render.time("created_at", createdAtUs) + Render.time("revoked_at", revokedAtUs))
    }

    var row: [String] { [id, handle, Render.orDash(displayName), status.description, UTCDate.timestamp(createdAtUs)] }
    static let columns = ["ID", "HANDLE", "NAME", "STATUS", "CREATED"]

    var record: [(String, String)] {
        [("id", id), ("handle", handle), ("name", Render.orDash(displayName)), ("status", status.description),
         ("created", UTCDate.timestamp(createdAtUs))]
            + (parentAgentID.isEmpty ? [] : [("parent", parentAgentID), ("depth", String(depth))])
            + (revokedAtUs != 0 ? [("revoked", UTCDate.timestamp(revokedAtUs)), ("revoke reason", revokeReason)] : [])
            + metadata.keys.sorted().map { ("meta \($0)", metadata[$0] ?? "") }
    }
}
